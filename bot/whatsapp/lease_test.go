package whatsapp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/internal/postgres/pgtest"
)

var fastBudgets = Budgets{Gap: 20 * time.Millisecond, Jitter: 5 * time.Millisecond, ReplyGap: 5 * time.Millisecond,
	PerMinute: 10000, PerHour: 100000, PerDay: 1000000, StartedDay: 1000, WarmupStart: 1000, ColdPerDay: 1000}

// TestLeaseAndQueue: of two replicas exactly one holds the connection; the
// other queues its sends durably for it; when the holder dies without
// letting go, the other takes over once the lease runs out and delivers
// what was queued meanwhile.
func TestLeaseAndQueue(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	replica := func(name string) (*Channel, *fakeClient) {
		fc := newFakeClient(time.Now)
		ch, err := New(Config{Service: nopService{}, Pool: pool, Holder: name, LeaseTTL: 600 * time.Millisecond, Budgets: fastBudgets,
			NewClient: func(context.Context) (Client, error) { return fc, nil }})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return ch, fc
	}
	a, fa := replica("a")
	defer a.Close()
	waitUntil(t, a.Holding)
	b, fb := replica("b")
	defer b.Close()
	time.Sleep(400 * time.Millisecond) // b tries the lease at least once
	if b.Holding() {
		t.Fatal("two replicas hold the connection")
	}
	// b queues; a delivers.
	if err := b.Sender().Send(ctx, "+5511999000001", bot.Reply{Text: "de b"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return len(fa.all()) == 1 })
	if len(fb.all()) != 0 || fa.all()[0].Text != "de b" {
		t.Fatalf("a sent %v, b sent %v", fa.all(), fb.all())
	}
	// a dies without letting go: its lease stays until it runs out.
	a.crashed.Store(true)
	a.Close()
	died := time.Now()
	if st, _ := ReadState(ctx, pool); st.Holder != "a" {
		t.Fatalf("the dead replica's lease is gone at once: %+v", st)
	}
	if err := b.Sender().Send(ctx, "+5511999000001", bot.Reply{Text: "enquanto ninguém segura"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, b.Holding)
	if took := time.Since(died); took > 2*time.Second {
		t.Fatalf("took over after %v", took)
	}
	waitUntil(t, func() bool { return len(fb.all()) == 1 }, func() string {
		log, _ := Log(ctx, pool, "")
		st, _ := ReadState(ctx, pool)
		return fmt.Sprintf("outbox %+v; connection %+v; b holding %v connected %v", log, st, b.Holding(), b.connected.Load())
	})
	if fb.all()[0].Text != "enquanto ninguém segura" || len(fa.all()) != 1 {
		t.Fatalf("after the handover: a %v, b %v", fa.all(), fb.all())
	}
}

func waitUntil(t *testing.T, cond func() bool, why ...func() string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for _, w := range why {
				t.Log(w())
			}
			t.Fatal("condition never held")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
