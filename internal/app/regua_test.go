package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/bot/email"
)

func TestReguaAPIBadInputSavesNothing(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	bad := []struct{ body, field string }{
		{`{"steps":[{"offset":-3,"intent":"remind","template":"Oi {{nome}}"}]}`, "steps[0].template"},
		{`{"steps":[{"offset":5,"intent":"remind","template":"a"},{"offset":1,"intent":"remind","template":"b"}]}`, "steps[1].offset"},
		{`{"steps":[{"offset":-40,"intent":"remind","template":"a"}]}`, "steps[0].offset"},
		{`{"steps":[{"offset":1,"intent":"remind","template":"a"},{"offset":1,"intent":"remind","template":"b"}]}`, "steps[1].offset"},
		{`{"hours":{"weekdays":{"start":"19:00","end":"09:00"},"saturday":null}}`, "hours.weekdays.end"},
		{`{"states":{"ZZ":{"weekdays":{"start":"09:00","end":"18:00"}}}}`, "states.ZZ"},
		{`{"unverified_template":"Oi {{first_name}}, você deve {{amount}}"}`, "unverified_template"},
	}
	for _, b := range bad {
		r := s.do(t, "PUT", "/api/v1/regua", b.body)
		if r.status != 422 || errField(r) != b.field {
			t.Errorf("%s: %d %s, want 422 naming %s", b.body, r.status, r.raw, b.field)
		}
	}
	if r := s.do(t, "GET", "/api/v1/regua", ""); r.status != 200 || r.body["version"] != float64(0) {
		t.Fatalf("after bad input: %d %.200s", r.status, r.raw)
	}
	r := s.do(t, "PUT", "/api/v1/regua", `{"weekly_cap":2,"states":{"SP":{"weekdays":{"start":"09:00","end":"18:00"},"saturday":null}}}`)
	if r.status != 200 || r.body["version"] != float64(1) {
		t.Fatalf("save: %d %s", r.status, r.raw)
	}
	r = s.do(t, "GET", "/api/v1/regua", "")
	if r.body["version"] != float64(1) || r.body["weekly_cap"] != float64(2) || len(r.body["steps"].([]any)) != 7 {
		t.Fatalf("read back: %s", r.raw)
	}
	if r := s.do(t, "GET", "/api/v1/debtors/nobody/reminders", ""); r.status != 404 {
		t.Fatalf("unknown debtor: %d", r.status)
	}
}

func TestReguaPlansUnderServe(t *testing.T) {
	t.Parallel()
	// The test clock is a Sunday: demo debtors' due steps are planned for
	// Monday morning, saying why.
	s := start(t, map[string]string{"REGUA_REGUA_EVERY": "1s"})
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.do(t, "GET", "/api/v1/debtors/cli-005/reminders", "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if list, _ := r.body["reminders"].([]any); len(list) > 0 {
			rem := list[0].(map[string]any)
			if rem["status"] != "planned" || rem["reason"] != "sunday" || !strings.HasPrefix(rem["due_at"].(string), "2026-11-23T") {
				t.Fatalf("reminder %v", rem)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the planner recorded nothing in 30 s")
		}
		time.Sleep(300 * time.Millisecond)
	}
	if r := s.do(t, "GET", "/metrics", ""); !strings.Contains(r.raw, "regua_reminders_planned_total") {
		t.Fatal("no régua metrics")
	}
}

func TestEmailUnsubscribeLink(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	var id int64
	if err := s.Pool.QueryRow(context.Background(), "SELECT id FROM debtors WHERE external_id = 'cli-001'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	u := s.URL() + "/unsubscribe/" + email.Token(s.Config.WebhookSecret, id)
	res, err := http.Get(u)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %v %v", err, res.StatusCode)
	}
	res, err = http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("POST %v %v", err, res.StatusCode)
	}
	var out bool
	s.Pool.QueryRow(context.Background(), "SELECT opt_out_email FROM debtors WHERE id = $1", id).Scan(&out)
	if !out {
		t.Fatal("unsubscribe not recorded")
	}
	if res, _ := http.Post(s.URL()+"/unsubscribe/forged", "text/plain", nil); res.StatusCode != 404 {
		t.Fatalf("forged: %d", res.StatusCode)
	}
}
