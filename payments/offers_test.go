package payments

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// brt is Brasília time. Brazil has had no daylight saving time since 2019,
// so a fixed zone is exact and needs no tz database.
var brt = time.FixedZone("BRT", -3*60*60)

// at returns 10:00 in Brasília on a civil day.
func at(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 10, 0, 0, 0, brt)
}

// oneCharge is a debt of a single charge, daysOverdue days overdue on day.
func oneCharge(principal Cents, day time.Time, daysOverdue int) Debt {
	return Debt{
		DebtorExternalID: "D-1",
		Charges: []DebtCharge{{
			ExternalID: "C-1",
			Principal:  principal,
			DueDate:    Date(day, brt).AddDate(0, 0, -daysOverdue),
		}},
	}
}

func amounts(ins []Installment) []Cents {
	out := make([]Cents, len(ins))
	for i, in := range ins {
		out[i] = in.Amount
	}
	return out
}

func findOffer(t *testing.T, offers []Offer, kind string, count int) Offer {
	t.Helper()
	for _, o := range offers {
		if o.Kind == kind && o.Count == count {
			return o
		}
	}
	t.Fatalf("no %s offer with count %d among %d offers", kind, count, len(offers))
	return Offer{}
}

func TestOffersZeroRatePlan(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.PlanMonthlyRateBP = 0
	now := at(2026, time.March, 10)
	// Due today: nothing late, so the plan finances exactly R$ 1.000,00.
	offers, err := p.Offers(oneCharge(100000, now, 0), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	o := findOffer(t, offers, OfferInstallments, 3)
	// 1000.00 / 3 = 333.333…: two of 333.33, the last takes the remaining cent.
	if got, want := amounts(o.Installments), []Cents{33333, 33333, 33334}; !reflect.DeepEqual(got, want) {
		t.Errorf("installments = %v, want %v", got, want)
	}
	if o.Total != 100000 || o.Financed != 100000 || o.Interest != 0 || o.Discount != 0 {
		t.Errorf("offer = %+v", o)
	}
	wantDates := []time.Time{CivilDate(2026, time.March, 13), CivilDate(2026, time.April, 13), CivilDate(2026, time.May, 13)}
	for i, in := range o.Installments {
		if !in.DueDate.Equal(wantDates[i]) || in.Number != i+1 || in.Interest != 0 || in.Amortization != in.Amount {
			t.Errorf("installment %d = %+v, want due %s", i+1, in, wantDates[i].Format(time.DateOnly))
		}
	}
	// Largest count: 12 × 83.33 ≥ 50.00, so all of 2..12 are offered.
	if len(offers) != 12 || offers[len(offers)-1].Count != 12 {
		t.Errorf("got %d offers, last %+v", len(offers), offers[len(offers)-1])
	}
}

func TestOffersPricePlan(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy() // 1.99% a month
	now := at(2026, time.January, 29)
	offers, err := p.Offers(oneCharge(150000, now, 0), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	o := findOffer(t, offers, OfferInstallments, 12)
	// R$ 1.500,00 in 12x at i = 1.99% a month, agreed on 29 January, the
	// first installment due 3 days later (1 February), then monthly. The
	// first period runs 3 days: it grows a balance by g₁ = 1 + i·3/30 =
	// 1.00199; each later one is a whole month, g = 1.0199. The payment
	// amortises F over those periods: PMT = F / Σₖ 1/Gₖ with
	// Gₖ = g₁·1.0199^(k−1):
	//   Σₖ 1/Gₖ = (1/1.00199) · (1 − 1.0199^−12)/(1 − 1/1.0199)
	//           = 0.998014… × 10.77184… = 10.77124… (exactly, as a fraction)
	//   PMT = 1500 / 10.77124… = 139.2594… → R$ 139,26
	// Interest, balance × (g − 1) rounded to the centavo:
	//   1: 1500.00 × 0.00199 = 2.985 → 2.99 (3 days), amortises 136.27, owes 1363.73
	//   2: 1363.73 × 0.0199 = 27.14, 112.12, owes 1251.61   3: 24.91 …
	//   …, 12: the rest, 139.31.
	// Total 11 × 139.26 + 139.31 = 1671.17, of which 171.17 interest: the
	// first installment no longer pays a month's interest for 3 days.
	want := []Cents{13926, 13926, 13926, 13926, 13926, 13926, 13926, 13926, 13926, 13926, 13926, 13931}
	if got := amounts(o.Installments); !reflect.DeepEqual(got, want) {
		t.Errorf("installments = %v, want %v", got, want)
	}
	wantInterest := []Cents{299, 2714, 2491, 2263, 2031, 1794, 1553, 1307, 1056, 799, 538, 272}
	for i, in := range o.Installments {
		if in.Interest != wantInterest[i] || in.Amortization != in.Amount-in.Interest {
			t.Errorf("installment %d = %+v, want interest %d", i+1, in, wantInterest[i])
		}
	}
	if o.Total != 167117 || o.Interest != 17117 || o.Financed != 150000 || o.MonthlyRateBP != 199 {
		t.Errorf("offer = total %d interest %d financed %d rate %d", o.Total, o.Interest, o.Financed, o.MonthlyRateBP)
	}
	// Started on 29 January: first due 1 February, then the 1st of each month.
	if got := o.Installments[0].DueDate; !got.Equal(CivilDate(2026, time.February, 1)) {
		t.Errorf("first due %s", got.Format(time.DateOnly))
	}
	if got := o.Installments[11].DueDate; !got.Equal(CivilDate(2027, time.January, 1)) {
		t.Errorf("last due %s", got.Format(time.DateOnly))
	}
}

func TestOffersMonthEnds(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.FirstDueWithinDays = 0
	// Agreed on 31 January 2028 (a leap year), first due the same day.
	now := at(2028, time.January, 31)
	offers, err := p.Offers(oneCharge(600000, now, 0), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	o := findOffer(t, offers, OfferInstallments, 6)
	want := []string{"2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31", "2028-06-30"}
	for i, in := range o.Installments {
		if got := in.DueDate.Format(time.DateOnly); got != want[i] {
			t.Errorf("installment %d due %s, want %s", i+1, got, want[i])
		}
	}
}

func TestOffersDiscountLadder(t *testing.T) {
	t.Parallel()
	// Default ladder: from 30 days half the fine and interest, from 90 all.
	// R$ 1.000,00 d days late: fine 20.00 + interest 1000 × 1% × d/30.
	tests := []struct {
		days                  int
		fees, discount, total Cents
	}{
		{0, 0, 0, 100000},
		{1, 2033, 0, 102033},     // 20.00 + 0.33
		{29, 2967, 0, 102967},    // 20.00 + 9.67
		{30, 3000, 1500, 101500}, // 20.00 + 10.00, half waived
		{31, 3033, 1517, 101516}, // half of 30.33 = 15.165 → 15.17
		{89, 4967, 2484, 102483}, // half of 49.67 = 24.835 → 24.84
		{90, 5000, 5000, 100000}, // all waived
		{91, 5033, 5033, 100000},
		{400, 15333, 15333, 100000},
	}
	p := DefaultPolicy()
	now := at(2026, time.June, 15)
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d days", tt.days), func(t *testing.T) {
			t.Parallel()
			offers, err := p.Offers(oneCharge(100000, now, tt.days), now, brt)
			if err != nil {
				t.Fatal(err)
			}
			c := offers[0]
			if c.Kind != OfferCash || c.Count != 1 {
				t.Fatalf("first offer is %s×%d, want cash", c.Kind, c.Count)
			}
			if c.Principal != 100000 || c.Fees != tt.fees || c.Discount != tt.discount || c.Total != tt.total || c.Financed != tt.total {
				t.Errorf("cash offer = principal %d fees %d discount %d financed %d total %d, want fees %d discount %d total %d",
					c.Principal, c.Fees, c.Discount, c.Financed, c.Total, tt.fees, tt.discount, tt.total)
			}
			if len(c.Installments) != 1 || c.Installments[0].Amount != c.Total || !c.Installments[0].DueDate.Equal(Date(now, brt)) {
				t.Errorf("cash installments = %+v", c.Installments)
			}
			// Plans finance the whole balance, without the cash discount.
			for _, o := range offers[1:] {
				if o.Discount != 0 || o.Financed != 100000+tt.fees {
					t.Errorf("%dx: discount %d financed %d", o.Count, o.Discount, o.Financed)
				}
			}
		})
	}
}

