package payments

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
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
	// R$ 1.500,00 in 12x at i = 1.99% a month:
	//   (1 + i)^12       = 1.0199^12          = 1.266750549665926…
	//   1 − (1 + i)^−12  = 1 − 1/1.266750549… = 0.210578593975171…
	//   PMT = P·i / (1 − (1 + i)^−12) = 1500 × 0.0199 / 0.210578593975171…
	//       = 29.85 / 0.210578593975171… = 141.7522998729846… → R$ 141,75
	// Amortisation table, interest = balance × 1.99% rounded to the centavo:
	//   1: 1500.00 × 0.0199 = 29.85  → amortises 141.75 − 29.85 = 111.90, owes 1388.10
	//   2: 1388.10 → 27.62, 114.13, owes 1273.97
	//   3: 25.35, 116.40, owes 1157.57     4: 23.04, 118.71, owes 1038.86
	//   5: 20.67, 121.08, owes 917.78      6: 18.26, 123.49, owes 794.29
	//   7: 15.81, 125.94, owes 668.35      8: 13.30, 128.45, owes 539.90
	//   9: 10.74, 131.01, owes 408.89     10:  8.14, 133.61, owes 275.28
	//  11:  5.48, 136.27, owes 139.01
	//  12: 139.01 × 0.0199 = 2.766… → 2.77; the last pays 139.01 + 2.77 = 141.78
	// Total 11 × 141.75 + 141.78 = 1701.03, of which 201.03 interest.
	want := []Cents{14175, 14175, 14175, 14175, 14175, 14175, 14175, 14175, 14175, 14175, 14175, 14178}
	if got := amounts(o.Installments); !reflect.DeepEqual(got, want) {
		t.Errorf("installments = %v, want %v", got, want)
	}
	wantInterest := []Cents{2985, 2762, 2535, 2304, 2067, 1826, 1581, 1330, 1074, 814, 548, 277}
	for i, in := range o.Installments {
		if in.Interest != wantInterest[i] || in.Amortization != in.Amount-in.Interest {
			t.Errorf("installment %d = %+v, want interest %d", i+1, in, wantInterest[i])
		}
	}
	if o.Total != 170103 || o.Interest != 20103 || o.Financed != 150000 || o.MonthlyRateBP != 199 {
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
	// 1550.00 at 1.99% in 12x: 11 × 146.48 + 146.44.
	d := oneCharge(155000, now, 0)
	offers, err := p.Offers(d, now, brt)
	if err != nil {
		t.Fatal(err)
	}
	if got := amounts(findOffer(t, offers, OfferInstallments, 12).Installments); got[0] != 14648 || got[11] != 14644 {
		t.Fatalf("12x = %v, want 11 × 146.48 + 146.44", got)
	}
	p.MinInstallment = 14648
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
			// All but the last are equal; at 0% they are financed/n rounded down.
			for _, in := range o.Installments[:n-1] {
				if in.Amount != o.Installments[0].Amount {
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
			if diff := pvMinusFinanced(o.Installments, p.PlanMonthlyRateBP, o.Financed); diff.Cmp(big.NewRat(int64(n), 2)) > 0 {
				fail("%dx at %d bp: present value is %s centavos off %d", n, p.PlanMonthlyRateBP, diff.FloatString(3), o.Financed)
			}
		}
		// The counts stop only where they must: at the limit, or where
		// the next plan's payment is clearly below the minimum.
		top := offers[len(offers)-1].Count
		if top < p.MaxInstallments {
			next := top + 1
			pmt := exactPMT(wantPrincipal+wantFees, next, p.PlanMonthlyRateBP)
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

// pvMinusFinanced returns |Σ aₖ/(1+i)^k − financed| in centavos, exactly:
// with q = 1 + i, PV = Σ aₖ·q^(n−k) / q^n, and the numerator is summed by
// Horner's rule in integers (i = bp/10000, so q^j = (10000+bp)^j/10000^j).
func pvMinusFinanced(ins []Installment, rateBP int64, financed Cents) *big.Rat {
	q, ten := big.NewInt(10000+rateBP), big.NewInt(10000)
	num, tenK := new(big.Int), big.NewInt(1)
	for _, in := range ins {
		// num ← num·(10000+bp) + aₖ·10000^k, so that in the end
		// num = Σ aₖ·10000^k·(10000+bp)^(n−k).
		tenK.Mul(tenK, ten)
		num.Mul(num, q)
		num.Add(num, new(big.Int).Mul(big.NewInt(int64(in.Amount)), tenK))
	}
	qn := new(big.Int).Exp(q, big.NewInt(int64(len(ins))), nil)
	pv := new(big.Rat).SetFrac(num, qn)
	pv.Sub(pv, new(big.Rat).SetInt64(int64(financed)))
	return pv.Abs(pv)
}

// exactPMT is F·i / (1 − (1+i)^−n) as a fraction (F/n at 0%).
func exactPMT(financed Cents, n int, rateBP int64) *big.Rat {
	f := new(big.Rat).SetInt64(int64(financed))
	if rateBP == 0 {
		return f.Quo(f, big.NewRat(int64(n), 1))
	}
	i := big.NewRat(rateBP, 10000)
	vn := new(big.Rat).SetInt64(1)
	for range n {
		vn.Quo(vn, new(big.Rat).Add(big.NewRat(1, 1), i))
	}
	den := new(big.Rat).Sub(big.NewRat(1, 1), vn)
	return f.Mul(f, i).Quo(f, den)
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
	plan := []Installment{
		{Number: 1, DueDate: CivilDate(2026, time.April, 10), Amount: 10000},
		{Number: 2, DueDate: CivilDate(2026, time.May, 10), Amount: 10000},
		{Number: 3, DueDate: CivilDate(2026, time.June, 10), Amount: 10000},
	}
	tests := []struct {
		name   string
		paid   int
		on     time.Time
		rateBP int64
		want   Cents
	}{
		// 100/1.0199 + 100/1.0199² = 98.0488… + 96.1357… = 194.1846 → 194.18
		{"on the day the first was paid", 1, CivilDate(2026, time.April, 10), 199, 19418},
		// 15 days to 10 May: 100/(1 + 0.0199 × 15/30) = 99.0148…;
		// a month and 16 days to 10 June: 100/(1.0199 × (1 + 0.0199 × 16/30)) = 97.0191…
		// 196.0339 → 196.03
		{"fifteen days later", 1, CivilDate(2026, time.April, 25), 199, 19603},
		// The April installment is overdue and the May one due today: face
		// value; June's is a month away: 100/1.0199 = 98.0488; 298.0488 → 298.05
		{"one overdue", 0, CivilDate(2026, time.May, 10), 199, 29805},
		{"interest-free", 0, CivilDate(2026, time.March, 1), 0, 30000},
		{"after the last due date", 1, CivilDate(2026, time.July, 1), 199, 20000},
		{"all paid", 3, CivilDate(2026, time.May, 1), 199, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := PayoffAmount(plan, tt.paid, tt.on, tt.rateBP)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PayoffAmount = %d, want %d", got, tt.want)
			}
		})
	}
	for _, bad := range []struct {
		paid  int
		rate  int64
		field string
	}{{-1, 199, "paid_count"}, {4, 199, "paid_count"}, {0, -1, "monthly_rate_bp"}} {
		if _, err := PayoffAmount(plan, bad.paid, CivilDate(2026, time.May, 1), bad.rate); ErrorField(err) != bad.field {
			t.Errorf("PayoffAmount(paid %d, rate %d) error = %v, want one about %s", bad.paid, bad.rate, err, bad.field)
		}
	}
}

// TestPayoffAmountProperties: on a due date (days 1 to 28, so that whole
// months between due dates are exact) the payoff is the open balance of the
// amortisation table; it never exceeds what is left to pay; and it grows as
// the payoff date nears the due dates.
func TestPayoffAmountProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for it := range 1000 {
		rate := int64(rng.IntN(500))
		n := 2 + rng.IntN(35)
		financed := Cents(10000 + rng.IntN(10000000))
		first := CivilDate(2024+rng.IntN(5), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		ins := priceSchedule(financed, n, rate, first)
		paid := 1 + rng.IntN(n-1)
		var open, left Cents
		for _, in := range ins[paid:] {
			open += in.Amortization
			left += in.Amount
		}
		got, err := PayoffAmount(ins, paid, ins[paid-1].DueDate, rate)
		if err != nil {
			t.Fatal(err)
		}
		if d := got - open; d < -Cents(n) || d > Cents(n) {
			t.Fatalf("iteration %d: %dx of %s at %d bp, %d paid: payoff %s, open balance %s", it, n, financed, rate, paid, got, open)
		}
		// Twenty payoff dates, in order, from 40 days before the last paid
		// installment to after the last due date.
		start := ins[paid-1].DueDate.AddDate(0, 0, -40)
		span := DaysBetween(start, ins[n-1].DueDate)
		var offsets []int
		for range 19 {
			offsets = append(offsets, rng.IntN(span+1))
		}
		slices.Sort(offsets)
		offsets = append(offsets, span+1+rng.IntN(30))
		prev := Cents(0)
		for _, off := range offsets {
			day := start.AddDate(0, 0, off)
			got, err := PayoffAmount(ins, paid, day, rate)
			if err != nil {
				t.Fatal(err)
			}
			if got > left || got < prev {
				t.Fatalf("iteration %d: payoff on %s is %s after %s (left %s)", it, day.Format(time.DateOnly), got, prev, left)
			}
			prev = got
		}
		if prev != left {
			t.Fatalf("iteration %d: payoff after the last due date is %s, want %s", it, prev, left)
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
