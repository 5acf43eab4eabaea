package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ChatSettings are what the bot answers when a debtor asks when the team
// answers, how else they can pay, or whether they will be reported to a
// credit bureau. Left empty, the bot says a person can tell them.
type ChatSettings struct {
	// SupportHours is REGUA_SUPPORT_HOURS, e.g. "de segunda a sexta, das 9h
	// às 18h".
	SupportHours string
	// OtherPayMethods is REGUA_OTHER_PAY_METHODS: ways to pay besides Pix,
	// e.g. "boleto, pedindo a uma pessoa da equipe".
	OtherPayMethods string
	// CreditBureauDays is REGUA_CREDIT_BUREAU_DAYS: after how many days late
	// an open charge may be reported to a credit bureau (after notice, as
	// the law requires); 0 when the business does not say.
	CreditBureauDays int
}

// maxChatText bounds a setting the bot puts in a message.
const maxChatText = 200

func loadChat(getenv func(string) string) (ChatSettings, error) {
	var c ChatSettings
	for _, s := range []struct {
		name string
		dst  *string
	}{{"REGUA_SUPPORT_HOURS", &c.SupportHours}, {"REGUA_OTHER_PAY_METHODS", &c.OtherPayMethods}} {
		v := strings.TrimSpace(getenv(s.name))
		if n := utf8.RuneCountInString(v); n > maxChatText || !utf8.ValidString(v) || strings.ContainsAny(v, "\n\r*_`") {
			return c, &Error{s.name, fmt.Sprintf("must be one line of at most %d characters, without markdown", maxChatText)}
		}
		*s.dst = v
	}
	if v := strings.TrimSpace(getenv("REGUA_CREDIT_BUREAU_DAYS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			return c, &Error{"REGUA_CREDIT_BUREAU_DAYS", fmt.Sprintf("%q must be a whole number of days from 0 to 3650 (0: not said)", v)}
		}
		c.CreditBureauDays = n
	}
	return c, nil
}
