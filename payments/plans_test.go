package payments_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// planFixture is a ledger fixture with the policy store and plans on top.
type planFixture struct {
	*fixture
	policies *payments.PolicyStore
	plans    *payments.Plans
}

func setupPlans(tb testing.TB) *planFixture {
	tb.Helper()
	f := setup(tb)
	ps := payments.NewPolicyStore(f.pool, f.ledger)
	return &planFixture{fixture: f, policies: ps, plans: payments.NewPlans(f.ledger, ps, nil)}
}

func (f *planFixture) today() time.Time { return payments.Date(f.clock.Now(), saoPaulo) }

func (f *planFixture) quote(tb testing.TB, d *payments.Debtor) *payments.Quote {
	tb.Helper()
	q, err := f.plans.Quote(context.Background(), d.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

func (f *planFixture) balance(tb testing.TB, d *payments.Debtor) payments.DebtorBalance {
	tb.Helper()
	b, err := f.ledger.DebtorBalance(context.Background(), d.ID, f.clock.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// checkQuoteMatchesBalance: the offers' cash total before discount is what
// the ledger says the debtor owes today.
func (f *planFixture) checkQuoteMatchesBalance(tb testing.TB, d *payments.Debtor) *payments.Quote {
	tb.Helper()
	q := f.quote(tb, d)
	b := f.balance(tb, d)
	var owed payments.Cents
	if len(q.Offers) > 0 {
		owed = q.Offers[0].Principal + q.Offers[0].Fees
	}
	if owed != b.Total {
		tb.Fatalf("offers settle %s (%+v), ledger balance is %s (%+v)", owed, q.Debt, b.Total, b.Charges)
	}
	return q
}

func offerOf(tb testing.TB, q *payments.Quote, kind string, count int) payments.Offer {
	tb.Helper()
	for _, o := range q.Offers {
		if o.Kind == kind && o.Count == count {
			return o
		}
	}
	tb.Fatalf("no %s offer of %d in %d offers", kind, count, len(q.Offers))
	return payments.Offer{}
}

func (f *planFixture) accept(tb testing.TB, d *payments.Debtor, o payments.Offer) *payments.Plan {
	tb.Helper()
	p, created, err := f.plans.Accept(context.Background(), d.ID, o.ID, "test")
	if err != nil || !created {
		tb.Fatalf("accept %s: created=%v %v", o.ID, created, err)
	}
	f.checkBalanced(tb)
	return p
}

func (f *planFixture) pay(tb testing.TB, e2e string, in payments.PlanInstallment, amount payments.Cents) *payments.PaymentResult {
	tb.Helper()
	r, err := f.ledger.RecordPayment(context.Background(), payments.PaymentInput{EndToEndID: e2e, Amount: amount, InstallmentID: in.ID, Source: "api"})
	if err != nil {
		tb.Fatal(err)
	}
	f.checkBalanced(tb)
	return r
}

func (f *planFixture) plan(tb testing.TB, id int64) *payments.Plan {
	tb.Helper()
	p, err := f.plans.Plan(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func (f *planFixture) sum(tb testing.TB, q string, args ...any) payments.Cents {
	tb.Helper()
	var v payments.Cents
	if err := f.pool.QueryRow(context.Background(), q, args...).Scan(&v); err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestQuoteMatchesDebtorBalance(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	today := f.today()
	tests := []struct {
		name string
		make func(d *payments.Debtor)
	}{
		{"not yet due", func(d *payments.Debtor) { f.charge(t, d, 100000, today.AddDate(0, 0, 5)) }},
		{"due today", func(d *payments.Debtor) { f.charge(t, d, 100000, today) }},
		{"40 days late, nothing booked", func(d *payments.Debtor) { f.charge(t, d, 150000, today.AddDate(0, 0, -40)) }},
		{"late with fees booked by a partial payment", func(d *payments.Debtor) {
			c := f.charge(t, d, 150000, today.AddDate(0, 0, -40))
			f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "Q-" + d.ExternalID, Amount: 1000, ChargeID: c.ID})
		}},
		{"principal partly paid", func(d *payments.Debtor) {
			c := f.charge(t, d, 150000, today.AddDate(0, 0, -40))
			f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "Q-" + d.ExternalID, Amount: 90000, ChargeID: c.ID})
		}},
		{"several charges", func(d *payments.Debtor) {
			f.charge(t, d, 10000, today.AddDate(0, 0, -400))
			c := f.charge(t, d, 33333, today.AddDate(0, 0, -31))
			f.charge(t, d, 77777, today.AddDate(0, 0, 2))
			f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "Q-" + d.ExternalID, Amount: 555, ChargeID: c.ID})
		}},
		{"nothing owed", func(d *payments.Debtor) {
			c := f.charge(t, d, 10000, today)
			f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "Q-" + d.ExternalID, Amount: 10000, ChargeID: c.ID})
		}},
	}
	for _, tt := range tests {
		d := f.debtor(t)
		tt.make(d)
		q := f.checkQuoteMatchesBalance(t, d)
		if tt.name == "nothing owed" && len(q.Offers) != 0 {
			t.Errorf("%s: %d offers", tt.name, len(q.Offers))
		}
	}
}

