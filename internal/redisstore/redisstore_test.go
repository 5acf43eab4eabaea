package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/regua/regua/internal/redisstore"
)

func setup(t testing.TB) (*redisstore.Store, *redis.Client, string) {
	url := os.Getenv("REGUA_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	opt.PoolSize = 100
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis (is it running? `make test` starts it): %v", err)
	}
	prefix := fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		// Benchmarks leave many keys: delete them in batches.
		var batch []string
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if batch = append(batch, iter.Val()); len(batch) == 1000 {
				rdb.Unlink(ctx, batch...)
				batch = batch[:0]
			}
		}
		if len(batch) > 0 {
			rdb.Unlink(ctx, batch...)
		}
		rdb.Close()
	})
	return redisstore.New(rdb, prefix, time.Hour), rdb, prefix
}

type sess struct{ State string }

func TestSessionRoundTripAndLoss(t *testing.T) {
	t.Parallel()
	st, rdb, prefix := setup(t)
	ctx := context.Background()
	var s sess
	if found, err := st.LoadSession(ctx, "webchat", "+5511999990001", &s); found || err != nil {
		t.Fatalf("new chat: %v %v", found, err)
	}
	if err := st.SaveSession(ctx, "webchat", "+5511999990001", sess{State: "menu"}); err != nil {
		t.Fatal(err)
	}
	if found, _ := st.LoadSession(ctx, "webchat", "+5511999990001", &s); !found || s.State != "menu" {
		t.Fatalf("loaded %+v %v", s, found)
	}
	if ttl := rdb.TTL(ctx, prefix+"sess:{webchat:+5511999990001}").Val(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl %v", ttl)
	}
	rdb.Set(ctx, prefix+"sess:{webchat:+5511999990001}", "not json", time.Hour)
	if found, err := st.LoadSession(ctx, "webchat", "+5511999990001", &s); found || err != nil {
		t.Fatalf("corrupt session should read as lost: %v %v", found, err)
	}
}

// The same message id from 20 goroutines: its turn runs once.
func TestTurnDeduplicates(t *testing.T) {
	t.Parallel()
	st, _, _ := setup(t)
	ctx := context.Background()
	var ran, dups atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s sess
			dup, err := st.Serial(time.Second).Turn(ctx, "telegram", "42", "m1", &s, func(context.Context, bool) (any, [][]byte, error) {
				ran.Add(1)
				return sess{State: "menu"}, nil, nil
			})
			if err != nil {
				t.Error(err)
			}
			if dup {
				dups.Add(1)
			}
		}()
	}
	wg.Wait()
	if ran.Load() != 1 || dups.Load() != 19 {
		t.Fatalf("ran %d times, %d duplicates", ran.Load(), dups.Load())
	}
	var s sess
	if found, _ := st.LoadSession(ctx, "telegram", "42", &s); !found || s.State != "menu" {
		t.Fatalf("session saved by the turn: %v %+v", found, s)
	}
}

// 50 items for one conversation from many goroutines and two "replicas"
// (two stores on separate connections) run one at a time, each once, in the
// order they were queued.
func TestSerialOrderAcrossReplicas(t *testing.T) {
	t.Parallel()
	st1, rdb1, prefix := setup(t)
	opt, _ := redis.ParseURL("redis://127.0.0.1:6379/0")
	rdb2 := redis.NewClient(opt)
	defer rdb2.Close()
	st2 := redisstore.New(rdb2, prefix, time.Hour)
	q := []*redisstore.Serial{st1.Serial(5 * time.Second), st2.Serial(5 * time.Second)}
	ctx := context.Background()

	var running atomic.Int32
	var mu sync.Mutex
	var ran []int
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := q[i%2].Do(ctx, "webchat", "+5511999990002", func(context.Context) error {
				if i == 0 {
					<-gate // hold the conversation until all 50 are queued
				}
				if running.Add(1) != 1 {
					t.Error("two items ran at once")
				}
				time.Sleep(time.Millisecond)
				mu.Lock()
				ran = append(ran, i)
				mu.Unlock()
				running.Add(-1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}(i)
		// Arrival order: the next message is sent once this one is queued.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
			if rdb1.LLen(ctx, prefix+"queue:{webchat:+5511999990002}").Val() == int64(i+1) {
				break
			}
		}
	}
	close(gate)
	wg.Wait()
	if len(ran) != 50 {
		t.Fatalf("%d items ran", len(ran))
	}
	for pos, i := range ran {
		if i != pos {
			t.Fatalf("item %d ran at position %d: %v", i, pos, ran)
		}
	}
}

