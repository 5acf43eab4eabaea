package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/internal/console"
)

func TestReguaSettings(t *testing.T) {
	e := setup(t)
	e.user(t, "admin@regua.test", console.RoleAdmin)
	c := e.client(t)
	c.login("admin@regua.test")
	res, body := c.get("/console/settings/regua")
	if res.StatusCode != 200 || !strings.Contains(body, "regua-preview") || !strings.Contains(body, "Oi, Maria!") || !strings.Contains(body, "D+30") {
		t.Fatalf("régua page: %d", res.StatusCode)
	}
	if !strings.Contains(body, "08:00–20:00") {
		t.Fatal("the page does not show the contact hours")
	}
	doc := `{"steps":[{"offset":-2,"intent":"remind","template":"Olá {{first_name}}, {{description}} vence em {{due_date}}."}],"daily_cap":1,"weekly_cap":2}`
	res, body = c.do("POST", "/console/settings/regua", url.Values{"config": {doc}, "preview": {"1"}}, map[string]string{"X-Requested-With": "fetch"})
	if res.StatusCode != 200 || !strings.Contains(body, "Olá Maria, Mensalidade de dezembro vence em 10/12/2026.") || !strings.Contains(body, "D-2") {
		t.Fatalf("preview: %d %s", res.StatusCode, body)
	}
	res, body = c.do("POST", "/console/settings/regua", url.Values{"config": {`{"steps": [`}, "preview": {"1"}}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "JSON") {
		t.Fatalf("bad preview: %d %s", res.StatusCode, body)
	}
	res, body = c.post("/console/settings/regua", url.Values{"config": {`{"steps":[{"offset":-2,"intent":"remind","template":"{{nope}}"}]}`}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid template saved: %d", res.StatusCode)
	}
	if res, body := c.post("/console/settings/regua", url.Values{"config": {doc}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, body)
	}
	cfg, err := e.m.ReguaConfigs.Current(context.Background())
	if err != nil || cfg.Version != 1 || len(cfg.Steps) != 1 || cfg.Steps[0].Offset != -2 || cfg.WeeklyCap != 2 {
		t.Fatalf("saved %+v %v", cfg, err)
	}
	var audited int
	e.m.Pool.QueryRow(context.Background(), "SELECT count(*) FROM audit_log WHERE actor = 'admin@regua.test' AND action = 'settings.regua'").Scan(&audited)
	if audited == 0 {
		t.Fatal("saving the régua is not audited")
	}
}

// Reminder attempts on the debtor's timeline, and reply and payment rates
// by step and channel on the KPIs.
func TestRemindersOnTimelineAndKPIs(t *testing.T) {
	e := setup(t)
	e.user(t, "sup@regua.test", console.RoleSupervisor)
	c := e.client(t)
	c.login("sup@regua.test")
	ctx := context.Background()
	now := e.now()
	_, err := e.m.Pool.Exec(ctx, `INSERT INTO reminders (debtor_id, charge_id, step, step_offset, intent, config_version, status, channel, due_at, sent_at)
		SELECT d.id, c.id, s.step, s.off, 'remind', 0, 'sent', 'webchat', $1, $1
		FROM debtors d JOIN charges c ON c.debtor_id = d.id, (VALUES ('D-3', -3), ('D0', 0)) s(step, off)
		WHERE d.external_id IN ('cli-001', 'cli-002')`, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var sent int
	e.m.Pool.QueryRow(ctx, "SELECT count(*) FROM reminders").Scan(&sent)
	_, body := c.get("/console/debtors/cli-001")
	if !strings.Contains(body, "Lembrete D-3 · enviado") {
		t.Fatal("the timeline lacks the reminder")
	}
	// Maria answers; João does not; Maria pays.
	e.chat(t, "+5511999000001", "oi")
	c.post("/console/debtors/cli-001/payment", url.Values{"amount": {"10,00"}, "key": {"r"}, "reason": {"balcão"}})
	today := now.Format(time.DateOnly)
	k, err := e.m.Console.ComputeKPIs(ctx, now.AddDate(0, 0, -1), now)
	if err != nil {
		t.Fatal(err)
	}
	if !k.StepsAvailable || len(k.Steps) != 2 {
		t.Fatalf("steps %+v", k.Steps)
	}
	var total, replied, paid int
	for _, s := range k.Steps {
		if s.Channel != "webchat" {
			t.Fatalf("channel %q", s.Channel)
		}
		total, replied, paid = total+s.Sent, replied+s.Replied, paid+s.Paid
	}
	// cli-001 has two charges and cli-002 one (demo data), two steps each.
	var mariaReminders int
	e.m.Pool.QueryRow(ctx, "SELECT count(*) FROM reminders r JOIN debtors d ON d.id = r.debtor_id WHERE d.external_id = 'cli-001'").Scan(&mariaReminders)
	if total != sent || replied != mariaReminders || paid != mariaReminders {
		t.Fatalf("sent %d (want %d), replied %d and paid %d (want %d each)", total, sent, replied, paid, mariaReminders)
	}
	_, body = c.get("/console/kpis?from=" + today + "&to=" + today)
	if !strings.Contains(body, "D-3") || !strings.Contains(body, "steps.csv") {
		t.Fatal("the KPI page lacks the step table")
	}
}