// Random charges, payments and days: the quote always settles exactly
// what the ledger says is owed.
func TestQuoteMatchesDebtorBalanceProperty(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(4, 4))
	for s := range 6 {
		d := f.debtor(t)
		var charges []*payments.Charge
		for step := range 25 {
			switch rng.IntN(4) {
			case 0:
				charges = append(charges, f.charge(t, d, payments.Cents(100+rng.IntN(500000)), f.today().AddDate(0, 0, rng.IntN(120)-90)))
			case 1:
				if len(charges) > 0 {
					c := charges[rng.IntN(len(charges))]
					in := payments.PaymentInput{EndToEndID: fmt.Sprintf("P%d-%d-%d", s, step, rng.Uint32()), Amount: payments.Cents(1 + rng.IntN(60000)), ChargeID: c.ID}
					if rng.IntN(3) == 0 {
						in.ChargeID, in.DebtorID = 0, d.ID
					}
					if _, err := f.ledger.RecordPayment(ctx, in); err != nil {
						t.Fatal(err)
					}
				}
			default:
				f.clock.Add(time.Duration(rng.IntN(20)) * 24 * time.Hour)
			}
			f.checkQuoteMatchesBalance(t, d)
		}
	}
	f.checkBalanced(t)
}

func TestAcceptBooksThePlan(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	c1 := f.charge(t, d, 100000, f.today().AddDate(0, 0, -40))
	c2 := f.charge(t, d, 50000, f.today().AddDate(0, 0, 10))
	q := f.checkQuoteMatchesBalance(t, d)
	o := offerOf(t, q, payments.OfferInstallments, 6)
	owed := f.balance(t, d).Total

	p := f.accept(t, d, o)
	if p.Status != payments.PlanActive || p.OfferID != o.ID || p.Total != o.Total || len(p.Installments) != 6 || len(p.Charges) != 2 {
		t.Fatalf("plan: %+v", p)
	}
	if p.Principal+p.Fees != owed || p.Financed != owed || p.Interest != o.Interest || p.BreakAfterDaysLate != 30 {
		t.Fatalf("plan amounts %+v, owed %s", p, owed)
	}
	// 1.000,00 40 days late: fine 20,00 and interest 13,33 booked today.
	if p.Charges[0].ChargeID != c1.ID || p.Charges[0].Fees != 3333 || p.Charges[1].Fees != 0 {
		t.Fatalf("plan charges: %+v", p.Charges)
	}
	for _, c := range []*payments.Charge{c1, c2} {
		b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
		if b.Status != payments.ChargeInPlan || b.Total != 0 {
			t.Fatalf("charge after accept: %+v", b)
		}
	}
	if b := f.balance(t, d); b.Total != 0 || len(b.Charges) != 0 {
		t.Fatalf("debtor balance after accept: %+v", b)
	}
	for i, in := range p.Installments {
		got := f.sum(t, "SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE installment_id = $1 AND account = 'receivable_plan'", in.ID)
		if got != o.Installments[i].Amount || in.Outstanding != got || in.Status != payments.InstallmentOpen || !in.DueDate.Equal(o.Installments[i].DueDate) {
			t.Fatalf("installment %d: receivable %s, %+v, offer %+v", i+1, got, in, o.Installments[i])
		}
	}
	if got := f.sum(t, "SELECT coalesce(-sum(amount), 0) FROM ledger_postings WHERE account = 'plan_interest' AND debtor_id = $1", d.ID); got != o.Interest {
		t.Fatalf("plan interest %s, want %s", got, o.Interest)
	}
	var memo string
	f.pool.QueryRow(ctx, "SELECT memo FROM ledger_transactions WHERE kind = 'plan_accept'").Scan(&memo)
	if !strings.Contains(memo, fmt.Sprintf("plan %d accepted", p.ID)) || !strings.Contains(memo, c1.ExternalID) {
		t.Fatalf("memo: %q", memo)
	}
	// Nothing is owed now: no offers, and the accepted offer is the plan.
	if q := f.quote(t, d); len(q.Offers) != 0 {
		t.Fatalf("offers after accept: %d", len(q.Offers))
	}
	again, created, err := f.plans.Accept(ctx, d.ID, o.ID, "test")
	if err != nil || created || again.ID != p.ID {
		t.Fatalf("second accept: %v %v %v", again, created, err)
	}
	// Someone else's offer id is not found.
	other := f.debtor(t)
	if _, _, err := f.plans.Accept(ctx, other.ID, o.ID, "test"); payments.ErrorCode(err) != payments.ENOTFOUND {
		t.Fatalf("other debtor's offer: %v", err)
	}
	f.checkBalanced(t)
}

