package regua

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range c.Steps {
		names = append(names, StepName(s.Offset, 0))
	}
	if got := strings.Join(names, " "); got != "D-3 D0 D+1 D+5 D+10 D+20 D+30" {
		t.Fatalf("steps %s", got)
	}
	if StepName(-3, 2) != "P2 D-3" {
		t.Fatal(StepName(-3, 2))
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		edit  string // JSON merged onto the defaults
		field string
		msg   string
	}{
		{"unknown variable", `{"steps":[{"offset":-3,"intent":"remind","template":"Oi {{nome}}"}]}`, "steps[0].template", "unknown variable {{nome}}"},
		{"debt in the unverified text", `{"unverified_template":"Oi {{first_name}}, deve {{amount}}"}`, "unverified_template", "before the person is verified"},
		{"unclosed variable", `{"unverified_template":"Oi {{first_name"}`, "unverified_template", "unclosed"},
		{"a step before an earlier one", `{"steps":[{"offset":5,"intent":"remind","template":"a"},{"offset":1,"intent":"remind","template":"b"}]}`, "steps[1].offset", "earlier"},
		{"a step too far in the past", `{"steps":[{"offset":-45,"intent":"remind","template":"a"}]}`, "steps[0].offset", "out of range"},
		{"overlapping steps", `{"steps":[{"offset":1,"intent":"remind","template":"a"},{"offset":1,"intent":"offer_plan","template":"b"}]}`, "steps[1].offset", "overlaps"},
		{"no steps", `{"steps":[]}`, "steps", "at least one"},
		{"unknown intent", `{"steps":[{"offset":1,"intent":"shout","template":"a"}]}`, "steps[0].intent", "must be"},
		{"unknown channel", `{"steps":[{"offset":1,"intent":"remind","template":"a","channels":["sms"]}]}`, "steps[0].channels[0]", "unknown channel"},
		{"window ends before it starts", `{"hours":{"weekdays":{"start":"18:00","end":"09:00"},"saturday":null}}`, "hours.weekdays.end", "ends before it starts"},
		{"saturday window ends before it starts", `{"hours":{"weekdays":{"start":"08:00","end":"20:00"},"saturday":{"start":"14:00","end":"14:00"}}}`, "hours.saturday.end", "ends before it starts"},
		{"unknown state code", `{"states":{"XX":{"weekdays":{"start":"09:00","end":"18:00"}}}}`, "states.XX", "unknown state code"},
		{"weekly cap", `{"weekly_cap":0}`, "weekly_cap", "between"},
		{"daily cap", `{"daily_cap":2}`, "daily_cap", "one reminder"},
		{"plan step", `{"plan_steps":[{"offset":40,"intent":"remind","template":"a"}]}`, "plan_steps[0].offset", "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			if err := json.Unmarshal([]byte(tc.edit), &c); err != nil {
				t.Fatal(err)
			}
			err := c.Validate()
			if payments.ErrorCode(err) != payments.EINVALID || payments.ErrorField(err) != tc.field {
				t.Fatalf("err %v (field %q), want invalid %q", err, payments.ErrorField(err), tc.field)
			}
			if !strings.Contains(payments.ErrorMessage(err), tc.msg) {
				t.Fatalf("message %q, want %q", payments.ErrorMessage(err), tc.msg)
			}
		})
	}
	var c Clock
	if err := json.Unmarshal([]byte(`"25:00"`), &c); err == nil {
		t.Fatal("25:00 accepted")
	}
}

