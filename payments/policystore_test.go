package payments_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"

	"github.com/regua/regua/payments"
)

func TestPolicyStoreDefaultsThenVersions(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	p, err := f.policies.Current(ctx)
	if err != nil || p.Version != 0 || !reflect.DeepEqual(p, payments.DefaultPolicy()) {
		t.Fatalf("Current with nothing stored = %+v, %v", p, err)
	}
	p.MaxInstallments, p.Version = 6, 99 // the store assigns versions
	v, err := f.policies.Save(ctx, p, "ana@example.com")
	if err != nil || v != 1 {
		t.Fatalf("Save = %d, %v", v, err)
	}
	p.MaxInstallments = 10
	if v, err = f.policies.Save(ctx, p, "ana@example.com"); err != nil || v != 2 {
		t.Fatalf("second Save = %d, %v", v, err)
	}
	got, err := f.policies.Current(ctx)
	if err != nil || got.Version != 2 || got.MaxInstallments != 10 {
		t.Fatalf("Current = %+v, %v", got, err)
	}
	var audits int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'policy.save' AND actor = 'ana@example.com'").Scan(&audits)
	if audits != 2 {
		t.Fatalf("%d audit rows", audits)
	}
	// A setting missing from a stored document (saved before it existed)
	// reads as its default.
	f.pool.Exec(ctx, `INSERT INTO policies (version, document, actor) VALUES (3, '{"max_installments": 4}', 'old')`)
	if got, _ = f.policies.Current(ctx); got.Version != 3 || got.MaxInstallments != 4 || got.MinInstallment != 5000 || got.LateFees != payments.DefaultLateFeeRules {
		t.Fatalf("partial document: %+v", got)
	}
}

func TestPolicyStoreConcurrentSavesGetDistinctVersions(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	var wg sync.WaitGroup
	versions := make([]int64, 8)
	for i := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := payments.DefaultPolicy()
			p.MaxInstallments = 2 + i
			v, err := f.policies.Save(context.Background(), p, "test")
			if err != nil {
				t.Error(err)
			}
			versions[i] = v
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, v := range versions {
		if v < 1 || v > 8 || seen[v] {
			t.Fatalf("versions %v", versions)
		}
		seen[v] = true
	}
}

func TestPolicyStoreRefusesBadPolicies(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		edit  func(p *payments.Policy)
		field string
	}{
		{"fine above 2% for consumer debt", func(p *payments.Policy) { p.LateFees.FineBP = 250 }, "late_fees.fine_bp"},
		{"negative late interest", func(p *payments.Policy) { p.LateFees.InterestMonthlyBP = -1 }, "late_fees.interest_monthly_bp"},
		{"negative plan rate", func(p *payments.Policy) { p.PlanMonthlyRateBP = -199 }, "plan_monthly_rate_bp"},
		{"zero installments", func(p *payments.Policy) { p.MaxInstallments = 0 }, "max_installments"},
		{"zero installments in a tier", func(p *payments.Policy) {
			p.InstallmentTiers = []payments.InstallmentTier{{MinDebt: 10000, MaxInstallments: 0}}
		}, "installment_tiers[0].max_installments"},
		{"min installment above the debt of a tier", func(p *payments.Policy) {
			p.MinInstallment = 20000
			p.InstallmentTiers = []payments.InstallmentTier{{MinDebt: 0, MaxInstallments: 1}, {MinDebt: 15000, MaxInstallments: 3}}
		}, "min_installment"},
		{"zero min installment", func(p *payments.Policy) { p.MinInstallment = 0 }, "min_installment"},
	}
	for _, tt := range tests {
		p := payments.DefaultPolicy()
		tt.edit(&p)
		v, err := f.policies.Save(ctx, p, "test")
		if v != 0 || payments.ErrorCode(err) != payments.EINVALID || payments.ErrorField(err) != tt.field {
			t.Errorf("%s: Save = %d, %v (field %q), want field %q", tt.name, v, err, payments.ErrorField(err), tt.field)
		}
	}
	var stored, audits int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM policies").Scan(&stored)
	f.pool.QueryRow(ctx, "SELECT count(*) FROM audit_log").Scan(&audits)
	if stored != 0 || audits != 0 {
		t.Fatalf("bad policies left %d rows and %d audit entries", stored, audits)
	}
	if f.ledger.LateFeeRules() != payments.DefaultLateFeeRules {
		t.Fatalf("ledger rules changed: %+v", f.ledger.LateFeeRules())
	}
}

// A saved policy changes the late charges the ledger computes and books,
// and the offers.
func TestSavedPolicyChangesLateChargesAndOffers(t *testing.T) {
	t.Parallel()
	f := setupPlans(t)
	ctx := context.Background()
	d := f.debtor(t)
	c := f.charge(t, d, 150000, f.today().AddDate(0, 0, -40))
	before := f.quote(t, d)
	b, _ := f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.AccruedFine != 3000 || b.AccruedInterest != 2000 {
		t.Fatalf("default late charges: %+v", b)
	}

	p := payments.DefaultPolicy()
	p.LateFees = payments.LateFeeRules{FineBP: 100, InterestMonthlyBP: 50}
	p.PlanMonthlyRateBP = 0
	p.MaxInstallments = 3
	if _, err := f.policies.Save(ctx, p, "test"); err != nil {
		t.Fatal(err)
	}
	b, _ = f.ledger.ChargeBalance(ctx, c.ID, f.clock.Now())
	if b.AccruedFine != 1500 || b.AccruedInterest != 1000 {
		t.Fatalf("late charges under the saved policy: %+v", b)
	}
	after := f.checkQuoteMatchesBalance(t, d)
	if len(after.Offers) != 3 || after.Offers[1].Interest != 0 || after.Offers[0].PolicyVersion != 1 || after.Offers[0].ID == before.Offers[0].ID {
		t.Fatalf("offers under the saved policy: %+v", after.Offers)
	}
	// A payment books the late charges by the saved policy.
	if _, err := f.ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "POL1", Amount: 100, ChargeID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if got := f.sum(t, "SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE charge_id = $1 AND account = 'late_fees'", c.ID); got != -2500 {
		t.Fatalf("booked late fees %s, want 25,00", -got)
	}
	// Reload (what the service runs every 30 s) picks up a save made
	// elsewhere.
	f.ledger.SetLateFeeRules(payments.DefaultLateFeeRules)
	if _, err := f.policies.Reload(ctx); err != nil || f.ledger.LateFeeRules() != p.LateFees {
		t.Fatalf("reload: %+v %v", f.ledger.LateFeeRules(), err)
	}
	doc, _ := json.Marshal(p)
	if len(doc) == 0 {
		t.Fatal("policy does not marshal")
	}
}