// A waiter that died leaves a ticket; the queue moves on after its heartbeat expires.
func TestSerialSkipsDeadWaiter(t *testing.T) {
	t.Parallel()
	st, rdb, prefix := setup(t)
	ctx := context.Background()
	rdb.RPush(ctx, prefix+"queue:{webchat:+5511999990003}", "dead-ticket")
	done := make(chan error, 1)
	go func() {
		done <- st.Serial(time.Second).Do(ctx, "webchat", "+5511999990003", func(context.Context) error { return nil })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("queue stuck behind a dead ticket")
	}
}

func TestSerialSurvivesFlush(t *testing.T) {
	t.Parallel()
	st, rdb, prefix := setup(t)
	ctx := context.Background()
	release := make(chan struct{})
	go st.Serial(time.Second).Do(ctx, "webchat", "+5511999990004", func(context.Context) error { <-release; return nil })
	time.Sleep(50 * time.Millisecond)
	// Redis loses the conversation's keys mid-flow.
	rdb.Del(ctx, prefix+"queue:{webchat:+5511999990004}", prefix+"lock:{webchat:+5511999990004}")
	close(release)
	errc := make(chan error, 1)
	go func() {
		errc <- st.Serial(time.Second).Do(ctx, "webchat", "+5511999990004", func(context.Context) error { return nil })
	}()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stuck after a flush")
	}
}

// roundTrips counts what a client sends to Redis: one per command run alone,
// one per pipeline.
type roundTrips struct{ n atomic.Int64 }

func (*roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		return next(ctx, cmds)
	}
}

// An uncontended turn costs two round trips: enter (de-duplicate, queue,
// lock, load the session) and leave (save, publish, dequeue, unlock).
func TestTurnRoundTrips(t *testing.T) {
	t.Parallel()
	st, rdb, _ := setup(t)
	rt := &roundTrips{}
	rdb.AddHook(rt)
	q := st.Serial(time.Minute)
	ctx := context.Background()
	turn := func(chat, msg string, want bool) {
		t.Helper()
		var s sess
		dup, err := q.Turn(ctx, "webchat", chat, msg, &s, func(_ context.Context, found bool) (any, [][]byte, error) {
			if found != want || (found && s.State != "menu") {
				t.Errorf("%s %s: found %v, session %+v", chat, msg, found, s)
			}
			return sess{State: "menu"}, [][]byte{[]byte(`{"text":"oi"}`)}, nil
		})
		if dup || err != nil {
			t.Fatalf("%s %s: dup %v, err %v", chat, msg, dup, err)
		}
	}
	turn("warm-up", "m0", false) // connects and loads the scripts

	for i, c := range []struct {
		chat, msg string
		found     bool
	}{
		{"+5511999990005", "m1", false}, // new conversation
		{"+5511999990005", "m2", true},  // session found
		{"+5511999990005", "", true},    // no message id
	} {
		before := rt.n.Load()
		turn(c.chat, c.msg, c.found)
		if n := rt.n.Load() - before; n != 2 {
			t.Errorf("turn %d: %d round trips, want 2", i, n)
		}
	}

	// A duplicate costs one round trip and leaves nothing queued.
	before := rt.n.Load()
	dup, err := q.Turn(ctx, "webchat", "+5511999990005", "m1", nil, func(context.Context, bool) (any, [][]byte, error) {
		t.Error("a duplicate ran")
		return nil, nil, nil
	})
	if !dup || err != nil {
		t.Fatalf("duplicate: dup %v, err %v", dup, err)
	}
	if n := rt.n.Load() - before; n != 1 {
		t.Errorf("duplicate: %d round trips, want 1", n)
	}
}