func TestAcceptConcurrentlyMakesOnePlan(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	f.charge(t, d, 250000, f.today().AddDate(0, 0, -12))
	f.charge(t, d, 10000, f.today().AddDate(0, 0, -2))
	o := offerOf(t, f.quote(t, d), payments.OfferInstallments, 3)
	var wg sync.WaitGroup
	start := make(chan struct{})
	ids := make([]int64, 8)
	created := make([]bool, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p, c, err := f.plans.Accept(ctx, d.ID, o.ID, "test")
			if err != nil {
				t.Error(err)
				return
			}
			ids[i], created[i] = p.ID, c
		}()
	}
	close(start)
	wg.Wait()
	n := 0
	for i := range 8 {
		if ids[i] != ids[0] {
			t.Fatalf("plans %v", ids)
		}
		if created[i] {
			n++
		}
	}
	var plans, txs int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM plans").Scan(&plans)
	f.pool.QueryRow(ctx, "SELECT count(*) FROM ledger_transactions WHERE kind = 'plan_accept'").Scan(&txs)
	if n != 1 || plans != 1 || txs != 1 {
		t.Fatalf("created %d times, %d plans, %d ledger transactions", n, plans, txs)
	}
	f.checkBalanced(t)
}

func TestAcceptStaleOffer(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	stale := func(t *testing.T, d *payments.Debtor, id string) []payments.Offer {
		t.Helper()
		_, _, err := f.plans.Accept(ctx, d.ID, id, "test")
		var se *payments.StaleOfferError
		if !errors.As(err, &se) || payments.ErrorCode(err) != payments.ECONFLICT || payments.ErrorField(err) != "offer_id" {
			t.Fatalf("want a stale offer error, got %v", err)
		}
		for _, o := range se.Offers {
			if o.ID == id {
				t.Fatalf("fresh offers still hold %s", id)
			}
		}
		return se.Offers
	}
	t.Run("payment", func(t *testing.T) {
		d := f.debtor(t)
		c := f.charge(t, d, 200000, f.today().AddDate(0, 0, -20))
		old := offerOf(t, f.quote(t, d), payments.OfferInstallments, 2)
		f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "S-" + d.ExternalID, Amount: 100, ChargeID: c.ID})
		fresh := stale(t, d, old.ID)
		if len(fresh) < 2 || fresh[0].Principal+fresh[0].Fees != f.balance(t, d).Total {
			t.Fatalf("fresh offers: %+v", fresh)
		}
		f.accept(t, d, fresh[1]) // a fresh one is accepted
	})
	t.Run("new charge", func(t *testing.T) {
		d := f.debtor(t)
		f.charge(t, d, 200000, f.today().AddDate(0, 0, -20))
		old := offerOf(t, f.quote(t, d), payments.OfferCash, 1)
		f.charge(t, d, 5000, f.today())
		stale(t, d, old.ID)
	})
	t.Run("unknown id", func(t *testing.T) {
		d := f.debtor(t)
		f.charge(t, d, 200000, f.today().AddDate(0, 0, -20))
		if fresh := stale(t, d, "of_nonsense"); len(fresh) == 0 {
			t.Fatal("no fresh offers")
		}
	})
	t.Run("nothing owed", func(t *testing.T) {
		d := f.debtor(t)
		c := f.charge(t, d, 20000, f.today())
		old := offerOf(t, f.quote(t, d), payments.OfferCash, 1)
		f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "S-" + d.ExternalID, Amount: 20000, ChargeID: c.ID})
		if fresh := stale(t, d, old.ID); len(fresh) != 0 {
			t.Fatalf("offers for nothing: %+v", fresh)
		}
	})
	t.Run("policy changed", func(t *testing.T) {
		d := f.debtor(t)
		f.charge(t, d, 200000, f.today().AddDate(0, 0, -20))
		old := offerOf(t, f.quote(t, d), payments.OfferInstallments, 4)
		p := payments.DefaultPolicy()
		p.PlanMonthlyRateBP = 150
		if _, err := f.policies.Save(ctx, p, "test"); err != nil {
			t.Fatal(err)
		}
		stale(t, d, old.ID)
	})
	// Run last: it moves the clock.
	t.Run("next day", func(t *testing.T) {
		d := f.debtor(t)
		f.charge(t, d, 200000, f.today().AddDate(0, 0, -20))
		old := offerOf(t, f.quote(t, d), payments.OfferInstallments, 3)
		f.clock.Add(24 * time.Hour)
		stale(t, d, old.ID)
	})
	f.checkBalanced(t)
}

