package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/bot/telegram/telegramtest"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// fakeService stands in for the conversation service: it records what the
// channel asks and answers with reply.
type fakeService struct {
	mu      sync.Mutex
	handled []bot.Inbound
	links   []string
	sent    []bot.Reply
	sender  bot.Sender
	reply   func(in bot.Inbound) ([]bot.Reply, error)
}

func (f *fakeService) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	f.mu.Lock()
	for _, h := range f.handled {
		if h.Chat == in.Chat && h.MessageID == in.MessageID {
			f.mu.Unlock()
			return nil, bot.ErrDuplicate
		}
	}
	f.handled = append(f.handled, in)
	reply := f.reply
	f.mu.Unlock()
	if reply == nil {
		return nil, nil
	}
	return reply(in)
}

func (f *fakeService) Send(ctx context.Context, channel, chat string, r bot.Reply, sender string) error {
	f.mu.Lock()
	f.sent = append(f.sent, r)
	f.mu.Unlock()
	return f.sender.Send(ctx, chat, r)
}

func (f *fakeService) LinkChat(ctx context.Context, channel, chat string, debtorID int64) error {
	f.mu.Lock()
	f.links = append(f.links, fmt.Sprintf("%s:%s:%d", channel, chat, debtorID))
	f.mu.Unlock()
	return nil
}

func (f *fakeService) setReply(fn func(in bot.Inbound) ([]bot.Reply, error)) {
	f.mu.Lock()
	f.reply = fn
	f.mu.Unlock()
}

func (f *fakeService) inbound() []bot.Inbound {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.handled)
}

func (f *fakeService) waitHandled(t *testing.T, n int) []bot.Inbound {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if in := f.inbound(); len(in) >= n {
			return in
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("handled %d messages, want %d: %+v", len(f.inbound()), n, f.inbound())
	return nil
}

type fixture struct {
	fake *telegramtest.Server
	ch   *telegram.Channel
	svc  *fakeService
	pool *pgxpool.Pool
	hook string // the webhook's URL, in webhook mode
}

var fast = telegram.Limits{PerChat: 5 * time.Millisecond, Window: 10 * time.Millisecond, Burst: 30}

// setup starts a channel against a fake Bot API: long polling, or the
// webhook with secret.
func setup(t *testing.T, secret string) *fixture {
	t.Helper()
	f := &fixture{fake: telegramtest.New(t, telegramtest.Config{}), svc: &fakeService{}, pool: pgtest.NewPool(t)}
	cfg := telegram.Config{Token: f.fake.Token, APIURL: f.fake.URL, Service: f.svc, Pool: f.pool, Limits: fast, WebhookSecret: secret}
	mux := http.NewServeMux()
	if secret != "" {
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		cfg.PublicURL = srv.URL
		f.hook = srv.URL + telegram.WebhookPath
	}
	ch, err := telegram.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		mux.Handle("POST "+telegram.WebhookPath, ch.WebhookHandler())
	}
	f.ch, f.svc.sender = ch, ch.Sender()
	if err := ch.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.Close)
	t.Cleanup(func() {
		if v := f.fake.Violations(); len(v) > 0 {
			t.Errorf("wire-format violations: %q", v)
		}
	})
	return f
}

var (
	ana   = telegramtest.User{ID: 4201, FirstName: "Ana"}
	bruno = telegramtest.User{ID: 4202, FirstName: "Bruno"}
)

func menu(labels ...string) []conversations.Option {
	var out []conversations.Option
	for i, l := range labels {
		out = append(out, conversations.Option{Key: strconv.Itoa(i + 1), Label: l})
	}
	return out
}

// Messages of one chat are handled one at a time in the order sent, even
// when the service takes a variable time; chats do not wait for each other.
func TestMessagesOfAChatInOrder(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) {
		time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
		return []bot.Reply{{Text: "eco " + in.Text}}, nil
	})
	for i := range 15 {
		f.fake.Text(ana, fmt.Sprint("a", i))
		f.fake.Text(bruno, fmt.Sprint("b", i))
	}
	in := f.svc.waitHandled(t, 30)
	var a, b []string
	for _, m := range in {
		switch m.Chat {
		case "4201":
			a = append(a, m.Text)
		case "4202":
			b = append(b, m.Text)
		}
	}
	for i := range 15 {
		if a[i] != fmt.Sprint("a", i) || b[i] != fmt.Sprint("b", i) {
			t.Fatalf("out of order:\n%q\n%q", a, b)
		}
	}
	msgs := f.fake.WaitMessages(t, ana.ID, 15, 5*time.Second)
	for i, m := range msgs {
		if m.Text != fmt.Sprint("eco a", i) {
			t.Fatalf("reply %d: %q", i, m.Text)
		}
	}
}

