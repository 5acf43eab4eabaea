// Package config reads Régua's settings from the environment (and a .env
// file when present) and validates them at start, so that a wrong setting
// stops the process with one line naming the variable.
//
// It must never log or print a secret's value.
package config

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of SPEC "Settings".
type Config struct {
	DatabaseURL string
	RedisURL    string
	HTTPAddr    string
	PublicURL   string
	Timezone    string
	Location    *time.Location

	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookSecret string

	WhatsApp         bool
	WhatsAppSettings WhatsAppSettings // REGUA_WHATSAPP_* (internal/config/whatsapp.go)

	PixKey, PixName, PixCity string

	PSPURL, PSPClientID, PSPClientSecret, PSPCert, PSPKey string
	PSPCA                                                 string // optional PEM of the provider's CA (when not in the system pool)

	BusinessName, BusinessDocument string

	WebhookSecret string

	// Optional mTLS listener for provider webhooks: a verified client
	// certificate from WebhookClientCA authenticates the provider.
	WebhookTLSAddr, WebhookTLSCert, WebhookTLSKey, WebhookClientCA string

	// Demo is REGUA_DEMO: only ever true when set so, never inferred.
	Demo bool

	// MetricsAddr, when set, is the only listener serving /metrics.
	MetricsAddr string

	// WebhookAllowPrivate lets outgoing webhooks reach loopback, private,
	// link-local and other internal addresses (tests, closed networks).
	WebhookAllowPrivate bool

	SessionTTL time.Duration

	// Chat holds what the bot tells debtors who ask (chat.go).
	Chat ChatSettings

	Regua Regua // the régua's settings (regua.go)
}

// Demo values used when REGUA_DEMO is on and the business left them empty.
const (
	demoPixKey   = "cobranca@regua.example"
	demoPixName  = "Regua Demo Cobrancas"
	demoPixCity  = "SAO PAULO"
	demoBusiness = "Régua Demo Cobranças Ltda"
	demoDocument = "11222333000181"
	demoSecret   = "demo-webhook-secret-change-me"
)

