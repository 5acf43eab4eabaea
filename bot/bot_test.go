package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/internal/redisstore"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
	"github.com/regua/regua/payments/pix/apipix"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

type fixture struct {
	svc     *bot.Service
	ledger  *payments.Ledger
	billing *billing.Service
	rdb     *redis.Client
	prefix  string
}

func setup(t testing.TB) *fixture {
	t.Helper()
	pool := pgtest.NewPool(t)
	now := func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, sp) }
	ledger := payments.NewLedger(pool, nil, sp, payments.DefaultLateFeeRules, now)
	store := payments.NewStore(ledger)
	if err := app.SeedDemo(context.Background(), store, ledger, nil, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", PoolSize: 200})
	prefix := fmt.Sprintf("test:bot:%s:%d:", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() { flush(rdb, prefix); rdb.Close() })
	bill := billing.New(ledger, store, billing.Static{Key: "cobranca@regua.example", MerchantName: "Regua", MerchantCity: "SAO PAULO"}, nil, nil)
	rows := postgres.NewGroup(pool, 2, 16) // turns' statements batched, as in the service
	t.Cleanup(rows.Close)
	svc := bot.New(bot.Deps{Pool: pool, Rows: rows, Redis: redisstore.New(rdb, prefix, time.Hour), Store: store, Ledger: ledger, Billing: bill,
		Engine: conversations.NewEngine(), Business: "Régua Demo", PublicURL: "http://localhost:8080"})
	return &fixture{svc: svc, ledger: ledger, billing: bill, rdb: rdb, prefix: prefix}
}

func flush(rdb *redis.Client, prefix string) {
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}

var msgSeq int

func (f *fixture) say(t *testing.T, phone, text string) []bot.Reply {
	t.Helper()
	msgSeq++
	r, err := f.svc.Handle(context.Background(), bot.Inbound{Channel: bot.ChannelWebchat, Chat: phone,
		Event: conversations.Event{Kind: conversations.EventText, MessageID: fmt.Sprintf("m%d-%d", time.Now().UnixNano(), msgSeq), Text: text}})
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	if len(r) == 0 {
		t.Fatalf("%q: no reply", text)
	}
	return r
}

func joined(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		for _, o := range r.Options {
			b.WriteString("\n" + o.Key + ". " + o.Label)
		}
		b.WriteString("\n")
	}
	return b.String()
}

const maria = "+5511999000001" // cli-001, CPF 123..., owes R$ 189,90 due in 3 days and R$ 189,90 in 33 days

// Verify, ask for Pix, pay it: the ledger holds the payment and the chat
// receives the confirmation.
func TestTurnPixAndPayment(t *testing.T) {
	t.Parallel()
	f := setup(t)
	out := joined(f.say(t, "+5511999000005", "oi")) // Fernanda, 10 days late
	if strings.Contains(out, "Fernanda") || strings.Contains(out, "R$") {
		t.Fatalf("disclosed before verification: %s", out)
	}
	f.say(t, "+5511999000005", "346")
	rs := f.say(t, "+5511999000005", "quero pagar com pix")
	var pix *bot.Pix
	for _, r := range rs {
		if r.Pix != nil {
			pix = r.Pix
		}
	}
	if pix == nil || pix.Amount != 91077 || !strings.HasPrefix(pix.Payload, "000201") || !strings.Contains(pix.QRPNGURL, "/pix/qr/") {
		t.Fatalf("pix reply: %s %+v", joined(rs), pix)
	}
	code, err := f.billing.CodeByToken(context.Background(), strings.TrimSuffix(pix.QRPNGURL[strings.LastIndex(pix.QRPNGURL, "/")+1:], ".png"))
	if err != nil || code.Channel != bot.ChannelWebchat || code.Chat != "+5511999000005" {
		t.Fatalf("code: %+v %v", code, err)
	}
	rep, err := f.billing.Receive(context.Background(), []apipix.Pix{{EndToEndID: "E1823612020261122100000000000001", TxID: code.TxID, Valor: pix.Amount, Horario: f.ledger.Now()}}, "webhook")
	if err != nil || rep.Posted != 1 {
		t.Fatalf("payment: %+v %v", rep, err)
	}
	bal, _ := f.ledger.DebtorBalance(context.Background(), code.DebtorID, f.ledger.Now())
	if bal.Total != 0 {
		t.Fatalf("debtor still owes %s", bal.Total)
	}
	out = joined(f.say(t, "+5511999000005", "quanto devo?"))
	if strings.Contains(out, "910,77") {
		t.Fatalf("balance after payment still shows the debt: %s", out)
	}
}

// 50 messages at once in one chat: each handled once, one at a time; a
// redelivered message id is a duplicate.
func TestFiftyMessagesAtOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := f.svc.Handle(ctx, bot.Inbound{Channel: bot.ChannelWebchat, Chat: maria,
				Event: conversations.Event{Kind: conversations.EventText, MessageID: fmt.Sprintf("burst-%d", i), Text: fmt.Sprintf("mensagem %d", i)}})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Handle(ctx, bot.Inbound{Channel: bot.ChannelWebchat, Chat: maria,
		Event: conversations.Event{Kind: conversations.EventText, MessageID: "burst-7", Text: "mensagem 7"}}); !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("redelivery: %v", err)
	}
	msgs, err := f.svc.Messages(ctx, bot.ChannelWebchat, maria, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	in, seen := 0, map[string]bool{}
	for _, m := range msgs {
		if m.Direction == "in" {
			in++
			if seen[m.Text] {
				t.Fatalf("%q stored twice", m.Text)
			}
			seen[m.Text] = true
		}
	}
	if in != 50 {
		t.Fatalf("%d inbound messages stored, want 50", in)
	}
	// Every inbound message is followed by its own replies before the next
	// inbound one: turns never interleave.
	for i := 1; i < len(msgs); i++ {
		if msgs[i].Direction == "in" && msgs[i-1].Direction == "in" {
			t.Fatalf("two inbound messages in a row at %d: a turn got no reply or turns interleaved", i)
		}
	}
}

