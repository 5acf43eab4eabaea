package payments

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultPolicy(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	if err := p.Validate(); err != nil {
		t.Fatalf("DefaultPolicy().Validate() = %v", err)
	}
	// SPEC "Money rules" defaults.
	if p.LateFees.FineBP != 200 || p.LateFees.InterestMonthlyBP != 100 {
		t.Errorf("late fees = %+v, want 2%% fine and 1%% a month", p.LateFees)
	}
	if !p.ConsumerDebt || p.MaxInstallments != 12 || p.MinInstallment != 5000 || p.FirstDueWithinDays != 3 {
		t.Errorf("DefaultPolicy() = %+v", p)
	}
	// A fresh copy each time: callers may edit the ladder freely.
	p.CashDiscounts[0].FeesDiscountBP = 1
	if DefaultPolicy().CashDiscounts[0].FeesDiscountBP == 1 {
		t.Error("DefaultPolicy shares its ladder between calls")
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(p *Policy)
		field  string // "" means valid
		inText string
	}{
		{"default", func(p *Policy) {}, "", ""},
		{"fine at the consumer cap", func(p *Policy) { p.LateFees.FineBP = 200 }, "", ""},
		{"fine above 2% for consumer debt", func(p *Policy) { p.LateFees.FineBP = 201 }, "late_fees.fine_bp", "2.01%"},
		{"fine of 10% for a company debt", func(p *Policy) { p.ConsumerDebt = false; p.LateFees.FineBP = 1000 }, "", ""},
		{"fine above 100%", func(p *Policy) { p.ConsumerDebt = false; p.LateFees.FineBP = 10001 }, "late_fees.fine_bp", ""},
		{"negative fine", func(p *Policy) { p.LateFees.FineBP = -1 }, "late_fees.fine_bp", "negative"},
		{"negative late interest", func(p *Policy) { p.LateFees.InterestMonthlyBP = -100 }, "late_fees.interest_monthly_bp", "negative"},
		{"no late interest", func(p *Policy) { p.LateFees.InterestMonthlyBP = 0 }, "", ""},
		{"negative plan rate", func(p *Policy) { p.PlanMonthlyRateBP = -1 }, "plan_monthly_rate_bp", "negative"},
		{"plan rate above 100%", func(p *Policy) { p.PlanMonthlyRateBP = 10001 }, "plan_monthly_rate_bp", ""},
		{"interest-free plans", func(p *Policy) { p.PlanMonthlyRateBP = 0 }, "", ""},
		{"zero min installment", func(p *Policy) { p.MinInstallment = 0 }, "min_installment", ""},
		{"negative min installment", func(p *Policy) { p.MinInstallment = -5000 }, "min_installment", ""},
		{"zero max installments", func(p *Policy) { p.MaxInstallments = 0 }, "max_installments", ""},
		{"cash only", func(p *Policy) { p.MaxInstallments = 1 }, "", ""},
		{"60 installments", func(p *Policy) { p.MaxInstallments = 60 }, "", ""},
		{"61 installments", func(p *Policy) { p.MaxInstallments = 61 }, "max_installments", "61"},
		{"first due today", func(p *Policy) { p.FirstDueWithinDays = 0 }, "", ""},
		{"first due in the past", func(p *Policy) { p.FirstDueWithinDays = -1 }, "first_due_within_days", ""},
		{"first due too far", func(p *Policy) { p.FirstDueWithinDays = 31 }, "first_due_within_days", ""},
		{"negative break days", func(p *Policy) { p.BreakAfterDaysLate = -1 }, "break_after_days_late", ""},
		{"negative validity", func(p *Policy) { p.OfferValidHours = -1 }, "offer_valid_hours", ""},
		{"validity of 48 hours", func(p *Policy) { p.OfferValidHours = 48 }, "", ""},
		{"negative version", func(p *Policy) { p.Version = -1 }, "version", ""},
		{"ladder step discount above 100%", func(p *Policy) { p.CashDiscounts[1].FeesDiscountBP = 10001 }, "cash_discounts[1].fees_discount_bp", "10001"},
		{"ladder step negative discount", func(p *Policy) { p.CashDiscounts[0].FeesDiscountBP = -1 }, "cash_discounts[0].fees_discount_bp", ""},
		{"ladder principal discount above 100%", func(p *Policy) { p.CashDiscounts[0].PrincipalDiscountBP = 10001 }, "cash_discounts[0].principal_discount_bp", ""},
		{"ladder principal discount of 100%", func(p *Policy) { p.CashDiscounts[1].PrincipalDiscountBP = 10000 }, "", ""},
		{"ladder steps out of order", func(p *Policy) { p.CashDiscounts[1].MinDaysOverdue = 10 }, "cash_discounts[1].min_days_overdue", "order"},
		{"ladder steps on the same day", func(p *Policy) { p.CashDiscounts[1].MinDaysOverdue = 30 }, "cash_discounts[1].min_days_overdue", "order"},
		{"ladder step with negative days", func(p *Policy) { p.CashDiscounts[0].MinDaysOverdue = -1 }, "cash_discounts[0].min_days_overdue", ""},
		{"ladder from day 0", func(p *Policy) { p.CashDiscounts[0].MinDaysOverdue = 0 }, "", ""},
		{"no ladder", func(p *Policy) { p.CashDiscounts = nil }, "", ""},
		{"tiers", func(p *Policy) { p.InstallmentTiers = testTiers() }, "", ""},
		{"zero installments in a tier", func(p *Policy) {
			p.InstallmentTiers = testTiers()
			p.InstallmentTiers[1].MaxInstallments = 0
		}, "installment_tiers[1].max_installments", "at least 1"},
		{"tier above 60", func(p *Policy) {
			p.InstallmentTiers = testTiers()
			p.InstallmentTiers[2].MaxInstallments = 61
		}, "installment_tiers[2].max_installments", ""},
		{"tier with negative debt", func(p *Policy) {
			p.InstallmentTiers = testTiers()
			p.InstallmentTiers[0].MinDebt = -1
		}, "installment_tiers[0].min_debt", ""},
		{"tier with negative days", func(p *Policy) {
			p.InstallmentTiers = testTiers()
			p.InstallmentTiers[2].MinDaysOverdue = -1
		}, "installment_tiers[2].min_days_overdue", ""},
		{"duplicate tier", func(p *Policy) {
			p.InstallmentTiers = append(testTiers(), InstallmentTier{MinDebt: 100000, MinDaysOverdue: 0, MaxInstallments: 2})
		}, "installment_tiers[3]", "installment_tiers[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			tt.edit(&p)
			err := p.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error about %s", tt.field)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("Validate() returned %T, want *Error", err)
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
				t.Errorf("Validate() = code %q field %q (%v), want %q %q", ErrorCode(err), ErrorField(err), err, EINVALID, tt.field)
			}
			if !strings.Contains(err.Error(), tt.inText) {
				t.Errorf("Validate() = %q, want it to mention %q", err, tt.inText)
			}
		})
	}
}

