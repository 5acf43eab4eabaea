package reminders

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

func TestPlanAndSendOnWebchatExactlyOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.debtor(t, "d1", "Ana Souza", "+5511987650001", "", "", "")
	f.charge(t, "d1", "c1", tuesday.AddDate(0, 0, 3), 15000) // D-3 today
	ids := f.plan(t)
	if len(ids) != 1 {
		t.Fatalf("planned %d", len(ids))
	}
	r := f.reminder(t, ids[0])
	if r.step != "D-3" || r.dueAt.After(tuesday) {
		t.Fatalf("planned %+v", r)
	}
	// Planning again records nothing more.
	if again := f.plan(t); len(again) != 1 {
		t.Fatalf("second plan: %d", len(again))
	}
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "sent" || r.channel != "webchat" {
		t.Fatalf("after send %+v", r)
	}
	// A retried job (a crash after commit, a second replica) sends nothing.
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	ms := f.chat(t, "+5511987650001")
	if len(ms) != 1 {
		t.Fatalf("chat has %d messages", len(ms))
	}
	text := ms[0].Text
	// Not verified: the first name, the business and its CNPJ; no debt.
	for _, want := range []string{"Ana", "Loja Exemplo", "12.345.678/0001-95"} {
		if !strings.Contains(text, want) {
			t.Fatalf("reminder %q lacks %q", text, want)
		}
	}
	for _, bad := range []string{"150", "Mensalidade", "Souza"} {
		if strings.Contains(text, bad) {
			t.Fatalf("unverified reminder discloses %q: %s", bad, text)
		}
	}
	hist, found, err := History(ctx, f.pool, "d1", 10)
	if err != nil || !found || len(hist) != 1 || hist[0].Status != "sent" || hist[0].ChargeExternalID != "c1" || len(hist[0].Events) == 0 {
		t.Fatalf("history %+v %v %v", hist, found, err)
	}
}

func TestVerifiedChatGetsTheAmount(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	id := f.debtor(t, "d1", "Ana Souza", "+5511987650001", "", "", "")
	f.charge(t, "d1", "c1", tuesday.AddDate(0, 0, 3), 15000)
	// The chat verified as Ana within the session's life.
	sess := conversations.Session{Channel: bot.ChannelWebchat, Chat: "+5511987650001", DebtorID: id, Verified: true}
	if err := f.svc.Redis.SaveSession(ctx, bot.ChannelWebchat, "+5511987650001", sess); err != nil {
		t.Fatal(err)
	}
	ids := f.plan(t)
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	ms := f.chat(t, "+5511987650001")
	if len(ms) != 1 || !strings.Contains(ms[0].Text, "R$ 150,00") || !strings.Contains(ms[0].Text, "Mensalidade") {
		t.Fatalf("verified reminder: %+v", ms)
	}
}

func TestPaymentBetweenEnqueueAndSendCancels(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.debtor(t, "d1", "Ana Souza", "+5511987650001", "", "", "")
	cid := f.charge(t, "d1", "c1", tuesday.AddDate(0, 0, -1), 15000) // D+1
	ids := f.plan(t)
	if len(ids) != 1 {
		t.Fatalf("planned %d", len(ids))
	}
	bal, err := f.ledger.ChargeBalance(ctx, cid, tuesday)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "E12345678202612011400abcdefghijk", Amount: bal.Total,
		PaidAt: tuesday, ChargeID: cid, Source: "manual"}); err != nil {
		t.Fatal(err)
	}
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "held" || r.reason != "paid" {
		t.Fatalf("after payment %+v", r)
	}
	if ms := f.chat(t, "+5511987650001"); len(ms) != 0 {
		t.Fatalf("sent after payment: %+v", ms)
	}
}

func TestOptOutBetweenEnqueueAndSendCancels(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.debtor(t, "d1", "Ana Souza", "+5511987650001", "", "", "")
	f.charge(t, "d1", "c1", tuesday, 15000) // D0
	ids := f.plan(t)
	// The person writes SAIR on the web chat (the phone's opt-out).
	if _, err := f.svc.Handle(ctx, bot.Inbound{Channel: bot.ChannelWebchat, Chat: "+5511987650001",
		Event: conversations.Event{Kind: conversations.EventText, MessageID: "m1", Text: "SAIR", At: tuesday}}); err != nil {
		t.Fatal(err)
	}
	before := len(f.chat(t, "+5511987650001"))
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "held" || r.reason != "opted_out" {
		t.Fatalf("after SAIR %+v", r)
	}
	if after := len(f.chat(t, "+5511987650001")); after != before {
		t.Fatalf("a reminder went after SAIR (%d → %d messages)", before, after)
	}
}

