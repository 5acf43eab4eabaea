package regua

import (
	"testing"
	"time"
)

var saoPaulo = Zone("SP", nil)

func local(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]Date{
		2024: {2024, 3, 31}, 2025: {2025, 4, 20}, 2026: {2026, 4, 5}, 2027: {2027, 3, 28}, 2028: {2028, 4, 16}, 2038: {2038, 4, 25},
	} {
		if got := Easter(year); got != want {
			t.Errorf("Easter(%d) = %v, want %v", year, got, want)
		}
	}
}

func TestCalendarCheck(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name   string
		state  string
		phone  string
		at     string // local time of the debtor's state
		reason string
		detail string // a part of the detail, when held
	}{
		{"sunday", "SP", "", "2026-12-06 10:00", "sunday", "domingo"},
		{"saturday 13:59 in SP", "SP", "", "2026-12-05 13:59", "", ""},
		{"saturday 14:01 in SP", "SP", "", "2026-12-05 14:01", "quiet_hours", "sábados 08:00–14:00"},
		{"saturday 14:00 exactly in SP", "SP", "", "2026-12-05 14:00", "quiet_hours", ""},
		{"saturday in RJ", "RJ", "", "2026-12-05 10:00", "saturday", "RJ Lei 7.868/2018"},
		{"saturday in RJ by DDD", "", "+5521987654321", "2026-12-05 10:00", "saturday", "RJ"},
		{"christmas", "SP", "", "2026-12-25 10:00", "holiday", "Natal"},
		{"carnival monday 2027", "SP", "", "2027-02-08 10:00", "holiday", "Carnaval"},
		{"carnival tuesday 2027", "SP", "", "2027-02-09 10:00", "holiday", "Carnaval"},
		{"ash wednesday 2027", "SP", "", "2027-02-10 10:00", "", ""},
		{"carnival monday 2028", "SP", "", "2028-02-28 10:00", "holiday", "Carnaval"},
		{"carnival tuesday 2028 (leap year)", "SP", "", "2028-02-29 10:00", "holiday", "Carnaval"},
		{"good friday 2027", "SP", "", "2027-03-26 10:00", "holiday", "Sexta-feira Santa"},
		{"good friday 2026", "", "", "2026-04-03 10:00", "holiday", "Sexta-feira Santa"},
		{"corpus christi 2027", "SP", "", "2027-05-27 10:00", "holiday", "Corpus Christi"},
		{"20 november", "SP", "", "2026-11-20 10:00", "holiday", "Consciência Negra"},
		{"20 november, no state", "", "", "2026-11-20 10:00", "holiday", "Consciência Negra"},
		{"9 july in SP", "SP", "", "2027-07-09 10:00", "holiday", "Revolução Constitucionalista"},
		{"9 july in SP by DDD", "", "+5511987654321", "2027-07-09 10:00", "holiday", "Revolução Constitucionalista"},
		{"9 july in RJ is a working day", "RJ", "", "2027-07-09 10:00", "", ""},
		{"23 april in RJ", "RJ", "", "2027-04-23 10:00", "holiday", "São Jorge"},
		{"23 april in SP is a working day", "SP", "", "2027-04-23 10:00", "", ""},
		{"RJ tuesday 19:30", "RJ", "", "2026-12-01 19:30", "quiet_hours", "09:00–19:00"},
		{"RJ tuesday 08:30", "RJ", "", "2026-12-01 08:30", "quiet_hours", "RJ Lei 7.868/2018"},
		{"SP tuesday 19:30", "SP", "", "2026-12-01 19:30", "", ""},
		{"07:59", "SP", "", "2026-12-01 07:59", "quiet_hours", "08:00–20:00"},
		{"08:00", "SP", "", "2026-12-01 08:00", "", ""},
		{"19:59", "SP", "", "2026-12-01 19:59", "", ""},
		{"20:00 exactly", "SP", "", "2026-12-01 20:00", "quiet_hours", "08:00–20:00"},
		{"ES 19:10", "ES", "", "2026-12-01 19:10", "quiet_hours", "ES Lei 10.626/2017"},
		{"ES saturday", "", "+5527912345678", "2026-12-05 09:00", "saturday", "ES"},
		{"AM 19:10 Manaus time", "AM", "", "2026-12-01 19:10", "quiet_hours", "AM Lei 306/2016"},
		{"AM 18:30 Manaus time", "", "+5592912345678", "2026-12-01 18:30", "", ""},
		{"AM saturday", "AM", "", "2026-12-05 10:00", "saturday", "AM"},
		{"AL as SP: saturday 10:00", "", "+5582912345678", "2026-12-05 10:00", "", ""},
		{"AL 16 september", "AL", "", "2027-09-16 10:00", "holiday", "Alagoas"},
		{"no DDD rule (MG): default hours", "", "+5531912345678", "2026-12-01 19:30", "", ""},
		{"no DDD rule (MG): saturday morning", "", "+5531912345678", "2026-12-05 10:00", "", ""},
		{"no DDD rule (MG): saturday 15:00", "", "+5531912345678", "2026-12-05 15:00", "quiet_hours", "padrão nacional"},
		{"foreign phone: national rules", "", "+351912345678", "2026-12-01 20:30", "quiet_hours", "08:00–20:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := StateOf(tc.state, tc.phone)
			cal := cfg.CalendarFor(state, saoPaulo)
			h := cal.Check(local(t, tc.at, cal.Loc))
			if h.Reason != tc.reason {
				t.Fatalf("state %q at %s: reason %q (%s), want %q", state, tc.at, h.Reason, h.Detail, tc.reason)
			}
			if tc.detail != "" && !contains(h.Detail, tc.detail) {
				t.Fatalf("detail %q, want it to mention %q", h.Detail, tc.detail)
			}
		})
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || len(s) >= len(sub) && index(s, sub) >= 0 }

