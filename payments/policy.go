package payments

import (
	"fmt"
	"strings"
)

// Policy is a business's negotiation policy: what a debtor is charged for
// paying late and what the bot may offer to settle a debt, either in cash
// with a discount or in monthly installments. It is stored as a versioned
// JSON document; decode a partial document onto DefaultPolicy() so that the
// fields it leaves out keep their defaults.
//
// Rates and shares are in basis points (1/100 of a percent) so that all money
// arithmetic stays in integers: 200 = 2%, 10000 = 100%.
type Policy struct {
	// Version identifies the stored document this policy came from. It is
	// part of every offer id, so offers made under different versions of a
	// policy never share an id. The store assigns it; 0 means unsaved.
	Version int64 `json:"version"`

	// LateFees are the fine and late interest added to overdue principal.
	LateFees LateFeeRules `json:"late_fees"`

	// ConsumerDebt marks debts owed by consumers, where the Consumer Defence
	// Code (CDC art. 52 §1) caps the fine at 2%. True by default; a business
	// collecting from companies may turn it off to charge its contract fine.
	ConsumerDebt bool `json:"consumer_debt"`

	// CashDiscounts is the cash-settlement discount ladder: the step that
	// applies is the last one whose MinDaysOverdue the debt has reached.
	// Steps must be in strictly increasing order of MinDaysOverdue. A debt
	// younger than the first step gets no discount.
	CashDiscounts []DiscountStep `json:"cash_discounts"`

	// InstallmentTiers limit the number of installments by the size and age
	// of the debt. The limit for a debt is the largest MaxInstallments among
	// the tiers it qualifies for (balance ≥ MinDebt and days overdue ≥
	// MinDaysOverdue), never above the policy's MaxInstallments. With no
	// tiers, MaxInstallments alone applies; with tiers, a debt that
	// qualifies for none is offered cash only.
	InstallmentTiers []InstallmentTier `json:"installment_tiers"`

	// MaxInstallments is the most installments any plan may have (1 to 60;
	// 1 means cash only). Default 12.
	MaxInstallments int `json:"max_installments"`

	// MinInstallment is the smallest installment a plan may have. Default
	// R$ 50,00.
	MinInstallment Cents `json:"min_installment"`

	// PlanMonthlyRateBP is the monthly interest rate of installment plans,
	// compounded monthly with Price (French) amortisation: equal
	// installments except the last, which absorbs the rounding. Default 199
	// (1.99% a month); 0 makes plans interest-free.
	PlanMonthlyRateBP int64 `json:"plan_monthly_rate_bp"`

	// FirstDueWithinDays is how many days after the day of the agreement the
	// first installment is due (0 to 30). Default 3.
	FirstDueWithinDays int `json:"first_due_within_days"`

	// BreakAfterDaysLate is how many days an installment may be late before
	// the plan breaks and the remaining debt goes back to being a plain
	// overdue debt (0 to 365). Default 30.
	BreakAfterDaysLate int `json:"break_after_days_late"`

	// OfferValidHours is how long an offer holds after it is made (0 to
	// 720). 0, the default, means until the end of the day it was made, in
	// the business's time zone: late interest accrues by the day, so
	// tomorrow's amounts differ.
	OfferValidHours int `json:"offer_valid_hours"`

	// DownPaymentMinBP allows plans with a down payment ("entrada de R$ 500
	// e o resto parcelado"): the debtor names the down payment, at least
	// this share of the balance (1000 = 10%) and less than all of it; it is
	// due the day the plan is made and the rest is split, at the plan
	// rate, in monthly installments from a month later, under the same
	// limits (counts, tiers, MinInstallment). 0 offers none. Default 1000.
	DownPaymentMinBP int64 `json:"down_payment_min_bp"`
}

// DiscountStep is one step of the cash-settlement discount ladder.
type DiscountStep struct {
	// MinDaysOverdue is the age, in days past the oldest due date, from
	// which this step applies.
	MinDaysOverdue int `json:"min_days_overdue"`
	// FeesDiscountBP is the share of the fine and interest waived.
	FeesDiscountBP int64 `json:"fees_discount_bp"`
	// PrincipalDiscountBP is the share of the principal waived (usually 0).
	PrincipalDiscountBP int64 `json:"principal_discount_bp"`
}

