package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regua/regua/bot"
)

var testBudgets = Budgets{Gap: 8 * time.Second, Jitter: 7 * time.Second, ReplyGap: 1500 * time.Millisecond,
	PerMinute: 12, PerHour: 300, PerDay: 1500, StartedDay: 250, WarmupStart: 20, ColdPerDay: 40}

func TestBudgetsCheck(t *testing.T) {
	if err := DefaultBudgets.Check(); err != nil {
		t.Fatal(err)
	}
	bad := []Budgets{
		{Gap: 0},
		func() Budgets { b := DefaultBudgets; b.ReplyGap = time.Minute; return b }(),
		func() Budgets { b := DefaultBudgets; b.PerHour = 1; return b }(),
		func() Budgets { b := DefaultBudgets; b.StartedDay = b.PerDay + 1; return b }(),
		func() Budgets { b := DefaultBudgets; b.WarmupStart = 0; return b }(),
	}
	for i, b := range bad {
		if b.Check() == nil {
			t.Errorf("%d: %+v accepted", i, b)
		}
	}
}

func TestWarmup(t *testing.T) {
	want := []int{20, 40, 80, 160, 250, 250}
	for d, w := range want {
		if got := testBudgets.Warmup(d); got != w {
			t.Errorf("day %d: %d, want %d", d, got, w)
		}
	}
}

func TestAcquireRules(t *testing.T) {
	b := testBudgets
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, saoPaulo)
	var s State
	var wait time.Duration
	s, wait = b.Acquire(s, now, false, saoPaulo, 0.5)
	if wait != 0 {
		t.Fatalf("first send waits %v", wait)
	}
	// Business: Gap + half the jitter drawn at the last send.
	if _, wait = b.Acquire(s, now.Add(time.Second), false, saoPaulo, 0.5); wait != 10500*time.Millisecond {
		t.Fatalf("business waits %v", wait)
	}
	// A reply only waits ReplyGap + its share.
	if _, wait = b.Acquire(s, now.Add(time.Second), true, saoPaulo, 0.5); wait != 1250*time.Millisecond {
		t.Fatalf("reply waits %v", wait)
	}
	// The minute's budget: replies may use all of it, the business four fifths.
	s2 := s
	s2.MinuteN = 10
	if _, wait = b.Acquire(s2, now.Add(20*time.Second), false, saoPaulo, 0); wait != 40*time.Second {
		t.Fatalf("business over the minute's share waits %v", wait)
	}
	if _, wait = b.Acquire(s2, now.Add(20*time.Second), true, saoPaulo, 0); wait != 0 {
		t.Fatalf("reply within the minute waits %v", wait)
	}
	s2.MinuteN = 12
	if _, wait = b.Acquire(s2, now.Add(20*time.Second), true, saoPaulo, 0); wait != 40*time.Second {
		t.Fatalf("reply over the minute waits %v", wait)
	}
	// The day's budget waits for local midnight.
	s3 := s
	s3.DayN = 1500
	if _, wait = b.Acquire(s3, now.Add(time.Minute), true, saoPaulo, 0); wait != 11*time.Hour+59*time.Minute {
		t.Fatalf("day spent waits %v", wait)
	}
}

func TestAdmitRules(t *testing.T) {
	b := testBudgets
	linked := time.Date(2026, 12, 1, 9, 0, 0, 0, saoPaulo)
	s := State{LinkedAt: linked}
	var err error
	for i := 0; i < 20; i++ {
		if s, _, err = b.Admit(s, linked.Add(time.Hour), false, saoPaulo); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
	}
	if _, _, err = b.Admit(s, linked.Add(time.Hour), false, saoPaulo); !errors.Is(err, bot.ErrThrottled) {
		t.Fatalf("21st on the day of linking: %v", err)
	}
	// The next day allows twice as many.
	next := linked.Add(24 * time.Hour)
	n := 0
	for ; ; n++ {
		if s, _, err = b.Admit(s, next, false, saoPaulo); err != nil {
			break
		}
	}
	if n != 40 {
		t.Fatalf("day 1 admitted %d", n)
	}
	// Cold messages have their own cap.
	s = State{LinkedAt: linked.Add(-30 * 24 * time.Hour)}
	for n = 0; ; n++ {
		if s, _, err = b.Admit(s, linked, true, saoPaulo); err != nil {
			break
		}
	}
	if n != b.ColdPerDay {
		t.Fatalf("cold admitted %d", n)
	}
	if _, _, err = b.Admit(s, linked, false, saoPaulo); err != nil {
		t.Fatalf("warm after the cold cap: %v", err)
	}
}

