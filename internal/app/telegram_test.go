package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image/png"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/bot/telegram/telegramtest"
	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// tgService is the whole service with Telegram on, against a fake Bot API.
type tgService struct {
	*service
	fake *telegramtest.Server
}

// quick are Telegram's limits scaled down, so a conversation does not wait
// a second between messages; the burst test checks the real pacing.
var quick = telegram.Limits{PerChat: 10 * time.Millisecond, Window: 100 * time.Millisecond, Burst: 30}

// startTelegram starts the service (demo data, fixed clock) with
// REGUA_TELEGRAM_TOKEN and REGUA_TELEGRAM_API_URL pointing at a fake Bot
// API; with a secret, in webhook mode on a port known in advance, so that
// REGUA_PUBLIC_URL can name it.
func startTelegram(t *testing.T, secret string) *tgService {
	t.Helper()
	fake := telegramtest.New(t, telegramtest.Config{})
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true", "REGUA_REGUA_EVERY": "off",
		"REGUA_TELEGRAM_TOKEN": fake.Token, "REGUA_TELEGRAM_API_URL": fake.URL}
	if secret != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		vars["REGUA_HTTP_ADDR"], vars["REGUA_PUBLIC_URL"], vars["REGUA_TELEGRAM_WEBHOOK_SECRET"] = addr, "http://"+addr, secret
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, cfg.Location) }
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	if m.Telegram == nil {
		t.Fatal("REGUA_TELEGRAM_TOKEN set but no Telegram channel")
	}
	if !m.Telegram.Sender().SharesLimits() {
		t.Fatal("the Telegram limits are not shared through Redis across replicas")
	}
	m.Telegram.Sender().SetLimits(quick)
	if err := m.Start(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	key, err := httpapi.CreateAPIKey(context.Background(), m.Pool, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := fake.Violations(); len(v) > 0 {
			t.Errorf("the real Bot API would refuse: %q", v)
		}
	})
	return &tgService{service: &service{Main: m, key: key}, fake: fake}
}

// replies waits for the bot's answer to what u just did and returns it: the
// turn stores its replies before delivering them, so once a first message
// arrives, the stored replies say how many Telegram messages make the
// answer (two for a Pix: the photo and the code).
func (s *tgService) replies(t *testing.T, u telegramtest.User) []telegramtest.Message {
	t.Helper()
	before := len(s.fake.Messages(u.ID))
	s.fake.WaitMessages(t, u.ID, before+1, 10*time.Second)
	expected := func() int {
		rows, err := s.Pool.Query(context.Background(), `SELECT m.payload ? 'pix' FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.channel = 'telegram' AND c.chat = $1 AND m.direction = 'out'`, fmt.Sprint(u.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var pix bool
			rows.Scan(&pix)
			n++
			if pix {
				n++
			}
		}
		return n
	}
	return s.fake.WaitMessages(t, u.ID, expected(), 10*time.Second)[before:]
}

// tap taps the button containing label under the latest message that has
// buttons, and returns the replies.
func (s *tgService) tap(t *testing.T, u telegramtest.User, label string) []telegramtest.Message {
	t.Helper()
	msgs := s.fake.Messages(u.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, b := range msgs[i].Markup.Buttons() {
			if strings.Contains(b, label) {
				if _, err := s.fake.Tap(u, msgs[i], b); err != nil {
					t.Fatal(err)
				}
				return s.replies(t, u)
			}
		}
	}
	t.Fatalf("no button %q in the chat", label)
	return nil
}

func texts(ms []telegramtest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "[%s] %s %q\n", m.Method, m.Text, m.Markup.Buttons())
	}
	return b.String()
}

