package regua

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/regua/regua/payments"
)

// Intent is what a step is for.
type Intent string

// Intents.
const (
	IntentRemind      Intent = "remind"        // a reminder of the due date
	IntentOfferPlan   Intent = "offer_plan"    // offer installments
	IntentOfferPerson Intent = "offer_person"  // offer to talk to a person
	IntentHandToStaff Intent = "hand_to_staff" // the last step: staff take it from here
)

// Channels a step may use.
const (
	ChannelWhatsApp = "whatsapp"
	ChannelTelegram = "telegram"
	ChannelWebchat  = "webchat"
	ChannelEmail    = "email"
)

// AllChannels in the order fallback tries them after the preferred one.
var AllChannels = []string{ChannelWhatsApp, ChannelTelegram, ChannelWebchat, ChannelEmail}

// Step is one reminder, Offset days from the due date (negative: before).
type Step struct {
	Offset   int      `json:"offset"`
	Intent   Intent   `json:"intent"`
	Template string   `json:"template"`           // shown where the chat is verified
	Channels []string `json:"channels,omitempty"` // empty: any
}

// Name is the step's name: "D-3", "D0", "D+5"; a plan installment's steps
// are "P<n> D-3" (n the installment's number).
func StepName(offset, installment int) string {
	d := "D0"
	switch {
	case offset > 0:
		d = fmt.Sprintf("D+%d", offset)
	case offset < 0:
		d = fmt.Sprintf("D%d", offset)
	}
	if installment > 0 {
		return fmt.Sprintf("P%d %s", installment, d)
	}
	return d
}

// Allows says whether the step may use channel.
func (s Step) Allows(channel string) bool {
	return len(s.Channels) == 0 || slices.Contains(s.Channels, channel)
}

// Config is the régua: the cadence of charges and of plan installments,
// their texts, the caps and the hours (the law always applies too: these
// can only narrow it). Versioned like the negotiation policy.
type Config struct {
	Version    int64            `json:"version"`
	Steps      []Step           `json:"steps"`
	PlanSteps  []Step           `json:"plan_steps"`
	Unverified string           `json:"unverified_template"` // every reminder where the chat is not verified
	DailyCap   int              `json:"daily_cap"`           // reminders per debtor per local day
	WeeklyCap  int              `json:"weekly_cap"`          // reminders per debtor in any 7 days
	Hours      Hours            `json:"hours"`
	States     map[string]Hours `json:"states,omitempty"` // stricter hours per state (UF)
}

// Limits of a step's offset, in days from the due date.
const (
	MinOffset = -30
	MaxOffset = 365
)

// DefaultConfig is SPEC's cadence: D-3, D0, D+1, D+5, D+10 (offer
// installments), D+20 (offer a person), D+30 (hand to staff); plan
// installments D-3, D0, D+1.
func DefaultConfig() Config {
	return Config{
		Steps: []Step{
			{-3, IntentRemind, "Oi, {{first_name}}! Passando para lembrar: {{description}} de {{amount}} vence em {{due_date}}. Para pagar por Pix é só responder \"pix\".", nil},
			{0, IntentRemind, "Oi, {{first_name}}! {{description}} de {{amount}} vence hoje ({{due_date}}). Responda \"pix\" e eu te mando o código.", nil},
			{1, IntentRemind, "Oi, {{first_name}}! {{description}} venceu ontem; hoje o valor é {{amount}}. Ainda dá para pagar por Pix: responda \"pix\".", nil},
			{5, IntentRemind, "Oi, {{first_name}}! {{description}} está em aberto há {{days_late}} dias ({{amount}} hoje). Responda \"pix\" para pagar ou \"parcelar\" para ver opções.", nil},
			{10, IntentOfferPlan, "Oi, {{first_name}}! Que tal parcelar {{description}} ({{amount}})? Responda \"parcelar\" e eu mostro as opções.", nil},
			{20, IntentOfferPerson, "Oi, {{first_name}}! {{description}} ({{amount}}) segue em aberto. Quer falar com uma pessoa da nossa equipe? Responda \"atendente\".", nil},
			{30, IntentHandToStaff, "Oi, {{first_name}}. {{description}} ({{amount}}) está em aberto há {{days_late}} dias. Nossa equipe vai acompanhar o seu caso; se preferir, responda aqui.", nil},
		},
		PlanSteps: []Step{
			{-3, IntentRemind, "Oi, {{first_name}}! A parcela {{installment}} do seu acordo ({{amount}}) vence em {{due_date}}. Responda \"pix\" para receber o código.", nil},
			{0, IntentRemind, "Oi, {{first_name}}! A parcela {{installment}} do seu acordo ({{amount}}) vence hoje. Responda \"pix\" para receber o código.", nil},
			{1, IntentRemind, "Oi, {{first_name}}! A parcela {{installment}} do seu acordo ({{amount}}) venceu ontem. Pague logo para manter o acordo: responda \"pix\".", nil},
		},
		Unverified: "Oi, {{first_name}}! Aqui é {{business}} (CNPJ {{business_document}}). Temos uma mensagem para você. Para ver, responda esta mensagem.",
		DailyCap:   1,
		WeeklyCap:  3,
		Hours:      DefaultHours(),
	}
}

