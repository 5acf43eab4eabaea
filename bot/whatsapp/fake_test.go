package whatsapp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// clock is a test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// sent is one message the fake client sent.
type sent struct {
	To      types.JID
	ID      string
	Text    string
	PNG     []byte
	At      time.Time
	IsImage bool
}

// fakeClient is a Client with no network: it records what it is asked.
type fakeClient struct {
	mu       sync.Mutex
	now      func() time.Time
	jid      types.JID
	handlers []func(any)
	sent     []sent
	read     []string
	typing   []types.JID
	lids     map[types.JID]types.JID
	media    map[string][]byte // by the image's caption or document's file name
	failSend error
	sentCh   chan sent
}

func newFakeClient(now func() time.Time) *fakeClient {
	return &fakeClient{now: now, jid: types.NewJID("5511888000000", types.DefaultUserServer),
		lids: map[types.JID]types.JID{}, media: map[string][]byte{}, sentCh: make(chan sent, 10000)}
}

func (f *fakeClient) Connect(ctx context.Context) error {
	f.emit(&events.Connected{})
	return nil
}
func (f *fakeClient) Disconnect() {}
func (f *fakeClient) Paired() (types.JID, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.jid, !f.jid.IsEmpty()
}
func (f *fakeClient) PairQR(ctx context.Context) (<-chan PairEvent, error) {
	ch := make(chan PairEvent, 2)
	ch <- PairEvent{Event: "code", Code: "2@abc", Timeout: time.Minute}
	ch <- PairEvent{Event: "success"}
	close(ch)
	return ch, nil
}
func (f *fakeClient) PairPhone(ctx context.Context, phone string) (string, error) {
	return "ABCD-EFGH", nil
}
func (f *fakeClient) Logout(ctx context.Context) error { return nil }
func (f *fakeClient) SendText(ctx context.Context, to types.JID, id, text string) error {
	return f.record(sent{To: to, ID: id, Text: text})
}
func (f *fakeClient) SendImage(ctx context.Context, to types.JID, id string, png []byte, caption string) error {
	return f.record(sent{To: to, ID: id, Text: caption, PNG: png, IsImage: true})
}
func (f *fakeClient) record(s sent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failSend != nil {
		return f.failSend
	}
	s.At = f.now()
	f.sent = append(f.sent, s)
	f.sentCh <- s
	return nil
}
func (f *fakeClient) MarkRead(ctx context.Context, chat, sender types.JID, ids []string, at time.Time) error {
	f.mu.Lock()
	f.read = append(f.read, ids...)
	f.mu.Unlock()
	return nil
}
func (f *fakeClient) Composing(ctx context.Context, chat types.JID, on bool) error {
	f.mu.Lock()
	f.typing = append(f.typing, chat)
	f.mu.Unlock()
	return nil
}
func (f *fakeClient) Download(ctx context.Context, m *waE2E.Message) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := m.GetImageMessage().GetCaption() + m.GetDocumentMessage().GetFileName()
	if b, ok := f.media[key]; ok {
		return b, nil
	}
	return nil, errors.New("no such media")
}
func (f *fakeClient) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lids[lid], nil
}
func (f *fakeClient) OnEvent(h func(any)) {
	f.mu.Lock()
	f.handlers = append(f.handlers, h)
	f.mu.Unlock()
}
func (f *fakeClient) emit(evt any) {
	f.mu.Lock()
	hs := append([]func(any){}, f.handlers...)
	f.mu.Unlock()
	for _, h := range hs {
		h(evt)
	}
}
func (f *fakeClient) all() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

var _ Client = (*fakeClient)(nil)

// nopService answers nothing (for tests of sending alone).
type nopService struct{}

func (nopService) Handle(context.Context, bot.Inbound) ([]bot.Reply, error) { return nil, nil }
func (nopService) Send(context.Context, string, string, bot.Reply, string) error {
	return nil
}
func (nopService) Takeover(context.Context, int64, string) error { return nil }

// setupChannel builds a channel on a fresh database with a fake client
// attached and connected, on a test clock.
func setupChannel(t testing.TB, svc Service, b Budgets, start time.Time) (*Channel, *fakeClient, *clock) {
	t.Helper()
	pool := pgtest.NewPool(t)
	clk := newClock(start)
	if svc == nil {
		svc = nopService{}
	}
	ch, err := New(Config{Service: svc, Pool: pool, Now: clk.Now, Rand: func() float64 { return 0.5 }, Loc: saoPaulo, Budgets: b})
	if err != nil {
		t.Fatal(err)
	}
	fc := newFakeClient(clk.Now)
	if err := ch.Attach(context.Background(), fc); err != nil {
		t.Fatal(err)
	}
	if !ch.connected.Load() {
		t.Fatal("not connected after Attach")
	}
	return ch, fc, clk
}

var saoPaulo = mustLoc("America/Sao_Paulo")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}