func TestStopConditionsAtPlanning(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for i, setup := range []string{
		"UPDATE debtors SET regua_paused_at = now() WHERE id = $1",
		"INSERT INTO promises (debtor_id, promised_for, amount) VALUES ($1, '2026-12-05', 100)",
		"UPDATE charges SET disputed_at = now() WHERE debtor_id = $1",
		"INSERT INTO conversations (channel, chat, debtor_id, status) VALUES ('webchat', 'x' || ($1::bigint)::text, $1::bigint, 'with_agent')",
	} {
		ext := string(rune('a' + i))
		id := f.debtor(t, ext, "Ana", "+551198765000"+string(rune('1'+i)), "", "", "")
		f.charge(t, ext, "c"+ext, tuesday, 1000)
		if _, err := f.pool.Exec(ctx, setup, id); err != nil {
			t.Fatal(err)
		}
	}
	if ids := f.plan(t); len(ids) != 0 {
		t.Fatalf("planned %d reminders for stopped debtors", len(ids))
	}
}

func TestCalendarMovesAndSays(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.debtor(t, "rj", "Bia", "+5521987650001", "", "", "")
	f.charge(t, "rj", "c1", time.Date(2026, 12, 8, 0, 0, 0, 0, sp), 1000) // D-3 is Saturday the 5th
	f.clock.Set(time.Date(2026, 12, 5, 10, 0, 0, 0, sp))
	ids := f.plan(t)
	if len(ids) != 1 {
		t.Fatalf("planned %d", len(ids))
	}
	r := f.reminder(t, ids[0])
	local := r.dueAt.In(sp)
	if r.reason != "saturday" || !strings.Contains(r.detail, "RJ") || local.Weekday() != time.Monday || local.Hour() < 9 || local.Hour() >= 12 {
		t.Fatalf("RJ saturday: %+v (due %s)", r, local)
	}
	// Run early (a lagging clock, a job run by hand): held again, not sent.
	err := f.d.Send(ctx, ids[0], noJob)
	var s errSnooze
	if !errors.As(err, &s) || !s.until.Equal(r.dueAt) {
		t.Fatalf("early send: %v", err)
	}
	f.clock.Set(r.dueAt)
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "sent" {
		t.Fatalf("%+v", r)
	}
}

func TestDailyCap(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.debtor(t, "d1", "Ana", "+5511987650001", "", "", "")
	f.charge(t, "d1", "c1", tuesday, 1000)
	f.charge(t, "d1", "c2", tuesday.AddDate(0, 0, -1), 1000)
	ids := f.plan(t)
	if len(ids) != 2 {
		t.Fatalf("planned %d", len(ids))
	}
	if err := f.d.Send(ctx, ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	err := f.d.Send(ctx, ids[1], noJob)
	var s errSnooze
	if !errors.As(err, &s) {
		t.Fatalf("second reminder the same day: %v", err)
	}
	r := f.reminder(t, ids[1])
	if r.status != "planned" || r.reason != "daily_cap" || r.dueAt.In(sp).Day() != 2 {
		t.Fatalf("%+v", r)
	}
	if n := len(f.chat(t, "+5511987650001")); n != 1 {
		t.Fatalf("%d messages", n)
	}
}

func TestNoChannel(t *testing.T) {
	f := setup(t)
	f.debtor(t, "d1", "Ana", "", "", "", "")
	f.charge(t, "d1", "c1", tuesday, 1000)
	ids := f.plan(t)
	if err := f.d.Send(context.Background(), ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "held" || r.reason != "no_channel" {
		t.Fatalf("%+v", r)
	}
}

func TestInstallmentSteps(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	id := f.debtor(t, "d1", "Ana", "+5511987650001", "", "", "")
	cid := f.charge(t, "d1", "c1", tuesday.AddDate(0, 0, -20), 30000)
	var plan, inst int64
	err := f.pool.QueryRow(ctx, `WITH p AS (
			INSERT INTO plans (debtor_id, offer_id, kind, policy_version, principal, fees, discount, financed, interest, total, monthly_rate_bp,
				break_after_days_late, accepted_on, accepted_at, actor)
			VALUES ($1, 'o1', 'installments', 0, 30000, 0, 0, 30000, 0, 30000, 0, 30, '2026-11-20', now(), 'test') RETURNING id),
		pc AS (INSERT INTO plan_charges (plan_id, charge_id, principal, fees, fine_assessed) SELECT id, $2, 30000, 0, false FROM p),
		i AS (INSERT INTO plan_installments (plan_id, number, due_date, amount, interest, amortization)
			SELECT id, 2, '2026-12-04', 15000, 0, 15000 FROM p RETURNING id)
		SELECT (SELECT id FROM p), (SELECT id FROM i)`, id, cid).Scan(&plan, &inst)
	if err != nil {
		t.Fatal(err)
	}
	f.pool.Exec(ctx, "UPDATE charges SET status = 'in_plan' WHERE id = $1", cid)
	ids := f.plan(t)
	if len(ids) != 1 {
		t.Fatalf("planned %d", len(ids))
	}
	if r := f.reminder(t, ids[0]); r.step != "P2 D-3" {
		t.Fatalf("%+v", r)
	}
}
