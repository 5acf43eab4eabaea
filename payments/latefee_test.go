package payments

import (
	"testing"
	"time"
)

func TestLateFeeCompute(t *testing.T) {
	r := DefaultLateFeeRules
	cases := []struct {
		name           string
		principal      Cents
		due, today     time.Time
		fine, interest Cents
		daysLate       int
	}{
		{"before due", 100000, CivilDate(2026, 12, 10), CivilDate(2026, 12, 9), 0, 0, 0},
		{"due today", 100000, CivilDate(2026, 12, 10), CivilDate(2026, 12, 10), 0, 0, 0},
		{"1 day late", 100000, CivilDate(2026, 12, 10), CivilDate(2026, 12, 11), 2000, 33, 1}, // 1000.00 × 1%/30 = 0.333
		{"30 days late", 100000, CivilDate(2026, 12, 10), CivilDate(2027, 1, 9), 2000, 1000, 30},
		{"month end Jan 31 to Mar 1 (non-leap)", 300000, CivilDate(2027, 1, 31), CivilDate(2027, 3, 1), 6000, 2900, 29},
		{"leap day due", 100000, CivilDate(2028, 2, 29), CivilDate(2028, 3, 1), 2000, 33, 1},
		{"across leap day", 100000, CivilDate(2028, 2, 28), CivilDate(2028, 3, 1), 2000, 67, 2},
		{"year end", 100000, CivilDate(2026, 12, 31), CivilDate(2027, 1, 1), 2000, 33, 1},
		{"rounding half up", 150, CivilDate(2026, 1, 1), CivilDate(2026, 1, 2), 3, 0, 1}, // 1.50 × 2% = 0.03
		{"zero principal", 0, CivilDate(2026, 1, 1), CivilDate(2026, 3, 2), 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Compute(tc.principal, tc.due, tc.today)
			if got.Fine != tc.fine || got.Interest != tc.interest || got.DaysLate != tc.daysLate {
				t.Fatalf("got fine %d interest %d days %d, want %d %d %d", got.Fine, got.Interest, got.DaysLate, tc.fine, tc.interest, tc.daysLate)
			}
			if got.Total() != tc.principal+tc.fine+tc.interest {
				t.Fatal("total does not add up")
			}
		})
	}
}

// Calendar days are counted in São Paulo time: 23:30 local on the due date
// is not yet late even though it is already the next day in UTC, and Brazil
// has had no DST since 2019 (an instant in 2018's DST still maps right).
func TestDateInSaoPaulo(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	late := time.Date(2026, 12, 11, 2, 30, 0, 0, time.UTC) // 23:30 on the 10th in São Paulo
	if d := Date(late, sp); !d.Equal(CivilDate(2026, 12, 10)) {
		t.Fatalf("got %v", d)
	}
	if got := DefaultLateFeeRules.Compute(100000, CivilDate(2026, 12, 10), Date(late, sp)); got.DaysLate != 0 {
		t.Fatalf("paid at 23:30 on the due date counted as late: %+v", got)
	}
	dst := time.Date(2018, 11, 4, 2, 30, 0, 0, time.UTC) // during 2018's DST shift
	if d := Date(dst, sp); !d.Equal(CivilDate(2018, 11, 3)) {
		t.Fatalf("DST-era date: %v", d)
	}
	if n := DaysBetween(CivilDate(2018, 11, 3), CivilDate(2018, 11, 5)); n != 2 {
		t.Fatalf("days across the old DST change: %d", n)
	}
}

func TestAddMonthsClamped(t *testing.T) {
	cases := []struct {
		from, want time.Time
		n          int
	}{
		{CivilDate(2026, 1, 31), CivilDate(2026, 2, 28), 1},
		{CivilDate(2028, 1, 31), CivilDate(2028, 2, 29), 1},
		{CivilDate(2026, 1, 31), CivilDate(2026, 3, 31), 2},
		{CivilDate(2026, 1, 31), CivilDate(2026, 4, 30), 3},
		{CivilDate(2026, 12, 15), CivilDate(2027, 1, 15), 1},
	}
	for _, c := range cases {
		if got := AddMonthsClamped(c.from, c.n); !got.Equal(c.want) {
			t.Errorf("%v + %d months = %v, want %v", c.from, c.n, got, c.want)
		}
	}
}
