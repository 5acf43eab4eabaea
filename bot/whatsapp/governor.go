package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
)

// Budgets are the send governor's settings (REGUA_WHATSAPP_*). Numbers that
// send many messages to people who never wrote to them get banned; these
// keep a number's traffic looking like a person's.
type Budgets struct {
	Gap         time.Duration // spacing before a message the business starts
	Jitter      time.Duration // plus a random share of this
	ReplyGap    time.Duration // spacing before a reply (plus a random share of it)
	PerMinute   int           // all messages, per clock minute
	PerHour     int           // all messages, per clock hour
	PerDay      int           // all messages, per day (REGUA_TIMEZONE)
	StartedDay  int           // messages the business starts, per day, once warmed up
	WarmupStart int           // ... on the day the number was linked; doubling each day after
	ColdPerDay  int           // ... to people who never wrote to the number, per day
}

// DefaultBudgets are conservative: a collections team answering all day
// and starting a few hundred conversations, no more.
var DefaultBudgets = Budgets{
	Gap: 8 * time.Second, Jitter: 7 * time.Second, ReplyGap: 1500 * time.Millisecond,
	PerMinute: 12, PerHour: 300, PerDay: 1500,
	StartedDay: 250, WarmupStart: 20, ColdPerDay: 40,
}

// Check says which setting is unusable, if any.
func (b Budgets) Check() error {
	switch {
	case b.Gap < time.Second:
		return errors.New("REGUA_WHATSAPP_GAP: must be at least 1s")
	case b.Jitter < 0:
		return errors.New("REGUA_WHATSAPP_JITTER: must not be negative")
	case b.ReplyGap < 200*time.Millisecond || b.ReplyGap > b.Gap:
		return errors.New("REGUA_WHATSAPP_REPLY_GAP: must be from 200ms to REGUA_WHATSAPP_GAP")
	case b.PerMinute < 1 || b.PerHour < b.PerMinute || b.PerDay < b.PerHour:
		return errors.New("REGUA_WHATSAPP_PER_MINUTE, REGUA_WHATSAPP_PER_HOUR, REGUA_WHATSAPP_PER_DAY: must be at least 1 and not shrink from minute to hour to day")
	case b.StartedDay < 0 || b.StartedDay > b.PerDay:
		return errors.New("REGUA_WHATSAPP_STARTED_PER_DAY: must be from 0 to REGUA_WHATSAPP_PER_DAY")
	case b.WarmupStart < 1:
		return errors.New("REGUA_WHATSAPP_WARMUP_START: must be at least 1")
	case b.ColdPerDay < 0:
		return errors.New("REGUA_WHATSAPP_COLD_PER_DAY: must not be negative")
	}
	return nil
}

// State is one number's governor state: when it last sent, what each
// window has spent, and when it was linked.
type State struct {
	Last       time.Time `json:"last"`
	JitterFrac float64   `json:"jitter"` // the share of the jitter before the next send, drawn at the last one
	Minute     int64     `json:"minute"` // the window (Unix minute) MinuteN counts
	MinuteN    int       `json:"minute_n"`
	Hour       int64     `json:"hour"`
	HourN      int       `json:"hour_n"`
	Day        string    `json:"day"` // YYYY-MM-DD in the time zone
	DayN       int       `json:"day_n"`
	Started    int       `json:"started"` // started by the business, admitted today
	Cold       int       `json:"cold"`    // of those, to people who never wrote
	Rotation   int       `json:"rotation"`
	LinkedAt   time.Time `json:"linked_at"`
}

// roll moves the windows to now's.
func (s *State) roll(now time.Time, loc *time.Location) {
	if m := now.Unix() / 60; m != s.Minute {
		s.Minute, s.MinuteN = m, 0
	}
	if h := now.Unix() / 3600; h != s.Hour {
		s.Hour, s.HourN = h, 0
	}
	if d := now.In(loc).Format(time.DateOnly); d != s.Day {
		s.Day, s.DayN, s.Started, s.Cold = d, 0, 0, 0
	}
	if s.LinkedAt.IsZero() {
		s.LinkedAt = now
	}
}

// Warmup is how many messages the business may start on the day-th day
// after the number was linked (day 0: the day of linking): WarmupStart,
// doubling each day, up to StartedDay.
func (b Budgets) Warmup(day int) int {
	n := b.WarmupStart
	for i := 0; i < day && n < b.StartedDay; i++ {
		n *= 2
	}
	return min(n, b.StartedDay)
}

// daysSince counts calendar days in loc from a to b.
func daysSince(a, b time.Time, loc *time.Location) int {
	ya, ma, da := a.In(loc).Date()
	yb, mb, db := b.In(loc).Date()
	return int(time.Date(yb, mb, db, 12, 0, 0, 0, time.UTC).Sub(time.Date(ya, ma, da, 12, 0, 0, 0, time.UTC)).Hours() / 24)
}

// reserve is what business-started messages may not take of a window:
// a fifth of each budget stays for replies.
func reserve(n int) int { return n - n/5 }