// InstallmentTier allows up to MaxInstallments for debts of at least
// MinDebt (the balance today, with fine and interest) that are at least
// MinDaysOverdue days overdue.
type InstallmentTier struct {
	MinDebt         Cents `json:"min_debt"`
	MinDaysOverdue  int   `json:"min_days_overdue"`
	MaxInstallments int   `json:"max_installments"`
}

// Policy limits. They are sanity bounds, not legal advice: the legal caps
// that Validate enforces are the consumer fine cap and nothing else.
const (
	consumerFineCapBP   = 200   // CDC art. 52 §1
	policyMaxRateBP     = 10000 // 100%: anything above is a typo
	policyMaxCount      = 60
	policyMaxFirstDue   = 30
	policyMaxBreakDays  = 365
	policyMaxValidHours = 720
)

// DefaultPolicy returns SPEC's defaults: 2% fine and 1% a month late
// interest for a consumer debt; up to 12 installments of at least R$ 50,00
// at 1.99% a month, the first due within 3 days; a plan breaks when an
// installment is 30 days late; offers hold until the end of the day. The
// cash discount waives half the fine and interest from 30 days overdue and
// all of it from 90 days; principal is never discounted by default.
func DefaultPolicy() Policy {
	return Policy{
		LateFees:     DefaultLateFeeRules,
		ConsumerDebt: true,
		CashDiscounts: []DiscountStep{
			{MinDaysOverdue: 30, FeesDiscountBP: 5000},
			{MinDaysOverdue: 90, FeesDiscountBP: 10000},
		},
		MaxInstallments:    12,
		MinInstallment:     5000,
		PlanMonthlyRateBP:  199,
		FirstDueWithinDays: 3,
		BreakAfterDaysLate: 30,
		DownPaymentMinBP:   1000,
	}
}