func TestInstallmentsPaidInOrderThenPlanPaid(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	c := f.charge(t, d, 120000, f.today().AddDate(0, 0, -15))
	p := f.accept(t, d, offerOf(t, f.quote(t, d), payments.OfferInstallments, 3))
	in := p.Installments

	// Part of the first, then the rest.
	r := f.pay(t, "I1a", in[0], 1000)
	if r.Applied != 1000 || r.Credit != 0 || r.Installment == nil || r.Installment.Paid {
		t.Fatalf("partial: %+v %+v", r, r.Installment)
	}
	r = f.pay(t, "I1b", in[0], in[0].Amount-1000)
	if !r.Installment.Paid || r.Installment.PlanPaid || r.Installment.Number != 1 || r.Installment.Count != 3 {
		t.Fatalf("rest of the first: %+v", r.Installment)
	}
	// The same end-to-end id again changes nothing.
	if r = f.pay(t, "I1b", in[0], in[0].Amount-1000); !r.Duplicate {
		t.Fatalf("duplicate: %+v", r)
	}
	// The first's code paid again: nothing left on it, the money is credit.
	r = f.pay(t, "I1c", in[0], 500)
	if r.Applied != 0 || r.Credit != 500 {
		t.Fatalf("paid twice: %+v", r)
	}
	f.pay(t, "I2", in[1], in[1].Amount)
	r = f.pay(t, "I3", in[2], in[2].Amount+700)
	if !r.Installment.Paid || !r.Installment.PlanPaid || r.Credit != 700 {
		t.Fatalf("last: %+v %+v", r, r.Installment)
	}
	got := f.plan(t, p.ID)
	if got.Status != payments.PlanPaid || got.PaidAt == nil {
		t.Fatalf("plan: %+v", got)
	}
	for _, in := range got.Installments {
		if in.Status != payments.InstallmentPaid || in.Outstanding != 0 || in.Paid != in.Amount {
			t.Fatalf("installment: %+v", in)
		}
	}
	b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.Status != payments.ChargeInPlan || b.Total != 0 {
		t.Fatalf("charge: %+v", b)
	}
	if bal := f.balance(t, d); bal.Credit != 1200 {
		t.Fatalf("credit %s", bal.Credit)
	}
	if n := f.sum(t, "SELECT count(*) FROM payments WHERE installment_id IS NOT NULL"); n != 5 {
		t.Fatalf("%d installment payments", n)
	}
	// A paid plan does not break.
	f.clock.Add(400 * 24 * time.Hour)
	if res, err := f.plans.Break(ctx, p.ID); err != nil || res.Broken {
		t.Fatalf("break of a paid plan: %+v %v", res, err)
	}
}

