package whatsapp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"
	"google.golang.org/protobuf/proto"
)

// Meow is the Client on whatsmeow: the only code in Régua that calls the
// library's client. It keeps nothing of its own: the device (keys,
// sessions, the LID map) lives in whatsmeow's store in PostgreSQL.
type Meow struct {
	cli *whatsmeow.Client
}

var _ Client = (*Meow)(nil)

// Open loads the linked device from the store (a new, unsaved one when no
// number is linked yet) and builds its client. Nothing touches the network
// until Connect or PairQR.
func Open(ctx context.Context, container *sqlstore.Container, log *slog.Logger) (*Meow, error) {
	store.DeviceProps.Os = proto.String("Régua")
	dev, err := container.GetFirstDevice(ctx)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: device store: %w", err)
	}
	cli := whatsmeow.NewClient(dev, slogger{log: log})
	// Reconnect with a growing back-off (0 s, 2 s, 4 s, ...), also when
	// the first connection fails (WhatsApp or the network down at start).
	cli.EnableAutoReconnect = true
	cli.InitialAutoReconnect = true
	cli.AutoTrustIdentity = true
	return &Meow{cli: cli}, nil
}

// Connect implements Client. whatsmeow reconnects by itself afterwards,
// with a growing back-off (events.Disconnected, then events.Connected).
func (m *Meow) Connect(ctx context.Context) error { return m.cli.ConnectContext(ctx) }

// Disconnect implements Client.
func (m *Meow) Disconnect() { m.cli.Disconnect() }

// Paired implements Client.
func (m *Meow) Paired() (types.JID, bool) {
	if m.cli.Store.ID == nil {
		return types.JID{}, false
	}
	return m.cli.Store.ID.ToNonAD(), true
}

// PairQR implements Client.
func (m *Meow) PairQR(ctx context.Context) (<-chan PairEvent, error) {
	qr, err := m.cli.GetQRChannel(ctx)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: pair: %w", err)
	}
	out := make(chan PairEvent, 1)
	go func() {
		defer close(out)
		for it := range qr {
			out <- PairEvent{Event: it.Event, Code: it.Code, Err: it.Error, Timeout: it.Timeout}
		}
	}()
	return out, nil
}

// PairPhone implements Client.
func (m *Meow) PairPhone(ctx context.Context, phone string) (string, error) {
	return m.cli.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
}

// Logout implements Client.
func (m *Meow) Logout(ctx context.Context) error { return m.cli.Logout(ctx) }

// SendText implements Client.
func (m *Meow) SendText(ctx context.Context, to types.JID, id, text string) error {
	_, err := m.cli.SendMessage(ctx, to.ToNonAD(), TextMessage(text), whatsmeow.SendRequestExtra{ID: types.MessageID(id)})
	return err
}

// SendImage implements Client.
func (m *Meow) SendImage(ctx context.Context, to types.JID, id string, png []byte, caption string) error {
	up, err := m.cli.Upload(ctx, png, whatsmeow.MediaImage)
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	msg := ImageMessage(Uploaded{URL: up.URL, DirectPath: up.DirectPath, MediaKey: up.MediaKey,
		FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: up.FileLength}, caption)
	_, err = m.cli.SendMessage(ctx, to.ToNonAD(), msg, whatsmeow.SendRequestExtra{ID: types.MessageID(id)})
	return err
}

// MarkRead implements Client.
func (m *Meow) MarkRead(ctx context.Context, chat, sender types.JID, ids []string, at time.Time) error {
	mids := make([]types.MessageID, len(ids))
	for i, id := range ids {
		mids[i] = types.MessageID(id)
	}
	return m.cli.MarkRead(ctx, mids, at, chat, sender)
}

// Composing implements Client.
func (m *Meow) Composing(ctx context.Context, chat types.JID, on bool) error {
	state := types.ChatPresencePaused
	if on {
		state = types.ChatPresenceComposing
	}
	return m.cli.SendChatPresence(ctx, chat, state, types.ChatPresenceMediaText)
}

// Download implements Client.
func (m *Meow) Download(ctx context.Context, msg *waE2E.Message) ([]byte, error) {
	return m.cli.DownloadAny(ctx, msg)
}

// PhoneForLID implements Client.
func (m *Meow) PhoneForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	return m.cli.Store.LIDs.GetPNForLID(ctx, lid)
}

// OnEvent implements Client.
func (m *Meow) OnEvent(h func(evt any)) { m.cli.AddEventHandler(h) }

// slogger sends whatsmeow's log to slog: its chatter at debug level, its
// warnings and errors as such.
type slogger struct {
	log    *slog.Logger
	module string
}

func (l slogger) lg() *slog.Logger {
	if l.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.log
}
func (l slogger) Errorf(f string, a ...any) {
	l.lg().Error("whatsmeow: "+fmt.Sprintf(f, a...), "module", l.module)
}
func (l slogger) Warnf(f string, a ...any) {
	l.lg().Warn("whatsmeow: "+fmt.Sprintf(f, a...), "module", l.module)
}
func (l slogger) Infof(f string, a ...any) {
	l.lg().Debug("whatsmeow: "+fmt.Sprintf(f, a...), "module", l.module)
}
func (l slogger) Debugf(f string, a ...any) {
	l.lg().Debug("whatsmeow: "+fmt.Sprintf(f, a...), "module", l.module)
}
func (l slogger) Sub(module string) waLog.Logger {
	if l.module != "" {
		module = l.module + "/" + module
	}
	return slogger{log: l.log, module: module}
}