func TestOffersPrincipalDiscount(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.CashDiscounts = []DiscountStep{{MinDaysOverdue: 0}, {MinDaysOverdue: 180, FeesDiscountBP: 10000, PrincipalDiscountBP: 1250}}
	now := at(2026, time.June, 15)
	for days, want := range map[int]Cents{179: 100000 + 2000 + 5967, 180: 87500, 181: 87500} {
		offers, err := p.Offers(oneCharge(100000, now, days), now, brt)
		if err != nil {
			t.Fatal(err)
		}
		if got := offers[0].Total; got != want {
			t.Errorf("%d days: cash total %s, want %s", days, got, want)
		}
	}
}

func TestOffersOldestChargeSetsTheAge(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	now := at(2026, time.June, 15)
	today := Date(now, brt)
	d := Debt{DebtorExternalID: "D-1", Charges: []DebtCharge{
		{ExternalID: "new", Principal: 10000, DueDate: today.AddDate(0, 0, -5)},
		{ExternalID: "old", Principal: 10000, DueDate: today.AddDate(0, 0, -95)},
		{ExternalID: "future", Principal: 10000, DueDate: today.AddDate(0, 0, 20)},
	}}
	offers, err := p.Offers(d, now, brt)
	if err != nil {
		t.Fatal(err)
	}
	c := offers[0]
	// new: 2.00 + 100.00 × 1% × 5/30 = 2.17; old: 2.00 + 100.00 × 1% × 95/30 = 5.17;
	// future: nothing. 95 days overdue: all of it waived.
	if c.Principal != 30000 || c.Fees != 734 || c.Discount != 734 || c.Total != 30000 {
		t.Errorf("cash = %+v", c)
	}
}