func TestButtons(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	replies := map[string][]bot.Reply{
		"/start": {{Text: "Como posso ajudar?", Options: menu("Ver saldo", "Pagar com Pix")}},
		"1":      {{Text: "Seu saldo: R$ 10,00"}},
		"again":  {{Text: "De novo:", Options: menu("Ver saldo", "Pagar com Pix")}},
		"other":  {{Text: "Outro menu:", Options: menu("Sim", "Não")}},
	}
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) { return replies[in.Text], nil })

	f.fake.Text(ana, "/start")
	first := f.fake.WaitMessages(t, ana.ID, 1, 5*time.Second)[0]
	if got := first.Markup.Buttons(); !slices.Equal(got, []string{"1. Ver saldo", "2. Pagar com Pix"}) {
		t.Fatalf("buttons %q", got)
	}

	// A button of the current menu is the typed option, and is answered.
	cb, err := f.fake.Tap(ana, first, "1. Ver saldo")
	if err != nil {
		t.Fatal(err)
	}
	in := f.svc.waitHandled(t, 2)
	if in[1].Text != "1" || in[1].MessageID != "cb:"+cb || in[1].Kind != conversations.EventText {
		t.Fatalf("tap handled as %+v", in[1])
	}
	f.fake.WaitMessages(t, ana.ID, 2, 5*time.Second)
	if !f.fake.Wait(5*time.Second, func() bool { return slices.Contains(f.fake.Answers(), telegramtest.Answer{ID: cb}) }) {
		t.Fatalf("answers %+v", f.fake.Answers())
	}

	// The latest message has no buttons: the old one expired.
	cb2, _ := f.fake.Tap(ana, first, "2. Pagar com Pix")
	msgs := f.fake.WaitMessages(t, ana.ID, 3, 5*time.Second)
	if msgs[2].Text != "Esse botão expirou. Se precisar de algo, é só escrever (ou envie MENU para ver as opções)." {
		t.Fatalf("expired: %q", msgs[2].Text)
	}
	if !slices.Contains(f.fake.Answers(), telegramtest.Answer{ID: cb2, Text: "Esse botão expirou."}) {
		t.Fatalf("answers %+v", f.fake.Answers())
	}
	if n := len(f.svc.inbound()); n != 2 {
		t.Fatalf("an expired button reached the conversation (%d)", n)
	}

	// The same options are on offer again: an old button still means what
	// it says.
	f.fake.Text(ana, "again")
	f.fake.WaitMessages(t, ana.ID, 4, 5*time.Second)
	f.fake.Tap(ana, first, "2. Pagar com Pix")
	if in := f.svc.waitHandled(t, 4); in[3].Text != "2" {
		t.Fatalf("stale but valid tap: %+v", in[3])
	}

	// Different options now: the old button expired, the current menu is
	// shown again.
	f.fake.Text(ana, "other")
	f.fake.WaitMessages(t, ana.ID, 5, 5*time.Second)
	f.fake.Tap(ana, first, "1. Ver saldo")
	msgs = f.fake.WaitMessages(t, ana.ID, 6, 5*time.Second)
	if msgs[5].Text != "Esse botão expirou. Estas são as opções de agora:" || !slices.Equal(msgs[5].Markup.Buttons(), []string{"1. Sim", "2. Não"}) {
		t.Fatalf("expired with menu: %q %q", msgs[5].Text, msgs[5].Markup.Buttons())
	}
	// And the re-sent menu works.
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) { return []bot.Reply{{Text: "ok " + in.Text}}, nil })
	f.fake.Tap(ana, msgs[5], "2. Não")
	if in := f.svc.waitHandled(t, 6); in[5].Text != "2" {
		t.Fatalf("tap on the re-sent menu: %+v", in[5])
	}
	// Forged data never reaches the conversation.
	f.fake.TapData(ana, msgs[5], "m:forged:1")
	f.fake.WaitMessages(t, ana.ID, 8, 5*time.Second)
	if n := len(f.svc.inbound()); n != 6 {
		t.Fatalf("forged callback handled (%d)", n)
	}
}

