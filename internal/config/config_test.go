package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDemoOnlyWhenSet(t *testing.T) {
	c, err := Load(env(map[string]string{"REGUA_DEMO": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo || c.HTTPAddr != ":8080" || c.Location.String() != "America/Sao_Paulo" || c.PixKey == "" {
		t.Fatalf("unexpected demo defaults: %+v", c)
	}
	// Nothing set: a serious product does not start as a demo on its own.
	_, err = Load(env(nil))
	if err == nil || !strings.HasPrefix(err.Error(), "REGUA_PIX_KEY:") || !strings.Contains(err.Error(), "REGUA_DEMO=true") {
		t.Fatalf("empty settings: got %v, want a refusal naming REGUA_PIX_KEY and REGUA_DEMO=true", err)
	}
	// Half configured (the reproduced case: production settings, no Pix key,
	// no REGUA_DEMO) refuses with one line naming the missing variable.
	half := []map[string]string{
		{"REGUA_PUBLIC_URL": "https://cobranca.example.com.br", "REGUA_WEBHOOK_SECRET": "0123456789abcdef", "REGUA_BUSINESS_DOCUMENT": "11222333000181"},
		{"REGUA_TELEGRAM_TOKEN": "123:abc"},
		{"REGUA_PIX_KEY": "k@x.com", "REGUA_PIX_NAME": "N", "REGUA_PIX_CITY": "C", "REGUA_BUSINESS_NAME": "B", "REGUA_BUSINESS_DOCUMENT": "11222333000181"},
	}
	want := []string{"REGUA_PIX_KEY", "REGUA_PIX_KEY", "REGUA_WEBHOOK_SECRET"}
	for i, m := range half {
		c, err := Load(env(m))
		if err == nil || !strings.HasPrefix(err.Error(), want[i]+":") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("half-configured %v: got %v (config %+v), want one line naming %s", m, err, c, want[i])
		}
	}
	// REGUA_DEMO=false is production too.
	if _, err := Load(env(map[string]string{"REGUA_DEMO": "false"})); err == nil {
		t.Fatal("REGUA_DEMO=false with nothing else started")
	}
}

func TestLoadToolNeedsNoServingSettings(t *testing.T) {
	c, err := LoadTool(env(map[string]string{"REGUA_TIMEZONE": "America/Manaus"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo || c.Location.String() != "America/Manaus" || c.PixKey != "" {
		t.Fatalf("tool settings: %+v", c)
	}
	if _, err := LoadTool(env(map[string]string{"REGUA_DATABASE_URL": "mysql://x"})); err == nil || !strings.HasPrefix(err.Error(), "REGUA_DATABASE_URL:") {
		t.Fatalf("tool settings still validated: %v", err)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	prod := map[string]string{
		"REGUA_DEMO": "false", "REGUA_PIX_KEY": "k@x.com", "REGUA_PIX_NAME": "N", "REGUA_PIX_CITY": "C",
		"REGUA_BUSINESS_NAME": "B", "REGUA_BUSINESS_DOCUMENT": "11222333000181", "REGUA_WEBHOOK_SECRET": "0123456789abcdef",
	}
	if _, err := Load(env(prod)); err != nil {
		t.Fatalf("valid production settings refused: %v", err)
	}
	cases := []struct {
		name, key, val, want string
	}{
		{"bad db", "REGUA_DATABASE_URL", "mysql://x", "REGUA_DATABASE_URL"},
		{"bad redis", "REGUA_REDIS_URL", "::", "REGUA_REDIS_URL"},
		{"bad addr", "REGUA_HTTP_ADDR", "8080", "REGUA_HTTP_ADDR"},
		{"bad port", "REGUA_HTTP_ADDR", ":99999", "REGUA_HTTP_ADDR"},
		{"bad tz", "REGUA_TIMEZONE", "Mars/Olympus", "REGUA_TIMEZONE"},
		{"bad whatsapp", "REGUA_WHATSAPP", "maybe", "REGUA_WHATSAPP"},
		{"bad demo", "REGUA_DEMO", "perhaps", "REGUA_DEMO"},
		{"missing pix key", "REGUA_PIX_KEY", "", "REGUA_PIX_KEY"},
		{"short secret", "REGUA_WEBHOOK_SECRET", "short", "REGUA_WEBHOOK_SECRET"},
		{"bad token", "REGUA_TELEGRAM_TOKEN", "nocolon", "REGUA_TELEGRAM_TOKEN"},
		{"psp without cert", "REGUA_PSP_URL", "https://psp.example", "REGUA_PSP_CLIENT_ID"},
		{"psp http", "REGUA_PSP_URL", "http://psp.example", "REGUA_PSP_URL"},
		{"bad ttl", "REGUA_SESSION_TTL", "5s", "REGUA_SESSION_TTL"},
		{"bad metrics addr", "REGUA_METRICS_ADDR", "9090", "REGUA_METRICS_ADDR"},
		{"bad allow private", "REGUA_WEBHOOK_ALLOW_PRIVATE", "sometimes", "REGUA_WEBHOOK_ALLOW_PRIVATE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range prod {
				m[k] = v
			}
			m[tc.key] = tc.val
			_, err := Load(env(m))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want+":") {
				t.Fatalf("got %v, want an error naming %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	_, err := Load(env(map[string]string{"REGUA_DEMO": "false", "REGUA_WEBHOOK_SECRET": "tiny-secret",
		"REGUA_PIX_KEY": "k", "REGUA_PIX_NAME": "n", "REGUA_PIX_CITY": "c", "REGUA_BUSINESS_NAME": "b", "REGUA_BUSINESS_DOCUMENT": "d"}))
	if err == nil || strings.Contains(err.Error(), "tiny-secret") {
		t.Fatalf("error leaks the secret or is missing: %v", err)
	}
}

func TestLoadDotEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(p, []byte("# comment\nREGUA_TEST_A=1\nexport REGUA_TEST_B=\"two words\"\nREGUA_TEST_C=keep\n"), 0o600)
	t.Setenv("REGUA_TEST_C", "already")
	if err := LoadDotEnv(p); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("REGUA_TEST_A") != "1" || os.Getenv("REGUA_TEST_B") != "two words" || os.Getenv("REGUA_TEST_C") != "already" {
		t.Fatal("dotenv not applied as expected")
	}
	os.Unsetenv("REGUA_TEST_A")
	os.Unsetenv("REGUA_TEST_B")
}
