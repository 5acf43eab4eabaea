package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

type payoffBody struct {
	PlanID         int64  `json:"plan_id"`
	Date           string `json:"date"`
	Installments   int    `json:"installments"`
	Remaining      string `json:"remaining"`
	Payoff         string `json:"payoff"`
	InterestWaived string `json:"interest_waived"`
}

// payoffSetup runs the service on a clock the test moves, with webhooks
// signed at that clock's time.
type payoffSetup struct {
	*service
	clk *movingClock
	e2e int
}

func newPayoffSetup(t *testing.T) *payoffSetup {
	t.Helper()
	clk := &movingClock{t: testNow}
	return &payoffSetup{service: startAt(t, clk), clk: clk}
}

func (s *payoffSetup) at(t *testing.T, day string) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	s.clk.Set(time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, testNow.Location()))
}

// pay posts a signed notification of a Pix of amount on txid, now; the
// same notification again when repeat.
func (s *payoffSetup) pay(t *testing.T, txid string, amount payments.Cents, repeat bool) resp {
	t.Helper()
	s.e2e++
	now := s.clk.Now()
	body := `{"pix":[` + pixJSON(apipixtest.NewEndToEndID("00000000", now, s.e2e), txid, amount, now) + `]}`
	sig := func(b []byte) string { return apipix.SignWebhook(demoSecret, now, b) }
	r := s.notify(t, body, sig)
	if r.status != 200 || r.body["posted"] != 1.0 {
		t.Fatalf("pay %s on %s: %d %s", amount.Decimal(), txid, r.status, r.raw)
	}
	if repeat {
		if again := s.notify(t, body, sig); again.status != 200 || again.body["duplicates"] != 1.0 || again.body["posted"] != 0.0 {
			t.Fatalf("the same notification again: %d %s", again.status, again.raw)
		}
	}
	return r
}

func (s *payoffSetup) quote(t *testing.T, plan int64) payoffBody {
	t.Helper()
	r := s.do(t, "GET", fmt.Sprintf("/api/v1/plans/%d/payoff", plan), "")
	if r.status != 200 {
		t.Fatalf("payoff of plan %d: %d %s", plan, r.status, r.raw)
	}
	var q payoffBody
	if err := json.Unmarshal([]byte(r.raw), &q); err != nil {
		t.Fatal(err)
	}
	return q
}

func (s *payoffSetup) payoffCode(t *testing.T, plan int64) (txid string, amount payments.Cents) {
	t.Helper()
	r := s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/payoff/pix", plan), "")
	if r.status != 200 || r.body["payload"] == nil || r.body["qr_png_url"] == nil {
		t.Fatalf("payoff code of plan %d: %d %s", plan, r.status, r.raw)
	}
	return r.body["txid"].(string), cents(t, r.body["amount"].(string))
}

// debtorOwes is what the ledger holds against a debtor: receivables less
// credit.
func (s *payoffSetup) debtorOwes(t *testing.T, debtor string) int {
	return s.count(t, `SELECT coalesce(sum(lp.amount), 0)::int FROM ledger_postings lp JOIN debtors d ON d.id = lp.debtor_id
		WHERE d.external_id = $1 AND lp.account IN ('receivable_principal', 'receivable_fees', 'receivable_plan', 'debtor_credit')`, debtor)
}

func (s *payoffSetup) planInterest(t *testing.T, plan int64) int {
	return s.count(t, `SELECT coalesce(-sum(lp.amount), 0)::int FROM ledger_postings lp
		WHERE lp.account = 'plan_interest' AND lp.debtor_id = (SELECT debtor_id FROM plans WHERE id = $1)`, plan)
}

