package bot

import (
	"context"
	"fmt"

	"github.com/regua/regua/conversations"
)

// LinkChat links a chat to a debtor, for channels whose chats say nothing
// about who is writing (a Telegram deep link from a reminder). Linking is
// not verification: a chat linked to someone else before forgets that
// person and anything verified for them, so the debtor must verify before
// anything is disclosed. Wrong answers counted and the lock they cause
// stay, as they protect the chat rather than one debtor. Linking to the
// debtor the chat already has changes nothing.
func (s *Service) LinkChat(ctx context.Context, channel, chat string, debtorID int64) error {
	if channel == "" || chat == "" || debtorID <= 0 {
		return fmt.Errorf("bot: link chat: channel, chat and debtor are required")
	}
	return s.serial.Do(ctx, channel, chat, func(ctx context.Context) error {
		_, err := s.Pool.Exec(ctx, `INSERT INTO conversations (channel, chat, debtor_id) VALUES ($1, $2, $3)
			ON CONFLICT (channel, chat) DO UPDATE SET debtor_id = excluded.debtor_id, updated_at = now()
			WHERE conversations.debtor_id IS DISTINCT FROM excluded.debtor_id`, channel, chat, debtorID)
		if err != nil {
			return fmt.Errorf("bot: link chat: %w", err)
		}
		var sess conversations.Session
		found, err := s.Redis.LoadSession(ctx, channel, chat, &sess)
		if err != nil || !found || sess.DebtorID == debtorID {
			return err
		}
		// The facts prefer the session's debtor: drop it, so the stored
		// link decides, and with it what was learnt about the other one.
		sess.DebtorID, sess.Verified = 0, false
		sess.State, sess.Misunderstood = conversations.StateNone, 0
		sess.ChargeChoices, sess.OfferChoices, sess.ChosenOffer = nil, nil, ""
		return s.Redis.SaveSession(ctx, channel, chat, sess)
	})
}
