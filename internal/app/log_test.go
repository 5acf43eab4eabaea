package app

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLoggerMasksPersonalData(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, slog.LevelDebug)
	log.Info("debtor wrote from +5511987654321 with CPF 123.456.789-09",
		"phone", "+5511987654321", "document", "12345678909", "err", errors.New("lookup 52998224725 failed"), "note", "cnpj 11222333000181")
	out := buf.String()
	for _, leak := range []string{"987654321", "123.456.789-09", "12345678909", "52998224725", "11222333000181"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log leaks %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "+5511") || !strings.Contains(out, "4321") {
		t.Fatalf("masked phone lost its useful ends: %s", out)
	}
}
