package app

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// personalForms are every way the intake accepts a phone or a document,
// with the digits that must never reach a log whole.
var personalForms = []struct{ in, secret string }{
	{"(11) 99900-0001", "99900"},
	{"11 99900 0001", "99900"},
	{"11 9 9900-0001", "9900-"},
	{"+55 (11) 99900-0001", "99900"},
	{"+55 11 99900-0001", "99900"},
	{"+5511999000001", "99900"},
	{"5511999000001", "99900"},
	{"11999000001", "99900"},
	{"011 99900-0001", "99900"},
	{"(11) 3456-7890", "3456"},
	{"%2B5511999000001", "99900"},
	{"%2B55%20(11)%2099900-0001", "99900"},
	{"123.456.789-09", "456"},
	{"123 456 789 09", "456"},
	{"12345678909", "456"},
	{"11.222.333/0001-81", "222"},
	{"11 222 333 0001 81", "222"},
	{"11222333000181", "222"},
	{"12.ABC.345/01DE-35", "ABC"},
	{"12ABC34501DE35", "ABC"},
}

func TestMaskStringEveryForm(t *testing.T) {
	for _, f := range personalForms {
		for _, text := range []string{f.in, "GET /chat/api/" + f.in + "/messages: boom", "lookup " + url.PathEscape(f.in) + " failed", `{"x":"` + f.in + `"}`} {
			got := MaskString(text)
			if strings.Contains(got, f.secret) {
				t.Errorf("MaskString(%q) = %q: still holds %q", text, got, f.secret)
			}
		}
	}
	// What is not personal stays readable.
	for _, keep := range []string{"charge 1234 of 2026-12-20 for 1500.00", "txid RGPX12345678901234567", "E18236120202611231300abcDEF12345"} {
		if got := MaskString(keep); got != keep {
			t.Errorf("MaskString(%q) = %q", keep, got)
		}
	}
}

var timeField = regexp.MustCompile(`"time":"[^"]*"`)

func TestLoggerMasksErrorsAndAttrs(t *testing.T) {
	for _, f := range personalForms {
		var buf bytes.Buffer
		log := NewLogger(&buf, slog.LevelDebug)
		log.Error("request failed", "err", errors.New("bot: conversation wc:"+f.in+" vanished"), "note", f.in)
		// The timestamp's digits are not personal (and may hold "456").
		line := timeField.ReplaceAllString(buf.String(), "")
		if strings.Contains(line, f.secret) {
			t.Errorf("log leaks %q: %s", f.in, buf.String())
		}
	}
}

// The safety net's cost per logged string: paid only on lines that are
// logged (errors, warnings; every request only at debug level).
func BenchmarkMaskString(b *testing.B) {
	for _, tc := range []struct{ name, s string }{
		{"plain", "bot: record turn: ERROR: could not serialize access due to concurrent update (SQLSTATE 40001)"},
		{"phone", "bot: conversation wc:+5511999000001 vanished after 3 attempts"},
		{"encoded", "lookup %2B55%20(11)%2099900-0001 failed: context deadline exceeded"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				MaskString(tc.s)
			}
		})
	}
}
