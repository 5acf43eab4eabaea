package payments_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// Plans with a down payment: the down payment is installment 1, due today
// and free of interest; the rest is a Price table from a month later; the
// policy's least down payment, counts and minimum installment hold.
func TestDownPaymentOffers(t *testing.T) {
	t.Parallel()
	loc := saoPaulo
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
	today := payments.Date(now, loc)
	p := payments.DefaultPolicy()
	d := payments.Debt{DebtorExternalID: "D1", Charges: []payments.DebtCharge{{ExternalID: "C1", Principal: 200000, DueDate: today.AddDate(0, 0, 5)}}}
	if least := p.DownPaymentLeast(200000); least != 20000 {
		t.Fatalf("least down payment %s, want 10%%", least)
	}
	offers, err := p.DownPaymentOffers(d, 50000, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) != p.MaxInstallments-1 {
		t.Fatalf("%d offers", len(offers))
	}
	seen := map[string]bool{}
	for i, o := range offers {
		if o.Count != i+2 || o.Kind != payments.OfferInstallments || o.DownPayment != 50000 || o.Financed != 200000 || seen[o.ID] ||
			!strings.HasSuffix(o.ID, "-e50000") {
			t.Fatalf("offer %d: %+v", i, o)
		}
		seen[o.ID] = true
		first := o.Installments[0]
		if first.Amount != 50000 || first.Interest != 0 || !first.DueDate.Equal(today) {
			t.Fatalf("%dx: down payment installment %+v", o.Count, first)
		}
		var sum, amort payments.Cents
		for k, in := range o.Installments {
			sum += in.Amount
			amort += in.Amortization
			if in.Number != k+1 || k > 0 && (in.Amount < p.MinInstallment || !in.DueDate.Equal(payments.AddMonthsClamped(today, k))) {
				t.Fatalf("%dx: installment %+v", o.Count, in)
			}
		}
		if sum != o.Total || amort != o.Financed || o.Interest != o.Total-o.Financed || o.Interest <= 0 {
			t.Fatalf("%dx: sum %s amortisation %s %+v", o.Count, sum, amort, o)
		}
		// Paid off the day it is made: the amount financed.
		if got, _ := payments.PayoffAmount(o.Installments, 0, today, today); got != o.Financed {
			t.Fatalf("%dx: payoff on the day %s, financed %s", o.Count, got, o.Financed)
		}
	}
	for _, tc := range []struct {
		down payments.Cents
		pol  func(*payments.Policy)
	}{
		{19999, nil},  // below 10%
		{200000, nil}, // the whole debt: cash
		{50000, func(p *payments.Policy) { p.DownPaymentMinBP = 0 }},
	} {
		pol := p
		if tc.pol != nil {
			tc.pol(&pol)
		}
		if _, err := pol.DownPaymentOffers(d, tc.down, now, loc); payments.ErrorField(err) != "down_payment" {
			t.Errorf("down %s: error %v, want one about down_payment", tc.down, err)
		}
	}
	for _, bp := range []int64{-1, 10000} {
		pol := p
		pol.DownPaymentMinBP = bp
		if err := pol.Validate(); payments.ErrorField(err) != "down_payment_min_bp" {
			t.Errorf("down_payment_min_bp %d: %v", bp, err)
		}
	}
}

// Accepting a plan with a down payment books it like any plan: the ledger
// balances, the down payment is the first installment, due today.
func TestAcceptDownPaymentPlan(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	f.charge(t, d, 150000, f.today().AddDate(0, 0, -20))
	q := f.quote(t, d)
	pol, err := f.policies.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	offers, err := pol.DownPaymentOffers(q.Debt, 40000, f.clock.Now(), saoPaulo)
	if err != nil || len(offers) < 3 {
		t.Fatalf("%d offers, %v", len(offers), err)
	}
	o := offers[2]
	p, created, err := f.plans.Accept(ctx, d.ID, o.ID, "test")
	if err != nil || !created {
		t.Fatalf("accept %s: %v", o.ID, err)
	}
	if p.Total != o.Total || len(p.Installments) != o.Count || p.Installments[0].Amount != 40000 || !p.Installments[0].DueDate.Equal(f.today()) {
		t.Fatalf("plan %+v", p)
	}
	again, created, err := f.plans.Accept(ctx, d.ID, o.ID, "test")
	if err != nil || created || again.ID != p.ID {
		t.Fatalf("accepting again: %+v %v %v", again, created, err)
	}
	if _, _, err := f.plans.Accept(ctx, d.ID, strings.Replace(o.ID, "-e40000", "-e40001", 1), "test"); payments.ErrorCode(err) != payments.ECONFLICT {
		t.Fatalf("an id for another down payment: %v", err)
	}
	f.checkBalanced(t)
}