func TestOffersAssessedCharges(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.CashDiscounts = nil
	now := at(2026, time.February, 24)
	d := Debt{DebtorExternalID: "D-1", Charges: []DebtCharge{{
		ExternalID: "C-1",
		Principal:  100000,
		DueDate:    CivilDate(2026, time.January, 10),
		// Assessed on 9 February, 30 days late: 2% fine and 1% interest.
		Fine: 2000, Interest: 1000, AssessedThrough: CivilDate(2026, time.February, 9),
	}}}
	offers, err := p.Offers(d, now, brt)
	if err != nil {
		t.Fatal(err)
	}
	// 15 more days of interest (0.5%); the fine is not charged again.
	if got := offers[0].Fees; got != 2000+1000+500 {
		t.Errorf("fees = %s, want R$ 35,00", got)
	}
}

func TestOffersTooSmallToSplit(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	now := at(2026, time.June, 15)
	for _, principal := range []Cents{1, 3000, 9708} {
		d := oneCharge(principal, now, 0)
		offers, err := p.Offers(d, now, brt)
		if err != nil {
			t.Fatal(err)
		}
		if len(offers) != 1 || offers[0].Kind != OfferCash || offers[0].Total != principal {
			t.Errorf("%s: offers = %+v, want cash only", principal, offers)
		}
		err = p.CheckInstallments(d, now, brt)
		if ErrorCode(err) != EINVALID || ErrorField(err) != "min_installment" {
			t.Errorf("%s: CheckInstallments = %v, want an error about min_installment", principal, err)
		}
	}
	// 2x at 1.99% pays F × 0.0199 × 1.0199² / (1.0199² − 1) ≈ F × 0.514975:
	// 49.99 for 97.08 above (cash only), 51.50 for 100.00.
	if err := p.CheckInstallments(oneCharge(10000, now, 0), now, brt); err != nil {
		t.Errorf("CheckInstallments(100.00) = %v", err)
	}
}

// The last installment absorbs rounding and can be the smallest: the
// minimum applies to it too.
func TestOffersMinimumAppliesToTheLastInstallment(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	now := at(2026, time.June, 15)
	// 1550.00 at 1.99% in 12x, the first due in 3 days: 11 × 143.91 + 143.86.
	d := oneCharge(155000, now, 0)
	offers, err := p.Offers(d, now, brt)
	if err != nil {
		t.Fatal(err)
	}
	if got := amounts(findOffer(t, offers, OfferInstallments, 12).Installments); got[0] != 14391 || got[11] != 14386 {
		t.Fatalf("12x = %v, want 11 × 143.91 + 143.86", got)
	}
	p.MinInstallment = 14391
	offers, err = p.Offers(d, now, brt)
	if err != nil {
		t.Fatal(err)
	}
	if top := offers[len(offers)-1]; top.Count != 11 {
		t.Errorf("with a minimum of 146.48 the longest plan is %dx %v, want 11x", top.Count, amounts(top.Installments))
	}
}