// Error names the variable that is wrong.
type Error struct {
	Var, Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// Load reads the settings through getenv (os.Getenv in production; a map in
// tests) and validates them as `regua serve` needs them: unless REGUA_DEMO is
// true, the Pix, business and webhook settings are required.
func Load(getenv func(string) string) (*Config, error) {
	return load(getenv, true)
}

// LoadTool reads the settings the command-line tools need (database,
// time zone): the serving settings are read but not required, so that
// `regua import` or `regua apikey` work beside a demo as in production.
func LoadTool(getenv func(string) string) (*Config, error) {
	return load(getenv, false)
}

func load(getenv func(string) string, serving bool) (*Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		DatabaseURL:           get("REGUA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/regua?sslmode=disable"),
		RedisURL:              get("REGUA_REDIS_URL", "redis://127.0.0.1:6379/0"),
		HTTPAddr:              get("REGUA_HTTP_ADDR", ":8080"),
		PublicURL:             strings.TrimRight(get("REGUA_PUBLIC_URL", "http://localhost:8080"), "/"),
		Timezone:              get("REGUA_TIMEZONE", "America/Sao_Paulo"),
		TelegramToken:         get("REGUA_TELEGRAM_TOKEN", ""),
		TelegramAPIURL:        strings.TrimRight(get("REGUA_TELEGRAM_API_URL", "https://api.telegram.org"), "/"),
		TelegramWebhookSecret: get("REGUA_TELEGRAM_WEBHOOK_SECRET", ""),
		PixKey:                get("REGUA_PIX_KEY", ""),
		PixName:               get("REGUA_PIX_NAME", ""),
		PixCity:               get("REGUA_PIX_CITY", ""),
		PSPURL:                strings.TrimRight(get("REGUA_PSP_URL", ""), "/"),
		PSPClientID:           get("REGUA_PSP_CLIENT_ID", ""),
		PSPClientSecret:       get("REGUA_PSP_CLIENT_SECRET", ""),
		PSPCert:               get("REGUA_PSP_CERT", ""),
		PSPKey:                get("REGUA_PSP_KEY", ""),
		PSPCA:                 get("REGUA_PSP_CA", ""),
		BusinessName:          get("REGUA_BUSINESS_NAME", ""),
		BusinessDocument:      get("REGUA_BUSINESS_DOCUMENT", ""),
		WebhookSecret:         get("REGUA_WEBHOOK_SECRET", ""),
		WebhookTLSAddr:        get("REGUA_WEBHOOK_TLS_ADDR", ""),
		WebhookTLSCert:        get("REGUA_WEBHOOK_TLS_CERT", ""),
		WebhookTLSKey:         get("REGUA_WEBHOOK_TLS_KEY", ""),
		WebhookClientCA:       get("REGUA_WEBHOOK_CLIENT_CA", ""),
		MetricsAddr:           get("REGUA_METRICS_ADDR", ""),
	}

	if err := checkURL("REGUA_DATABASE_URL", c.DatabaseURL, "postgres", "postgresql"); err != nil {
		return nil, err
	}
	if err := checkURL("REGUA_REDIS_URL", c.RedisURL, "redis", "rediss"); err != nil {
		return nil, err
	}
	if err := checkURL("REGUA_PUBLIC_URL", c.PublicURL, "http", "https"); err != nil {
		return nil, err
	}
	if c.TelegramToken != "" {
		if err := checkURL("REGUA_TELEGRAM_API_URL", c.TelegramAPIURL, "http", "https"); err != nil {
			return nil, err
		}
		if !strings.Contains(c.TelegramToken, ":") {
			return nil, &Error{"REGUA_TELEGRAM_TOKEN", "is not a bot token (expected <id>:<secret> from @BotFather)"}
		}
	}
	if err := checkAddr("REGUA_HTTP_ADDR", c.HTTPAddr, ":8080"); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, &Error{"REGUA_TIMEZONE", fmt.Sprintf("%q is not a known time zone (e.g. America/Sao_Paulo)", c.Timezone)}
	}
	c.Location = loc

	switch v := strings.ToLower(get("REGUA_WHATSAPP", "off")); v {
	case "on", "true", "1":
		c.WhatsApp = true
	case "off", "false", "0":
	default:
		return nil, &Error{"REGUA_WHATSAPP", fmt.Sprintf("%q must be on or off", v)}
	}
	if err := loadWhatsApp(get, c); err != nil {
		return nil, err
	}

	ttl := get("REGUA_SESSION_TTL", "24h")
	if c.SessionTTL, err = time.ParseDuration(ttl); err != nil || c.SessionTTL < time.Minute {
		return nil, &Error{"REGUA_SESSION_TTL", fmt.Sprintf("%q must be a duration of at least 1m (e.g. 24h)", ttl)}
	}

	// Demo mode only when asked for: a production setting left out must
	// stop start-up, never turn the service into a demo that lists real
	// debtors to anyone and prints Pix codes for a made-up key.
	if c.Demo, err = boolSetting(getenv, "REGUA_DEMO"); err != nil {
		return nil, err
	}
	if c.WebhookAllowPrivate, err = boolSetting(getenv, "REGUA_WEBHOOK_ALLOW_PRIVATE"); err != nil {
		return nil, err
	}
	if c.Chat, err = loadChat(getenv); err != nil {
		return nil, err
	}
	if err := c.loadRegua(get); err != nil {
		return nil, err
	}
	if c.MetricsAddr != "" {
		if err := checkAddr("REGUA_METRICS_ADDR", c.MetricsAddr, "127.0.0.1:9090"); err != nil {
			return nil, err
		}
	}
	if !serving {
		return c, nil
	}

	if c.Demo {
		def := func(p *string, v string) {
			if *p == "" {
				*p = v
			}
		}
		def(&c.PixKey, demoPixKey)
		def(&c.PixName, demoPixName)
		def(&c.PixCity, demoPixCity)
		def(&c.BusinessName, demoBusiness)
		def(&c.BusinessDocument, demoDocument)
		def(&c.WebhookSecret, demoSecret)
	}
	for _, req := range []struct{ name, val string }{
		{"REGUA_PIX_KEY", c.PixKey}, {"REGUA_PIX_NAME", c.PixName}, {"REGUA_PIX_CITY", c.PixCity},
		{"REGUA_BUSINESS_NAME", c.BusinessName}, {"REGUA_BUSINESS_DOCUMENT", c.BusinessDocument},
		{"REGUA_WEBHOOK_SECRET", c.WebhookSecret},
	} {
		if req.val == "" {
			return nil, &Error{req.name, "is required (for a demonstration with made-up data, set REGUA_DEMO=true)"}
		}
	}
	if !c.Demo && len(c.WebhookSecret) < 16 {
		return nil, &Error{"REGUA_WEBHOOK_SECRET", "must be at least 16 characters"}
	}
	if c.PSPURL != "" {
		if err := checkURL("REGUA_PSP_URL", c.PSPURL, "https"); err != nil {
			return nil, err
		}
		for _, req := range []struct{ name, val string }{
			{"REGUA_PSP_CLIENT_ID", c.PSPClientID}, {"REGUA_PSP_CLIENT_SECRET", c.PSPClientSecret},
			{"REGUA_PSP_CERT", c.PSPCert}, {"REGUA_PSP_KEY", c.PSPKey},
		} {
			if req.val == "" {
				return nil, &Error{req.name, "is required when REGUA_PSP_URL is set"}
			}
		}
		for _, f := range []struct{ name, path string }{{"REGUA_PSP_CERT", c.PSPCert}, {"REGUA_PSP_KEY", c.PSPKey}, {"REGUA_PSP_CA", c.PSPCA}} {
			if f.path == "" {
				continue
			}
			if _, err := os.Stat(f.path); err != nil {
				return nil, &Error{f.name, fmt.Sprintf("cannot read %s", f.path)}
			}
		}
	}
	if c.WebhookTLSAddr != "" {
		for _, f := range []struct{ name, path string }{{"REGUA_WEBHOOK_TLS_CERT", c.WebhookTLSCert}, {"REGUA_WEBHOOK_TLS_KEY", c.WebhookTLSKey}, {"REGUA_WEBHOOK_CLIENT_CA", c.WebhookClientCA}} {
			if f.path == "" {
				return nil, &Error{f.name, "is required when REGUA_WEBHOOK_TLS_ADDR is set"}
			}
			if _, err := os.Stat(f.path); err != nil {
				return nil, &Error{f.name, fmt.Sprintf("cannot read %s", f.path)}
			}
		}
		if _, _, ok := strings.Cut(c.WebhookTLSAddr, ":"); !ok {
			return nil, &Error{"REGUA_WEBHOOK_TLS_ADDR", fmt.Sprintf("%q is not host:port (e.g. :8443)", c.WebhookTLSAddr)}
		}
	}
	return c, nil
}

// boolSetting reads an optional true/false setting (false when unset).
func boolSetting(getenv func(string) string, name string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(name))); v {
	case "true", "1", "on", "yes":
		return true, nil
	case "", "false", "0", "off", "no":
		return false, nil
	default:
		return false, &Error{name, fmt.Sprintf("%q must be true or false", v)}
	}
}

// checkAddr checks a host:port listen address.
func checkAddr(name, addr, example string) error {
	_, port, ok := strings.Cut(addr, ":")
	if !ok {
		return &Error{name, fmt.Sprintf("%q is not host:port (e.g. %s)", addr, example)}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &Error{name, fmt.Sprintf("%q has an invalid port", addr)}
	}
	return nil
}

func checkURL(name, raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return &Error{name, fmt.Sprintf("is not a valid URL (expected %s://host…)", schemes[0])}
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return nil
		}
	}
	return &Error{name, fmt.Sprintf("scheme %q is not %s", u.Scheme, strings.Join(schemes, " or "))}
}

// LoadDotEnv reads KEY=VALUE lines from path into the process environment,
// without overriding variables already set. A missing file is not an error.
func LoadDotEnv(path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("%s:%d: expected KEY=VALUE", path, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	return sc.Err()
}
