package payments_test

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// TestPayoffOnAcceptDay pins down what PayoffAmount gives for a plan the day
// it is accepted. The Price schedule discounts installment k (from 1) by k
// whole months, as if the first fell due a month after the agreement; the
// policy makes it due FirstDueWithinDays (3) days after it. So:
//
//   - on the day a month before the first due date, the payoff is the
//     financed amount within one centavo per installment (the schedule's
//     own present value);
//   - on the accept day, 3 days before the first due date, each installment
//     is discounted by (k−1) months and 3 days, so the payoff is the
//     financed amount × (1+i) / (1 + i·3/30), within one centavo per
//     installment: more than was financed whenever the rate is positive
//     (1.79% more at 1.99% a month). Interest-free, it is the total.
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
					n := int64(o.Count)
					first := o.Installments[0].DueDate
					if got := payments.DaysBetween(today, first); got != p.FirstDueWithinDays {
						t.Fatalf("first due in %d days", got)
					}
					onAccept, err := payments.PayoffAmount(o.Installments, 0, today, rate)
					if err != nil {
						t.Fatal(err)
					}
					monthBefore, err := payments.PayoffAmount(o.Installments, 0, payments.AddMonthsClamped(first, -1), rate)
					if err != nil {
						t.Fatal(err)
					}
					if rate == 0 {
						if onAccept != o.Total || monthBefore != o.Total || o.Total != o.Financed {
							t.Fatalf("interest-free: payoff %s and %s, total %s", onAccept, monthBefore, o.Total)
						}
						return
					}
					if diff := int64(monthBefore - o.Financed); diff < -n || diff > n {
						t.Errorf("a month before the first due date: payoff %s, financed %s", monthBefore.Decimal(), o.Financed.Decimal())
					}
					// financed × (10000+bp)/10000 × 300000/(300000+3·bp), in centavos.
					want := new(big.Rat).SetFrac(
						big.NewInt(int64(o.Financed)*(10000+rate)*300000),
						big.NewInt(10000*(300000+rate*int64(p.FirstDueWithinDays))))
					gap := new(big.Rat).Sub(new(big.Rat).SetInt64(int64(onAccept)), want)
					if gap.Abs(gap).Cmp(big.NewRat(n, 1)) > 0 {
						t.Errorf("on the accept day: payoff %s, financed × (1+i)/(1+i/10) = %s", onAccept.Decimal(), want.FloatString(2))
					}
					if onAccept <= o.Financed || onAccept >= o.Total {
						t.Errorf("on the accept day: payoff %s, financed %s, total %s", onAccept, o.Financed, o.Total)
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
		ins[i] = payments.Installment{Number: in.Number, DueDate: in.DueDate, Amount: in.Amount}
	}
	want, _ := payments.PayoffAmount(ins, 0, f.today(), p.MonthlyRateBP)
	if q.Remaining != p.Total || q.Payoff != want || q.InterestWaived != p.Total-want || q.Open != 6 || q.Count != 6 || !q.On.Equal(f.today()) {
		t.Fatalf("quote on the accept day %+v, payoff %s", q, want)
	}

	f.pay(t, "P1", p.Installments[0], 1000)
	f.clock.Add(20 * 24 * time.Hour)
	q, err = f.plans.PayoffQuote(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ins[0].Amount -= 1000
	want, _ = payments.PayoffAmount(ins, 0, f.today(), p.MonthlyRateBP)
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