func TestOffersCountLimits(t *testing.T) {
	t.Parallel()
	now := at(2026, time.June, 15)
	counts := func(offers []Offer) []int {
		var out []int
		for _, o := range offers {
			out = append(out, o.Count)
		}
		return out
	}
	tests := []struct {
		name      string
		edit      func(p *Policy)
		principal Cents
		days      int
		want      []int
		field     string // of CheckInstallments
	}{
		{"min installment", func(p *Policy) {}, 30000, 0, []int{1, 2, 3, 4, 5, 6}, ""}, // 6x of 300.00 pay 53.40, 7x 46.04
		{"global max", func(p *Policy) { p.MaxInstallments = 4 }, 1000000, 0, []int{1, 2, 3, 4}, ""},
		{"cash only policy", func(p *Policy) { p.MaxInstallments = 1 }, 1000000, 0, []int{1}, "max_installments"},
		{"small tier", func(p *Policy) { p.InstallmentTiers = testTiers() }, 90000, 100, []int{1, 2, 3}, ""},
		{"middle tier", func(p *Policy) { p.InstallmentTiers = testTiers() }, 100000, 59, []int{1, 2, 3, 4, 5, 6}, ""},
		{"top tier", func(p *Policy) { p.InstallmentTiers = testTiers() }, 100000, 60, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ""},
		{"tier capped by global max", func(p *Policy) { p.InstallmentTiers = testTiers(); p.MaxInstallments = 8 }, 100000, 60, []int{1, 2, 3, 4, 5, 6, 7, 8}, ""},
		{"no tier matches", func(p *Policy) {
			p.InstallmentTiers = []InstallmentTier{{MinDebt: 500000, MaxInstallments: 10}}
		}, 100000, 60, []int{1}, "installment_tiers"},
		{"tier of one", func(p *Policy) {
			p.InstallmentTiers = []InstallmentTier{{MaxInstallments: 1}}
		}, 100000, 60, []int{1}, "installment_tiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			p.CashDiscounts = nil
			p.LateFees = LateFeeRules{} // keep the balance equal to the principal
			tt.edit(&p)
			d := oneCharge(tt.principal, now, tt.days)
			offers, err := p.Offers(d, now, brt)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts(offers); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("counts = %v, want %v", got, tt.want)
			}
			err = p.CheckInstallments(d, now, brt)
			if ErrorField(err) != tt.field || (tt.field == "") != (err == nil) {
				t.Errorf("CheckInstallments = %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestOffersBadInput(t *testing.T) {
	t.Parallel()
	now := at(2026, time.June, 15)
	due := CivilDate(2026, time.May, 1)
	good := func() Debt {
		return Debt{DebtorExternalID: "D-1", Charges: []DebtCharge{
			{ExternalID: "A", Principal: 10000, DueDate: due},
			{ExternalID: "B", Principal: 20000, DueDate: due},
		}}
	}
	tests := []struct {
		name  string
		edit  func(p *Policy, d *Debt)
		field string
	}{
		{"bad policy", func(p *Policy, d *Debt) { p.LateFees.FineBP = 1000 }, "late_fees.fine_bp"},
		{"no charges", func(p *Policy, d *Debt) { d.Charges = nil }, "charges"},
		{"nothing owed", func(p *Policy, d *Debt) { d.Charges[0].Principal, d.Charges[1].Principal = 0, 0 }, "charges"},
		{"negative principal", func(p *Policy, d *Debt) { d.Charges[1].Principal = -1 }, "charges[1].principal"},
		{"no id", func(p *Policy, d *Debt) { d.Charges[0].ExternalID = "" }, "charges[0].external_id"},
		{"same id twice", func(p *Policy, d *Debt) { d.Charges[1].ExternalID = "A" }, "charges[1].external_id"},
		{"no due date", func(p *Policy, d *Debt) { d.Charges[1].DueDate = time.Time{} }, "charges[1].due_date"},
		{"negative fine", func(p *Policy, d *Debt) { d.Charges[0].Fine = -1 }, "charges[0].fine"},
		{"fine without a date", func(p *Policy, d *Debt) { d.Charges[0].Fine = 200 }, "charges[0].assessed_through"},
		{"assessed tomorrow", func(p *Policy, d *Debt) {
			d.Charges[0].AssessedThrough = CivilDate(2026, time.June, 16)
		}, "charges[0].assessed_through"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, d := DefaultPolicy(), good()
			tt.edit(&p, &d)
			_, err := p.Offers(d, now, brt)
			if ErrorCode(err) != EINVALID || ErrorField(err) != tt.field {
				t.Errorf("Offers() error = %v (field %q), want one about %q", err, ErrorField(err), tt.field)
			}
			if err := p.CheckInstallments(d, now, brt); ErrorField(err) != tt.field {
				t.Errorf("CheckInstallments() = %v, want one about %q", err, tt.field)
			}
		})
	}
	if _, err := DefaultPolicy().Offers(good(), now, nil); err == nil {
		t.Error("Offers with a nil location succeeded")
	}
}

func TestOffersExpiry(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	// 23:30 in Brasília is already the next day in UTC: the offer still
	// ends at midnight in Brasília.
	now := time.Date(2026, time.June, 15, 23, 30, 0, 0, brt)
	offers, err := p.Offers(oneCharge(100000, now, 10), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, time.June, 16, 0, 0, 0, 0, brt)
	for _, o := range offers {
		if !o.ExpiresAt.Equal(want) {
			t.Errorf("%s %d: expires %s, want %s", o.Kind, o.Count, o.ExpiresAt, want)
		}
	}
	p.OfferValidHours = 48
	offers, err = p.Offers(oneCharge(100000, now, 10), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	if got := offers[0].ExpiresAt; !got.Equal(now.Add(48 * time.Hour)) {
		t.Errorf("expires %s, want 48 hours after %s", got, now)
	}
}

func TestOfferIDs(t *testing.T) {
	t.Parallel()
	now := at(2026, time.June, 15)
	today := Date(now, brt)
	debt := func() Debt {
		return Debt{DebtorExternalID: "D-1", Charges: []DebtCharge{
			{ExternalID: "A", Principal: 100000, DueDate: today.AddDate(0, 0, -40)},
			{ExternalID: "B", Principal: 50000, DueDate: today.AddDate(0, 0, -10)},
			{ExternalID: "C", Principal: 25000, DueDate: today.AddDate(0, 0, -3)},
		}}
	}
	ids := func(p Policy, d Debt, now time.Time) []string {
		t.Helper()
		offers, err := p.Offers(d, now, brt)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range offers {
			out = append(out, o.ID)
		}
		return out
	}
	p := DefaultPolicy()
	p.Version = 3
	base := ids(p, debt(), now)

	seen := map[string]bool{}
	for _, id := range base {
		if !strings.HasPrefix(id, "of_") || len(id) != 27 {
			t.Errorf("id %q is not of_ and 24 hex digits", id)
		}
		if seen[id] {
			t.Errorf("id %q appears twice in one quote", id)
		}
		seen[id] = true
	}
	if len(base) < 3 {
		t.Fatalf("only %d offers", len(base))
	}

	same := map[string]func() []string{
		"same input": func() []string { return ids(p, debt(), now) },
		"later the same day": func() []string {
			return ids(p, debt(), now.Add(5*time.Hour))
		},
		"charges in another order": func() []string {
			d := debt()
			d.Charges[0], d.Charges[2] = d.Charges[2], d.Charges[0]
			return ids(p, d, now)
		},
	}
	for name, f := range same {
		if got := f(); !reflect.DeepEqual(got, base) {
			t.Errorf("%s: ids changed:\n%v\n%v", name, got, base)
		}
	}

	differ := map[string]func() []string{
		"one centavo paid": func() []string {
			d := debt()
			d.Charges[1].Principal--
			return ids(p, d, now)
		},
		"a new charge": func() []string {
			d := debt()
			d.Charges = append(d.Charges, DebtCharge{ExternalID: "D", Principal: 10000, DueDate: today})
			return ids(p, d, now)
		},
		"principal moved between charges due the same day": func() []string {
			d := debt()
			d.Charges[1].DueDate = d.Charges[0].DueDate
			d.Charges[0].Principal, d.Charges[1].Principal = 50000, 100000
			e := debt()
			e.Charges[1].DueDate = e.Charges[0].DueDate
			if got, base := ids(p, d, now), ids(p, e, now); got[0] == base[0] {
				t.Errorf("moving principal between charges kept the id %s", got[0])
			}
			return nil
		},
		"another debtor": func() []string {
			d := debt()
			d.DebtorExternalID = "D-2"
			return ids(p, d, now)
		},
		"the next day": func() []string { return ids(p, debt(), now.AddDate(0, 0, 1)) },
		"another policy version": func() []string {
			q := p
			q.Version = 4
			return ids(q, debt(), now)
		},
		"the same version edited": func() []string {
			q := p
			q.PlanMonthlyRateBP = 150
			q.CashDiscounts = []DiscountStep{{MinDaysOverdue: 30, FeesDiscountBP: 7000}}
			return ids(q, debt(), now)
		},
	}
	for name, f := range differ {
		for _, id := range f() {
			if seen[id] {
				t.Errorf("%s: id %s is unchanged", name, id)
			}
		}
	}
}

func TestOfferJSON(t *testing.T) {
	t.Parallel()
	now := at(2026, time.June, 15)
	offers, err := DefaultPolicy().Offers(oneCharge(100000, now, 40), now, brt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(offers)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"cash"`, `"kind":"installments"`, `"due_date":"2026-06-15"`, `"due_date":"2026-06-18"`, `"total":"1016.66"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON does not contain %s", want)
		}
	}
	var back []Offer
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(b) {
		t.Errorf("JSON round trip changed the offers:\n%s\n%s", b, again)
	}
	var in Installment
	if err := json.Unmarshal([]byte(`{"number":1,"due_date":"15/06/2026","amount":"1.00"}`), &in); err == nil {
		t.Error("a due date that is not YYYY-MM-DD was accepted")
	}
}

// TestOffersProperties checks invariants over thousands of random debts
// and policies, with oracles computed independently of the implementation.
func TestOffersProperties(t *testing.T) {
	t.Parallel()
	iterations := 3000
	if testing.Short() {
		iterations = 300
	}
	rng := rand.New(rand.NewPCG(20261122, 1))
	rates := []int64{0, 0, 99, 100, 199, 199, 250, 399, 500, 800}
	years := []int{2024, 2025, 2026, 2027, 2028, 2100} // 2024 and 2028 are leap years, 2100 is not
	var plans, cashOnly int
	for it := range iterations {
		p := DefaultPolicy()
		p.Version = int64(rng.IntN(5))
		p.PlanMonthlyRateBP = rates[rng.IntN(len(rates))]
		p.MaxInstallments = 1 + rng.IntN(60)
		p.MinInstallment = Cents(1 + rng.IntN(20000))
		p.FirstDueWithinDays = rng.IntN(31)
		if rng.IntN(2) == 0 {
			p.LateFees.InterestMonthlyBP = int64(rng.IntN(300))
		}

		y, m := years[rng.IntN(len(years))], time.Month(1+rng.IntN(12))
		last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
		day := 1 + rng.IntN(last)
		if rng.IntN(2) == 0 { // half of the starts near the end of the month
			day = max(1, last-rng.IntN(4))
		}
		now := time.Date(y, m, day, rng.IntN(24), rng.IntN(60), 0, 0, brt)
		today := CivilDate(y, m, day)

		var d Debt
		d.DebtorExternalID = fmt.Sprintf("D-%d", it)
		var wantPrincipal, wantFees Cents
		for c := range 1 + rng.IntN(3) {
			// Log-uniform principals from R$ 1,00 to R$ 100.000,00.
			principal := Cents(100 * math.Pow(10, rng.Float64()*5))
			due := today.AddDate(0, 0, 10-rng.IntN(400))
			d.Charges = append(d.Charges, DebtCharge{ExternalID: fmt.Sprintf("C-%d", c), Principal: principal, DueDate: due})
			wantPrincipal += principal
			if days := int(today.Sub(due).Hours() / 24); days > 0 {
				wantFees += ratRound(big.NewRat(int64(principal)*p.LateFees.FineBP, 10000))
				wantFees += ratRound(big.NewRat(int64(principal)*p.LateFees.InterestMonthlyBP*int64(days), 300000))
			}
		}

		offers, err := p.Offers(d, now, brt)
		if err != nil {
			t.Fatalf("iteration %d: %v", it, err)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("iteration %d (policy %+v, today %s, debt %+v): %s", it, p, today.Format(time.DateOnly), d, fmt.Sprintf(format, args...))
		}
		cash := offers[0]
		if cash.Kind != OfferCash || cash.Count != 1 || len(cash.Installments) != 1 {
			fail("first offer %+v is not cash", cash)
		}
		if cash.Principal != wantPrincipal || cash.Fees != wantFees {
			fail("cash principal %d fees %d, want %d %d", cash.Principal, cash.Fees, wantPrincipal, wantFees)
		}
		if cash.Discount < 0 || cash.Discount > cash.Fees || cash.Total != cash.Principal+cash.Fees-cash.Discount || cash.Installments[0].Amount != cash.Total {
			fail("cash offer %+v", cash)
		}
		first := today.AddDate(0, 0, p.FirstDueWithinDays)
		ids := map[string]bool{cash.ID: true}
		for i, o := range offers[1:] {
			plans++
			n := o.Count
			if o.Kind != OfferInstallments || n != i+2 || n > p.MaxInstallments || len(o.Installments) != n {
				fail("offer %d is %s×%d with %d installments", i+1, o.Kind, n, len(o.Installments))
			}
			if ids[o.ID] {
				fail("duplicate id %s", o.ID)
			}
			ids[o.ID] = true
			if o.Financed != wantPrincipal+wantFees || o.Discount != 0 || o.Total != o.Financed+o.Interest || o.Interest < 0 {
				fail("%dx: financed %d discount %d interest %d total %d", n, o.Financed, o.Discount, o.Interest, o.Total)
			}
			var sum, amort Cents
			for k, in := range o.Installments {
				sum += in.Amount
				amort += in.Amortization
				if in.Number != k+1 || in.Amount != in.Interest+in.Amortization || in.Interest < 0 || in.Amortization < 0 {
					fail("%dx: installment %+v", n, in)
				}
				if in.Amount < p.MinInstallment {
					fail("%dx: installment %d of %s is below the minimum %s", n, k+1, in.Amount, p.MinInstallment)
				}
				if want := monthsLater(first, k); !in.DueDate.Equal(want) || !in.DueDate.Equal(AddMonthsClamped(first, k)) {
					fail("%dx: installment %d due %s, want %s", n, k+1, in.DueDate.Format(time.DateOnly), want.Format(time.DateOnly))
				}
			}
			if sum != o.Total || amort != o.Financed {
				fail("%dx: installments sum to %d (amortisation %d), total %d financed %d", n, sum, amort, o.Total, o.Financed)
			}
			// All but the last are equal (the first too, unless its
			// period, longer than a month, owes more interest than the
			// payment and it amortises nothing); at 0% they are financed/n
			// rounded down.
			for k, in := range o.Installments[:n-1] {
				if k == 0 && in.Amortization == 0 && n > 2 {
					continue
				}
				if in.Amount != o.Installments[n-2].Amount {
					fail("%dx: unequal installments %v", n, amounts(o.Installments))
				}
			}
			if p.PlanMonthlyRateBP == 0 {
				if o.Installments[0].Amount != o.Financed/Cents(n) || o.Total != o.Financed {
					fail("0%% %dx: installments %v of %d", n, amounts(o.Installments), o.Financed)
				}
			}
			// The present value at the plan rate is the financed amount,
			// within half a centavo of interest rounding per installment.
			if diff := pvMinusFinanced(o.Installments, today, p.PlanMonthlyRateBP, o.Financed); diff.Cmp(big.NewRat(int64(n), 2)) > 0 {
				fail("%dx at %d bp: present value is %s centavos off %d", n, p.PlanMonthlyRateBP, diff.FloatString(3), o.Financed)
			}
		}
		// The counts stop only where they must: at the limit, or where
		// the next plan's payment is clearly below the minimum.
		top := offers[len(offers)-1].Count
		if top < p.MaxInstallments {
			next := top + 1
			pmt := exactPMT(wantPrincipal+wantFees, next, p.PlanMonthlyRateBP, today, first)
			slack := roundingSlack(next, p.PlanMonthlyRateBP)
			if pmt.Cmp(new(big.Rat).Add(new(big.Rat).SetInt64(int64(p.MinInstallment)), slack)) > 0 {
				fail("stopped at %dx although %dx pays %s > %s", top, next, pmt.FloatString(2), p.MinInstallment)
			}
		}
		if top == 1 {
			cashOnly++
		}
	}
	if plans < iterations || cashOnly < iterations/50 {
		t.Errorf("weak sample: %d plans and %d cash-only debts in %d iterations", plans, cashOnly, iterations)
	}
}

// monthsLater is the k-th month after first on first's day, or the last day
// of that month when it is shorter; written apart from AddMonthsClamped.
func monthsLater(first time.Time, k int) time.Time {
	months := int(first.Month()) - 1 + k
	y, m := first.Year()+months/12, time.Month(months%12+1)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return CivilDate(y, m, min(first.Day(), last))
}

// growth is what a balance grows by from a to b at bp a month, written apart
// from periodFactor: (1+i)^m·(1 + i·r/30) for m whole months and r days.
func growth(a, b time.Time, bp int64) *big.Rat {
	m := 0
	for !monthsLater(a, m+1).After(b) {
		m++
	}
	r := int64(b.Sub(monthsLater(a, m)).Hours() / 24)
	g := big.NewRat(1, 1)
	for range m {
		g.Mul(g, big.NewRat(10000+bp, 10000))
	}
	return g.Mul(g, big.NewRat(300000+bp*r, 300000))
}

// discounts are 1/Gₖ for a plan made on start whose installments fall due
// on dues: Gₖ is the growth from start to the first due date over its real
// days, then a month of the schedule (1+i) for each later one.
func discounts(dues []time.Time, start time.Time, bp int64) []*big.Rat {
	out := make([]*big.Rat, len(dues))
	acc := big.NewRat(1, 1)
	for k, d := range dues {
		g := big.NewRat(10000+bp, 10000)
		if k == 0 {
			g = growth(start, d, bp)
		}
		acc = new(big.Rat).Mul(acc, g)
		out[k] = new(big.Rat).Inv(acc)
	}
	return out
}

// pvMinusFinanced returns |Σ aₖ/Gₖ − financed| in centavos, exactly: the
// installments discounted to the day the plan was made over its real
// periods.
func pvMinusFinanced(ins []Installment, start time.Time, rateBP int64, financed Cents) *big.Rat {
	dues := make([]time.Time, len(ins))
	for k, in := range ins {
		dues[k] = in.DueDate
	}
	pv := new(big.Rat)
	for k, v := range discounts(dues, start, rateBP) {
		pv.Add(pv, new(big.Rat).Mul(v, big.NewRat(int64(ins[k].Amount), 1)))
	}
	pv.Sub(pv, new(big.Rat).SetInt64(int64(financed)))
	return pv.Abs(pv)
}

// exactPMT is F / Σₖ 1/Gₖ as a fraction (F/n at 0%), for n installments
// the first due on first.
func exactPMT(financed Cents, n int, rateBP int64, start, first time.Time) *big.Rat {
	f := new(big.Rat).SetInt64(int64(financed))
	if rateBP == 0 {
		return f.Quo(f, big.NewRat(int64(n), 1))
	}
	dues := make([]time.Time, n)
	for k := range n {
		dues[k] = monthsLater(first, k)
	}
	sum := new(big.Rat)
	for _, v := range discounts(dues, start, rateBP) {
		sum.Add(sum, v)
	}
	return f.Quo(f, sum)
}

// roundingSlack bounds how far the last installment can drift from the
// exact payment: up to one centavo of rounding per period, compounded.
func roundingSlack(n int, rateBP int64) *big.Rat {
	q := big.NewRat(10000+rateBP, 10000)
	s, qk := new(big.Rat), big.NewRat(1, 1)
	for range n {
		s.Add(s, qk)
		qk.Mul(qk, q)
	}
	return s.Add(s, big.NewRat(1, 1))
}

func ratRound(r *big.Rat) Cents {
	num := new(big.Int).Mul(r.Num(), big.NewInt(2))
	num.Add(num, r.Denom())
	return Cents(num.Quo(num, new(big.Int).Mul(r.Denom(), big.NewInt(2))).Int64())
}

func TestPayoffAmount(t *testing.T) {
	t.Parallel()
	// Made on 10 March; interest 2.00, 1.00 and 0.50 for the three periods.
	start := CivilDate(2026, time.March, 10)
	plan := []Installment{
		{Number: 1, DueDate: CivilDate(2026, time.April, 10), Amount: 10200, Interest: 200, Amortization: 10000},
		{Number: 2, DueDate: CivilDate(2026, time.May, 10), Amount: 10100, Interest: 100, Amortization: 10000},
		{Number: 3, DueDate: CivilDate(2026, time.June, 10), Amount: 10050, Interest: 50, Amortization: 10000},
	}
	tests := []struct {
		name string
		paid int
		on   time.Time
		want Cents
	}{
		{"on the day it was made", 0, start, 30000},
		// 31 days in the first period, 10 run: 200·10/31 = 64.5 → 64
		{"ten days in", 0, CivilDate(2026, time.March, 20), 30064},
		{"on the day the first was paid", 1, CivilDate(2026, time.April, 10), 20000},
		// 30 days to 10 May, 15 run: 100·15/30 = 50
		{"fifteen days later", 1, CivilDate(2026, time.April, 25), 20050},
		// April's is overdue and May's due today: face value; June's period
		// has just begun.
		{"one overdue", 0, CivilDate(2026, time.May, 10), 30300},
		{"after the last due date", 1, CivilDate(2026, time.July, 1), 20150},
		{"all paid", 3, CivilDate(2026, time.May, 1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := PayoffAmount(plan, tt.paid, start, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PayoffAmount = %d, want %d", got, tt.want)
			}
		})
	}
	for _, bad := range []int{-1, 4} {
		if _, err := PayoffAmount(plan, bad, start, CivilDate(2026, time.May, 1)); ErrorField(err) != "paid_count" {
			t.Errorf("PayoffAmount(paid %d) error = %v, want one about paid_count", bad, err)
		}
	}
}

// TestPriceScheduleRealDays: the first installment carries interest for the
// real days from the agreement to its due date, and a plan whose first
// installment falls due a month after the agreement is the classic Price
// table.
func TestPriceScheduleRealDays(t *testing.T) {
	t.Parallel()
	start := CivilDate(2026, time.November, 23)
	ins := priceSchedule(100000, 3, 199, start, start.AddDate(0, 0, 3))
	// 1000.00 · 1.99% · 3/30 = 1.99
	if ins[0].Interest != 199 {
		t.Errorf("first installment's interest %s, want R$ 1,99 (3 days)", ins[0].Interest)
	}
	var amort Cents
	for _, in := range ins {
		amort += in.Amortization
	}
	if amort != 100000 {
		t.Errorf("amortisation %s, want the amount financed", amort)
	}
	classic := priceSchedule(100000, 3, 199, start, AddMonthsClamped(start, 1))
	// PMT = 1000 · 0.0199 / (1 − 1.0199^−3) = 346.687… → 346.69, the last 346.68
	if got := amounts(classic); !reflect.DeepEqual(got, []Cents{34669, 34669, 34668}) {
		t.Errorf("classic Price table %v, want 346.69, 346.69, 346.68", got)
	}
}

// TestPayoffProperty (CDC art. 52 §2): for random plans priced by the
// policy and random days, the payoff is at most the principal still owed
// plus the interest accrued to that day, the payoff on the day the plan is
// made is the amount financed within a centavo, it never falls as days
// pass, never exceeds what is left to pay, and after the last due date is
// exactly that. And pricing from the real first due date never costs more
// than charging a month for the first period.
func TestPayoffProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(14, 52))
	for it := range 2000 {
		rate := int64(rng.IntN(800))
		n := 1 + rng.IntN(36)
		financed := Cents(1000 + rng.IntN(10000000))
		start := CivilDate(2024+rng.IntN(5), time.Month(1+rng.IntN(12)), 1+rng.IntN(31))
		first := start.AddDate(0, 0, rng.IntN(31)) // the policy allows 0 to 30 days
		ins := priceSchedule(financed, n, rate, start, first)
		var amort, total, interest Cents
		for _, in := range ins {
			if in.Interest < 0 || in.Amortization < 0 || in.Amount != in.Interest+in.Amortization {
				t.Fatalf("iteration %d: installment %+v", it, in)
			}
			amort += in.Amortization
			total += in.Amount
			interest += in.Interest
		}
		if amort != financed {
			t.Fatalf("iteration %d: amortisation %s, financed %s", it, amort, financed)
		}
		if n > 1 && DaysBetween(start, first) < 28 {
			monthly := priceSchedule(financed, n, rate, AddMonthsClamped(first, -1), first)
			var old Cents
			for _, in := range monthly {
				old += in.Amount
			}
			if total > old {
				t.Fatalf("iteration %d: real-day pricing costs %s, a month for the first period %s", it, total, old)
			}
		}
		day0, err := PayoffAmount(ins, 0, start, start)
		if err != nil {
			t.Fatal(err)
		}
		if d := day0 - financed; d < -1 || d > 1 {
			t.Fatalf("iteration %d: payoff on the day it was made %s, financed %s", it, day0, financed)
		}
		paid := rng.IntN(n)
		var left Cents
		for _, in := range ins[paid:] {
			left += in.Amount
		}
		from := start
		if paid > 0 {
			from = ins[paid-1].DueDate
		}
		prev := Cents(-1)
		span := DaysBetween(from, ins[n-1].DueDate)
		for off := 0; ; off += 1 + rng.IntN(9) {
			if off > span {
				off = span + 1 // the day after the last due date, always
			}
			day := from.AddDate(0, 0, off)
			got, err := PayoffAmount(ins, paid, start, day)
			if err != nil {
				t.Fatal(err)
			}
			// What is owed on day: the principal of the installments not
			// paid, the interest of those already due, and of the one whose
			// period runs, its interest for the days run.
			var bound Cents
			for k := paid; k < n; k++ {
				in := ins[k]
				bound += in.Amortization
				s := start
				if k > 0 {
					s = ins[k-1].DueDate
				}
				switch {
				case !day.Before(in.DueDate):
					bound += in.Interest
				case day.After(s):
					bound += Cents(int64(in.Interest) * int64(DaysBetween(s, day)) / int64(DaysBetween(s, in.DueDate)))
				}
			}
			if got > bound || got > left || got < prev {
				t.Fatalf("iteration %d: %dx of %s at %d bp, %d paid: payoff on %s is %s (owed %s, left %s, the day before %s)",
					it, n, financed, rate, paid, day.Format(time.DateOnly), got, bound, left, prev)
			}
			prev = got
			if off > span {
				break
			}
		}
		if prev != left {
			t.Fatalf("iteration %d: payoff after the last due date %s, want %s", it, prev, left)
		}
	}
}

func BenchmarkOffers(b *testing.B) {
	p := DefaultPolicy()
	now := at(2026, time.June, 15)
	today := Date(now, brt)
	d := Debt{DebtorExternalID: "D-1", Charges: []DebtCharge{
		{ExternalID: "C-1", Principal: 123456, DueDate: today.AddDate(0, 0, -95)},
		{ExternalID: "C-2", Principal: 78900, DueDate: today.AddDate(0, 0, -40)},
		{ExternalID: "C-3", Principal: 45678, DueDate: today.AddDate(0, 0, -5)},
	}}
	b.ReportAllocs()
	for b.Loop() {
		offers, err := p.Offers(d, now, brt)
		if err != nil || len(offers) != 12 {
			b.Fatalf("%d offers, %v", len(offers), err)
		}
	}
}