// The cash offer is a plan of one installment due today, with the discount
// booked as an expense.
func TestCashOfferPlan(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	f.charge(t, d, 100000, f.today().AddDate(0, 0, -100)) // full fee discount from 90 days
	o := offerOf(t, f.quote(t, d), payments.OfferCash, 1)
	if o.Discount == 0 || o.Discount != o.Fees || o.Total != o.Principal {
		t.Fatalf("cash offer: %+v", o)
	}
	p := f.accept(t, d, o)
	if p.Kind != payments.OfferCash || len(p.Installments) != 1 || !p.Installments[0].DueDate.Equal(f.today()) || p.Discount != o.Discount {
		t.Fatalf("cash plan: %+v", p)
	}
	if got := f.sum(t, "SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE account = 'discounts' AND debtor_id = $1", d.ID); got != o.Discount {
		t.Fatalf("discount booked %s, want %s", got, o.Discount)
	}
	r := f.pay(t, "CASH1", p.Installments[0], o.Total)
	if !r.Installment.PlanPaid {
		t.Fatalf("cash payment: %+v", r.Installment)
	}
	if got := f.plan(t, p.ID); got.Status != payments.PlanPaid {
		t.Fatalf("plan: %s", got.Status)
	}
	_ = ctx
}

func TestBreakRestoresTheDebt(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	older := f.charge(t, d, 60000, f.today().AddDate(0, 0, -50))
	newer := f.charge(t, d, 90000, f.today().AddDate(0, 0, -20))
	o := offerOf(t, f.quote(t, d), payments.OfferInstallments, 4)
	p := f.accept(t, d, o)
	in := p.Installments

	// The first paid in full; the second only in part (more than its
	// interest); then nothing.
	f.pay(t, "B1", in[0], in[0].Amount)
	part := in[1].Interest + 2500
	f.pay(t, "B2", in[1], part)

	// 30 days after the second's due date is not yet a break …
	f.clock.Set(time.Date(in[1].DueDate.Year(), in[1].DueDate.Month(), in[1].DueDate.Day()+30, 9, 0, 0, 0, saoPaulo))
	if res, err := f.plans.BreakOverdue(ctx); err != nil || len(res) != 0 {
		t.Fatalf("break at 30 days: %+v %v", res, err)
	}
	// … 31 days is.
	f.clock.Add(24 * time.Hour)
	before := f.sum(t, "SELECT count(*) FROM ledger_postings")
	res, err := f.plans.BreakOverdue(ctx)
	if err != nil || len(res) != 1 {
		t.Fatalf("break: %+v %v", res, err)
	}
	r := res[0]
	wantAmort := in[0].Amortization + (part - in[1].Interest)
	wantRestored := p.Principal + p.Fees - wantAmort
	if r.Installment != 2 || r.DaysLate != 31 || r.Paid != in[0].Amount+part || r.Amortized != wantAmort ||
		r.InterestReversed != p.Interest-in[0].Interest-in[1].Interest || r.Restored != wantRestored || r.Credit != 0 {
		t.Fatalf("break result %+v; want amortised %s, restored %s", r, wantAmort, wantRestored)
	}
	f.checkBalanced(t)

	// The rule: right after the break the debtor owes what the charges owed
	// when the plan was made (principal and the late charges booked that
	// day) minus the amortisation paid — no late interest for the plan's
	// time, none for the day of the break.
	bal := f.balance(t, d)
	if bal.Total != wantRestored || len(bal.Charges) != 2 {
		t.Fatalf("balance after break %s (%+v), want %s", bal.Total, bal.Charges, wantRestored)
	}
	// Amortisation went to principal first, the older charge's first.
	pc := p.Charges
	var oldB, newB payments.ChargeBalance
	for _, cb := range bal.Charges {
		if cb.ExternalID == older.ExternalID {
			oldB = cb
		} else {
			newB = cb
		}
	}
	if oldB.Principal != max(0, pc[0].Principal-wantAmort) || oldB.Fees != pc[0].Fees ||
		newB.Principal != pc[1].Principal-max(0, wantAmort-pc[0].Principal) || newB.Fees != pc[1].Fees {
		t.Fatalf("restored: older %+v newer %+v from %+v, amortised %s", oldB, newB, pc, wantAmort)
	}
	if oldB.Status != payments.ChargeOpen || newB.Status != payments.ChargeOpen {
		t.Fatalf("charges not open again: %+v %+v", oldB, newB)
	}
	got := f.plan(t, p.ID)
	if got.Status != payments.PlanBroken || got.BrokenAt == nil || got.Installments[0].Status != payments.InstallmentPaid {
		t.Fatalf("plan after break: %+v", got)
	}
	for _, in := range got.Installments[1:] {
		if in.Status != payments.InstallmentCancelled || in.Outstanding != 0 {
			t.Fatalf("installment after break: %+v", in)
		}
	}
	if got.Installments[1].Paid != part {
		t.Fatalf("paid on the second: %s", got.Installments[1].Paid)
	}
	var memo, alert string
	f.pool.QueryRow(ctx, "SELECT memo FROM ledger_transactions WHERE kind = 'plan_break'").Scan(&memo)
	f.pool.QueryRow(ctx, "SELECT message FROM staff_alerts WHERE kind = 'plan_broken' AND debtor_id = $1", d.ID).Scan(&alert)
	if !strings.HasPrefix(memo, fmt.Sprintf("plan %d broken: installment 2", p.ID)) || !strings.Contains(memo, older.ExternalID) || !strings.Contains(alert, "quebrado") {
		t.Fatalf("trail: memo %q alert %q", memo, alert)
	}
	if n := f.sum(t, "SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE account = 'receivable_plan' AND debtor_id = $1", d.ID); n != 0 {
		t.Fatalf("plan receivable left: %s", n)
	}

	// Breaking again changes nothing.
	after := f.sum(t, "SELECT count(*) FROM ledger_postings")
	if r2, err := f.plans.Break(ctx, p.ID); err != nil || r2.Broken {
		t.Fatalf("second break: %+v %v", r2, err)
	}
	if res, _ := f.plans.BreakOverdue(ctx); len(res) != 0 {
		t.Fatalf("second sweep: %+v", res)
	}
	if n := f.sum(t, "SELECT count(*) FROM ledger_postings"); n != after || after <= before {
		t.Fatalf("postings %d → %d → %d", before, after, n)
	}
	if n := f.sum(t, "SELECT count(*) FROM staff_alerts WHERE kind = 'plan_broken'"); n != 1 {
		t.Fatalf("%d alerts", n)
	}

	// Ten days later: late interest on the restored principal only, from
	// the day after the break, and no second fine.
	f.clock.Add(10 * 24 * time.Hour)
	bal = f.balance(t, d)
	wantInterest := oldB.Principal.MulRate(100*10, 300000) + newB.Principal.MulRate(100*10, 300000)
	if bal.Total != wantRestored+wantInterest {
		t.Fatalf("ten days later %s, want %s + %s (%+v)", bal.Total, wantRestored, wantInterest, bal.Charges)
	}
	for _, cb := range bal.Charges {
		if cb.AccruedFine != 0 {
			t.Fatalf("fined again: %+v", cb)
		}
	}
	q := f.checkQuoteMatchesBalance(t, d)

	// The broken plan's code paid late pays the restored charges.
	r3 := f.pay(t, "B3", in[2], 10000)
	if r3.Applied != 10000 || r3.Installment == nil || r3.Installment.PlanActive || r3.Credit != 0 {
		t.Fatalf("late installment payment: %+v", r3)
	}
	if b := f.balance(t, d); b.Total != bal.Total-10000 {
		t.Fatalf("after late payment %s, want %s", b.Total, bal.Total-10000)
	}
	// And a new plan can be made for what is owed now.
	q = f.checkQuoteMatchesBalance(t, d)
	f.accept(t, d, offerOf(t, q, payments.OfferInstallments, 2))
	_ = newer
}

