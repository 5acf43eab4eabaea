package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Client is everything Régua asks of a WhatsApp connection. The real one
// (Meow, meow.go) wraps whatsmeow; tests use a fake.
type Client interface {
	// Connect opens the connection (reconnecting by itself afterwards).
	Connect(ctx context.Context) error
	// Disconnect closes it.
	Disconnect()
	// Paired reports the linked number's JID (ok false before pairing).
	Paired() (jid types.JID, ok bool)
	// PairQR starts QR pairing (call before Connect, unpaired only): the
	// channel yields each QR code's text, then one final event.
	PairQR(ctx context.Context) (<-chan PairEvent, error)
	// PairPhone asks for an 8-character pairing code for phone (digits
	// with country code), to type on the phone; call after Connect.
	PairPhone(ctx context.Context, phone string) (string, error)
	// Logout unlinks the device (WhatsApp forgets it; the store deletes it).
	Logout(ctx context.Context) error

	// SendText sends text to a chat with the message id id.
	SendText(ctx context.Context, to types.JID, id, text string) error
	// SendImage uploads a PNG and sends it with a caption.
	SendImage(ctx context.Context, to types.JID, id string, png []byte, caption string) error
	// MarkRead marks messages read.
	MarkRead(ctx context.Context, chat, sender types.JID, ids []string, at time.Time) error
	// Composing shows (or stops showing) "typing…" in a chat.
	Composing(ctx context.Context, chat types.JID, on bool) error
	// Download fetches and decrypts a message's media.
	Download(ctx context.Context, msg *waE2E.Message) ([]byte, error)
	// PhoneForLID resolves a LID to the phone JID (empty when unknown).
	PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error)
	// OnEvent adds a handler of whatsmeow's events (*events.Message,
	// *events.Receipt, *events.LoggedOut, ...). Handlers run on the
	// library's goroutine: they must hand work off quickly.
	OnEvent(func(evt any))
}

// PairEvent is one step of QR pairing.
type PairEvent struct {
	// Event is "code" (Code holds the QR's text), "success", "timeout" or
	// "error" (Err).
	Event string
	Code  string
	Err   error
	// Timeout is how long this code stays valid.
	Timeout time.Duration
}
