package payments_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/payments"
)

// The chat's one-round-trip view says what the separate reads say: the
// balance (with credit), each active plan's next open installment, and the
// quote's offers.
func offers(t *testing.T, v *payments.DebtorView) []payments.Offer {
	t.Helper()
	q, err := v.Quote()
	if err != nil {
		t.Fatal(err)
	}
	return q.Offers
}

func TestViewMatchesSeparateReads(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	g := postgres.NewGroup(f.pool, 1, 8)
	defer g.Close()
	grouped := payments.NewPlans(f.ledger, f.policies, nil)
	grouped.SendViewsWith(g)

	check := func(t *testing.T, d *payments.Debtor, wantNext []payments.NextInstallment) *payments.DebtorView {
		t.Helper()
		v, err := f.plans.View(ctx, d.ID, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if b := f.balance(t, d); !reflect.DeepEqual(v.Balance, b) {
			t.Fatalf("view balance %+v, ledger %+v", v.Balance, b)
		}
		vq, err := v.Quote()
		if err != nil {
			t.Fatal(err)
		}
		if q := f.quote(t, d); !reflect.DeepEqual(vq.Offers, q.Offers) {
			t.Fatalf("view offers %+v, quote %+v", vq.Offers, q.Offers)
		}
		if !reflect.DeepEqual(v.Next, wantNext) {
			t.Fatalf("next installments %+v, want %+v", v.Next, wantNext)
		}
		// Sent through a statement group, the view is the same.
		gv, err := grouped.View(ctx, d.ID, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gv.Balance, v.Balance) || !reflect.DeepEqual(gv.Next, v.Next) || !reflect.DeepEqual(gv.Descriptions, v.Descriptions) {
			t.Fatalf("grouped view %+v, pooled %+v", gv, v)
		}
		return v
	}

	// Nothing owed: no charges, no offers, no plans.
	empty := f.debtor(t)
	if v := check(t, empty, nil); len(v.Balance.Charges) != 0 || len(offers(t, v)) != 0 {
		t.Fatalf("empty debtor: %+v", v)
	}

	// Open charges, one late: amounts of today, descriptions.
	d := f.debtor(t)
	late := f.charge(t, d, 50000, f.today().AddDate(0, 0, -20))
	f.charge(t, d, 30000, f.today().AddDate(0, 0, 10))
	v := check(t, d, nil)
	if len(v.Balance.Charges) != 2 || v.Balance.Charges[0].DaysLate != 20 || v.Descriptions[late.ID] == "" || len(offers(t, v)) == 0 {
		t.Fatalf("view: %+v", v)
	}

	// In a plan: the charges leave the balance, the plan's first installment
	// is next; once part-paid it is still next, for what is left; once paid,
	// the second is.
	p := f.accept(t, d, offerOf(t, f.quote(t, d), payments.OfferInstallments, 3))
	in := p.Installments
	next := func(i int, outstanding payments.Cents) []payments.NextInstallment {
		return []payments.NextInstallment{{ID: in[i].ID, PlanID: p.ID, Number: i + 1, Count: 3, DueDate: in[i].DueDate, Outstanding: outstanding}}
	}
	check(t, d, next(0, in[0].Amount))
	f.pay(t, "V1a", in[0], 1000)
	check(t, d, next(0, in[0].Amount-1000))
	f.pay(t, "V1b", in[0], in[0].Amount-1000+250) // 2,50 over: credit
	if v := check(t, d, next(1, in[1].Amount)); v.Balance.Credit != 250 {
		t.Fatalf("credit %s", v.Balance.Credit)
	}

	// A new charge beside the plan is owed and quoted on its own.
	f.clock.Add(24 * time.Hour)
	f.charge(t, d, 12000, f.today().AddDate(0, 0, -1))
	if v := check(t, d, next(1, in[1].Amount)); len(v.Balance.Charges) != 1 || len(offers(t, v)) == 0 {
		t.Fatalf("new charge: %+v", v)
	}

	// A saved policy is the one the view quotes under, version after version.
	for _, max := range []int{4, 6} {
		pol := payments.DefaultPolicy()
		pol.MaxInstallments = max
		version, err := f.policies.Save(ctx, pol, "test")
		if err != nil {
			t.Fatal(err)
		}
		v := check(t, d, next(1, in[1].Amount))
		got := offers(t, v)
		for _, o := range got {
			if o.Count > max || o.PolicyVersion != version {
				t.Fatalf("policy v%d (max %dx): offer %dx under v%d", version, max, o.Count, o.PolicyVersion)
			}
		}
	}

	if _, err := f.plans.View(ctx, 1<<40, f.clock.Now()); payments.ErrorCode(err) != payments.ENOTFOUND {
		t.Fatalf("unknown debtor: %v", err)
	}
}
