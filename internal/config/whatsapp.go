package config

import (
	"fmt"
	"strconv"
	"time"
)

// WhatsAppSettings are the WhatsApp send governor's budgets and the
// channel's limits (REGUA_WHATSAPP_*). Defaults are conservative; the
// channel checks how they relate to each other when it starts.
type WhatsAppSettings struct {
	Gap, Jitter, ReplyGap               time.Duration
	PerMinute, PerHour, PerDay          int
	StartedPerDay, WarmupStart, ColdDay int
	MediaMaxMB                          int
}

// whatsAppDefaults mirror bot/whatsapp.DefaultBudgets.
var whatsAppDefaults = WhatsAppSettings{Gap: 8 * time.Second, Jitter: 7 * time.Second, ReplyGap: 1500 * time.Millisecond,
	PerMinute: 12, PerHour: 300, PerDay: 1500, StartedPerDay: 250, WarmupStart: 20, ColdDay: 40, MediaMaxMB: 16}

func loadWhatsApp(get func(k, def string) string, c *Config) error {
	s := whatsAppDefaults
	durs := []struct {
		name string
		p    *time.Duration
		min  time.Duration
	}{
		{"REGUA_WHATSAPP_GAP", &s.Gap, time.Second},
		{"REGUA_WHATSAPP_JITTER", &s.Jitter, 0},
		{"REGUA_WHATSAPP_REPLY_GAP", &s.ReplyGap, 200 * time.Millisecond},
	}
	for _, d := range durs {
		v := get(d.name, "")
		if v == "" {
			continue
		}
		x, err := time.ParseDuration(v)
		if err != nil || x < d.min || x > time.Hour {
			return &Error{d.name, fmt.Sprintf("%q must be a duration from %v to 1h (e.g. 8s)", v, d.min)}
		}
		*d.p = x
	}
	ints := []struct {
		name string
		p    *int
		min  int
	}{
		{"REGUA_WHATSAPP_PER_MINUTE", &s.PerMinute, 1},
		{"REGUA_WHATSAPP_PER_HOUR", &s.PerHour, 1},
		{"REGUA_WHATSAPP_PER_DAY", &s.PerDay, 1},
		{"REGUA_WHATSAPP_STARTED_PER_DAY", &s.StartedPerDay, 0},
		{"REGUA_WHATSAPP_WARMUP_START", &s.WarmupStart, 1},
		{"REGUA_WHATSAPP_COLD_PER_DAY", &s.ColdDay, 0},
		{"REGUA_WHATSAPP_MEDIA_MAX_MB", &s.MediaMaxMB, 1},
	}
	for _, n := range ints {
		v := get(n.name, "")
		if v == "" {
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < n.min || x > 1_000_000 {
			return &Error{n.name, fmt.Sprintf("%q must be a whole number from %d to 1000000", v, n.min)}
		}
		*n.p = x
	}
	if s.MediaMaxMB > 100 {
		return &Error{"REGUA_WHATSAPP_MEDIA_MAX_MB", "must be at most 100 (WhatsApp's own limit for documents)"}
	}
	c.WhatsAppSettings = s
	return nil
}