// TestGovernorSpreadsStartedMessages: 1,000 messages the business starts,
// queued as fast as the governor admits them, leave within every budget,
// the spacing and the warm-up ramp of a newly linked number.
func TestGovernorSpreadsStartedMessages(t *testing.T) {
	b := testBudgets
	b.ColdPerDay = 1000
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, saoPaulo)
	ch, fc, clk := setupChannel(t, nil, b, start)
	ctx := context.Background()
	if err := ch.Governor().Linked(ctx, "5511888000000"); err != nil {
		t.Fatal(err)
	}
	biz := bot.WithStartedByBusiness(ctx)
	snd := ch.Sender()
	const total = 1000
	queued := 0
	for hours := 0; len(fc.all()) < total; hours++ {
		if hours > 24*30 {
			t.Fatalf("after 30 days only %d sent", len(fc.all()))
		}
		for queued < total {
			err := snd.Send(biz, fmt.Sprintf("+55119%08d", queued), bot.Reply{Text: "Olá, há uma mensagem para você."})
			if errors.Is(err, bot.ErrThrottled) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			queued++
		}
		// Deliver for an hour of the test clock.
		end := clk.Now().Add(time.Hour)
		for clk.Now().Before(end) && len(fc.all()) < queued {
			wait, err := ch.DeliverOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(wait)
		}
		clk.Advance(end.Sub(clk.Now()))
	}
	sends := fc.all()
	perMin, perHour, perDay := map[int64]int{}, map[int64]int{}, map[string]int{}
	chats := map[string]bool{}
	for i, s := range sends {
		chats[s.To.User] = true
		if i > 0 {
			if gap := s.At.Sub(sends[i-1].At); gap < b.Gap {
				t.Fatalf("send %d only %v after the one before", i, gap)
			}
		}
		perMin[s.At.Unix()/60]++
		perHour[s.At.Unix()/3600]++
		perDay[s.At.In(saoPaulo).Format(time.DateOnly)]++
	}
	if len(chats) != total {
		t.Fatalf("%d distinct people of %d", len(chats), total)
	}
	for m, n := range perMin {
		if n > b.PerMinute {
			t.Fatalf("minute %d: %d sends", m, n)
		}
	}
	for h, n := range perHour {
		if n > b.PerHour {
			t.Fatalf("hour %d: %d sends", h, n)
		}
	}
	days := 0
	for d := start; days < len(perDay); d = d.AddDate(0, 0, 1) {
		n, ok := perDay[d.Format(time.DateOnly)]
		if !ok {
			t.Fatalf("no sends on %s", d.Format(time.DateOnly))
		}
		if limit := b.Warmup(days); n > limit {
			t.Fatalf("day %d: %d sends over the warm-up's %d", days, n, limit)
		}
		days++
	}
	if perDay[start.Format(time.DateOnly)] != b.WarmupStart {
		t.Fatalf("day of linking sent %d", perDay[start.Format(time.DateOnly)])
	}
	t.Logf("%d messages over %d days: %v", total, days, perDay)
	// Every message rotated its greeting.
	texts := map[string]int{}
	for _, s := range sends {
		texts[s.Text]++
	}
	if len(texts) < 2 {
		t.Fatalf("one phrasing for all: %v", texts)
	}
}