func TestContacts(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) {
		return []bot.Reply{{Text: "Obrigado! Quais são os 3 primeiros números do seu CPF?"}}, nil
	})
	// Someone else's card links nothing and asks for the person's own.
	f.fake.Contact(ana, "+55 11 99900-0003", bruno.ID)
	m := f.fake.WaitMessages(t, ana.ID, 1, 5*time.Second)[0]
	if !strings.Contains(m.Text, "seu próprio número") || len(m.Markup.Keyboard) != 1 || !m.Markup.Keyboard[0][0].RequestContact {
		t.Fatalf("refusal %q %+v", m.Text, m.Markup)
	}
	if n := len(f.svc.inbound()); n != 0 {
		t.Fatalf("someone else's contact reached the conversation")
	}
	// Their own: a contact event with the number in E.164, and the
	// keyboard goes away with the next message.
	f.fake.Contact(ana, "5511999000003", ana.ID)
	in := f.svc.waitHandled(t, 1)[0]
	if in.Kind != conversations.EventContact || in.Phone != "+5511999000003" || in.Chat != "4201" {
		t.Fatalf("%+v", in)
	}
	m = f.fake.WaitMessages(t, ana.ID, 2, 5*time.Second)[1]
	if !m.Markup.Remove {
		t.Fatalf("keyboard not removed: %+v", m.Markup)
	}
}

func TestMediaGroupsAndEdits(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) { return []bot.Reply{{Text: "recebido"}}, nil })
	photo := f.fake.Photo(ana, "comprovante")
	doc := f.fake.Document(ana, "pix.pdf", "")
	f.fake.Sticker(ana)
	f.fake.Voice(ana)
	id := f.fake.Text(ana, "oi")
	f.fake.Edit(ana, id, "oi, tudo bem?")
	f.fake.GroupText(bruno, -100, "/start")
	f.fake.GroupText(bruno, -100, "bom dia a todos")
	f.fake.Text(ana, "fim")

	in := f.svc.waitHandled(t, 6)
	want := []struct{ kind, media, ref, text string }{
		{"media", "image", photo, "comprovante"}, {"media", "document", doc, ""}, {"media", "sticker", "sticker-1", ""},
		{"media", "voice", "voice-1", ""}, {"text", "", "", "oi"}, {"text", "", "", "fim"},
	}
	for i, w := range want {
		if string(in[i].Kind) != w.kind || in[i].MediaKind != w.media || in[i].MediaRef != w.ref || in[i].Text != w.text {
			t.Fatalf("%d: %+v, want %+v", i, in[i], w)
		}
	}
	group := f.fake.WaitMessages(t, -100, 1, 5*time.Second)
	if len(group) != 1 || !strings.Contains(group[0].Text, "conversa privada") {
		t.Fatalf("group: %+v", group)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(f.svc.inbound()); n != 6 {
		t.Fatalf("%d handled: the edit or the group reached the conversation", n)
	}
}

func TestDeepLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, "")
	id := debtor(t, f.pool, "d1", "")
	tok, err := telegram.NewLinkToken(ctx, f.pool, id)
	if err != nil {
		t.Fatal(err)
	}
	if link, err := f.ch.DeepLink(ctx, id); err != nil || !strings.HasPrefix(link, "https://t.me/regua_test_bot?start=") {
		t.Fatalf("%q %v", link, err)
	}
	f.fake.Text(ana, "/start "+tok)
	in := f.svc.waitHandled(t, 1)[0]
	if in.Text != "/start" {
		t.Fatalf("the token must not reach the conversation: %q", in.Text)
	}
	want := fmt.Sprintf("telegram:4201:%d", id)
	// Single use: the same link opened by someone else links nothing.
	f.fake.Text(bruno, "/start "+tok)
	// Expired: nothing either.
	old, _ := telegram.NewLinkToken(ctx, f.pool, id)
	f.pool.Exec(ctx, "UPDATE telegram_link_tokens SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE used_at IS NULL")
	f.fake.Text(bruno, "/start "+old)
	f.svc.waitHandled(t, 3)
	f.svc.mu.Lock()
	links := slices.Clone(f.svc.links)
	f.svc.mu.Unlock()
	if !slices.Equal(links, []string{want}) {
		t.Fatalf("links %q, want [%s]", links, want)
	}
}

