package regua

import (
	"encoding/json"
	"fmt"
	"time"
)

// Clock is a time of day in minutes after midnight.
type Clock int

// At is h:m.
func At(h, m int) Clock { return Clock(h*60 + m) }

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalJSON writes "HH:MM".
func (c Clock) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// UnmarshalJSON reads "HH:MM" (00:00 to 24:00).
func (c *Clock) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a time like \"08:00\"")
	}
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || len(s) != 5 || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m != 0 {
		return fmt.Errorf("must be a time like \"08:00\", not %q", s)
	}
	*c = At(h, m)
	return nil
}

// Span is [Start, End) within a day.
type Span struct {
	Start Clock `json:"start"`
	End   Clock `json:"end"`
}

func (s Span) String() string { return s.Start.String() + "–" + s.End.String() }

// Hours are when reminders may go: Monday to Friday, and Saturday (nil: not
// on Saturdays). Never on Sundays or holidays.
type Hours struct {
	Weekdays Span  `json:"weekdays"`
	Saturday *Span `json:"saturday"`
}

// Law is a contact-hour rule and where it comes from.
type Law struct {
	Hours
	Name string // e.g. "RJ Lei 7.868/2018"
}

// DefaultHours are SPEC's: Monday–Friday 08:00–20:00, Saturday 08:00–14:00
// (also SP Lei 15.426/2014 and AL Lei 7.782/2016).
func DefaultHours() Hours {
	return Hours{Weekdays: Span{At(8, 0), At(20, 0)}, Saturday: &Span{At(8, 0), At(14, 0)}}
}

// stateLaws are the stricter state rules (laws written for calls, applied
// to messages).
var stateLaws = map[string]Law{
	"SP": {DefaultHours(), "SP Lei 15.426/2014"},
	"AL": {DefaultHours(), "AL Lei 7.782/2016"},
	"RJ": {Hours{Weekdays: Span{At(9, 0), At(19, 0)}}, "RJ Lei 7.868/2018"},
	"ES": {Hours{Weekdays: Span{At(8, 0), At(19, 0)}}, "ES Lei 10.626/2017"},
	"AM": {Hours{Weekdays: Span{At(8, 0), At(19, 0)}}, "AM Lei 306/2016"},
}

// LawOf is the legal rule for a state: its own law where it has one, else
// the national default.
func LawOf(state string) Law {
	if l, ok := stateLaws[state]; ok {
		return l
	}
	return Law{DefaultHours(), "padrão nacional (CDC art. 42)"}
}

func intersect(a, b Span) Span {
	return Span{max(a.Start, b.Start), min(a.End, b.End)}
}

// narrow is the intersection of h and o: configuration can only make the
// hours stricter than the law.
func (h Hours) narrow(o Hours) Hours {
	out := Hours{Weekdays: intersect(h.Weekdays, o.Weekdays)}
	if h.Saturday != nil && o.Saturday != nil {
		s := intersect(*h.Saturday, *o.Saturday)
		if s.Start < s.End {
			out.Saturday = &s
		}
	}
	return out
}

// window is the span of day d (nil: no reminders that day).
func (h Hours) window(d Date) *Span {
	switch d.Weekday() {
	case time.Sunday:
		return nil
	case time.Saturday:
		return h.Saturday
	}
	if h.Weekdays.Start >= h.Weekdays.End {
		return nil
	}
	w := h.Weekdays
	return &w
}

// Calendar answers when a reminder may go for debtors of one state.
type Calendar struct {
	State string
	Loc   *time.Location
	Hours Hours  // the law narrowed by the configuration
	Rule  string // the rule's name, for details
}

// CalendarFor builds the calendar of a state ("" for none) under cfg's
// hours; def is the zone of debtors not placed in a state.
func (cfg Config) CalendarFor(state string, def *time.Location) Calendar {
	law := LawOf(state)
	h := law.Hours.narrow(cfg.Hours)
	if s, ok := cfg.States[state]; ok {
		h = h.narrow(s)
	}
	return Calendar{State: state, Loc: Zone(state, def), Hours: h, Rule: law.Name}
}

// Held is why a reminder may not go at an instant.
type Held struct {
	Reason string // quiet_hours, sunday, saturday, holiday
	Detail string
}

// Check says whether a reminder may go at t; the zero Held means it may.
func (c Calendar) Check(t time.Time) Held {
	lt := t.In(c.Loc)
	d := DateOf(lt)
	if name := Holiday(d, c.State); name != "" {
		return Held{"holiday", name}
	}
	switch d.Weekday() {
	case time.Sunday:
		return Held{"sunday", "domingo: " + c.Rule}
	case time.Saturday:
		if c.Hours.Saturday == nil {
			return Held{"saturday", "sem sábados: " + c.Rule}
		}
	}
	w := c.Hours.window(d)
	now := Clock(lt.Hour()*60 + lt.Minute())
	if w == nil || now < w.Start || now >= w.End {
		what := "dias úteis " + c.Hours.Weekdays.String()
		if d.Weekday() == time.Saturday {
			what = "sábados " + c.Hours.Saturday.String()
		}
		return Held{"quiet_hours", what + " (" + c.Rule + ")"}
	}
	return Held{}
}

// Next is the first instant at or after t when a reminder may go, with the
// morning spread applied: a reminder whose day opens at the window's start
// goes spread minutes later (see Spread), so that thousands due at 08:00 do
// not leave at once. It looks up to a year ahead; the zero time means never
// (hours configured empty).
func (c Calendar) Next(t time.Time, spread time.Duration) time.Time {
	lt := t.In(c.Loc)
	d := DateOf(lt)
	for i := 0; i < 366; i, d = i+1, d.AddDays(1) {
		if Holiday(d, c.State) != "" {
			continue
		}
		w := c.Hours.window(d)
		if w == nil || w.Start >= w.End {
			continue
		}
		mid := d.In(c.Loc)
		start := mid.Add(time.Duration(w.Start) * time.Minute)
		end := mid.Add(time.Duration(w.End) * time.Minute)
		open := start.Add(min(spread, end.Sub(start)-time.Minute))
		if t.Before(open) {
			return open
		}
		if t.Before(end) {
			return t
		}
	}
	return time.Time{}
}

// spreadOver is how much of the morning reminders due at the opening of a
// window are spread over.
const spreadOver = 3 * time.Hour

// Spread is the deterministic delay after a window opens for a reminder of
// key (a charge or installment id and step): a hash, so a replica or a
// retry computes the same slot and a day's burst is spread evenly over the
// first three hours.
func Spread(key uint64) time.Duration {
	// splitmix64: good spreading for sequential ids.
	z := key + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return time.Duration(z%uint64(spreadOver/time.Minute)) * time.Minute
}
