package payments

import "time"

// LateFeeRules are the late-payment charges of a policy. Rates are in basis
// points (1/100 of a percent) so that they stay integers: 200 = 2%.
type LateFeeRules struct {
	// FineBP is the fine (multa), charged once on the overdue principal.
	// Brazilian consumer law (CDC art. 52 §1) caps it at 2% (200).
	FineBP int64 `json:"fine_bp"`
	// InterestMonthlyBP is the late interest (juros de mora) per month,
	// simple and pro rata die (a month counts as 30 days), counted from the
	// day after the due date. The legal rate is 1% a month (100).
	InterestMonthlyBP int64 `json:"interest_monthly_bp"`
}

// DefaultLateFeeRules are SPEC's defaults: 2% fine, 1% a month interest.
var DefaultLateFeeRules = LateFeeRules{FineBP: 200, InterestMonthlyBP: 100}

// LateCharges is what an overdue amount has grown to on a given day.
type LateCharges struct {
	Principal Cents `json:"principal"`
	Fine      Cents `json:"fine"`
	Interest  Cents `json:"interest"`
	DaysLate  int   `json:"days_late"`
}

// Total is principal plus fine plus interest.
func (l LateCharges) Total() Cents { return l.Principal + l.Fine + l.Interest }

// Compute returns the late charges on principal, due on the civil date due,
// as of the civil date today. Paying on the due date costs nothing extra; one
// day late costs the whole fine and one day of interest.
func (r LateFeeRules) Compute(principal Cents, due, today time.Time) LateCharges {
	lc := LateCharges{Principal: principal}
	days := DaysBetween(due, today)
	if days <= 0 || principal <= 0 {
		return lc
	}
	lc.DaysLate = days
	lc.Fine = principal.MulRate(r.FineBP, 10000)
	lc.Interest = principal.MulRate(r.InterestMonthlyBP*int64(days), 10000*30)
	return lc
}

// Date returns the civil date of t in loc, as midnight UTC: the form Régua
// uses for due dates so that day arithmetic never meets a DST change.
func Date(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CivilDate builds a civil date (midnight UTC).
func CivilDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysBetween returns the number of calendar days from a to b (civil dates);
// negative when b is before a.
func DaysBetween(a, b time.Time) int {
	a = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	b = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// AddMonthsClamped returns the same day n months after d, clamped to the
// last day of the target month (31 Jan + 1 month = 28/29 Feb).
func AddMonthsClamped(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}