func TestBlockAndUnblock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, "")
	id := debtor(t, f.pool, "d1", "4201")
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) { return []bot.Reply{{Text: "oi"}}, nil })
	blocked := func() bool {
		var at *time.Time
		f.pool.QueryRow(ctx, "SELECT telegram_blocked_at FROM debtors WHERE id = $1", id).Scan(&at)
		return at != nil
	}
	waitFor := func(want bool) {
		t.Helper()
		for range 500 {
			if blocked() == want {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("blocked = %v, want %v", blocked(), want)
	}
	f.fake.Block(ana)
	waitFor(true)
	if _, ok, _ := telegram.Reachable(ctx, f.pool, id); ok {
		t.Fatal("reachable after blocking")
	}
	f.fake.Unblock(ana)
	waitFor(false)
	// Blocked by a 403 on a reminder, cleared by the person writing again.
	f.fake.SetBlocked(ana.ID, true)
	if err := f.ch.Sender().Send(ctx, "4201", bot.Reply{Text: "Lembrete"}); !errors.Is(err, telegram.ErrBlocked) {
		t.Fatal(err)
	}
	waitFor(true)
	f.fake.SetBlocked(ana.ID, false)
	f.fake.Text(ana, "voltei")
	waitFor(false)
	if chat, ok, _ := telegram.Reachable(ctx, f.pool, id); !ok || chat != "4201" {
		t.Fatalf("not reachable again: %q", chat)
	}
}

func TestServiceErrorIsNotSilence(t *testing.T) {
	t.Parallel()
	f := setup(t, "")
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) { return nil, errors.New("postgres is down") })
	f.fake.Text(ana, "oi")
	m := f.fake.WaitMessages(t, ana.ID, 1, 5*time.Second)[0]
	if !strings.Contains(m.Text, "tente de novo") && !strings.Contains(m.Text, "tentar de novo") {
		t.Fatalf("%q", m.Text)
	}
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	f := setup(t, "s3cr3t_Token-1")
	f.svc.setReply(func(in bot.Inbound) ([]bot.Reply, error) { return []bot.Reply{{Text: "eco " + in.Text}}, nil })
	if url, secret := f.fake.Webhook(); url == "" {
		// setWebhook runs in the background at start.
		if !f.fake.Wait(5*time.Second, func() bool { u, _ := f.fake.Webhook(); return u != "" }) {
			t.Fatal("no webhook set")
		}
	} else if url != f.hook || secret != "s3cr3t_Token-1" {
		t.Fatalf("webhook %q %q", url, secret)
	}
	if url, secret := f.fake.Webhook(); url != f.hook || secret != "s3cr3t_Token-1" {
		t.Fatalf("webhook %q %q", url, secret)
	}

	// Telegram, with the secret: handled.
	f.fake.Text(ana, "oi")
	if m := f.fake.WaitMessages(t, ana.ID, 1, 5*time.Second); m[0].Text != "eco oi" {
		t.Fatalf("%q", m[0].Text)
	}

	// Anyone else: 401, nothing processed.
	body := `{"update_id":99,"message":{"message_id":1,"from":{"id":4202,"is_bot":false,"first_name":"B"},"chat":{"id":4202,"type":"private"},"date":1795000000,"text":"oi"}}`
	for _, secret := range []string{"", "wrong", "s3cr3t_Token-"} {
		req, _ := http.NewRequest("POST", f.hook, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set(telegram.SecretHeader, secret)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("secret %q: %d", secret, res.StatusCode)
		}
	}
	time.Sleep(100 * time.Millisecond)
	for _, in := range f.svc.inbound() {
		if in.Chat == "4202" {
			t.Fatal("a request without the secret was processed")
		}
	}
	if n := len(f.fake.Messages(bruno.ID)); n != 0 {
		t.Fatalf("%d messages to the forger's chat", n)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	svc := &fakeService{}
	pool := &pgxpool.Pool{}
	for _, tc := range []struct {
		cfg  telegram.Config
		want string
	}{
		{telegram.Config{Service: svc, Pool: pool}, "REGUA_TELEGRAM_TOKEN"},
		{telegram.Config{Token: "1:a", Service: svc, Pool: pool, WebhookSecret: "not allowed!"}, "REGUA_TELEGRAM_WEBHOOK_SECRET"},
		{telegram.Config{Token: "1:a", Service: svc, Pool: pool, WebhookSecret: strings.Repeat("a", 257)}, "REGUA_TELEGRAM_WEBHOOK_SECRET"},
	} {
		if _, err := telegram.New(tc.cfg); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
	}
	// A token Telegram refuses stops start-up.
	fake := telegramtest.New(t, telegramtest.Config{})
	ch, err := telegram.New(telegram.Config{Token: "1:wrong", APIURL: fake.URL, Service: svc, Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Start(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "REGUA_TELEGRAM_TOKEN") {
		t.Fatalf("start with a refused token: %v", err)
	}
}