func TestDueStep(t *testing.T) {
	c := DefaultConfig()
	due := Date{2026, 12, 10}
	off := func(n int) *int { return &n }
	tests := []struct {
		today Date
		last  *int
		plan  int
		want  string // "" none
	}{
		{Date{2026, 12, 6}, nil, 0, ""},
		{Date{2026, 12, 7}, nil, 0, "D-3"},
		{Date{2026, 12, 9}, nil, 0, "D-3"},
		{Date{2026, 12, 9}, off(-3), 0, ""},
		{Date{2026, 12, 10}, off(-3), 0, "D0"},
		{Date{2026, 12, 11}, off(-3), 0, "D+1"}, // D0 never went: the latest step, not both
		{Date{2027, 3, 1}, nil, 0, "D+30"},
		{Date{2027, 3, 1}, off(30), 0, ""},
		{Date{2026, 12, 11}, nil, 2, "P2 D+1"},
		{Date{2026, 12, 20}, off(1), 2, ""},
	}
	for _, tc := range tests {
		s, ok := c.DueStep(Item{Due: due, LastOffset: tc.last, Installment: tc.plan}, tc.today)
		got := ""
		if ok {
			got = StepName(s.Offset, tc.plan)
		}
		if got != tc.want {
			t.Errorf("today %v last %v plan %d: %q, want %q", tc.today, tc.last, tc.plan, got, tc.want)
		}
	}
}

func TestDecide(t *testing.T) {
	c := DefaultConfig()
	cal := c.CalendarFor("RJ", saoPaulo)
	tue := local(t, "2026-12-01 10:00", saoPaulo)
	if d := c.Decide(cal, 7, Stops{}, Caps{}, tue); !d.Send || d.At.Before(tue) {
		t.Fatalf("%+v", d)
	}
	if d := c.Decide(cal, 7, Stops{Paid: true, Promise: true}, Caps{}, tue); d.Send || d.Reason != "paid" {
		t.Fatalf("%+v", d)
	}
	if d := c.Decide(cal, 7, Stops{Promise: true}, Caps{}, tue); d.Reason != "promise" {
		t.Fatalf("%+v", d)
	}
	d := c.Decide(cal, 7, Stops{}, Caps{Today: 1}, tue)
	if d.Reason != "daily_cap" || DateOf(d.At.In(saoPaulo)) != (Date{2026, 12, 2}) {
		t.Fatalf("%+v", d)
	}
	d = c.Decide(cal, 7, Stops{}, Caps{Week: 3, WeekOldest: local(t, "2026-11-27 10:00", saoPaulo)}, tue)
	if d.Reason != "weekly_cap" || DateOf(d.At.In(saoPaulo)) != (Date{2026, 12, 4}) {
		t.Fatalf("%+v", d)
	}
	sat := local(t, "2026-12-05 10:00", saoPaulo)
	d = c.Decide(cal, 7, Stops{}, Caps{}, sat)
	if d.Reason != "saturday" || d.At.Weekday() != time.Monday {
		t.Fatalf("%+v", d)
	}
}

func TestRenderKeepsTheDebtPrivate(t *testing.T) {
	c := DefaultConfig()
	v := Vars{FirstName: "Ana", Business: "Loja X", BusinessDocument: "12.345.678/0001-95", Amount: "R$ 150,00",
		DueDate: "10/12/2026", Description: "Mensalidade", DaysLate: 5}
	un := c.Render(c.Steps[3], false, v)
	for _, bad := range []string{"150", "Mensalidade", "10/12"} {
		if strings.Contains(un, bad) {
			t.Fatalf("unverified text discloses %q: %s", bad, un)
		}
	}
	if !strings.Contains(un, "Ana") || !strings.Contains(un, "12.345.678/0001-95") || !strings.Contains(un, "Loja X") {
		t.Fatalf("unverified text: %s", un)
	}
	ver := c.Render(c.Steps[3], true, v)
	if !strings.Contains(ver, "R$ 150,00") || !strings.Contains(ver, "há 5 dias") {
		t.Fatalf("verified text: %s", ver)
	}
	// A text without the business's document gets it added (CDC art. 42-A).
	if !strings.Contains(ver, "CNPJ/CPF 12.345.678/0001-95") {
		t.Fatalf("no identity: %s", ver)
	}
}
