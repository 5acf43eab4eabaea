package config

import (
	"strings"
	"testing"
	"time"
)

func TestWhatsAppSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"REGUA_DEMO": "true", "REGUA_WHATSAPP": "on"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.WhatsApp || c.WhatsAppSettings != whatsAppDefaults {
		t.Fatalf("defaults: %+v", c.WhatsAppSettings)
	}
	c, err = Load(env(map[string]string{"REGUA_DEMO": "true", "REGUA_WHATSAPP_GAP": "12s", "REGUA_WHATSAPP_STARTED_PER_DAY": "100"}))
	if err != nil || c.WhatsAppSettings.Gap != 12*time.Second || c.WhatsAppSettings.StartedPerDay != 100 {
		t.Fatalf("set: %+v %v", c.WhatsAppSettings, err)
	}
	bad := map[string]string{
		"REGUA_WHATSAPP":                 "maybe",
		"REGUA_WHATSAPP_GAP":             "500ms",
		"REGUA_WHATSAPP_JITTER":          "soon",
		"REGUA_WHATSAPP_REPLY_GAP":       "2h",
		"REGUA_WHATSAPP_PER_MINUTE":      "0",
		"REGUA_WHATSAPP_PER_DAY":         "lots",
		"REGUA_WHATSAPP_COLD_PER_DAY":    "-1",
		"REGUA_WHATSAPP_MEDIA_MAX_MB":    "500",
		"REGUA_WHATSAPP_WARMUP_START":    "1.5",
		"REGUA_WHATSAPP_STARTED_PER_DAY": "9999999",
	}
	for k, v := range bad {
		_, err := Load(env(map[string]string{"REGUA_DEMO": "true", k: v}))
		if err == nil || !strings.HasPrefix(err.Error(), k+":") {
			t.Errorf("%s=%s: got %v, want an error naming it", k, v, err)
		}
	}
}