func (s *tgService) debtorID(t *testing.T, ext string) int64 {
	t.Helper()
	var id int64
	if err := s.Pool.QueryRow(context.Background(), "SELECT id FROM debtors WHERE external_id = $1", ext).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestTelegramConversation: a debtor of the demo data links her chat by
// sharing her own contact, verifies, sees her balance, gets the Pix as a
// QR photo and a monospace copia-e-cola, chooses a plan with buttons, asks
// for a person; an agent answers through the same sender; she blocks the
// bot and becomes unreachable on Telegram.
func TestTelegramConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startTelegram(t, "")
	ana := telegramtest.User{ID: 7003, FirstName: "Ana"}
	chat := "7003"

	// /start: who is talking, and a button to share her number.
	s.fake.Text(ana, "/start")
	got := s.replies(t, ana)
	first := got[0]
	if !strings.Contains(first.Text, "compartilhe seu número") || len(first.Markup.Keyboard) != 1 || !first.Markup.Keyboard[0][0].RequestContact {
		t.Fatalf("start:\n%s", texts(got))
	}

	// Her own contact links the chat, but discloses nothing yet.
	s.fake.Contact(ana, "+55 11 99900-0003", ana.ID)
	got = s.replies(t, ana)
	if !strings.Contains(got[0].Text, "3 primeiros números") || strings.Contains(got[0].Text, "Ana") || strings.Contains(got[0].Text, "R$") {
		t.Fatalf("after the contact:\n%s", texts(got))
	}
	if !got[0].Markup.Remove {
		t.Fatalf("the contact keyboard should go: %+v", got[0].Markup)
	}
	var linked *int64
	s.Pool.QueryRow(ctx, "SELECT debtor_id FROM conversations WHERE channel = 'telegram' AND chat = $1", chat).Scan(&linked)
	if linked == nil || *linked != s.debtorID(t, "cli-003") {
		t.Fatalf("chat linked to %v", linked)
	}

	// Verification, then the menu as buttons.
	s.fake.Text(ana, "111")
	got = s.replies(t, ana)
	last := got[len(got)-1]
	if !strings.Contains(got[0].Text, "Ana") || !slices.ContainsFunc(last.Markup.Buttons(), func(b string) bool { return strings.Contains(b, "Ver saldo") }) {
		t.Fatalf("after verifying:\n%s", texts(got))
	}

	// Balance by button.
	got = s.tap(t, ana, "Ver saldo")
	if !strings.Contains(got[0].Text, "Parcela do notebook") || !strings.Contains(got[0].Text, "Total hoje: R$") {
		t.Fatalf("balance:\n%s", texts(got))
	}

	// Pix by button: the QR as a photo with the text as caption, then the
	// copia-e-cola alone in a monospace block with a copy button.
	got = s.tap(t, ana, "Pagar com Pix")
	var photo, code *telegramtest.Message
	for i := range got {
		switch {
		case got[i].Method == "sendPhoto":
			photo = &got[i]
		case strings.HasPrefix(got[i].Text, "<code>"):
			code = &got[i]
		}
	}
	if photo == nil || code == nil {
		t.Fatalf("pix:\n%s", texts(got))
	}
	if !strings.Contains(photo.Text, "Pix de R$") {
		t.Fatalf("caption %q", photo.Text)
	}
	img, err := png.Decode(bytes.NewReader(photo.Photo))
	if err != nil || img.Bounds().Dx() < 256 {
		t.Fatalf("QR image: %v", err)
	}
	var payload string
	if err := s.Pool.QueryRow(ctx, "SELECT payload FROM pix_codes WHERE channel = 'telegram' AND chat = $1 ORDER BY id DESC LIMIT 1", chat).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if code.ParseMode != "HTML" || code.Text != "<code>"+html.EscapeString(payload)+"</code>" {
		t.Fatalf("copia-e-cola %q (%s), want the code of %q", code.Text, code.ParseMode, payload)
	}
	if len(code.Markup.Inline) == 0 || code.Markup.Inline[0][0].CopyText != payload {
		t.Fatalf("copy button %+v", code.Markup)
	}

	// A plan, chosen and confirmed with buttons; its first installment's Pix.
	s.fake.Text(ana, "quero parcelar")
	got = s.replies(t, ana)
	if !slices.ContainsFunc(got[len(got)-1].Markup.Buttons(), func(b string) bool { return strings.Contains(b, "2x") }) {
		t.Fatalf("offers:\n%s", texts(got))
	}
	got = s.tap(t, ana, "2x")
	if !strings.Contains(got[0].Text, "2 parcelas") {
		t.Fatalf("summary:\n%s", texts(got))
	}
	got = s.tap(t, ana, "Sim, fechar acordo")
	if !slices.ContainsFunc(got, func(m telegramtest.Message) bool {
		return m.Method == "sendPhoto" && strings.Contains(m.Text, "Acordo fechado")
	}) {
		t.Fatalf("plan accepted:\n%s", texts(got))
	}
	var plans int
	s.Pool.QueryRow(ctx, "SELECT count(*) FROM plans WHERE debtor_id = $1", s.debtorID(t, "cli-003")).Scan(&plans)
	if plans != 1 {
		t.Fatalf("%d plans", plans)
	}

	// A person.
	s.fake.Text(ana, "quero falar com uma pessoa")
	got = s.replies(t, ana)
	r := s.do(t, "GET", "/api/v1/conversations?status=waiting_agent", "")
	if !strings.Contains(r.raw, `"chat":"7003"`) {
		t.Fatalf("not waiting for an agent: %s\n%s", r.raw, texts(got))
	}
	// The agent's reply goes through the same sender.
	if err := s.Bot.Send(ctx, bot.ChannelTelegram, chat, bot.Reply{Text: "Oi, Ana! Aqui é a Carla, da equipe."}, "agent"); err != nil {
		t.Fatal(err)
	}
	if msgs := s.fake.Messages(ana.ID); msgs[len(msgs)-1].Text != "Oi, Ana! Aqui é a Carla, da equipe." {
		t.Fatalf("agent's message: %q", msgs[len(msgs)-1].Text)
	}

	// Every tap was answered.
	if len(s.fake.Answers()) != 4 {
		t.Fatalf("answered %d callback queries, want 4", len(s.fake.Answers()))
	}

	t.Logf("the conversation as Telegram received it:\n%s", texts(s.fake.Messages(ana.ID)))

	// She blocks the bot: the next message fails as blocked and she is
	// unreachable on Telegram, so the régua uses the other channel.
	s.fake.Block(ana)
	err = nil
	for range 100 {
		if err = s.Bot.Send(ctx, bot.ChannelTelegram, chat, bot.Reply{Text: "Lembrete"}, "bot"); errors.Is(err, telegram.ErrBlocked) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !errors.Is(err, telegram.ErrBlocked) {
		t.Fatalf("send after blocking: %v", err)
	}
	if _, ok, err := telegram.Reachable(ctx, s.Pool, s.debtorID(t, "cli-003")); ok || err != nil {
		t.Fatalf("still reachable (%v)", err)
	}
}

// TestTelegramSomeoneElsesContact: a contact card that is not the sender's
// own links nothing, and nothing is disclosed.
func TestTelegramSomeoneElsesContact(t *testing.T) {
	t.Parallel()
	s := startTelegram(t, "")
	eve := telegramtest.User{ID: 6660, FirstName: "Eva"}
	s.fake.Text(eve, "/start")
	s.replies(t, eve)
	s.fake.Contact(eve, "+5511999000003", 7003) // Ana's card, forwarded
	got := s.replies(t, eve)
	if !strings.Contains(got[0].Text, "seu próprio número") || !got[0].Markup.Keyboard[0][0].RequestContact {
		t.Fatalf("refusal:\n%s", texts(got))
	}
	s.fake.Contact(eve, "+5511999000003", 0) // a card without a Telegram account
	s.replies(t, eve)
	s.fake.Text(eve, "111") // Ana's answer, guessed
	got = s.replies(t, eve)
	var linked *int64
	s.Pool.QueryRow(context.Background(), "SELECT debtor_id FROM conversations WHERE channel = 'telegram' AND chat = '6660'").Scan(&linked)
	if linked != nil {
		t.Fatalf("linked to debtor %d", *linked)
	}
	for _, m := range s.fake.Messages(eve.ID) {
		if strings.Contains(m.Text, "Ana") || strings.Contains(m.Text, "R$") || strings.Contains(m.Text, "notebook") {
			t.Fatalf("disclosed: %q", m.Text)
		}
	}
	if !strings.Contains(got[0].Text, "Compartilhar meu telefone") {
		t.Fatalf("after a guess:\n%s", texts(got))
	}
}

// TestTelegramDeepLink: a reminder on another channel carries a deep link;
// opening it links the chat, and verification still comes first.
func TestTelegramDeepLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startTelegram(t, "")
	juliana := telegramtest.User{ID: 7007, FirstName: "Ju"}
	link, err := s.Telegram.DeepLink(ctx, s.debtorID(t, "cli-007"))
	if err != nil {
		t.Fatal(err)
	}
	tok, ok := strings.CutPrefix(link, "https://t.me/"+s.fake.Username+"?start=")
	if !ok {
		t.Fatalf("link %q", link)
	}
	s.fake.Text(juliana, "/start "+tok)
	got := s.replies(t, juliana)
	if !strings.Contains(got[0].Text, "3 primeiros números") || strings.Contains(got[0].Text, "Juliana") {
		t.Fatalf("after the link:\n%s", texts(got))
	}
	s.fake.Text(juliana, "205")
	got = s.replies(t, juliana)
	if !strings.Contains(got[0].Text, "Juliana") {
		t.Fatalf("after verifying:\n%s", texts(got))
	}

	// "Já paguei" and a photo of the receipt: it goes to staff.
	s.fake.Text(juliana, "já paguei")
	s.replies(t, juliana)
	file := s.fake.Photo(juliana, "comprovante")
	s.replies(t, juliana)
	var kind, ref string
	if err := s.Pool.QueryRow(ctx, "SELECT media_kind, media_ref FROM receipts WHERE debtor_id = $1", s.debtorID(t, "cli-007")).Scan(&kind, &ref); err != nil {
		t.Fatalf("no receipt for staff: %v\n%s", err, texts(s.fake.Messages(juliana.ID)))
	}
	if kind != "image" || ref != file {
		t.Fatalf("receipt %s %q, want image %q", kind, ref, file)
	}

	// Spent: opening it again from another account links nothing.
	other := telegramtest.User{ID: 7008, FirstName: "X"}
	s.fake.Text(other, "/start "+tok)
	got = s.replies(t, other)
	if !strings.Contains(got[0].Text, "compartilhe seu número") {
		t.Fatalf("a spent link:\n%s", texts(got))
	}

	// A link for someone else, opened in Juliana's verified chat: the chat
	// now belongs to that debtor, and what Juliana verified does not carry
	// over (linking is not verification).
	link, err = s.Telegram.DeepLink(ctx, s.debtorID(t, "cli-003"))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ = strings.CutPrefix(link, "https://t.me/"+s.fake.Username+"?start=")
	s.fake.Text(juliana, "/start "+tok)
	got = s.replies(t, juliana)
	if !strings.Contains(got[0].Text, "3 primeiros números") {
		t.Fatalf("after another debtor's link:\n%s", texts(got))
	}
	s.fake.Text(juliana, "ver saldo")
	got = s.replies(t, juliana)
	for _, m := range got {
		if strings.Contains(m.Text, "R$") || strings.Contains(m.Text, "Ana") || strings.Contains(m.Text, "moto") {
			t.Fatalf("disclosed before verification:\n%s", texts(got))
		}
	}
}

