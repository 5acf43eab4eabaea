package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/bot/telegram/telegramtest"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// client is the real library client pointed at the fake.
func client(t *testing.T, fake *telegramtest.Server) *tgbot.Bot {
	t.Helper()
	api, err := tgbot.New(fake.Token, tgbot.WithServerURL(fake.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// debtor inserts a debtor with a Telegram chat linked to them.
func debtor(t *testing.T, pool *pgxpool.Pool, ext, chat string) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(context.Background(), `INSERT INTO debtors (external_id, name, document, document_kind, phones)
		VALUES ($1, 'Ana Oliveira', '11144477735', 'cpf', ARRAY['+5511999000003']) RETURNING id`, ext).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if chat != "" {
		if _, err := pool.Exec(context.Background(), "INSERT INTO conversations (channel, chat, debtor_id) VALUES ('telegram', $1, $2)", chat, id); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// burst sends n messages to each of chats chats at once, as reminder
// workers would, and returns when all are delivered.
func burst(t *testing.T, s *telegram.Sender, chats, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, chats*n)
	for c := 1; c <= chats; c++ {
		for k := 1; k <= n; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Send(ctx, fmt.Sprint(1000+c), bot.Reply{Text: fmt.Sprintf("Lembrete %d para o chat %d", k, 1000+c)}); err != nil {
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

// checkLimits checks, at the server, that every message arrived once, no
// chat got two within l.PerChat and no l.Window saw more than l.Burst; it
// returns the busiest window's count.
func checkLimits(t *testing.T, fake *telegramtest.Server, l telegram.Limits, chats, n int) int {
	t.Helper()
	all := fake.All()
	seen := map[string]int{}
	byChat := map[int64][]time.Time{}
	var at []time.Time
	for _, m := range all {
		seen[m.Text]++
		byChat[m.Chat] = append(byChat[m.Chat], m.At)
		at = append(at, m.At)
	}
	if len(all) != chats*n || len(seen) != chats*n {
		t.Fatalf("%d messages (%d distinct), want %d", len(all), len(seen), chats*n)
	}
	for text, k := range seen {
		if k != 1 {
			t.Fatalf("%q arrived %d times", text, k)
		}
	}
	for chat, ts := range byChat {
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < l.PerChat {
				t.Fatalf("chat %d: two messages %s apart (limit %s)", chat, gap, l.PerChat)
			}
		}
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	busiest := 0
	for i, j := 0, 0; i < len(at); i++ {
		for j < len(at) && at[j].Sub(at[i]) < l.Window {
			j++
		}
		busiest = max(busiest, j-i)
	}
	if busiest > l.Burst {
		t.Fatalf("%d messages within %s (limit %d)", busiest, l.Window, l.Burst)
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Fatalf("violations: %q", v)
	}
	return busiest
}

// TestBurstKeepsLimits: 200 reminders to 100 chats at once, with every
// ninth send refused with a 429, arrive exactly once, never two to a chat
// within PerChat and never more than Burst in a Window. The limits are
// Telegram's scaled ten times faster so the test takes seconds; the pacer
// is the one production uses.
func TestBurstKeepsLimits(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Config{})
	pool := pgtest.NewPool(t)
	limits := telegram.Limits{PerChat: 100 * time.Millisecond, Window: 100 * time.Millisecond, Burst: 30}
	s := telegram.NewSender(client(t, fake), pool, limits, nil, nil)
	fake.Fail429Every(9, 1)

	start := time.Now()
	burst(t, s, 100, 2)
	took := time.Since(start)
	busiest := checkLimits(t, fake, limits, 100, 2)

	// Each 429 was waited out as asked before that chat was tried again.
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
					t.Fatalf("chat %d retried %s after a 429 asking for 1 s", r.Chat, gap)
				}
				break
			}
		}
	}
	if refused < 20 {
		t.Fatalf("only %d 429s injected", refused)
	}
	t.Logf("200 messages to 100 chats, %d refused with 429 and retried: %s; busiest %s window: %d messages (limit %d); %.0f messages/s overall",
		refused, took.Round(time.Millisecond), limits.Window, busiest, limits.Burst, 200/took.Seconds())
}

// TestTelegramLimits runs a smaller burst at Telegram's own limits.
func TestTelegramLimits(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t, telegramtest.Config{})
	pool := pgtest.NewPool(t)
	s := telegram.NewSender(client(t, fake), pool, telegram.DefaultLimits, nil, nil)
	start := time.Now()
	burst(t, s, 35, 2) // 70 messages: at most 30 a second takes more than two seconds
	took := time.Since(start)
	busiest := checkLimits(t, fake, telegram.DefaultLimits, 35, 2)
	if took < 2*time.Second {
		t.Fatalf("70 messages in %s", took)
	}
	t.Logf("70 messages to 35 chats at Telegram's limits: %s (%.1f/s); busiest second: %d messages", took.Round(time.Millisecond), 70/took.Seconds(), busiest)
}

func TestBlockedMarksDebtorUnreachable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := telegramtest.New(t, telegramtest.Config{})
	pool := pgtest.NewPool(t)
	s := telegram.NewSender(client(t, fake), pool, telegram.Limits{PerChat: time.Millisecond, Window: time.Millisecond, Burst: 30}, nil, nil)
	id := debtor(t, pool, "d1", "500")
	if chat, ok, err := telegram.Reachable(ctx, pool, id); err != nil || !ok || chat != "500" {
		t.Fatalf("reachable before: %q %v %v", chat, ok, err)
	}

	fake.SetBlocked(500, true)
	err := s.Send(ctx, "500", bot.Reply{Text: "Olá"})
	if !errors.Is(err, telegram.ErrBlocked) {
		t.Fatalf("send to a blocked chat: %v", err)
	}
	var blocked *time.Time
	pool.QueryRow(ctx, "SELECT telegram_blocked_at FROM debtors WHERE id = $1", id).Scan(&blocked)
	if blocked == nil {
		t.Fatal("debtor not marked unreachable on Telegram")
	}
	if _, ok, _ := telegram.Reachable(ctx, pool, id); ok {
		t.Fatal("a debtor who blocked the bot is still reachable")
	}
	if n := len(fake.Messages(500)); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

func TestLinkTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	id := debtor(t, pool, "d1", "")
	tok, err := telegram.NewLinkToken(ctx, pool, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) < 20 || len(tok) > 64 {
		t.Fatalf("token %q", tok)
	}
	var stored []byte
	pool.QueryRow(ctx, "SELECT token_hash FROM telegram_link_tokens").Scan(&stored)
	if string(stored) == tok || len(stored) != 32 {
		t.Fatal("the token must be stored hashed")
	}
	if got := telegram.DeepLink("regua_bot", tok); got != "https://t.me/regua_bot?start="+tok {
		t.Fatal(got)
	}
	if _, err := telegram.NewLinkToken(ctx, pool, 999999); err == nil {
		t.Fatal("a token for nobody")
	}
}