func testTiers() []InstallmentTier {
	return []InstallmentTier{
		{MinDebt: 0, MinDaysOverdue: 0, MaxInstallments: 3},
		{MinDebt: 100000, MinDaysOverdue: 0, MaxInstallments: 6},
		{MinDebt: 100000, MinDaysOverdue: 60, MaxInstallments: 12},
	}
}

func TestPolicyJSON(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.Version = 7
	p.InstallmentTiers = testTiers()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"late_fees":{"fine_bp":200,"interest_monthly_bp":100}`, `"min_installment":"50.00"`, `"cash_discounts":[{"min_days_overdue":30,`, `"min_debt":"1000.00"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s does not contain %s", b, want)
		}
	}
	var back Policy
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, p)
	}

	// A partial document decoded onto the defaults keeps the rest of them.
	partial := DefaultPolicy()
	if err := json.Unmarshal([]byte(`{"plan_monthly_rate_bp":0,"max_installments":6}`), &partial); err != nil {
		t.Fatal(err)
	}
	want := DefaultPolicy()
	want.PlanMonthlyRateBP, want.MaxInstallments = 0, 6
	if !reflect.DeepEqual(partial, want) {
		t.Errorf("partial decode = %+v, want %+v", partial, want)
	}
}

func TestBPString(t *testing.T) {
	t.Parallel()
	for bp, want := range map[int64]string{0: "0%", 200: "2%", 201: "2.01%", 250: "2.5%", 1000: "10%", 199: "1.99%", -50: "-0.5%"} {
		if got := bpString(bp); got != want {
			t.Errorf("bpString(%d) = %q, want %q", bp, got, want)
		}
	}
}
