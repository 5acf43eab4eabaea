package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// A half-configured start (production settings, no Pix key, no REGUA_DEMO)
// refuses with one line naming the variable instead of serving a demo.
func TestServeRefusesHalfConfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", map[string]string{}, "REGUA_PIX_KEY"},
		// The reproduced case: production settings that the old inference
		// did not look at, no Pix key, no REGUA_DEMO: it served a demo.
		{"production url and secret", map[string]string{"REGUA_PUBLIC_URL": "https://cobranca.example.com.br",
			"REGUA_WEBHOOK_SECRET": "0123456789abcdef", "REGUA_BUSINESS_DOCUMENT": "11222333000181"}, "REGUA_PIX_KEY"},
		{"business but no pix key", map[string]string{"REGUA_BUSINESS_NAME": "Loja Real Ltda", "REGUA_WEBHOOK_SECRET": "0123456789abcdef"}, "REGUA_PIX_KEY"},
		{"pix key but no name", map[string]string{"REGUA_PIX_KEY": "financeiro@loja.com.br"}, "REGUA_PIX_NAME"},
		{"demo false", map[string]string{"REGUA_DEMO": "false", "REGUA_TELEGRAM_TOKEN": "123:abc"}, "REGUA_PIX_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"REGUA_DEMO", "REGUA_PIX_KEY", "REGUA_PIX_NAME", "REGUA_PIX_CITY", "REGUA_BUSINESS_NAME",
				"REGUA_BUSINESS_DOCUMENT", "REGUA_WEBHOOK_SECRET", "REGUA_TELEGRAM_TOKEN", "REGUA_PSP_URL", "REGUA_PUBLIC_URL"} {
				t.Setenv(k, tc.env[k])
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"serve"}, strings.NewReader(""), &stdout, &stderr)
			out := stderr.String()
			if code != 1 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "regua: setting "+tc.want+": ") {
				t.Fatalf("exit %d, stderr %q: want one line naming %s", code, out, tc.want)
			}
			if !strings.Contains(out, "REGUA_DEMO=true") {
				t.Fatalf("the refusal does not say how to run a demo: %q", out)
			}
		})
	}
}
