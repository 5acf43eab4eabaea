package payments_test

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// TestPayoffOnAcceptDay: a plan paid off the day it is accepted costs what
// was financed, within a centavo, never more (CDC art. 52 §2); its first
// installment, due FirstDueWithinDays (3) days later, carries 3 days of
// interest, not a month's.
func TestPayoffOnAcceptDay(t *testing.T) {
	t.Parallel()
	loc := saoPaulo
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, loc)
	today := payments.Date(now, loc)
	for _, rate := range []int64{0, 199, 500} {
		for _, principal := range []payments.Cents{237667, 100000, 999999} {
			p := payments.DefaultPolicy()
			p.PlanMonthlyRateBP = rate
			d := payments.Debt{DebtorExternalID: "D1", Charges: []payments.DebtCharge{{ExternalID: "C1", Principal: principal, DueDate: today.AddDate(0, 0, 10)}}}
			offers, err := p.Offers(d, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range offers {
				if o.Kind != payments.OfferInstallments {
					continue
				}
				t.Run(fmt.Sprintf("%dbp %s %dx", rate, principal.Decimal(), o.Count), func(t *testing.T) {
					first := o.Installments[0]
					if got := payments.DaysBetween(today, first.DueDate); got != p.FirstDueWithinDays {
						t.Fatalf("first due in %d days", got)
					}
					onAccept, err := payments.PayoffAmount(o.Installments, 0, today, today)
					if err != nil {
						t.Fatal(err)
					}
					if d := onAccept - o.Financed; d < -1 || d > 1 {
						t.Errorf("on the accept day: payoff %s, financed %s", onAccept, o.Financed)
					}
					// financed · bp/10000 · 3/30, rounded half up
					want := new(big.Rat).SetFrac(big.NewInt(int64(o.Financed)*rate*int64(p.FirstDueWithinDays)), big.NewInt(10000*30))
					if gap := new(big.Rat).Sub(new(big.Rat).SetInt64(int64(first.Interest)), want); gap.Abs(gap).Cmp(big.NewRat(1, 2)) > 0 {
						t.Errorf("first installment's interest %s, want %s (3 days)", first.Interest, want.FloatString(2))
					}
					if rate == 0 && o.Total != o.Financed {
						t.Errorf("interest-free: total %s, financed %s", o.Total, o.Financed)
					}
				})
			}
		}
	}
}

// The payoff as Plans quotes it and as a payment on the payoff code books
// it: a partly paid installment counts for what is left on it; a payment
// of the payoff settles the plan and waives the rest of the interest.
func TestPlanPayoffInTheLedger(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	f.charge(t, d, 120000, f.today().AddDate(0, 0, -15))
	p := f.accept(t, d, offerOf(t, f.quote(t, d), payments.OfferInstallments, 6))

	q, err := f.plans.PayoffQuote(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ins := make([]payments.Installment, len(p.Installments))
	for i, in := range p.Installments {
		ins[i] = payments.Installment{Number: in.Number, DueDate: in.DueDate, Amount: in.Amount, Interest: in.Interest, Amortization: in.Amortization}
	}
	want, _ := payments.PayoffAmount(ins, 0, p.AcceptedOn, f.today())
	if q.Remaining != p.Total || q.Payoff != want || want != p.Financed || q.InterestWaived != p.Total-want || q.Open != 6 || q.Count != 6 || !q.On.Equal(f.today()) {
		t.Fatalf("quote on the accept day %+v, payoff %s", q, want)
	}

	f.pay(t, "P1", p.Installments[0], 1000)
	f.clock.Add(20 * 24 * time.Hour)
	q, err = f.plans.PayoffQuote(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ins[0].Amount -= 1000
	want, _ = payments.PayoffAmount(ins, 0, p.AcceptedOn, f.today())
	if q.Remaining != p.Total-1000 || q.Payoff != want {
		t.Fatalf("quote after a partial payment %+v, payoff %s", q, want)
	}

	r, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "P2", Amount: q.Payoff, PlanPayoffID: p.ID, Source: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Payoff == nil || !r.Payoff.PaidOff || r.Applied != q.Payoff || r.Credit != 0 || r.DebtorID != d.ID || r.Payoff.Quote.Payoff != q.Payoff || r.Payoff.Quote.InterestWaived != q.InterestWaived {
		t.Fatalf("payoff payment %+v %+v", r, r.Payoff)
	}
	got := f.plan(t, p.ID)
	if got.Status != payments.PlanPaid || got.PaidAt == nil {
		t.Fatalf("plan %+v", got)
	}
	for _, in := range got.Installments {
		if in.Status != payments.InstallmentPaid || in.Outstanding != 0 {
			t.Fatalf("installment %+v", in)
		}
	}
	if i := f.sum(t, "SELECT coalesce(-sum(amount), 0) FROM ledger_postings WHERE account = 'plan_interest' AND debtor_id = $1", d.ID); i != p.Interest-q.InterestWaived {
		t.Fatalf("plan interest %s, want %s − %s", i, p.Interest, q.InterestWaived)
	}
	if r, _ := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "P2", Amount: q.Payoff, PlanPayoffID: p.ID}); !r.Duplicate {
		t.Fatalf("the same payment again: %+v", r)
	}
	if _, err := f.plans.PayoffQuote(ctx, p.ID); payments.ErrorCode(err) != payments.ECONFLICT {
		t.Fatalf("quote of a paid plan: %v", err)
	}
	if _, err := f.plans.PayoffQuote(ctx, 999999); payments.ErrorCode(err) != payments.ENOTFOUND {
		t.Fatalf("quote of no plan: %v", err)
	}
	// Money on the code of a plan already paid is the debtor's credit.
	r, err = f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "P3", Amount: 2500, PlanPayoffID: p.ID})
	if err != nil || r.Payoff.PlanActive || r.Credit != 2500 {
		t.Fatalf("payment on a paid plan's code: %+v %v", r, err)
	}
	f.checkBalanced(t)
}