// Acquire is the governor's rule for one send at now: either it may go
// (wait 0; the state records it and draws the next jitter from frac) or
// it must wait that long and ask again. A reply waits for the spacing and
// the windows; a message the business starts also leaves a fifth of each
// window to replies.
func (b Budgets) Acquire(s State, now time.Time, reply bool, loc *time.Location, frac float64) (State, time.Duration) {
	s.roll(now, loc)
	gap := b.Gap + time.Duration(s.JitterFrac*float64(b.Jitter))
	if reply {
		gap = b.ReplyGap + time.Duration(s.JitterFrac*float64(b.ReplyGap))
	}
	if !s.Last.IsZero() {
		if at := s.Last.Add(gap); now.Before(at) {
			return s, at.Sub(now)
		}
	}
	perMin, perHour, perDay := b.PerMinute, b.PerHour, b.PerDay
	if !reply {
		perMin, perHour, perDay = max(1, reserve(perMin)), reserve(perHour), reserve(perDay)
	}
	switch {
	case s.MinuteN >= perMin:
		return s, time.Unix((s.Minute+1)*60, 0).Sub(now)
	case s.HourN >= perHour:
		return s, time.Unix((s.Hour+1)*3600, 0).Sub(now)
	case s.DayN >= perDay:
		y, m, d := now.In(loc).Date()
		return s, time.Date(y, m, d+1, 0, 0, 0, 0, loc).Sub(now)
	}
	s.Last = now
	s.JitterFrac = frac
	s.MinuteN++
	s.HourN++
	s.DayN++
	return s, 0
}

// Admit is the governor's rule for queuing a message the business starts
// at now: within the day's budget for such messages (smaller while the
// number warms up) and, for a person who never wrote (cold), within the
// day's cap on those. It returns the message's turn in the rotation of
// phrasings, or an error wrapping bot.ErrThrottled that says which budget
// is spent.
func (b Budgets) Admit(s State, now time.Time, cold bool, loc *time.Location) (State, int, error) {
	s.roll(now, loc)
	limit := b.Warmup(daysSince(s.LinkedAt, now, loc))
	if s.Started >= limit {
		what := "the day's budget for messages the business starts"
		if limit < b.StartedDay {
			what = fmt.Sprintf("the warm-up budget of a newly linked number (%d today)", limit)
		}
		return s, 0, fmt.Errorf("%w: whatsapp: %s is spent", bot.ErrThrottled, what)
	}
	if cold && s.Cold >= b.ColdPerDay {
		return s, 0, fmt.Errorf("%w: whatsapp: the day's cap on messages to people who never wrote is spent", bot.ErrThrottled)
	}
	s.Started++
	if cold {
		s.Cold++
	}
	s.Rotation++
	return s, s.Rotation, nil
}

// Governor keeps each number's State in PostgreSQL (whatsapp_governor),
// changed under the row's lock, so that every replica and every restart
// shares one budget.
type Governor struct {
	pool    *pgxpool.Pool
	budgets Budgets
	loc     *time.Location
	now     func() time.Time
	rand    func() float64
}

// NewGovernor builds a Governor; now and rnd may be nil (the clock, and a
// uniform draw in [0, 1)).
func NewGovernor(pool *pgxpool.Pool, b Budgets, loc *time.Location, now func() time.Time, rnd func() float64) *Governor {
	if now == nil {
		now = time.Now
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Governor{pool: pool, budgets: b, loc: loc, now: now, rand: rnd}
}

// Budgets are the settings in force.
func (g *Governor) Budgets() Budgets { return g.budgets }

// Acquire asks to send one message from number now: 0 means it may go
// (and is counted); otherwise ask again after the wait.
func (g *Governor) Acquire(ctx context.Context, number string, reply bool) (time.Duration, error) {
	var wait time.Duration
	err := g.update(ctx, number, func(s State) (State, error) {
		var next State
		next, wait = g.budgets.Acquire(s, g.now(), reply, g.loc, g.rand())
		return next, nil
	})
	return wait, err
}

// Admit counts a message the business starts against the day's budgets,
// or refuses it (bot.ErrThrottled). It returns its turn in the rotation
// of phrasings.
func (g *Governor) Admit(ctx context.Context, number string, cold bool) (int, error) {
	var turn int
	err := g.update(ctx, number, func(s State) (State, error) {
		next, n, err := g.budgets.Admit(s, g.now(), cold, g.loc)
		turn = n
		return next, err
	})
	return turn, err
}

// Linked restarts the warm-up: the number was (re)linked at now.
func (g *Governor) Linked(ctx context.Context, number string) error {
	return g.update(ctx, number, func(s State) (State, error) {
		s.LinkedAt = g.now()
		return s, nil
	})
}

// State reads a number's state (for status and tests).
func (g *Governor) State(ctx context.Context, number string) (State, error) {
	var s State
	var raw []byte
	err := g.pool.QueryRow(ctx, "SELECT state FROM whatsapp_governor WHERE number = $1", number).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("whatsapp: governor state: %w", err)
	}
	return s, json.Unmarshal(raw, &s)
}

// update runs fn on the number's state under its row lock (a short
// transaction: nothing slow happens inside) and stores what fn returns,
// unless fn fails.
func (g *Governor) update(ctx context.Context, number string, fn func(State) (State, error)) error {
	var ferr error
	err := pgx.BeginFunc(ctx, g.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO whatsapp_governor (number, state) VALUES ($1, '{}') ON CONFLICT DO NOTHING`, number); err != nil {
			return err
		}
		var raw []byte
		if err := tx.QueryRow(ctx, "SELECT state FROM whatsapp_governor WHERE number = $1 FOR UPDATE", number).Scan(&raw); err != nil {
			return err
		}
		var s State
		if err := json.Unmarshal(raw, &s); err != nil {
			s = State{} // unreadable: start afresh rather than stop sending for good
		}
		next, err := fn(s)
		if err != nil {
			ferr = err
			// The roll of the windows is kept even when refused.
			next = s
			next.roll(g.now(), g.loc)
		}
		out, _ := json.Marshal(next)
		_, err = tx.Exec(ctx, "UPDATE whatsapp_governor SET state = $2, updated_at = now() WHERE number = $1", number, out)
		return err
	})
	if err != nil {
		return fmt.Errorf("whatsapp: governor: %w", err)
	}
	return ferr
}
