// Package whatsapptest is a fake WhatsApp connection for tests of the
// whole service: it implements whatsapp.Client without a network, records
// what Régua sends, and delivers whatsmeow events built by hand, as the
// library would.
//
// It is for tests only; nothing in production may import it.
package whatsapptest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/regua/regua/bot/whatsapp"
)

// Sent is one message Régua sent.
type Sent struct {
	To    types.JID
	ID    string
	Text  string // the text, or the image's caption
	PNG   []byte // an image
	At    time.Time
	Image bool
}

// Fake is a linked, connectable WhatsApp number.
type Fake struct {
	Self types.JID

	mu       sync.Mutex
	handlers []func(any)
	qr       chan whatsapp.PairEvent
	sent     []Sent
	read     []string
	typing   int
	lids     map[types.JID]types.JID
	media    map[string][]byte
	seq      atomic.Int64
}

var _ whatsapp.Client = (*Fake)(nil)

// New is a fake of the linked number self (digits; "" for a device not
// linked yet).
func New(self string) *Fake {
	f := &Fake{lids: map[types.JID]types.JID{}, media: map[string][]byte{}}
	if self != "" {
		f.Self = types.NewJID(self, types.DefaultUserServer)
	}
	return f
}

// Connect emits events.Connected once linked (an unlinked device only
// opens the socket, for pairing).
func (f *Fake) Connect(context.Context) error {
	if _, ok := f.Paired(); ok {
		f.Emit(&events.Connected{})
	}
	return nil
}

// Disconnect does nothing.
func (f *Fake) Disconnect() {}

// Paired reports Self.
func (f *Fake) Paired() (types.JID, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Self, !f.Self.IsEmpty()
}

// PairQR yields one code; Scan completes the pairing.
func (f *Fake) PairQR(context.Context) (<-chan whatsapp.PairEvent, error) {
	ch := make(chan whatsapp.PairEvent, 2)
	ch <- whatsapp.PairEvent{Event: "code", Code: "2@fake-qr", Timeout: time.Minute}
	f.mu.Lock()
	f.qr = ch
	f.mu.Unlock()
	return ch, nil
}

// Scan is the phone scanning the QR code (or typing the pairing code) as
// number: the fake is linked, and events.PairSuccess comes as from
// whatsmeow.
func (f *Fake) Scan(number string) {
	f.mu.Lock()
	f.Self = types.NewJID(number, types.DefaultUserServer)
	qr := f.qr
	f.qr = nil
	f.mu.Unlock()
	f.Emit(&events.PairSuccess{ID: types.NewADJID(number, 0, 3)})
	if qr != nil {
		qr <- whatsapp.PairEvent{Event: "success"}
		close(qr)
	}
}

// PairPhone returns a fixed code.
func (f *Fake) PairPhone(context.Context, string) (string, error) { return "FAKE-CODE", nil }

// Logout unlinks the fake (whatsmeow deletes the device from the store).
func (f *Fake) Logout(context.Context) error {
	f.mu.Lock()
	f.Self = types.JID{}
	f.mu.Unlock()
	return nil
}

// SendText records a text.
func (f *Fake) SendText(_ context.Context, to types.JID, id, text string) error {
	return f.record(Sent{To: to, ID: id, Text: text})
}

// SendImage records an image.
func (f *Fake) SendImage(_ context.Context, to types.JID, id string, png []byte, caption string) error {
	return f.record(Sent{To: to, ID: id, Text: caption, PNG: png, Image: true})
}

func (f *Fake) record(s Sent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.At = time.Now()
	f.sent = append(f.sent, s)
	return nil
}

// MarkRead records the ids.
func (f *Fake) MarkRead(_ context.Context, _, _ types.JID, ids []string, _ time.Time) error {
	f.mu.Lock()
	f.read = append(f.read, ids...)
	f.mu.Unlock()
	return nil
}

// Composing counts.
func (f *Fake) Composing(context.Context, types.JID, bool) error {
	f.mu.Lock()
	f.typing++
	f.mu.Unlock()
	return nil
}

// Download returns the bytes set with SetMedia for the image's caption or
// the document's file name.
func (f *Fake) Download(_ context.Context, m *waE2E.Message) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.media[m.GetImageMessage().GetCaption()+m.GetDocumentMessage().GetFileName()]; ok {
		return b, nil
	}
	return nil, errors.New("whatsapptest: no such media")
}

// SetMedia sets what Download returns for a caption or file name.
func (f *Fake) SetMedia(key string, b []byte) { f.mu.Lock(); f.media[key] = b; f.mu.Unlock() }

// MapLID makes the LID store resolve lid to phone.
func (f *Fake) MapLID(lid, phone types.JID) { f.mu.Lock(); f.lids[lid] = phone; f.mu.Unlock() }

// PhoneForLID resolves from MapLID.
func (f *Fake) PhoneForLID(_ context.Context, lid types.JID) (types.JID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lids[lid], nil
}

// OnEvent adds a handler.
func (f *Fake) OnEvent(h func(any)) { f.mu.Lock(); f.handlers = append(f.handlers, h); f.mu.Unlock() }

// Emit delivers an event as the library would (after a logout, as
// whatsmeow deletes the device, the fake is no longer linked).
func (f *Fake) Emit(evt any) {
	f.mu.Lock()
	if _, ok := evt.(*events.LoggedOut); ok {
		f.Self = types.JID{}
	}
	hs := append([]func(any){}, f.handlers...)
	f.mu.Unlock()
	for _, h := range hs {
		h(evt)
	}
}

// Text delivers a text message from phone (digits) and returns its id.
func (f *Fake) Text(phone, text string) string {
	return f.Message(types.NewJID(phone, types.DefaultUserServer), &waE2E.Message{Conversation: proto.String(text)}, nil)
}

// Message delivers a message in from's direct chat; mut may change its
// info. It returns the message id.
func (f *Fake) Message(from types.JID, m *waE2E.Message, mut func(*types.MessageInfo)) string {
	id := fmt.Sprintf("3EB0FAKE%08d", f.seq.Add(1))
	info := types.MessageInfo{MessageSource: types.MessageSource{Chat: from, Sender: from}, ID: id, Timestamp: time.Now()}
	if mut != nil {
		mut(&info)
	}
	f.Emit(&events.Message{Info: info, Message: m, RawMessage: m})
	return info.ID
}

// Sent lists what was sent, in order.
func (f *Fake) Sent() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// Read lists the ids marked read.
func (f *Fake) Read() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.read...)
}

// WaitSent waits until at least n messages were sent and returns them.
func (f *Fake) WaitSent(tb testing.TB, n int, timeout time.Duration) []Sent {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := f.Sent()
		if len(s) >= n {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("whatsapptest: %d messages sent, want %d", len(s), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Typing counts the "composing" presences sent.
func (f *Fake) Typing() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.typing
}
