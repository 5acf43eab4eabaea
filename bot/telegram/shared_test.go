package telegram_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/bot/telegram/telegramtest"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// testRedis connects to the test Redis and returns a random key prefix,
// whose keys are deleted when the test ends.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("REGUA_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis (is it running? `make test` starts it): %v", err)
	}
	prefix := fmt.Sprintf("test:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx := context.Background()
		// redis_rate puts its own "rate:" in front of the keys.
		for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
			iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
			for iter.Next(ctx) {
				rdb.Unlink(ctx, iter.Val())
			}
		}
		rdb.Close()
	})
	return rdb, prefix
}

// replicas sends, from each sender at once, one message to each of chats
// chats (the same chats for every sender, as two replicas' reminder workers
// would), and returns when all are delivered.
func replicas(t *testing.T, senders []*telegram.Sender, chats int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(senders)*chats)
	for r, s := range senders {
		for c := 1; c <= chats; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				chat := fmt.Sprint(1000 + c)
				if err := s.Send(ctx, chat, bot.Reply{Text: fmt.Sprintf("Lembrete da réplica %d para o chat %s", r, chat)}); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestLimitsAcrossReplicas: two senders on one bot, as two replicas would
// run, each sending to the same 40 chats at once. Each keeps Telegram's
// limits alone; sharing one Redis prefix, together they stay within 30
// messages in any second at the server and one a second in a chat. (Without
// the shared limiter the server sees about 60 in the first second and two
// at once in every chat.)
func TestLimitsAcrossReplicas(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Config{})
	pool := pgtest.NewPool(t)
	rdb, prefix := testRedis(t)
	var senders []*telegram.Sender
	for range 2 {
		s := telegram.NewSender(client(t, fake), pool, telegram.DefaultLimits, nil, nil)
		if err := s.ShareLimits(rdb, prefix); err != nil {
			t.Fatal(err)
		}
		senders = append(senders, s)
	}
	start := time.Now()
	replicas(t, senders, 40)
	busiest := checkLimits(t, fake, telegram.DefaultLimits, 40, 2)
	t.Logf("2 replicas × 40 chats: %s; busiest second at the server: %d messages (limit %d)",
		time.Since(start).Round(time.Millisecond), busiest, telegram.DefaultLimits.Burst)
}

// TestSharedLimitsKeep429s: with the shared limiter on, a 429 is still
// waited out for the retry_after Telegram asked, and every message arrives
// once.
func TestSharedLimitsKeep429s(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Config{})
	pool := pgtest.NewPool(t)
	rdb, prefix := testRedis(t)
	limits := telegram.Limits{PerChat: 100 * time.Millisecond, Window: 100 * time.Millisecond, Burst: 30}
	var senders []*telegram.Sender
	for range 2 {
		s := telegram.NewSender(client(t, fake), pool, limits, nil, nil)
		if err := s.ShareLimits(rdb, prefix); err != nil {
			t.Fatal(err)
		}
		senders = append(senders, s)
	}
	fake.Fail429Every(7, 1)
	replicas(t, senders, 20)
	all := fake.All()
	if len(all) != 40 {
		t.Fatalf("%d messages, want 40", len(all))
	}
	reqs := fake.Requests()
	refused := 0
	for i, r := range reqs {
		if r.Status != 429 {
			continue
		}
		refused++
		for _, next := range reqs[i+1:] {
			if next.Chat == r.Chat {
				if gap := next.At.Sub(r.At); gap < time.Second {
					t.Fatalf("chat %d written %s after a 429 asking for 1 s", r.Chat, gap)
				}
				break
			}
		}
	}
	if refused == 0 {
		t.Fatal("no 429 injected")
	}
}

// TestSharedLimitsWithoutRedis: when Redis is unreachable, messages still
// go, paced by the process alone.
func TestSharedLimitsWithoutRedis(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Config{})
	pool := pgtest.NewPool(t)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	limits := telegram.Limits{PerChat: 10 * time.Millisecond, Window: 10 * time.Millisecond, Burst: 30}
	s := telegram.NewSender(client(t, fake), pool, limits, nil, nil)
	if err := s.ShareLimits(rdb, "test:down:"); err != nil {
		t.Fatal(err)
	}
	replicas(t, []*telegram.Sender{s}, 3)
	if n := len(fake.All()); n != 3 {
		t.Fatalf("%d messages, want 3", n)
	}
}