// A 12x plan, two installments paid on their due dates, the rest paid off
// early through the payoff code: the plan and every installment paid, the
// interest not yet run waived, nothing owed, the books balanced.
func TestPlanPayoffByPixWebhook(t *testing.T) {
	t.Parallel()
	s := newPayoffSetup(t)
	_, p := s.accept(t, "cli-007", s.offers(t, "cli-007").id(t, "installments", 12))
	if p.ID == 0 || len(p.Installments) != 12 {
		t.Fatalf("plan: %+v", p)
	}
	full, err := s.Plans.Plan(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 2; n++ {
		s.at(t, p.Installments[n-1].DueDate)
		r := s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/installments/%d/pix", p.ID, n), "")
		if r.status != 200 {
			t.Fatalf("installment %d code: %d %s", n, r.status, r.raw)
		}
		s.pay(t, r.body["txid"].(string), cents(t, p.Installments[n-1].Amount), false)
	}

	// Twelve days after the second installment.
	s.at(t, "2027-01-06")
	q := s.quote(t, p.ID)
	var remaining payments.Cents
	ins := make([]payments.Installment, 0, 10)
	for _, in := range full.Installments[2:] {
		remaining += in.Amount
		ins = append(ins, payments.Installment{Number: in.Number, DueDate: in.DueDate, Amount: in.Amount, Interest: in.Interest, Amortization: in.Amortization})
	}
	// The third period began on the second due date.
	want, err := payments.PayoffAmount(ins, 0, full.Installments[1].DueDate, payments.CivilDate(2027, time.January, 6))
	if err != nil {
		t.Fatal(err)
	}
	waived := remaining - want
	if q.PlanID != p.ID || q.Date != "2027-01-06" || q.Installments != 10 || cents(t, q.Remaining) != remaining ||
		cents(t, q.Payoff) != want || cents(t, q.InterestWaived) != waived || waived <= 0 {
		t.Fatalf("quote %+v; want remaining %s, payoff %s", q, remaining.Decimal(), want.Decimal())
	}
	t.Logf("plan %s financed + %s interest; on 2027-01-06 %d installments owe %s, paid off with %s (%s interest waived)",
		full.Financed.Decimal(), full.Interest.Decimal(), q.Installments, q.Remaining, q.Payoff, q.InterestWaived)
	txid, amount := s.payoffCode(t, p.ID)
	if again, _ := s.payoffCode(t, p.ID); again != txid || amount != want {
		t.Fatalf("payoff code %s for %s, then %s; want %s", txid, amount.Decimal(), again, want.Decimal())
	}
	interestBefore := s.planInterest(t, p.ID)
	if interestBefore != int(full.Interest) {
		t.Fatalf("plan interest booked %d, plan %d", interestBefore, full.Interest)
	}

	s.pay(t, txid, amount, true) // the provider repeats itself: posted once

	got := s.plan(t, p.ID)
	if got.Status != "paid" {
		t.Fatalf("plan after the payoff: %s", got.Status)
	}
	for _, in := range got.Installments {
		if in.Status != "paid" {
			t.Fatalf("installment %d is %s", in.Number, in.Status)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM payments WHERE txid = $1", txid); n != 1 {
		t.Fatalf("%d payments on the payoff code", n)
	}
	// The payment's postings: cash in, every open installment's receivable
	// settled, the waived interest out of plan income.
	var tx int64
	s.Pool.QueryRow(context.Background(), "SELECT transaction_id FROM payments WHERE txid = $1", txid).Scan(&tx)
	for _, c := range []struct {
		account string
		sum     payments.Cents
		n       int
	}{
		{"cash_pix", want, 1},
		{"receivable_plan", -remaining, 10},
		{"plan_interest", waived, 1},
		{"debtor_credit", 0, 0},
	} {
		sum := s.count(t, "SELECT coalesce(sum(amount), 0)::int FROM ledger_postings WHERE transaction_id = $1 AND account = $2", tx, c.account)
		n := s.count(t, "SELECT count(*) FROM ledger_postings WHERE transaction_id = $1 AND account = $2", tx, c.account)
		if payments.Cents(sum) != c.sum || n != c.n {
			t.Errorf("%s: %d postings summing %d, want %d summing %d", c.account, n, sum, c.n, c.sum)
		}
	}
	if n := s.count(t, "SELECT count(*) FROM ledger_postings WHERE transaction_id = $1", tx); n != 12 {
		t.Errorf("%d postings in the payoff transaction", n)
	}
	if got := s.planInterest(t, p.ID); got != interestBefore-int(waived) {
		t.Errorf("plan interest %d after the payoff, want %d − %d", got, interestBefore, waived)
	}
	if owes := s.debtorOwes(t, "cli-007"); owes != 0 {
		t.Errorf("the ledger holds %d against the debtor", owes)
	}
	st := s.do(t, "GET", "/api/v1/debtors/cli-007/statement", "")
	if st.body["balance"] != "0.00" || st.body["credit"] != "0.00" {
		t.Errorf("statement: %s", st.raw)
	}
	if n := s.count(t, "SELECT count(*) FROM payment_confirmations WHERE text LIKE '%acordo quitado antecipadamente%'"); n != 1 {
		t.Errorf("%d payoff confirmations", n)
	}
	s.checkBooks(t)

	// A paid plan has nothing to pay off.
	if r := s.do(t, "GET", fmt.Sprintf("/api/v1/plans/%d/payoff", p.ID), ""); r.status != 409 {
		t.Errorf("payoff of a paid plan: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/payoff/pix", p.ID), ""); r.status != 409 {
		t.Errorf("payoff code of a paid plan: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "GET", "/api/v1/plans/999999/payoff", ""); r.status != 404 {
		t.Errorf("payoff of no plan: %d %s", r.status, r.raw)
	}
}

// A payment on the payoff code short of the payoff pays the installments in
// order and waives nothing; paying the payoff later with a little more
// settles the plan and keeps the excess as credit.
func TestPlanPayoffShortThenOverpaid(t *testing.T) {
	t.Parallel()
	s := newPayoffSetup(t)
	_, p := s.accept(t, "cli-007", s.offers(t, "cli-007").id(t, "installments", 12))
	full, err := s.Plans.Plan(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	txid, amount := s.payoffCode(t, p.ID)
	short := full.Installments[0].Amount + full.Installments[1].Amount + 1000
	if short >= amount {
		t.Fatalf("payoff %s is not more than %s", amount, short)
	}
	s.pay(t, txid, short, true)

	got := s.plan(t, p.ID)
	if got.Status != "active" || got.Installments[0].Status != "paid" || got.Installments[1].Status != "paid" || got.Installments[2].Status != "open" {
		t.Fatalf("plan after a short payoff: %+v", got)
	}
	if in, _ := s.Plans.Plan(context.Background(), p.ID); in.Installments[2].Outstanding != full.Installments[2].Amount-1000 {
		t.Fatalf("installment 3 owes %d", in.Installments[2].Outstanding)
	}
	if i := s.planInterest(t, p.ID); i != int(full.Interest) {
		t.Fatalf("plan interest %d after a short payment, want %d (no waiver)", i, full.Interest)
	}
	if owes := s.debtorOwes(t, "cli-007"); owes != int(full.Total-short) {
		t.Fatalf("the ledger holds %d against the debtor, want %d", owes, full.Total-short)
	}
	s.checkBooks(t)

	// A month on, the payoff of what is left, and 5.00 more.
	s.at(t, "2026-12-22")
	q := s.quote(t, p.ID)
	if q.Installments != 10 || cents(t, q.Remaining) != full.Total-short {
		t.Fatalf("quote after the short payment: %+v", q)
	}
	txid2, amount2 := s.payoffCode(t, p.ID)
	if txid2 == txid || amount2 != cents(t, q.Payoff) {
		t.Fatalf("a new day's code: %s %s, quote %+v", txid2, amount2, q)
	}
	s.pay(t, txid2, amount2+500, false)
	if got := s.plan(t, p.ID); got.Status != "paid" {
		t.Fatalf("plan after the payoff: %s", got.Status)
	}
	if i := s.planInterest(t, p.ID); i != int(full.Interest-cents(t, q.InterestWaived)) {
		t.Fatalf("plan interest %d, want %d − %s", i, full.Interest, q.InterestWaived)
	}
	if owes := s.debtorOwes(t, "cli-007"); owes != -500 {
		t.Fatalf("the ledger holds %d against the debtor, want a credit of 500", owes)
	}
	if st := s.do(t, "GET", "/api/v1/debtors/cli-007/statement", ""); st.body["balance"] != "0.00" || st.body["credit"] != "5.00" {
		t.Fatalf("statement: %s", st.raw)
	}
	s.checkBooks(t)
}

// A broken plan has nothing to pay off; a payoff code issued before the
// break pays the restored charges instead.
func TestPlanPayoffOfBrokenPlan(t *testing.T) {
	t.Parallel()
	s := newPayoffSetup(t)
	_, p := s.accept(t, "cli-006", s.offers(t, "cli-006").id(t, "installments", 4))
	txid, amount := s.payoffCode(t, p.ID)
	due, _ := time.Parse(time.DateOnly, p.Installments[0].DueDate)
	s.at(t, due.AddDate(0, 0, 31).Format(time.DateOnly))
	if res, err := s.Plans.Break(context.Background(), p.ID); err != nil || !res.Broken {
		t.Fatalf("break: %+v %v", res, err)
	}
	for _, r := range []resp{
		s.do(t, "GET", fmt.Sprintf("/api/v1/plans/%d/payoff", p.ID), ""),
		s.do(t, "POST", fmt.Sprintf("/api/v1/plans/%d/payoff/pix", p.ID), ""),
	} {
		if r.status != 409 {
			t.Fatalf("payoff of a broken plan: %d %s", r.status, r.raw)
		}
	}
	before := s.debtorOwes(t, "cli-006")
	s.pay(t, txid, amount, false)
	if got := s.plan(t, p.ID); got.Status != "broken" {
		t.Fatalf("plan after paying its old payoff code: %s", got.Status)
	}
	if after := s.debtorOwes(t, "cli-006"); after >= before {
		t.Fatalf("the debtor owed %d and owes %d after paying %s", before, after, amount)
	}
	s.checkBooks(t)
}