// TestTelegramWebhookSecret: in webhook mode, setWebhook names
// REGUA_PUBLIC_URL + /webhooks/telegram with the secret; a request with a
// wrong or missing secret is refused with 401 and nothing is processed.
func TestTelegramWebhookSecret(t *testing.T) {
	t.Parallel()
	s := startTelegram(t, "regua-webhook-secret_1")
	if !s.fake.Wait(10*time.Second, func() bool { u, _ := s.fake.Webhook(); return u != "" }) {
		t.Fatal("setWebhook was not called")
	}
	url, secret := s.fake.Webhook()
	if url != s.Config.PublicURL+"/webhooks/telegram" || secret != "regua-webhook-secret_1" {
		t.Fatalf("webhook %q %q", url, secret)
	}
	body := `{"update_id":1,"message":{"message_id":1,"from":{"id":6661,"is_bot":false,"first_name":"M"},"chat":{"id":6661,"type":"private","first_name":"M"},"date":1795000000,"text":"/start"}}`
	for _, header := range []string{"", "wrong", "regua-webhook-secret_"} {
		req, _ := http.NewRequest("POST", s.URL()+"/webhooks/telegram", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", header)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("secret %q: %d", header, res.StatusCode)
		}
	}
	// Telegram itself, with the secret, gets through.
	u := telegramtest.User{ID: 6662, FirstName: "N"}
	s.fake.Text(u, "/start")
	s.replies(t, u)
	var n int
	s.Pool.QueryRow(context.Background(), "SELECT count(*) FROM conversations WHERE channel = 'telegram' AND chat = '6661'").Scan(&n)
	if n != 0 || len(s.fake.Messages(6661)) != 0 {
		t.Fatalf("a forged update was processed (%d conversations)", n)
	}
}

