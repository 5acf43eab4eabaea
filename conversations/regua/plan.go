package regua

import (
	"strings"
	"time"
)

// Item is one charge, or one plan installment, as the planner reads it.
type Item struct {
	Key         uint64 // charge id, or installment id: spreads the morning
	Installment int    // 0: a charge; n: a plan installment's number
	Due         Date   // due date
	LastOffset  *int   // the latest step already recorded for it (nil: none)
}

// DueStep is the step of it due on day today: the latest step whose day has
// come and that comes after any step already recorded. A charge first seen
// long after its due date gets its latest step only, not every earlier one.
func (c *Config) DueStep(it Item, today Date) (Step, bool) {
	steps := c.Steps
	if it.Installment > 0 {
		steps = c.PlanSteps
	}
	days := today.Sub(it.Due)
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if s.Offset > days {
			continue
		}
		if it.LastOffset != nil && s.Offset <= *it.LastOffset {
			return Step{}, false
		}
		return s, true
	}
	return Step{}, false
}

// Stops are the stop conditions of a debtor and charge: any one holds the
// reminder. OptedOut and WrongNumber are per channel and decided by the
// gate at sending; here they mean "on every channel that could reach".
type Stops struct {
	Paid, InPlan, Promise, Dispute, WithAgent, Paused, OptedOut, WrongNumber bool
}

// Reason is the first stop condition that holds ("" when none).
func (s Stops) Reason() string {
	switch {
	case s.Paid:
		return "paid"
	case s.InPlan:
		return "in_plan"
	case s.Promise:
		return "promise"
	case s.Dispute:
		return "dispute"
	case s.OptedOut:
		return "opted_out"
	case s.WrongNumber:
		return "wrong_number"
	case s.WithAgent:
		return "with_agent"
	case s.Paused:
		return "paused"
	}
	return ""
}

// Final says whether a stop ends the step for good (the charge is settled
// or renegotiated) rather than holding it while the condition lasts.
func Final(reason string) bool { return reason == "paid" || reason == "in_plan" }

// Caps are the reminders a debtor already had: today (local day) and in
// the last seven days, with the oldest of the latter.
type Caps struct {
	Today      int
	Week       int
	WeekOldest time.Time
}

// Decision is what happens to a due step at an instant.
type Decision struct {
	Send   bool
	Reason string    // when held
	Detail string    // the holiday's name, the state rule, the cap
	At     time.Time // send: when (now, or later within the morning spread); hold: next_at
}

// Decide is the rule for a due step at now: stop conditions first, then
// the legal calendar, then the caps. A held step says when it may go next.
func (c *Config) Decide(cal Calendar, key uint64, stops Stops, caps Caps, now time.Time) Decision {
	spread := Spread(key)
	if r := stops.Reason(); r != "" {
		return Decision{Reason: r, Detail: stopDetail(r)}
	}
	if h := cal.Check(now); h.Reason != "" {
		return Decision{Reason: h.Reason, Detail: h.Detail, At: cal.Next(now, spread)}
	}
	if caps.Today >= c.DailyCap {
		lt := now.In(cal.Loc)
		tomorrow := DateOf(lt).AddDays(1).In(cal.Loc)
		return Decision{Reason: "daily_cap", Detail: "no máximo 1 lembrete por dia por devedor", At: cal.Next(tomorrow, spread)}
	}
	if caps.Week >= c.WeeklyCap {
		return Decision{Reason: "weekly_cap", Detail: "limite semanal de lembretes atingido",
			At: cal.Next(caps.WeekOldest.Add(7*24*time.Hour), spread)}
	}
	return Decision{Send: true, At: cal.Next(now, spread)}
}

func stopDetail(r string) string {
	switch r {
	case "paid":
		return "cobrança paga"
	case "in_plan":
		return "cobrança em acordo: seguem os lembretes das parcelas"
	case "promise":
		return "promessa de pagamento ainda não vencida"
	case "dispute":
		return "cobrança contestada"
	case "opted_out":
		return "pediu para não receber mensagens"
	case "wrong_number":
		return "número informado como errado"
	case "with_agent":
		return "conversa com um atendente"
	case "paused":
		return "régua pausada para este devedor"
	}
	return ""
}

// Vars are a reminder's template values.
type Vars struct {
	FirstName, Business, BusinessDocument, Link string
	Amount, DueDate, Description                string
	DaysLate, Installment                       int
}

// Render fills the step's text where the chat is verified, else the
// unverified text that names no debt. Every reminder names the business
// and its document (CDC art. 42-A): a text that does not gets them added.
func (c *Config) Render(s Step, verified bool, v Vars) string {
	t := c.Unverified
	if verified {
		t = s.Template
	}
	out := varRegexp.ReplaceAllStringFunc(t, func(m string) string {
		switch strings.TrimSpace(m[2 : len(m)-2]) {
		case "first_name":
			return v.FirstName
		case "business":
			return v.Business
		case "business_document":
			return v.BusinessDocument
		case "link":
			return v.Link
		case "amount":
			if verified {
				return v.Amount
			}
		case "due_date":
			if verified {
				return v.DueDate
			}
		case "description":
			if verified {
				return v.Description
			}
		case "days_late":
			if verified {
				return itoa(v.DaysLate)
			}
		case "installment":
			if verified {
				return itoa(v.Installment)
			}
		}
		return ""
	})
	if v.BusinessDocument != "" && !strings.Contains(out, v.BusinessDocument) {
		out += "\n— " + v.Business + ", CNPJ/CPF " + v.BusinessDocument
	}
	return out
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// FirstName is the first word of a name.
func FirstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return f
}
