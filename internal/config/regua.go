package config

import (
	"fmt"
	"strings"
	"time"
)

// Regua are the régua's settings.
type Regua struct {
	// SMTPURL (REGUA_SMTP_URL) and MailFrom (REGUA_MAIL_FROM): the email
	// channel; both empty: email off.
	SMTPURL, MailFrom string
	// Every (REGUA_REGUA_EVERY, default 1m): how often the planner looks
	// for due reminders; "off" (0): no planning (reminders already planned
	// are still sent).
	Every time.Duration
	// DemoDay (REGUA_DEMO_REGUA_DAY, default 1m, demo mode only): how long a
	// day of the régua's clock lasts, so that a newcomer sees the demo
	// debtors' reminders arrive in minutes. 24h is real time.
	DemoDay time.Duration
}

func (c *Config) loadRegua(get func(k, def string) string) error {
	r := &c.Regua
	r.SMTPURL, r.MailFrom = get("REGUA_SMTP_URL", ""), get("REGUA_MAIL_FROM", "")
	if r.SMTPURL != "" {
		if err := checkURL("REGUA_SMTP_URL", r.SMTPURL, "smtp", "smtps"); err != nil {
			return err
		}
		if r.MailFrom == "" {
			return &Error{"REGUA_MAIL_FROM", "is required with REGUA_SMTP_URL (the From address of reminder emails)"}
		}
	}
	if r.MailFrom != "" && !strings.Contains(r.MailFrom, "@") {
		return &Error{"REGUA_MAIL_FROM", fmt.Sprintf("%q is not an email address", r.MailFrom)}
	}
	every := get("REGUA_REGUA_EVERY", "1m")
	var err error
	if every == "off" {
		r.Every = 0
	} else if r.Every, err = time.ParseDuration(every); err != nil || r.Every < time.Second {
		return &Error{"REGUA_REGUA_EVERY", fmt.Sprintf("%q must be a duration of at least 1s (e.g. 1m) or off", every)}
	}
	day := get("REGUA_DEMO_REGUA_DAY", "")
	if day != "" && !c.Demo {
		return &Error{"REGUA_DEMO_REGUA_DAY", "only applies with REGUA_DEMO=true (a compressed clock is for demonstrations)"}
	}
	if c.Demo {
		if day == "" {
			day = "1m"
		}
		if r.DemoDay, err = time.ParseDuration(day); err != nil || r.DemoDay < 10*time.Second || r.DemoDay > 24*time.Hour {
			return &Error{"REGUA_DEMO_REGUA_DAY", fmt.Sprintf("%q must be a duration between 10s and 24h (e.g. 1m)", day)}
		}
	}
	return nil
}
