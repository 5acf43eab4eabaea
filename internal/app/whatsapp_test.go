package app_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/whatsapp"
	"github.com/regua/regua/bot/whatsapp/whatsapptest"
	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// waService is the whole service with WhatsApp on, through a fake of the
// narrow Client interface (whatsmeow cannot be faked on the wire).
type waService struct {
	*service
	fake *whatsapptest.Fake
}

// quickBudgets are the governor's budgets scaled down so that a
// conversation does not wait seconds between messages; the governor's own
// tests check the real pacing.
var quickBudgets = whatsapp.Budgets{Gap: 40 * time.Millisecond, Jitter: 10 * time.Millisecond, ReplyGap: 10 * time.Millisecond,
	PerMinute: 5000, PerHour: 50000, PerDay: 500000, StartedDay: 1000, WarmupStart: 1000, ColdPerDay: 1000}

func startWhatsApp(t *testing.T, b whatsapp.Budgets) *waService {
	t.Helper()
	s := startWhatsAppWith(t, b, whatsapptest.New("5511888000000"))
	waitFor(t, func() bool {
		ok, state := s.WhatsApp.Usable(context.Background())
		return ok && state == whatsapp.StateConnected && s.WhatsApp.Holding()
	})
	return s
}

// startWhatsAppWith starts the service on fake without waiting for it to connect.
func startWhatsAppWith(t *testing.T, b whatsapp.Budgets, fake *whatsapptest.Fake) *waService {
	t.Helper()
	// The régua's planner off: these tests say exactly what each chat
	// gets; the régua's path (bot.Service.Deliver) is exercised directly.
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0", "REGUA_DEMO": "true",
		"REGUA_WHATSAPP": "on", "REGUA_REGUA_EVERY": "off"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	// A clock that moves (the governor spaces messages) from a fixed day.
	base, started := time.Date(2026, 11, 23, 10, 0, 0, 0, cfg.Location), time.Now()
	now := func() time.Time { return base.Add(time.Since(started)) }
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	if m.WhatsApp == nil {
		t.Fatal("REGUA_WHATSAPP=on but no WhatsApp channel")
	}
	m.WhatsAppClient = func(context.Context) (whatsapp.Client, error) { return fake, nil }
	m.WhatsApp.SetBudgets(b)
	if err := m.Start(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	key, err := httpapi.CreateAPIKey(context.Background(), m.Pool, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &waService{service: &service{Main: m, key: key}, fake: fake}
}

// settle waits until what was said has been answered: something new was
// sent, nothing is queued, and nothing more came for a short while.
func (s *waService) settle(t *testing.T, before int) []whatsapptest.Sent {
	t.Helper()
	s.fake.WaitSent(t, before+1, 15*time.Second)
	last, quiet := len(s.fake.Sent()), time.Now()
	for time.Since(quiet) < 300*time.Millisecond {
		time.Sleep(20 * time.Millisecond)
		var queued int
		s.Pool.QueryRow(context.Background(), "SELECT count(*) FROM whatsapp_outbox WHERE status = 'queued'").Scan(&queued)
		if n := len(s.fake.Sent()); n != last || queued > 0 {
			last, quiet = n, time.Now()
		}
	}
	return s.fake.Sent()[before:]
}

func (s *waService) say(t *testing.T, phone, text string) []whatsapptest.Sent {
	t.Helper()
	before := len(s.fake.Sent())
	s.fake.Text(phone, text)
	return s.settle(t, before)
}

func sentTexts(ms []whatsapptest.Sent) string {
	var b strings.Builder
	for _, m := range ms {
		kind := "text"
		if m.Image {
			kind = "image"
		}
		fmt.Fprintf(&b, "[%s to %s] %q\n", kind, m.To.User, m.Text)
	}
	return b.String()
}

// TestWhatsAppConversation: a debtor of the demo data writes on WhatsApp,
// is verified, asks for her balance and a Pix, and every reply leaves in
// order through the governor: the QR image with its caption, then the
// copia-e-cola alone. Receipts are kept; a message typed on the paired
// phone takes the conversation over; a logout stops WhatsApp.
func TestWhatsAppConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startWhatsApp(t, quickBudgets)
	const maria = "5511999000001"

	got := s.say(t, maria, "oi")
	if !strings.Contains(got[0].Text, "3 primeiros") || strings.Contains(sentTexts(got), "R$") {
		t.Fatalf("before verification:\n%s", sentTexts(got))
	}
	if len(s.fake.Read()) != 1 || s.fake.Typing() != 1 {
		t.Fatalf("marked read: %v; composing %d", s.fake.Read(), s.fake.Typing())
	}
	got = s.say(t, maria, "123")
	if !strings.Contains(sentTexts(got), "Maria") || !strings.Contains(sentTexts(got), "1. Ver saldo") {
		t.Fatalf("after verifying:\n%s", sentTexts(got))
	}
	got = s.say(t, maria, "1")
	if !strings.Contains(sentTexts(got), "Total hoje: R$") {
		t.Fatalf("balance:\n%s", sentTexts(got))
	}
	got = s.say(t, maria, "quero pagar com pix")
	if !strings.Contains(sentTexts(got), "3. Tudo") {
		t.Fatalf("which charge:\n%s", sentTexts(got))
	}
	got = s.say(t, maria, "3")
	var qr, code int = -1, -1
	var payload string
	if err := s.Pool.QueryRow(ctx, "SELECT payload FROM pix_codes WHERE channel = 'whatsapp' AND chat = $1 ORDER BY id DESC LIMIT 1", "+"+maria).Scan(&payload); err != nil {
		t.Fatalf("no Pix code issued: %v\n%s", err, sentTexts(got))
	}
	for i, m := range got {
		switch {
		case m.Image:
			qr = i
		case m.Text == payload:
			code = i
		}
	}
	if qr < 0 || code != qr+1 || !strings.Contains(got[qr].Text, "R$") {
		t.Fatalf("pix (QR %d, code %d):\n%s", qr, code, sentTexts(got))
	}
	if img, err := png.Decode(bytes.NewReader(got[qr].PNG)); err != nil || img.Bounds().Dx() < 256 {
		t.Fatalf("QR image: %v", err)
	}
	// Everything went through the outbox, in order, as replies, and the
	// governor counted each send.
	all := s.fake.Sent()
	log, err := whatsapp.Log(ctx, s.Pool, "+"+maria)
	if err != nil || len(log) != len(all) {
		t.Fatalf("outbox has %d rows for %d sends (%v)", len(log), len(all), err)
	}
	for i := range all {
		if log[i].WAID != all[i].ID || log[i].Status != whatsapp.StatusSent || log[i].Priority != whatsapp.PriorityReply {
			t.Fatalf("send %d: outbox %+v, sent %s", i, log[i], all[i].ID)
		}
	}
	st, _ := s.WhatsApp.Governor().State(ctx, "5511888000000")
	if st.DayN != len(all) {
		t.Fatalf("governor counted %d of %d sends", st.DayN, len(all))
	}

	// Receipts: delivered, then read.
	s.fake.Emit(&events.Receipt{MessageSource: types.MessageSource{Chat: types.NewJID(maria, types.DefaultUserServer)},
		MessageIDs: []string{all[0].ID, all[1].ID}, Type: types.ReceiptTypeRead, Timestamp: time.Now()})
	waitFor(t, func() bool {
		log, _ = whatsapp.Log(ctx, s.Pool, "+"+maria)
		return log[0].Status == whatsapp.StatusRead && log[1].Status == whatsapp.StatusRead && log[2].Status == whatsapp.StatusSent
	})

	// A receipt image is downloaded and kept for staff.
	s.say(t, maria, "já paguei")
	s.fake.SetMedia("comprovante", []byte("\xff\xd8\xff fake jpeg"))
	before := len(s.fake.Sent())
	s.fake.Message(types.NewJID(maria, types.DefaultUserServer), &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Caption: proto.String("comprovante"), Mimetype: proto.String("image/jpeg"), FileLength: proto.Uint64(13)}}, nil)
	got = s.settle(t, before)
	var ref string
	if err := s.Pool.QueryRow(ctx, "SELECT media_ref FROM receipts ORDER BY id DESC LIMIT 1").Scan(&ref); err != nil || !strings.HasPrefix(ref, "whatsapp-media:") {
		t.Fatalf("receipt %q %v:\n%s", ref, err, sentTexts(got))
	}
	var data []byte
	s.Pool.QueryRow(ctx, "SELECT data FROM whatsapp_media WHERE id = $1", strings.TrimPrefix(ref, "whatsapp-media:")).Scan(&data)
	if string(data) != "\xff\xd8\xff fake jpeg" {
		t.Fatalf("kept %q", data)
	}
	r := s.do(t, "GET", "/api/v1/whatsapp/media/"+strings.TrimPrefix(ref, "whatsapp-media:"), "")
	if r.status != 200 || r.raw != "\xff\xd8\xff fake jpeg" || r.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("media through the API: %d %q %s", r.status, r.raw, r.header.Get("Content-Type"))
	}
	if r := s.do(t, "GET", "/api/v1/whatsapp/media/999999", ""); r.status != 404 {
		t.Fatalf("missing media: %d", r.status)
	}

	// A 50 MB document is refused, and said so, without downloading it.
	before = len(s.fake.Sent())
	s.fake.Message(types.NewJID(maria, types.DefaultUserServer), &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		FileName: proto.String("extrato.pdf"), FileLength: proto.Uint64(50 << 20)}}, nil)
	got = s.settle(t, before)
	if len(got) != 1 || !strings.Contains(got[0].Text, "grande demais") {
		t.Fatalf("50 MB document:\n%s", sentTexts(got))
	}

	// An edit and a deletion are recorded, not run again.
	before = len(s.fake.Sent())
	s.fake.Message(types.NewJID(maria, types.DefaultUserServer), &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: &waCommon.MessageKey{ID: proto.String("3EB0FAKE00000003")},
		EditedMessage: &waE2E.Message{Conversation: proto.String("2")}}}, nil)
	s.fake.Message(types.NewJID(maria, types.DefaultUserServer), &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("3EB0FAKE00000003")}}}, nil)
	waitFor(t, func() bool {
		var n int
		s.Pool.QueryRow(ctx, "SELECT count(*) FROM whatsapp_changes WHERE chat = $1 AND wa_id = '3EB0FAKE00000003' AND kind IN ('edited', 'deleted')", "+"+maria).Scan(&n)
		return n == 2
	})
	time.Sleep(200 * time.Millisecond)
	if len(s.fake.Sent()) != before {
		t.Fatalf("an edit was answered:\n%s", sentTexts(s.fake.Sent()[before:]))
	}

	// Régua's own message echoed from the phone changes nothing...
	var convID int64
	s.Pool.QueryRow(ctx, "SELECT id FROM conversations WHERE channel = 'whatsapp' AND chat = $1", "+"+maria).Scan(&convID)
	own := func(id string) func(*types.MessageInfo) {
		return func(i *types.MessageInfo) { i.ID, i.IsFromMe, i.Sender = id, true, s.fake.Self }
	}
	s.fake.Message(types.NewJID(maria, types.DefaultUserServer), &waE2E.Message{Conversation: proto.String(all[0].Text)}, own(all[0].ID))
	time.Sleep(200 * time.Millisecond)
	if ref, _ := s.Bot.ConversationByID(ctx, convID); ref.Status != "bot" {
		t.Fatalf("Régua's own echo took the chat over: %s", ref.Status)
	}
	// ...a message typed on the phone by a person at the business takes it over.
	s.fake.Message(types.NewJID(maria, types.DefaultUserServer), &waE2E.Message{Conversation: proto.String("Oi Maria, aqui é a Ana")}, own("PHONE0001"))
	waitFor(t, func() bool { ref, _ := s.Bot.ConversationByID(ctx, convID); return ref.Status == "with_agent" })
	waitFor(t, func() bool {
		var n int
		s.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'conversation.takeover' AND subject = $1", fmt.Sprint(convID)).Scan(&n)
		return n == 1
	})
	before = len(s.fake.Sent())
	reads := len(s.fake.Read())
	s.fake.Text(maria, "oi, Ana")
	time.Sleep(500 * time.Millisecond)
	if n := len(s.fake.Sent()); n != before {
		t.Fatalf("the bot spoke in a chat held by a person:\n%s", sentTexts(s.fake.Sent()[before:]))
	}
	if len(s.fake.Read()) != reads {
		t.Fatal("a message for the person holding the chat was marked read")
	}
	// Released through the API, the bot answers again.
	if r := s.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/release", convID), ""); r.status >= 300 {
		t.Fatalf("release: %d %s", r.status, r.raw)
	}
	s.say(t, maria, "menu")

	// Logged out from the phone: WhatsApp stops, staff hear, /readyz
	// degrades, and senders are told to use another channel.
	s.fake.Emit(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	waitFor(t, func() bool { ok, _ := s.WhatsApp.Usable(ctx); return !ok })
	var alerts int
	s.Pool.QueryRow(ctx, "SELECT count(*) FROM staff_alerts WHERE kind = 'whatsapp'").Scan(&alerts)
	if alerts != 1 {
		t.Fatalf("%d alerts", alerts)
	}
	r = s.do(t, "GET", "/readyz", "")
	if r.status != 200 || !strings.Contains(r.raw, `"degraded"`) || !strings.Contains(r.raw, "logged_out") {
		t.Fatalf("readyz: %d %s", r.status, r.raw)
	}
	_, err = s.Bot.Start(ctx, bot.ChannelWhatsApp, "+"+maria, 0, bot.Reply{Text: "Olá, lembrete"})
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("send after logout: %v", err)
	}
	r = s.do(t, "GET", "/metrics", "")
	if !strings.Contains(r.raw, "regua_whatsapp_usable 0") || !strings.Contains(r.raw, `regua_whatsapp_sends_total{outcome="sent"}`) {
		t.Fatalf("metrics lack WhatsApp:\n%s", r.raw)
	}
}