// Validate checks the policy on its own. It returns nil or an *Error with
// code EINVALID whose Field is the JSON path of the first bad setting
// ("late_fees.fine_bp", "cash_discounts[1].min_days_overdue", …).
func (p Policy) Validate() error {
	if p.Version < 0 {
		return Invalid("version", "must not be negative")
	}
	switch {
	case p.LateFees.FineBP < 0:
		return Invalid("late_fees.fine_bp", "must not be negative")
	case p.ConsumerDebt && p.LateFees.FineBP > consumerFineCapBP:
		return Invalid("late_fees.fine_bp", "%s is above the 2%% cap on fines for consumer debt (CDC art. 52 §1)", bpString(p.LateFees.FineBP))
	case p.LateFees.FineBP > policyMaxRateBP:
		return Invalid("late_fees.fine_bp", "%s is above 100%%", bpString(p.LateFees.FineBP))
	case p.LateFees.InterestMonthlyBP < 0:
		return Invalid("late_fees.interest_monthly_bp", "must not be negative")
	case p.LateFees.InterestMonthlyBP > policyMaxRateBP:
		return Invalid("late_fees.interest_monthly_bp", "%s a month is above 100%%", bpString(p.LateFees.InterestMonthlyBP))
	}
	prev := -1
	for i, s := range p.CashDiscounts {
		f := fmt.Sprintf("cash_discounts[%d]", i)
		switch {
		case s.MinDaysOverdue < 0:
			return Invalid(f+".min_days_overdue", "must not be negative")
		case s.MinDaysOverdue <= prev:
			return Invalid(f+".min_days_overdue", "steps must be in increasing order of days overdue (%d comes after %d)", s.MinDaysOverdue, prev)
		case s.FeesDiscountBP < 0 || s.FeesDiscountBP > 10000:
			return Invalid(f+".fees_discount_bp", "must be between 0 and 10000 (100%%), not %d", s.FeesDiscountBP)
		case s.PrincipalDiscountBP < 0 || s.PrincipalDiscountBP > 10000:
			return Invalid(f+".principal_discount_bp", "must be between 0 and 10000 (100%%), not %d", s.PrincipalDiscountBP)
		}
		prev = s.MinDaysOverdue
	}
	for i, t := range p.InstallmentTiers {
		f := fmt.Sprintf("installment_tiers[%d]", i)
		switch {
		case t.MinDebt < 0:
			return Invalid(f+".min_debt", "must not be negative")
		case t.MinDaysOverdue < 0:
			return Invalid(f+".min_days_overdue", "must not be negative")
		case t.MaxInstallments < 1:
			return Invalid(f+".max_installments", "must be at least 1 (1 means cash only), not %d", t.MaxInstallments)
		case t.MaxInstallments > policyMaxCount:
			return Invalid(f+".max_installments", "must be at most %d, not %d", policyMaxCount, t.MaxInstallments)
		}
		for j, u := range p.InstallmentTiers[:i] {
			if u.MinDebt == t.MinDebt && u.MinDaysOverdue == t.MinDaysOverdue {
				return Invalid(f, "has the same min_debt and min_days_overdue as installment_tiers[%d]", j)
			}
		}
	}
	switch {
	case p.MaxInstallments < 1 || p.MaxInstallments > policyMaxCount:
		return Invalid("max_installments", "must be between 1 and %d, not %d", policyMaxCount, p.MaxInstallments)
	case p.MinInstallment <= 0:
		return Invalid("min_installment", "must be more than zero")
	case p.PlanMonthlyRateBP < 0:
		return Invalid("plan_monthly_rate_bp", "must not be negative")
	case p.PlanMonthlyRateBP > policyMaxRateBP:
		return Invalid("plan_monthly_rate_bp", "%s a month is above 100%%", bpString(p.PlanMonthlyRateBP))
	case p.FirstDueWithinDays < 0 || p.FirstDueWithinDays > policyMaxFirstDue:
		return Invalid("first_due_within_days", "must be between 0 and %d, not %d", policyMaxFirstDue, p.FirstDueWithinDays)
	case p.BreakAfterDaysLate < 0 || p.BreakAfterDaysLate > policyMaxBreakDays:
		return Invalid("break_after_days_late", "must be between 0 and %d, not %d", policyMaxBreakDays, p.BreakAfterDaysLate)
	case p.OfferValidHours < 0 || p.OfferValidHours > policyMaxValidHours:
		return Invalid("offer_valid_hours", "must be between 0 and %d, not %d", policyMaxValidHours, p.OfferValidHours)
	case p.DownPaymentMinBP < 0 || p.DownPaymentMinBP >= 10000:
		return Invalid("down_payment_min_bp", "must be from 0 (no down payment plans) to 9999, not %d", p.DownPaymentMinBP)
	}
	return nil
}

// cashDiscount returns the ladder step for a debt daysOverdue days old; the
// zero step (no discount) when it has reached none.
func (p Policy) cashDiscount(daysOverdue int) DiscountStep {
	var step DiscountStep
	for _, s := range p.CashDiscounts {
		if daysOverdue >= s.MinDaysOverdue {
			step = s
		}
	}
	return step
}

// maxInstallments returns the most installments a debt with this balance
// and age may be split into, and, when that is below 2, the policy field
// responsible.
func (p Policy) maxInstallments(balance Cents, daysOverdue int) (int, string) {
	if p.MaxInstallments < 2 {
		return p.MaxInstallments, "max_installments"
	}
	if len(p.InstallmentTiers) == 0 {
		return p.MaxInstallments, ""
	}
	best := 0
	for _, t := range p.InstallmentTiers {
		if balance >= t.MinDebt && daysOverdue >= t.MinDaysOverdue && t.MaxInstallments > best {
			best = t.MaxInstallments
		}
	}
	best = min(best, p.MaxInstallments)
	if best < 2 {
		return best, "installment_tiers"
	}
	return best, ""
}

// bpString formats basis points as a percentage: 250 → "2.5%".
func bpString(bp int64) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := strings.TrimRight(fmt.Sprintf("%d.%02d", bp/100, bp%100), "0")
	return sign + strings.TrimSuffix(s, ".") + "%"
}