// A cash plan never paid: the discount was for paying at once, so the
// break takes it back.
func TestBreakCashPlanReversesDiscount(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	f.charge(t, d, 100000, f.today().AddDate(0, 0, -45))
	o := offerOf(t, f.quote(t, d), payments.OfferCash, 1)
	if o.Discount == 0 {
		t.Fatal("no discount")
	}
	p := f.accept(t, d, o)
	f.clock.Add(31 * 24 * time.Hour)
	r, err := f.plans.Break(ctx, p.ID)
	if err != nil || !r.Broken || r.Restored != p.Principal+p.Fees || r.InterestReversed != 0 {
		t.Fatalf("break: %+v %v", r, err)
	}
	if got := f.sum(t, "SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE account = 'discounts' AND debtor_id = $1", d.ID); got != 0 {
		t.Fatalf("discount left %s", got)
	}
	if b := f.balance(t, d); b.Total != p.Principal+p.Fees {
		t.Fatalf("balance %s, want %s", b.Total, p.Principal+p.Fees)
	}
	f.checkBalanced(t)
}

// Charges not yet overdue when the plan was made: one falls due during the
// plan (not fined by the break; interest from the day after it), one is
// still not due at the break (restored as new).
func TestBreakChargesThatWereNotOverdue(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	during := f.charge(t, d, 80000, f.today().AddDate(0, 0, 10))
	later := f.charge(t, d, 70000, f.today().AddDate(0, 0, 60))
	p := f.accept(t, d, offerOf(t, f.quote(t, d), payments.OfferInstallments, 3))
	if p.Fees != 0 {
		t.Fatalf("fees %s", p.Fees)
	}
	// Nothing paid; the first installment is due in 3 days, so the plan
	// breaks 34 days from now.
	f.clock.Add(34 * 24 * time.Hour)
	r, err := f.plans.Break(ctx, p.ID)
	if err != nil || !r.Broken || r.Restored != p.Principal || r.InterestReversed != p.Interest {
		t.Fatalf("break: %+v %v", r, err)
	}
	bal := f.balance(t, d)
	if bal.Total != p.Principal {
		t.Fatalf("balance at the break %s, want %s (%+v)", bal.Total, p.Principal, bal.Charges)
	}
	f.checkQuoteMatchesBalance(t, d)
	// 30 days on: the first has one month of interest, no fine; the
	// second fell due 4 days ago: fined and 4 days of interest, as any
	// charge paid late.
	f.clock.Add(30 * 24 * time.Hour)
	for _, c := range []*payments.Charge{during, later} {
		b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
		switch c {
		case during:
			if b.AccruedFine != 0 || b.AccruedInterest != 800 {
				t.Fatalf("charge due during the plan: %+v", b)
			}
		case later:
			if b.AccruedFine != 1400 || b.AccruedInterest != 93 {
				t.Fatalf("charge not due at the break: %+v", b)
			}
		}
	}
	f.checkQuoteMatchesBalance(t, d)
	f.checkBalanced(t)
}

