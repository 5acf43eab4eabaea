package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// Message is one stored message of a conversation.
type Message = storedMessage

// Messages returns a conversation's messages after the message id after
// (0: from the start), oldest first, at most limit.
func (s *Service) Messages(ctx context.Context, channel, chat string, after int64, limit int) ([]Message, error) {
	rows, err := s.Pool.Query(ctx, `SELECT m.id, m.direction, m.sender, m.text, m.payload, m.created_at
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE c.channel = $1 AND c.chat = $2 AND m.id > $3 ORDER BY m.id LIMIT $4`, channel, chat, after, limit)
	if err != nil {
		return nil, fmt.Errorf("bot: messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		var payload []byte
		if err := r.Scan(&m.ID, &m.Direction, &m.Sender, &m.Text, &payload, &m.At); err != nil {
			return m, err
		}
		var p struct {
			Options []conversations.Option `json:"options"`
			Pix     *Pix                   `json:"pix"`
		}
		json.Unmarshal(payload, &p)
		m.Options, m.Pix = p.Options, p.Pix
		return m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("bot: messages: %w", err)
	}
	if out == nil {
		out = []Message{}
	}
	return out, nil
}

// Send delivers a message Régua starts (a payment confirmation, a
// follow-up, an agent's reply): stored, announced to the event streams,
// and handed to the channel's Sender. sender is "bot", "agent" or "system".
//
// It runs in the conversation's order, after any turn of that chat in
// progress, so that a turn and a send never overwrite each other's state.
// Messages the business starts on its own (reminders, follow-ups) use
// Start, which passes the gate first.
func (s *Service) Send(ctx context.Context, channel, chat string, r Reply, sender string) error {
	return s.serial.Do(ctx, channel, chat, func(ctx context.Context) error {
		return s.send(ctx, channel, chat, r, sender)
	})
}

func (s *Service) send(ctx context.Context, channel, chat string, r Reply, sender string) error {
	c, err := s.conversation(ctx, channel, chat)
	if err != nil {
		return err
	}
	s.mu.RLock()
	snd := s.senders[channel]
	s.mu.RUnlock()
	if snd != nil {
		if err := snd.Send(ctx, chat, r); err != nil {
			return fmt.Errorf("bot: send on %s: %w", channel, err)
		}
	}
	sess := conversations.Session{Status: c.Status, DebtorID: c.DebtorID}
	msgs, err := s.record(ctx, c, nil, sess, nil, []Reply{r}, sender, s.Ledger.Now())
	if err != nil {
		return err
	}
	if err := s.Redis.Publish(context.WithoutCancel(ctx), channel, chat, eventPayloads(msgs)...); err != nil {
		s.Log.Warn("publish messages", "err", err)
	}
	return nil
}

// ConversationSummary is a conversation as the API lists it.
type ConversationSummary struct {
	ID               int64      `json:"id"`
	Channel          string     `json:"channel"`
	Chat             string     `json:"chat"`
	DebtorExternalID string     `json:"debtor_external_id,omitempty"`
	Status           string     `json:"status"`
	StatusReason     string     `json:"status_reason,omitempty"`
	LastMessageAt    *time.Time `json:"last_message_at"`
	LastMessage      string     `json:"last_message,omitempty"`
}

// Conversations lists conversations by status ("" = all), most recent first.
func (s *Service) Conversations(ctx context.Context, status string, limit int) ([]ConversationSummary, error) {
	switch status {
	case "", conversations.StatusBot, conversations.StatusWaitingAgent, conversations.StatusWithAgent, conversations.StatusClosed:
	default:
		return nil, payments.Invalid("status", "must be bot, waiting_agent, with_agent or closed")
	}
	rows, err := s.Pool.Query(ctx, `SELECT c.id, c.channel, c.chat, coalesce(d.external_id, ''), c.status, c.status_reason, c.last_message_at,
			coalesce((SELECT text FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1), '')
		FROM conversations c LEFT JOIN debtors d ON d.id = c.debtor_id
		WHERE $1 = '' OR c.status = $1 ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC LIMIT $2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("bot: conversations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConversationSummary, error) {
		var c ConversationSummary
		err := r.Scan(&c.ID, &c.Channel, &c.Chat, &c.DebtorExternalID, &c.Status, &c.StatusReason, &c.LastMessageAt, &c.LastMessage)
		return c, err
	})
	if out == nil {
		out = []ConversationSummary{}
	}
	return out, err
}