func index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestAMTimeZone(t *testing.T) {
	cal := DefaultConfig().CalendarFor("AM", saoPaulo)
	// 19:30 in São Paulo is 18:30 in Manaus: allowed there.
	if h := cal.Check(local(t, "2026-12-01 19:30", saoPaulo)); h.Reason != "" {
		t.Fatalf("18:30 in Manaus held: %+v", h)
	}
	if h := cal.Check(local(t, "2026-12-01 20:30", saoPaulo)); h.Reason != "quiet_hours" {
		t.Fatalf("19:30 in Manaus: %+v", h)
	}
}

func TestCalendarNext(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name, state, at, want string
		spread                time.Duration
	}{
		{"inside the window: now", "SP", "2026-12-01 10:00", "2026-12-01 10:00", 40 * time.Minute},
		{"before opening: opening plus spread", "SP", "2026-12-01 06:00", "2026-12-01 08:40", 40 * time.Minute},
		{"within the spread: the spread", "SP", "2026-12-01 08:10", "2026-12-01 08:40", 40 * time.Minute},
		{"saturday 14:01 SP: monday", "SP", "2026-12-05 14:01", "2026-12-07 08:00", 0},
		{"RJ friday 19:30: monday 09:00", "RJ", "2026-12-04 19:30", "2026-12-07 09:00", 0},
		{"christmas eve night: the 26th (saturday)", "SP", "2026-12-24 21:00", "2026-12-26 08:00", 0},
		{"RJ christmas eve night: the 28th", "RJ", "2026-12-24 21:00", "2026-12-28 09:00", 0},
		{"carnival 2027: ash wednesday", "SP", "2027-02-06 15:00", "2027-02-10 08:00", 0},
		{"19 november night: the 21st", "SP", "2026-11-19 20:30", "2026-11-21 08:00", 0},
		{"spread bounded by the window", "SP", "2026-12-05 06:00", "2026-12-05 13:59", 8 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cal := cfg.CalendarFor(tc.state, saoPaulo)
			got := cal.Next(local(t, tc.at, cal.Loc), tc.spread)
			if want := local(t, tc.want, cal.Loc); !got.Equal(want) {
				t.Fatalf("Next = %s, want %s", got.In(cal.Loc), want)
			}
			if h := cal.Check(got); h.Reason != "" {
				t.Fatalf("Next gave a held instant: %+v", h)
			}
		})
	}
}

func TestConfigNarrowsTheLaw(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Hours = Hours{Weekdays: Span{At(7, 0), At(22, 0)}, Saturday: &Span{At(7, 0), At(18, 0)}}
	cfg.States = map[string]Hours{"SP": {Weekdays: Span{At(10, 0), At(18, 0)}}}
	if h := cfg.CalendarFor("MG", saoPaulo).Check(local(t, "2026-12-01 21:00", saoPaulo)); h.Reason != "quiet_hours" {
		t.Fatalf("configured 22:00 must not widen the law's 20:00: %+v", h)
	}
	if h := cfg.CalendarFor("SP", saoPaulo).Check(local(t, "2026-12-01 09:00", saoPaulo)); h.Reason != "quiet_hours" {
		t.Fatalf("SP narrowed to 10:00: %+v", h)
	}
	if h := cfg.CalendarFor("SP", saoPaulo).Check(local(t, "2026-12-05 10:00", saoPaulo)); h.Reason != "saturday" {
		t.Fatalf("SP configured without Saturdays: %+v", h)
	}
}

func TestSpreadIsSpread(t *testing.T) {
	var buckets [6]int
	for k := uint64(1); k <= 6000; k++ {
		s := Spread(k)
		if s < 0 || s >= spreadOver {
			t.Fatalf("Spread(%d) = %s", k, s)
		}
		buckets[s/(30*time.Minute)]++
		if Spread(k) != s {
			t.Fatal("not deterministic")
		}
	}
	for i, n := range buckets {
		if n < 800 || n > 1200 {
			t.Fatalf("half hour %d got %d of 6000", i, n)
		}
	}
}