// TestTelegramReminderBurst: 200 messages to 100 chats through the
// service's Send (as reminders and agents' messages go), with 429s
// injected: each arrives exactly once, within the limits, measured at the
// fake server. Telegram's limits run ten times faster here.
func TestTelegramReminderBurst(t *testing.T) {
	t.Parallel()
	s := startTelegram(t, "")
	limits := telegram.Limits{PerChat: 100 * time.Millisecond, Window: 100 * time.Millisecond, Burst: 30}
	s.Telegram.Sender().SetLimits(limits)
	s.fake.Fail429Every(10, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for c := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := fmt.Sprint(8000 + c)
			for k := range 2 {
				if err := s.Bot.Send(ctx, bot.ChannelTelegram, chat, bot.Reply{Text: fmt.Sprintf("Lembrete %d para %s", k, chat)}, "bot"); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all := s.fake.All()
	count := map[string]int{}
	last := map[int64]time.Time{}
	var at []time.Time
	for _, m := range all {
		count[m.Text]++
		if prev, ok := last[m.Chat]; ok && m.At.Sub(prev) < limits.PerChat {
			t.Fatalf("chat %d: %s between two messages", m.Chat, m.At.Sub(prev))
		}
		last[m.Chat] = m.At
		at = append(at, m.At)
	}
	if len(all) != 200 || len(count) != 200 {
		t.Fatalf("%d messages, %d distinct", len(all), len(count))
	}
	busiest := 0
	for i, j := 0, 0; i < len(at); i++ {
		for j < len(at) && at[j].Sub(at[i]) < limits.Window {
			j++
		}
		busiest = max(busiest, j-i)
	}
	if busiest > limits.Burst {
		t.Fatalf("%d messages within %s", busiest, limits.Window)
	}
	var stored int
	s.Pool.QueryRow(ctx, "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.channel = 'telegram' AND m.direction = 'out'").Scan(&stored)
	if stored != 200 {
		t.Fatalf("%d messages stored", stored)
	}
	refused := 0
	for _, r := range s.fake.Requests() {
		if r.Status == 429 {
			refused++
		}
	}
	t.Logf("200 messages to 100 chats through bot.Service.Send with %d 429s: %s; busiest %s: %d (limit %d)",
		refused, took.Round(time.Millisecond), limits.Window, busiest, limits.Burst)
}
