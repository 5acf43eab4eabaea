package redisstore_test

import (
	"context"
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
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
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