// TestReplyOvertakesStarted: a reply to a person who just wrote leaves
// within one spacing interval, ahead of every queued business message.
func TestReplyOvertakesStarted(t *testing.T) {
	b := testBudgets
	ch, fc, clk := setupChannel(t, nil, b, time.Date(2026, 12, 2, 10, 0, 0, 0, saoPaulo))
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		if _, err := ch.box.enqueue(ctx, fmt.Sprintf("+55119%08d", i), PriorityStarted, []Out{{Text: "lembrete"}}, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	deliver := func(n int) {
		for len(fc.all()) < n {
			wait, err := ch.DeliverOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(wait)
		}
	}
	deliver(5)
	clk.Advance(2 * time.Second) // mid-interval
	asked := clk.Now()
	if err := ch.queue(ctx, "+5511999000001", PriorityReply, bot.Reply{Text: "Seu saldo é R$ 10,00"}); err != nil {
		t.Fatal(err)
	}
	deliver(6)
	last := fc.all()[5]
	if last.To.User != "5511999000001" {
		t.Fatalf("the 6th send went to %s, not the reply", last.To)
	}
	if d := last.At.Sub(asked); d > b.Gap+b.Jitter {
		t.Fatalf("the reply waited %v, over one spacing interval", d)
	}
}

// TestGovernorAcrossRestartsAndReplicas: budgets live in PostgreSQL, so a
// restarted process and a second replica see what was spent.
func TestGovernorAcrossRestartsAndReplicas(t *testing.T) {
	ch, _, clk := setupChannel(t, nil, testBudgets, time.Date(2026, 12, 3, 10, 0, 0, 0, saoPaulo))
	ctx := context.Background()
	pool := ch.cfg.Pool
	const number = "5511888000000"
	a := NewGovernor(pool, testBudgets, saoPaulo, clk.Now, nil)
	if err := a.Linked(ctx, number); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < testBudgets.WarmupStart; i++ {
		if _, err := a.Admit(ctx, number, false); err != nil {
			t.Fatal(err)
		}
	}
	if wait, err := a.Acquire(ctx, number, false); err != nil || wait != 0 {
		t.Fatalf("first acquire: %v %v", wait, err)
	}
	// "Restart": a new governor on the same database.
	b := NewGovernor(pool, testBudgets, saoPaulo, clk.Now, nil)
	if _, err := b.Admit(ctx, number, false); !errors.Is(err, bot.ErrThrottled) {
		t.Fatalf("after a restart the warm-up budget is fresh again: %v", err)
	}
	if wait, _ := b.Acquire(ctx, number, false); wait < testBudgets.Gap {
		t.Fatalf("after a restart the spacing is forgotten: %v", wait)
	}
	st, err := b.State(ctx, number)
	if err != nil || st.Started != testBudgets.WarmupStart || st.DayN != 1 {
		t.Fatalf("state %+v %v", st, err)
	}
	// Two replicas asking at once: one send is granted in all.
	clk.Advance(time.Minute)
	var granted atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		g := a
		if i%2 == 1 {
			g = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait, err := g.Acquire(ctx, number, true)
			if err != nil {
				t.Error(err)
			}
			if wait == 0 {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if granted.Load() != 1 {
		t.Fatalf("%d sends granted at one instant across two replicas", granted.Load())
	}
}

// A message queued with an outbound key (a reminder's) keeps it on each of
// its outbox rows, so WhatsApp's receipts can reach the reminder; a reply
// has none.
func TestOutboundKeyRidesAlong(t *testing.T) {
	ch, _, clk := setupChannel(t, nil, testBudgets, time.Date(2026, 12, 2, 10, 0, 0, 0, saoPaulo))
	ctx := context.Background()
	if _, err := ch.box.enqueue(bot.WithOutboundKey(ctx, "reminder:42"), "+5511999000001", PriorityStarted, []Out{{Text: "a"}, {Text: "b"}}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.box.enqueue(ctx, "+5511999000002", PriorityReply, []Out{{Text: "c"}}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	var keyed, bare int
	ch.cfg.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE outbound_key = 'reminder:42' AND chat = '+5511999000001'),
		count(*) FILTER (WHERE outbound_key IS NULL AND chat = '+5511999000002') FROM whatsapp_outbox`).Scan(&keyed, &bare)
	if keyed != 2 || bare != 1 {
		t.Fatalf("%d keyed rows (want 2), %d without a key (want 1)", keyed, bare)
	}
}