// Offers are computed and charges booked by the stored policy, even when
// this process's ledger still has the old rules (another replica saved).
func TestAcceptUsesTheStoredPolicy(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	other := payments.NewPolicyStore(f.pool, nil) // a replica's store: our ledger does not hear of it
	p := payments.DefaultPolicy()
	p.LateFees.FineBP = 100
	p.PlanMonthlyRateBP = 0
	if _, err := other.Save(ctx, p, "other replica"); err != nil {
		t.Fatal(err)
	}
	if f.ledger.LateFeeRules().FineBP != 200 {
		t.Fatal("ledger changed too early")
	}
	d := f.debtor(t)
	f.charge(t, d, 100000, f.today().AddDate(0, 0, -30))
	q := f.quote(t, d) // reading the policy puts it in force here
	if f.ledger.LateFeeRules().FineBP != 100 {
		t.Fatalf("ledger rules %+v", f.ledger.LateFeeRules())
	}
	o := offerOf(t, q, payments.OfferInstallments, 2)
	if o.Fees != 1000+1000 || o.Interest != 0 || o.PolicyVersion != 1 {
		t.Fatalf("offer: %+v", o)
	}
	pl := f.accept(t, d, o)
	if pl.Fees != 2000 || pl.PolicyVersion != 1 {
		t.Fatalf("plan: %+v", pl)
	}
}

// BenchmarkQuote is the offers for one debtor with three open charges, as
// the API and the bot ask for them: the policy and the charges read from
// PostgreSQL, then the offers computed.
func BenchmarkQuote(b *testing.B) {
	f := setupPlans(b)
	d := f.debtor(b)
	for i, days := range []int{-40, -12, 5} {
		f.charge(b, d, payments.Cents(50000*(i+1)), f.today().AddDate(0, 0, days))
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := f.plans.Quote(ctx, d.ID); err != nil {
			b.Fatal(err)
		}
	}
}
