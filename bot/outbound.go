package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/conversations"
)

// A channel's delivery error that wraps ErrUnreachable (Telegram 403, an
// SMTP 5xx, WhatsApp logged out; see channel.go) makes the régua move to
// the next channel instead of retrying; any other is temporary.

// ErrNoSender is returned by Deliver for a channel with no Sender.
var ErrNoSender = errors.New("bot: no sender for this channel")

// Healthy is implemented by a Sender that can tell it is not connected
// (WhatsApp logged out): the régua then skips its channel.
type Healthy interface {
	Healthy() bool
}

// Reachable says whether channel has a Sender that is up: the régua's
// fallback uses only those.
func (s *Service) Reachable(channel string) bool {
	s.mu.RLock()
	snd := s.senders[channel]
	s.mu.RUnlock()
	if snd == nil {
		return false
	}
	if h, ok := snd.(Healthy); ok {
		return h.Healthy()
	}
	return true
}

// Local says whether storing a message on channel delivers it (the web
// chat: the person reads our messages table), so that a message stored
// once in a transaction is delivered exactly once.
func Local(channel string) bool { return channel == ChannelWebchat }

// InOrder runs fn in the chat's conversation order: after any turn of that
// chat in progress, so that an opt-out that arrived first is seen by a
// gate asked inside fn.
func (s *Service) InOrder(ctx context.Context, channel, chat string, fn func(ctx context.Context) error) error {
	return s.serial.Do(ctx, channel, chat, fn)
}

// Deliver hands r to the channel's Sender (a remote channel's network
// call) as a message the business starts (StartedByBusiness: WhatsApp's
// governor counts it against those budgets). It stores nothing:
// RecordStartedTx does.
func (s *Service) Deliver(ctx context.Context, channel, chat string, r Reply) error {
	ctx = WithStartedByBusiness(ctx)
	s.mu.RLock()
	snd := s.senders[channel]
	s.mu.RUnlock()
	if snd == nil {
		return ErrNoSender
	}
	if err := snd.Send(ctx, chat, r); err != nil {
		return fmt.Errorf("bot: send on %s: %w", channel, err)
	}
	return nil
}

// Announcement is what RecordStartedTx stored, to announce after commit.
type Announcement struct {
	channel, chat string
	msgs          []storedMessage
}

// RecordStartedTx stores, in tx, a message the business started on a chat,
// once per key: stored is false (and nothing changes) when a message with
// that key exists. On the web chat this IS the delivery. Announce the
// result after tx commits so open event streams show it.
func (s *Service) RecordStartedTx(ctx context.Context, tx pgx.Tx, channel, chat string, r Reply, key string) (a Announcement, stored bool, err error) {
	b := &pgx.Batch{}
	st := s.QueueStarted(b, channel, chat, r, key)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return a, false, err
	}
	return st.Announcement, st.Stored, nil
}

// Started is what QueueStarted stored, once the batch is read.
type Started struct {
	Announcement
	Stored bool // false: a message with that key was already stored
}

// QueueStarted is RecordStartedTx for a caller that batches its
// statements: it queues the insert on b (to send in the caller's
// transaction) and fills the result when the batch's results are read.
func (s *Service) QueueStarted(b *pgx.Batch, channel, chat string, r Reply, key string) *Started {
	p := map[string]any{}
	if len(r.Options) > 0 {
		p["options"] = r.Options
	}
	if r.Pix != nil {
		p["pix"] = r.Pix
	}
	pj, _ := json.Marshal(p)
	now := s.Ledger.Now()
	st := &Started{}
	b.Queue(`
		WITH c AS (
			INSERT INTO conversations (channel, chat) VALUES ($1, $2)
			ON CONFLICT (channel, chat) DO UPDATE SET last_message_at = $5, updated_at = now()
			RETURNING id
		)
		INSERT INTO messages (conversation_id, direction, sender, text, payload, created_at, outbound_key)
		SELECT id, 'out', 'bot', $3, $4, $5, $6 FROM c
		ON CONFLICT (outbound_key) WHERE outbound_key IS NOT NULL DO NOTHING
		RETURNING id`, channel, chat, r.Text, pj, now, key).QueryRow(func(row pgx.Row) error {
		var id int64
		err := row.Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("bot: record started message: %w", err)
		}
		m := storedMessage{ID: id, Direction: "out", Sender: "bot", Text: r.Text, Options: r.Options, Pix: r.Pix, At: now}
		st.Announcement, st.Stored = Announcement{channel: channel, chat: chat, msgs: []storedMessage{m}}, true
		return nil
	})
	return st
}

// Announce publishes what RecordStartedTx stored to the chat's event
// streams (the web chat's SSE).
func (s *Service) Announce(ctx context.Context, a Announcement) {
	if len(a.msgs) == 0 {
		return
	}
	if err := s.Redis.Publish(context.WithoutCancel(ctx), a.channel, a.chat, eventPayloads(a.msgs)...); err != nil {
		s.Log.Warn("publish messages", "err", err)
	}
}

// Verified says whether the chat's live session is verified as debtorID:
// only then may a message the business starts name the debt. Unsure
// (no session, an error) is no.
func (s *Service) Verified(ctx context.Context, channel, chat string, debtorID int64) bool {
	var sess conversations.Session
	found, err := s.Redis.LoadSession(ctx, channel, chat, &sess)
	return err == nil && found && sess.Verified && sess.DebtorID == debtorID && !sess.Locked
}