// An uncontended turn with a small session, one conversation per goroutine.
func BenchmarkTurn(b *testing.B) {
	st, _, _ := setup(b)
	ctx := context.Background()
	var chats atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		q := st.Serial(time.Minute)
		chat := fmt.Sprintf("+55119%08d", chats.Add(1))
		payload := [][]byte{[]byte(`{"text":"oi"}`)}
		for i := 0; pb.Next(); i++ {
			var s sess
			_, err := q.Turn(ctx, "webchat", chat, fmt.Sprintf("m%d", i), &s, func(context.Context, bool) (any, [][]byte, error) {
				return sess{State: "menu"}, payload, nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// A failed turn forgets its message id (the message can come again) and
// leaves nothing behind: no ticket, no heartbeat, no lock.
func TestTurnFailureForgetsMessage(t *testing.T) {
	t.Parallel()
	st, rdb, prefix := setup(t)
	ctx := context.Background()
	q := st.Serial(time.Second)
	boom := errors.New("boom")
	var s sess
	_, err := q.Turn(ctx, "telegram", "43", "m1", &s, func(context.Context, bool) (any, [][]byte, error) {
		return sess{State: "lost"}, nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	keys, _ := rdb.Keys(ctx, prefix+"*").Result()
	if len(keys) != 0 {
		t.Fatalf("left behind: %v", keys)
	}
	ran := false
	dup, err := q.Turn(ctx, "telegram", "43", "m1", &s, func(_ context.Context, found bool) (any, [][]byte, error) {
		ran = true
		if found {
			t.Error("the failed turn saved its session")
		}
		return nil, nil, nil
	})
	if dup || err != nil || !ran {
		t.Fatalf("again: dup %v, err %v, ran %v", dup, err, ran)
	}
}

// A turn whose context ends while it waits leaves the queue and forgets its
// message id; the turn ahead of it is not disturbed.
func TestTurnCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	st, rdb, prefix := setup(t)
	ctx := context.Background()
	q := st.Serial(time.Second)
	queue := prefix + "queue:{telegram:44}"
	running, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- q.Do(ctx, "telegram", "44", func(context.Context) error {
			close(running)
			<-release
			return nil
		})
	}()
	<-running
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := q.Turn(cctx, "telegram", "44", "m2", nil, func(context.Context, bool) (any, [][]byte, error) {
		t.Error("ran while another turn held the conversation")
		return nil, nil, nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if n := rdb.LLen(ctx, queue).Val(); n != 1 {
		t.Fatalf("queue length %d, want 1 (the running turn)", n)
	}
	if n := rdb.Exists(ctx, prefix+"seen:{telegram:44}:m2").Val(); n != 0 {
		t.Fatal("message id still remembered")
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := rdb.Exists(ctx, queue, prefix+"lock:{telegram:44}").Val(); n != 0 {
		t.Fatalf("%d of queue and lock left", n)
	}
}

// A session that cannot be read is a lost one: found is false.
func TestTurnUnreadableSession(t *testing.T) {
	t.Parallel()
	st, rdb, prefix := setup(t)
	ctx := context.Background()
	rdb.Set(ctx, prefix+"sess:{telegram:45}", "not json", time.Hour)
	var s sess
	_, err := st.Serial(time.Second).Turn(ctx, "telegram", "45", "m1", &s, func(_ context.Context, found bool) (any, [][]byte, error) {
		if found {
			t.Error("found an unreadable session")
		}
		return sess{State: "menu"}, nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found, _ := st.LoadSession(ctx, "telegram", "45", &s); !found || s.State != "menu" {
		t.Fatalf("session %v %+v", found, s)
	}
	if ttl := rdb.PTTL(ctx, prefix+"sess:{telegram:45}").Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("session ttl %v", ttl)
	}
}

// The turn's events reach the conversation's subscribers.
func TestTurnPublishes(t *testing.T) {
	t.Parallel()
	st, _, _ := setup(t)
	ctx := context.Background()
	sub := st.Subscribe(ctx, "webchat", "+5511999990006")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // subscription confirmed
		t.Fatal(err)
	}
	_, err := st.Serial(time.Second).Turn(ctx, "webchat", "+5511999990006", "m1", nil, func(context.Context, bool) (any, [][]byte, error) {
		return nil, [][]byte{[]byte("a"), []byte("b")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"a", "b"} {
		select {
		case m := <-sub.Channel():
			if m.Payload != want {
				t.Fatalf("got %q, want %q", m.Payload, want)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("no event %q", want)
		}
	}
}

// A turn that runs longer than the lock TTL keeps its lock and heartbeat
// alive: the next turn waits for it.
func TestTurnRefreshesLock(t *testing.T) {
	t.Parallel()
	st, _, _ := setup(t)
	ctx := context.Background()
	q := st.Serial(300 * time.Millisecond)
	var running atomic.Int32
	var wg sync.WaitGroup
	started := make(chan struct{})
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i == 1 {
				<-started
			}
			err := q.Do(ctx, "telegram", "46", func(context.Context) error {
				if running.Add(1) != 1 {
					t.Error("two turns ran at once")
				}
				if i == 0 {
					close(started)
					time.Sleep(time.Second)
				}
				running.Add(-1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
}
