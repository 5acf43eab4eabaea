package reminders

import (
	"context"
	"testing"
	"time"
)

func TestPreview(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sat := time.Date(2026, 12, 5, 11, 30, 0, 0, sp) // Saturday, past the morning spread
	due := sat.AddDate(0, 0, 3)                     // D-3 today
	f.debtor(t, "sp", "Ana", "+5511987650001", "", "", "")
	f.charge(t, "sp", "c-sp", due, 1000)
	f.debtor(t, "rj", "Bia", "+5521987650002", "", "", "")
	f.charge(t, "rj", "c-rj", due, 1000)
	f.debtor(t, "rj2", "Caio", "+5511987650003", "", "", "RJ") // the state wins over the DDD
	f.charge(t, "rj2", "c-rj2", due, 1000)
	id := f.debtor(t, "paused", "Dani", "+5511987650004", "", "", "")
	f.charge(t, "paused", "c-paused", due, 1000)
	f.pool.Exec(ctx, "UPDATE debtors SET regua_paused_at = now() WHERE id = $1", id)
	id = f.debtor(t, "promise", "Edu", "+5511987650005", "", "", "")
	f.charge(t, "promise", "c-promise", due, 1000)
	f.pool.Exec(ctx, "INSERT INTO promises (debtor_id, promised_for, amount) VALUES ($1, '2026-12-10', 100)", id)
	id = f.debtor(t, "out", "Fabi", "+5511987650006", "", "", "")
	f.charge(t, "out", "c-out", due, 1000)
	f.pool.Exec(ctx, "UPDATE debtors SET opt_out_whatsapp = true WHERE id = $1", id)
	f.debtor(t, "none", "Gil", "", "", "", "")
	f.charge(t, "none", "c-none", due, 1000)
	f.debtor(t, "later", "Hugo", "+5511987650008", "", "", "")
	f.charge(t, "later", "c-later", sat.AddDate(0, 0, 10), 1000) // nothing due yet

	var before int
	f.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM reminders) + (SELECT count(*) FROM messages)").Scan(&before)
	got := map[string]Line{}
	if err := f.d.Preview(ctx, sat, "", func(l Line) error { got[l.DebtorExternalID] = l; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"sp":      {"send", ""},
		"rj":      {"hold", "saturday"},
		"rj2":     {"hold", "saturday"},
		"paused":  {"hold", "paused"},
		"promise": {"hold", "promise"},
		"out":     {"hold", "opted_out"},
		"none":    {"hold", "no_channel"},
	}
	if len(got) != len(want) {
		t.Fatalf("preview lines %+v", got)
	}
	for d, w := range want {
		l := got[d]
		if l.Decision != w[0] || l.Reason != w[1] || l.Step != "D-3" {
			t.Errorf("%s: %+v, want %v", d, l, w)
		}
	}
	if l := got["sp"]; l.Channel != "webchat" || l.ChargeExternalID != "c-sp" {
		t.Errorf("sp: %+v", l)
	}
	if l := got["rj"]; l.NextAt == nil || l.NextAt.In(sp).Weekday() != time.Monday || l.Detail == "" {
		t.Errorf("rj: %+v", l)
	}
	var after int
	f.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM reminders) + (SELECT count(*) FROM messages)").Scan(&after)
	if after != before {
		t.Fatal("preview changed something")
	}
	// One debtor only; a holiday.
	n := 0
	xmas := time.Date(2026, 12, 25, 10, 0, 0, 0, sp)
	err := f.d.Preview(ctx, xmas, "sp", func(l Line) error {
		n++
		if l.Decision != "hold" || l.Reason != "holiday" || l.Detail != "Natal" || l.DebtorExternalID != "sp" {
			t.Errorf("christmas: %+v", l)
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Fatalf("%v, %d lines", err, n)
	}
}