// Redis loses the session mid-flow: the conversation restarts politely with
// verification, and nothing in PostgreSQL is lost.
func TestRedisFlushMidFlow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.say(t, maria, "oi")
	f.say(t, maria, "123")
	out := joined(f.say(t, maria, "1"))
	if !strings.Contains(out, "R$") {
		t.Fatalf("verified balance: %s", out)
	}
	flush(f.rdb, f.prefix)
	out = joined(f.say(t, maria, "2"))
	if strings.Contains(out, "R$") || !strings.Contains(strings.ToLower(out), "cpf") {
		t.Fatalf("after losing the session the bot must re-verify without disclosing: %s", out)
	}
	msgs, _ := f.svc.Messages(context.Background(), bot.ChannelWebchat, maria, 0, 100)
	if len(msgs) < 8 {
		t.Fatalf("messages lost: %d", len(msgs))
	}
}

// A channel redelivers a message after Redis lost its de-duplication keys:
// PostgreSQL still knows it, so it is stored once, runs once, and the
// redelivery gets the replies stored the first time.
func TestRedeliveryAfterRedisLoss(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	in := bot.Inbound{Channel: bot.ChannelWebchat, Chat: maria, Event: conversations.Event{Kind: conversations.EventText, MessageID: "wamid-1", Text: "oi"}}
	first, err := f.svc.Handle(ctx, in)
	if err != nil || len(first) == 0 {
		t.Fatalf("first delivery: %v %v", first, err)
	}
	flush(f.rdb, f.prefix)
	if rs, err := f.svc.Handle(ctx, in); !errors.Is(err, bot.ErrDuplicate) || joined(rs) != joined(first) {
		t.Fatalf("redelivery after a flush: %v %v, want the first replies %v", rs, err, first)
	}
	msgs, _ := f.svc.Messages(ctx, bot.ChannelWebchat, maria, 0, 100)
	in2 := 0
	for _, m := range msgs {
		if m.Direction == "in" {
			in2++
		}
	}
	if in2 != 1 {
		t.Fatalf("%d inbound messages stored, want 1", in2)
	}
	// Another message id is a new message.
	in.MessageID = "wamid-2"
	if _, err := f.svc.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
}

// Bad input: empty, huge, invalid UTF-8, only emoji: always a helpful answer.
func TestBadInputAlwaysAnswered(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, text := range []string{"", strings.Repeat("a", 10000), "\xff\xfe\xfd", "😀😀😀", "   "} {
		if out := joined(f.say(t, maria, text)); strings.TrimSpace(out) == "" {
			t.Fatalf("no answer to %q", text)
		}
	}
}

func TestHandoffAndConversationsList(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.say(t, maria, "quero falar com um atendente")
	cs, err := f.svc.Conversations(context.Background(), conversations.StatusWaitingAgent, 10)
	if err != nil || len(cs) != 1 || cs[0].Chat != maria {
		t.Fatalf("waiting conversations: %+v %v", cs, err)
	}
	// Already acknowledged: the bot stays quiet and the message waits for staff.
	rs, err := f.svc.Handle(context.Background(), bot.Inbound{Channel: bot.ChannelWebchat, Chat: maria,
		Event: conversations.Event{Kind: conversations.EventText, MessageID: "wait-1", Text: "oi? alguém? quanto devo?"}})
	if err != nil || len(rs) != 0 {
		t.Fatalf("bot went on while waiting for an agent: %s %v", joined(rs), err)
	}
	msgs, _ := f.svc.Messages(context.Background(), bot.ChannelWebchat, maria, 0, 100)
	if last := msgs[len(msgs)-1]; last.Direction != "in" || !strings.Contains(last.Text, "alguém") {
		t.Fatalf("the waiting message was not stored for staff: %+v", last)
	}
	if _, err := f.svc.Conversations(context.Background(), "nonsense", 10); payments.ErrorField(err) != "status" {
		t.Fatalf("bad status: %v", err)
	}
}

// Three wrong answers lock disclosure; losing the Redis session does not
// give fresh attempts.
func TestVerificationLockSurvivesRedisLoss(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.say(t, maria, "oi")
	for _, wrong := range []string{"999", "888", "777"} {
		f.say(t, maria, wrong)
	}
	flush(f.rdb, f.prefix)
	f.say(t, maria, "oi")
	out := joined(f.say(t, maria, "123")) // the right answer, too late
	if strings.Contains(out, "R$") || strings.Contains(out, "Maria") {
		t.Fatalf("disclosed after the lock: %s", out)
	}
	out = joined(f.say(t, maria, "1"))
	if strings.Contains(out, "R$") {
		t.Fatalf("disclosed after the lock: %s", out)
	}
}
