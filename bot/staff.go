package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// A person at the business takes conversations from the bot and gives them
// back. Each change runs in the conversation's order (after any bot turn of
// that chat in progress), so a turn never overwrites it, and each
// transaction touches the conversation row only briefly: the chat's hot
// path batches its statements behind one flusher.

// ConversationRef names a conversation by id and by (channel, chat).
type ConversationRef struct {
	ID       int64
	Channel  string
	Chat     string
	DebtorID int64
	Status   string
}

// ConversationByID reads a conversation's channel, chat, debtor and status.
func (s *Service) ConversationByID(ctx context.Context, id int64) (ConversationRef, error) {
	ref := ConversationRef{ID: id}
	var debtor *int64
	err := s.Pool.QueryRow(ctx, "SELECT channel, chat, debtor_id, status FROM conversations WHERE id = $1", id).
		Scan(&ref.Channel, &ref.Chat, &debtor, &ref.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return ref, payments.Errorf(payments.ENOTFOUND, "conversation %d not found", id)
	}
	if err != nil {
		return ref, fmt.Errorf("bot: conversation %d: %w", id, err)
	}
	if debtor != nil {
		ref.DebtorID = *debtor
	}
	return ref, nil
}

// Takeover puts a conversation in a person's hands (status with_agent): the
// bot stays silent on it, and the gate holds every message the business
// starts to that debtor, until Release. reason says why (e.g. "typed on the
// paired phone", "claimed by ana@…").
func (s *Service) Takeover(ctx context.Context, id int64, reason string) error {
	return s.setStatus(ctx, id, conversations.StatusWithAgent, reason)
}

// Release hands a conversation back to the bot.
func (s *Service) Release(ctx context.Context, id int64) error {
	return s.setStatus(ctx, id, conversations.StatusBot, "")
}

func (s *Service) setStatus(ctx context.Context, id int64, status, reason string) error {
	ref, err := s.ConversationByID(ctx, id)
	if err != nil {
		return err
	}
	return s.serial.Do(ctx, ref.Channel, ref.Chat, func(ctx context.Context) error {
		_, err := s.Pool.Exec(ctx, "UPDATE conversations SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1", id, status, reason)
		if err != nil {
			return fmt.Errorf("bot: conversation %d status: %w", id, err)
		}
		return nil
	})
}

// AgentReply delivers a person's message in a conversation through the
// debtor's own channel, stored with sender "agent". It is not a message the
// business starts on its own: the gate does not hold it.
func (s *Service) AgentReply(ctx context.Context, id int64, r Reply) error {
	ref, err := s.ConversationByID(ctx, id)
	if err != nil {
		return err
	}
	return s.Send(ctx, ref.Channel, ref.Chat, r, "agent")
}