// TestWhatsAppFloodAndGroups: 200 messages from one number within a second
// are each answered once, in order, within the governor; a group, a
// status and a LID sender are handled as they must be.
func TestWhatsAppFloodAndGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startWhatsApp(t, quickBudgets)
	const who = "5511977776666" // nobody's number: answered without disclosing anything

	group := types.NewJID("120363000000000001", types.GroupServer)
	s.fake.Message(group, &waE2E.Message{Conversation: proto.String("oi")}, func(i *types.MessageInfo) { i.IsGroup = true; i.Sender = types.NewJID(who, types.DefaultUserServer) })
	s.fake.Message(types.StatusBroadcastJID, &waE2E.Message{Conversation: proto.String("status")}, func(i *types.MessageInfo) { i.Sender = types.NewJID(who, types.DefaultUserServer) })

	ids := make([]string, 200)
	start := time.Now()
	for i := range ids {
		ids[i] = s.fake.Text(who, fmt.Sprintf("mensagem %d com texto \xff inválido %s", i, strings.Repeat("x", i)))
	}
	if time.Since(start) > time.Second {
		t.Logf("the flood took %v to deliver", time.Since(start))
	}
	deadline := time.Now().Add(60 * time.Second)
	var inbound, answered int
	for time.Now().Before(deadline) {
		s.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM messages o WHERE o.reply_to = m.id))
			FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.channel = 'whatsapp' AND c.chat = $1 AND m.direction = 'in'`, "+"+who).Scan(&inbound, &answered)
		var queued int
		s.Pool.QueryRow(ctx, "SELECT count(*) FROM whatsapp_outbox WHERE status = 'queued'").Scan(&queued)
		if answered == 200 && queued == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if inbound != 200 || answered != 200 {
		t.Fatalf("%d stored, %d answered of 200", inbound, answered)
	}
	// Stored in the order sent, each once.
	rows, _ := s.Pool.Query(ctx, `SELECT m.channel_message_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.channel = 'whatsapp' AND c.chat = $1 AND m.direction = 'in' ORDER BY m.id`, "+"+who)
	var order []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		order = append(order, id)
	}
	rows.Close()
	for i := range ids {
		if order[i] != ids[i] {
			t.Fatalf("message %d stored as %s, want %s", i, order[i], ids[i])
		}
	}
	// Every stored reply left, in order, spaced by the governor, and
	// nothing was said in the group or the status.
	var replies int
	s.Pool.QueryRow(ctx, `SELECT count(*) + count(*) FILTER (WHERE o.payload ? 'pix') FROM messages o JOIN conversations c ON c.id = o.conversation_id
		WHERE c.channel = 'whatsapp' AND c.chat = $1 AND o.direction = 'out'`, "+"+who).Scan(&replies)
	sent := s.fake.Sent()
	if len(sent) != replies {
		t.Fatalf("%d sent for %d stored replies", len(sent), replies)
	}
	for _, m := range sent {
		if m.To.User != who {
			t.Fatalf("sent to %s", m.To)
		}
		if strings.Contains(m.Text, "R$") {
			t.Fatalf("disclosed to a stranger: %q", m.Text)
		}
	}
	// The governor spaces the grants; the sends themselves take varying
	// time, so the spacing shows over the whole run (each gap is checked
	// exactly in the governor's tests, on a test clock).
	if span, min := sent[len(sent)-1].At.Sub(sent[0].At), time.Duration(len(sent)-1)*quickBudgets.ReplyGap*9/10; span < min {
		t.Fatalf("%d sends in %v, faster than the governor allows (%v)", len(sent), span, min)
	}
	r := s.do(t, "GET", "/metrics", "")
	if !strings.Contains(r.raw, `regua_whatsapp_ignored_total{reason="group"} 1`) || !strings.Contains(r.raw, `regua_whatsapp_ignored_total{reason="status"} 1`) {
		t.Fatalf("ignored chats not counted")
	}

	// A 64 KB text and a kind of message this version does not know: each
	// answered once, nothing crashes.
	const other = "5511966665555"
	got0 := s.say(t, other, strings.Repeat("á", 32<<10))
	before0 := len(s.fake.Sent())
	s.fake.Message(types.NewJID(other, types.DefaultUserServer), &waE2E.Message{}, nil)
	got1 := s.settle(t, before0)
	if len(got0) == 0 || len(got1) == 0 || strings.Contains(sentTexts(got0)+sentTexts(got1), "R$") {
		t.Fatalf("64 KB:\n%s\nunknown:\n%s", sentTexts(got0), sentTexts(got1))
	}
	var in64, stored int
	s.Pool.QueryRow(ctx, `SELECT count(*), max(length(m.text)) FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.channel = 'whatsapp' AND c.chat = $1 AND m.direction = 'in'`, "+"+other).Scan(&in64, &stored)
	if in64 != 2 || stored == 0 || stored > 4096 {
		t.Fatalf("stored %d inbound, longest %d characters", in64, stored)
	}

	// A LID sender whose phone the LID store knows is the debtor's chat;
	// one it does not know is kept under the LID and answered without
	// disclosing anything.
	lid := types.NewJID("98765432109876", types.HiddenUserServer)
	s.fake.MapLID(lid, types.NewJID("5511999000002", types.DefaultUserServer))
	before := len(s.fake.Sent())
	s.fake.Message(lid, &waE2E.Message{Conversation: proto.String("oi")}, nil)
	got := s.settle(t, before)
	if got[0].To != types.NewJID("5511999000002", types.DefaultUserServer) || !strings.Contains(got[0].Text, "3 primeiros") {
		t.Fatalf("resolved LID:\n%s", sentTexts(got))
	}
	unknown := types.NewJID("11111111111111", types.HiddenUserServer)
	before = len(s.fake.Sent())
	s.fake.Message(unknown, &waE2E.Message{Conversation: proto.String("quanto eu devo?")}, nil)
	got = s.settle(t, before)
	if got[0].To != unknown || strings.Contains(sentTexts(got), "R$") {
		t.Fatalf("unresolved LID:\n%s", sentTexts(got))
	}
	var kept int
	s.Pool.QueryRow(ctx, "SELECT count(*) FROM conversations WHERE channel = 'whatsapp' AND chat = 'lid:11111111111111'").Scan(&kept)
	if kept != 1 {
		t.Fatal("the unresolved LID's conversation was not kept")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWhatsAppPairingAPI: an unlinked number is paired through the API
// (the QR code streamed as Server-Sent Events), connects, and is unlinked.
func TestWhatsAppPairingAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := whatsapptest.New("")
	s := startWhatsAppWith(t, quickBudgets, fake)
	waitFor(t, func() bool { return s.WhatsApp.Holding() })
	r := s.do(t, "GET", "/api/v1/whatsapp", "")
	if r.status != 200 || r.body["state"] != "unpaired" {
		t.Fatalf("status: %d %s", r.status, r.raw)
	}
	if _, err := s.Bot.Start(ctx, bot.ChannelWhatsApp, "+5511999000001", 0, bot.Reply{Text: "Olá"}); !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("send before pairing: %v", err)
	}
	// A bad number for a pairing code is refused before anything streams.
	r = s.do(t, "POST", "/api/v1/whatsapp/pair?phone=123", "")
	if r.status != 422 || !strings.Contains(r.raw, `"field":"phone"`) {
		t.Fatalf("bad phone: %d %s", r.status, r.raw)
	}
	// No key, no pairing.
	req, _ := http.NewRequest("POST", s.URL()+"/api/v1/whatsapp/pair", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("without a key: %v %v", resp, err)
	}

	req, _ = http.NewRequest("POST", s.URL()+"/api/v1/whatsapp/pair", nil)
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("pair: %d %s", resp.StatusCode, ct)
	}
	sc := bufio.NewScanner(resp.Body)
	var events []string
	for sc.Scan() {
		line := sc.Text()
		if ev, ok := strings.CutPrefix(line, "event: "); ok {
			events = append(events, ev)
			if ev == "code" {
				go fake.Scan("5511888000000") // the phone scans it
			}
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, "+5511888000000") {
			break
		}
	}
	if strings.Join(events, ",") != "code,paired" {
		t.Fatalf("events %v", events)
	}
	waitFor(t, func() bool { ok, state := s.WhatsApp.Usable(ctx); return ok && state == whatsapp.StateConnected })
	if !s.Bot.Reachable(bot.ChannelWhatsApp) {
		t.Fatal("paired and connected, but not reachable for the régua")
	}
	st, _ := s.WhatsApp.State(ctx)
	if st.Number != "5511888000000" || st.PairedAt == nil {
		t.Fatalf("state after pairing %+v", st)
	}
	gov, _ := s.WhatsApp.Governor().State(ctx, "5511888000000")
	if gov.LinkedAt.IsZero() {
		t.Fatal("the warm-up did not start")
	}
	// Linked already: a second pairing is refused.
	if r := s.do(t, "POST", "/api/v1/whatsapp/pair", ""); r.status != 409 {
		t.Fatalf("second pairing: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "POST", "/api/v1/whatsapp/logout", ""); r.status != 200 {
		t.Fatalf("logout: %d %s", r.status, r.raw)
	}
	if r := s.do(t, "GET", "/api/v1/whatsapp", ""); r.body["state"] != "unpaired" {
		t.Fatalf("after logout: %s", r.raw)
	}
	if s.Bot.Reachable(bot.ChannelWhatsApp) {
		t.Fatal("reachable after logout")
	}
	if s.Bot.Reachable(bot.ChannelTelegram) {
		t.Fatal("Telegram is off but reachable")
	}
	var audited int
	s.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action IN ('whatsapp.pair', 'whatsapp.logout') AND actor = 'api:test'").Scan(&audited)
	if audited != 2 {
		t.Fatalf("%d audited pairing actions", audited)
	}
}

// TestWhatsAppBudgetsChecked: budgets that contradict each other stop
// start-up with one line naming the setting.
func TestWhatsAppBudgetsChecked(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_DEMO": "true", "REGUA_WHATSAPP": "on",
		"REGUA_WHATSAPP_PER_HOUR": "5"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), nil)
	if err == nil {
		m.Close()
		t.Fatal("started with 12 a minute and 5 an hour")
	}
	if !strings.Contains(err.Error(), "REGUA_WHATSAPP_PER_HOUR") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %q", err)
	}
}

// TestWhatsAppEngineFeatures: the engine's flows on WhatsApp as numbered
// menus (a plan, a promise, a person), messages the business starts going
// through the gate and the governor (phrasing rotated, after replies), and
// an opt-out that the gate then honours.
func TestWhatsAppEngineFeatures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startWhatsApp(t, quickBudgets)
	const joao, carlos = "5511999000002", "5511999000004"

	s.say(t, joao, "oi")
	got := s.say(t, joao, "987")
	if !strings.Contains(sentTexts(got), "João") {
		t.Fatalf("verify:\n%s", sentTexts(got))
	}
	got = s.say(t, joao, "quero parcelar")
	if !strings.Contains(sentTexts(got), "2. ") || !strings.Contains(sentTexts(got), "x") {
		t.Fatalf("offers as a numbered list:\n%s", sentTexts(got))
	}
	got = s.say(t, joao, "pago na sexta")
	var promises int
	s.Pool.QueryRow(ctx, "SELECT count(*) FROM promises p JOIN debtors d ON d.id = p.debtor_id WHERE d.external_id = 'cli-002'").Scan(&promises)
	if promises != 1 {
		t.Fatalf("%d promises after:\n%s", promises, sentTexts(got))
	}

	// A reminder to Carlos, who never wrote: admitted by the governor as a
	// cold message, sent after the replies, as the business's.
	hold, err := s.Bot.Start(ctx, bot.ChannelWhatsApp, "+"+carlos, 0, bot.Reply{Text: "Olá, há uma mensagem para Carlos.",
		Variants: []string{"Oi, temos um recado para Carlos."}})
	if err != nil || hold != bot.HoldNone {
		t.Fatalf("reminder: %v %v", hold, err)
	}
	waitFor(t, func() bool {
		log, _ := whatsapp.Log(ctx, s.Pool, "+"+carlos)
		return len(log) == 1 && log[0].Status == whatsapp.StatusSent && log[0].Priority == whatsapp.PriorityStarted
	})
	st, _ := s.WhatsApp.Governor().State(ctx, "5511888000000")
	// (João's promise follow-up may be admitted too: River runs on the real
	// clock, already past the promised day; he wrote, so it is not cold.)
	if st.Started < 1 || st.Cold != 1 {
		all, _ := whatsapp.Log(ctx, s.Pool, "")
		t.Fatalf("governor: started %d, cold %d\n%+v", st.Started, st.Cold, all)
	}

	// The régua's own path (after its gate): a message the business
	// starts, admitted and worded by the governor, sent after replies.
	if err := s.Bot.Deliver(ctx, bot.ChannelWhatsApp, "+5511999000006", bot.Reply{Text: "Olá, Pedro! Há uma mensagem para você."}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		log, _ := whatsapp.Log(ctx, s.Pool, "+5511999000006")
		return len(log) == 1 && log[0].Status == whatsapp.StatusSent && log[0].Priority == whatsapp.PriorityStarted
	})
	if st2, _ := s.WhatsApp.Governor().State(ctx, "5511888000000"); st2.Started < st.Started+1 || st2.Cold != 2 {
		t.Fatalf("the régua's message was not admitted as the business's: %+v", st2)
	}

	// SAIR: the opt-out holds every later reminder at the gate.
	got = s.say(t, joao, "SAIR")
	if hold, err := s.Bot.Start(ctx, bot.ChannelWhatsApp, "+"+joao, 0, bot.Reply{Text: "Olá, lembrete"}); hold != bot.HoldOptedOut || !errors.Is(err, bot.ErrHeld) {
		t.Fatalf("reminder after SAIR: %v %v\n%s", hold, err, sentTexts(got))
	}
	// A person.
	got = s.say(t, joao, "quero falar com uma pessoa")
	r := s.do(t, "GET", "/api/v1/conversations?status=waiting_agent", "")
	if !strings.Contains(r.raw, `"chat":"+`+joao+`"`) {
		t.Fatalf("not waiting for an agent: %s\n%s", r.raw, sentTexts(got))
	}
}