// Variables templates may use. Before verification only the safe ones.
var (
	safeVars  = []string{"first_name", "business", "business_document", "link"}
	debtVars  = []string{"amount", "due_date", "description", "days_late", "installment"}
	varRegexp = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
)

// checkTemplate refuses a template with an unknown variable (or, when safe,
// one that would disclose the debt before verification).
func checkTemplate(field, t string, safe bool) error {
	if strings.TrimSpace(t) == "" {
		return payments.Invalid(field, "is required")
	}
	if len(t) > 1000 {
		return payments.Invalid(field, "is longer than 1000 characters")
	}
	for _, m := range varRegexp.FindAllStringSubmatch(t, -1) {
		v := m[1]
		switch {
		case slices.Contains(safeVars, v):
		case slices.Contains(debtVars, v):
			if safe {
				return payments.Invalid(field, "variable {{%s}} may not be used before the person is verified (allowed: %s)", v, strings.Join(safeVars, ", "))
			}
		default:
			return payments.Invalid(field, "unknown variable {{%s}} (known: %s)", v, strings.Join(append(slices.Clone(safeVars), debtVars...), ", "))
		}
	}
	if strings.Count(t, "{{") != len(varRegexp.FindAllString(t, -1)) {
		return payments.Invalid(field, "has an unclosed {{")
	}
	return nil
}

func checkSteps(field string, steps []Step, lo, hi int) error {
	if len(steps) == 0 {
		return payments.Invalid(field, "needs at least one step")
	}
	for i, s := range steps {
		f := fmt.Sprintf("%s[%d]", field, i)
		if s.Offset < lo || s.Offset > hi {
			return payments.Invalid(f+".offset", "%d is out of range: steps run from D%d to D+%d", s.Offset, lo, hi)
		}
		if i > 0 {
			prev := steps[i-1].Offset
			if s.Offset == prev {
				return payments.Invalid(f+".offset", "overlaps %s[%d]: both are %s", field, i-1, StepName(prev, 0))
			}
			if s.Offset < prev {
				return payments.Invalid(f+".offset", "%s comes after %s[%d] (%s) but is earlier: list steps in the order they go", StepName(s.Offset, 0), field, i-1, StepName(prev, 0))
			}
		}
		switch s.Intent {
		case IntentRemind, IntentOfferPlan, IntentOfferPerson, IntentHandToStaff:
		default:
			return payments.Invalid(f+".intent", "must be remind, offer_plan, offer_person or hand_to_staff")
		}
		if err := checkTemplate(f+".template", s.Template, false); err != nil {
			return err
		}
		for j, c := range s.Channels {
			if !slices.Contains(AllChannels, c) {
				return payments.Invalid(fmt.Sprintf("%s.channels[%d]", f, j), "unknown channel %q (whatsapp, telegram, webchat or email)", c)
			}
		}
	}
	return nil
}

func checkSpan(field string, s Span) error {
	if s.Start < 0 || s.End > At(24, 0) {
		return payments.Invalid(field, "must lie within the day")
	}
	if s.End <= s.Start {
		return payments.Invalid(field+".end", "%s ends before it starts (%s)", s.End, s.Start)
	}
	return nil
}

func checkHours(field string, h Hours) error {
	if err := checkSpan(field+".weekdays", h.Weekdays); err != nil {
		return err
	}
	if h.Saturday != nil {
		return checkSpan(field+".saturday", *h.Saturday)
	}
	return nil
}

// Validate refuses a config that cannot run, naming the field.
func (c *Config) Validate() error {
	if err := checkSteps("steps", c.Steps, MinOffset, MaxOffset); err != nil {
		return err
	}
	if err := checkSteps("plan_steps", c.PlanSteps, MinOffset, 30); err != nil {
		return err
	}
	if err := checkTemplate("unverified_template", c.Unverified, true); err != nil {
		return err
	}
	if c.DailyCap != 1 {
		return payments.Invalid("daily_cap", "must be 1: at most one reminder per debtor per day")
	}
	if c.WeeklyCap < 1 || c.WeeklyCap > 7 {
		return payments.Invalid("weekly_cap", "must be between 1 and 7")
	}
	if err := checkHours("hours", c.Hours); err != nil {
		return err
	}
	for uf, h := range c.States {
		if States[uf] == "" {
			return payments.Invalid("states."+uf, "unknown state code %q (a UF such as SP, RJ)", uf)
		}
		if err := checkHours("states."+uf, h); err != nil {
			return err
		}
	}
	return nil
}
