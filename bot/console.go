package bot

import (
	"context"
	"fmt"

	"github.com/regua/regua/conversations"
)

// What the staff console needs of the conversation service beyond
// Takeover, Release and AgentReply (staff.go).

// Close ends a conversation with an outcome (status closed): the next
// message from the debtor starts afresh with the bot.
func (s *Service) Close(ctx context.Context, id int64, outcome string) error {
	return s.setStatus(ctx, id, conversations.StatusClosed, outcome)
}

// UnlockVerification lifts the verification lock of a conversation and of
// every conversation of its debtor: the wrong answers are cleared (kept,
// with cleared_at) and each chat's session forgets its lock, in that
// chat's order so that a turn in progress does not write it back.
func (s *Service) UnlockVerification(ctx context.Context, debtorID, conversationID int64) error {
	rows, err := s.Pool.Query(ctx, `SELECT id, channel, chat FROM conversations
		WHERE (debtor_id = $1 AND $1 <> 0) OR id = $2
		   OR id IN (SELECT conversation_id FROM verification_failures WHERE debtor_id = $1 AND $1 <> 0 AND cleared_at IS NULL)`, debtorID, conversationID)
	if err != nil {
		return fmt.Errorf("bot: unlock: %w", err)
	}
	type chat struct {
		id            int64
		channel, chat string
	}
	var chats []chat
	for rows.Next() {
		var c chat
		if err := rows.Scan(&c.id, &c.channel, &c.chat); err != nil {
			rows.Close()
			return fmt.Errorf("bot: unlock: %w", err)
		}
		chats = append(chats, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("bot: unlock: %w", err)
	}
	ids := make([]int64, len(chats))
	for i, c := range chats {
		ids[i] = c.id
	}
	if _, err := s.Pool.Exec(ctx, `WITH f AS (
			UPDATE verification_failures SET cleared_at = now()
			WHERE cleared_at IS NULL AND (conversation_id = ANY($1) OR (debtor_id = $2 AND $2 <> 0)))
		UPDATE conversations SET verify_locked_at = NULL, updated_at = now() WHERE id = ANY($1) AND verify_locked_at IS NOT NULL`, ids, debtorID); err != nil {
		return fmt.Errorf("bot: unlock: %w", err)
	}
	for _, c := range chats {
		err := s.serial.Do(ctx, c.channel, c.chat, func(ctx context.Context) error {
			var sess conversations.Session
			found, err := s.Redis.LoadSession(ctx, c.channel, c.chat, &sess)
			if err != nil || !found || !sess.Locked && sess.VerifyFailures == 0 {
				return err
			}
			sess.Locked, sess.VerifyFailures = false, 0
			return s.Redis.SaveSession(ctx, c.channel, c.chat, &sess)
		})
		if err != nil {
			return fmt.Errorf("bot: unlock %d: %w", c.id, err)
		}
	}
	return nil
}

// ForgetChat deletes the Redis session of a chat (LGPD erase), in the
// chat's order.
func (s *Service) ForgetChat(ctx context.Context, channel, chat string) error {
	return s.serial.Do(ctx, channel, chat, func(ctx context.Context) error {
		return s.Redis.Forget(ctx, channel, chat)
	})
}
