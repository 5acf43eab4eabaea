package reminders

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/conversations/regua"
	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/internal/redisstore"
	"github.com/regua/regua/payments"
)

var sp = regua.Zone("SP", nil)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type fixture struct {
	pool    *pgxpool.Pool
	svc     *bot.Service
	ledger  *payments.Ledger
	store   *payments.Store
	configs *ConfigStore
	planner *Planner
	d       *Dispatcher
	clock   *clock
}

// A Tuesday afternoon: inside every window and past the morning spread.
var tuesday = time.Date(2026, 12, 1, 14, 0, 0, 0, sp)

func setup(t testing.TB) *fixture {
	t.Helper()
	return setupWith(t, pgtest.NewDatabase(t))
}

func setupWith(t testing.TB, dbURL string) *fixture {
	t.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, dbURL) // as the service opens it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	clk := &clock{t: tuesday}
	ledger := payments.NewLedger(pool, nil, sp, payments.DefaultLateFeeRules, clk.Now)
	store := payments.NewStore(ledger)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", PoolSize: 100})
	// Replicas of one database share their Redis keys, as in production.
	prefix := "test:regua:" + pool.Config().ConnConfig.Database + ":"
	t.Cleanup(func() {
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	svc := bot.New(bot.Deps{Pool: pool, Redis: redisstore.New(rdb, prefix, time.Hour), Store: store, Ledger: ledger,
		Engine: conversations.NewEngine(), Business: "Loja Exemplo", PublicURL: "http://localhost:8080"})
	svc.RegisterSender(bot.ChannelWebchat, nopSender{})
	configs := NewConfigStore(pool)
	d := &Dispatcher{Pool: pool, Bot: svc, Configs: configs, Ledger: ledger, Log: slog.New(slog.DiscardHandler), Loc: sp, Now: clk.Now,
		Metrics: NewMetrics(nil), Business: "Loja Exemplo", Document: "12.345.678/0001-95", Webchat: true}
	return &fixture{pool: pool, svc: svc, ledger: ledger, store: store, configs: configs, planner: NewPlanner(pool, configs, sp), d: d, clock: clk}
}

type nopSender struct{}

func (nopSender) Send(context.Context, string, bot.Reply) error { return nil }

// debtor adds a debtor; phone may be "".
func (f *fixture) debtor(t testing.TB, ext, name, phone, email, preferred, state string) int64 {
	t.Helper()
	phones := []string{}
	if phone != "" {
		phones = append(phones, phone)
	}
	var id int64
	err := f.pool.QueryRow(context.Background(), `INSERT INTO debtors (external_id, name, document, document_kind, phones, email, preferred_channel, state)
		VALUES ($1, $2, '52998224725', 'cpf', $3, $4, $5, $6) RETURNING id`, ext, name, phones, email, preferred, state).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// charge opens a charge in the ledger.
func (f *fixture) charge(t testing.TB, debtorExt, ext string, due time.Time, amount payments.Cents) int64 {
	t.Helper()
	c := &payments.Charge{ExternalID: ext, DebtorExternalID: debtorExt, Description: "Mensalidade de novembro", Amount: amount,
		DueDate: time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)}
	if _, err := f.store.CreateCharge(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func noJob(context.Context, pgx.Tx) error { return nil }

// plan runs the planner (no River: the test sends by hand) and returns the
// planned reminders' ids.
func (f *fixture) plan(t testing.TB) []int64 {
	t.Helper()
	if _, err := f.planner.Plan(context.Background(), nil, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	rows, _ := f.pool.Query(context.Background(), "SELECT id FROM reminders WHERE status = 'planned' ORDER BY id")
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	return ids
}

type reminderRow struct {
	status, channel, reason, detail, step string
	dueAt                                 time.Time
}

func (f *fixture) reminder(t testing.TB, id int64) reminderRow {
	t.Helper()
	var r reminderRow
	if err := f.pool.QueryRow(context.Background(), "SELECT status, channel, reason, detail, step, due_at FROM reminders WHERE id = $1", id).
		Scan(&r.status, &r.channel, &r.reason, &r.detail, &r.step, &r.dueAt); err != nil {
		t.Fatal(err)
	}
	return r
}

// chat is what the web chat shows for a phone (its own read path).
func (f *fixture) chat(t testing.TB, phone string) []bot.Message {
	t.Helper()
	ms, err := f.svc.Messages(context.Background(), bot.ChannelWebchat, phone, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func pgtestDB(t testing.TB) string { return pgtest.NewDatabase(t) }
