package telegram

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/payments"
)

// LinkTokenTTL is how long a deep link from a reminder links a chat.
const LinkTokenTTL = 7 * 24 * time.Hour

// NewLinkToken mints a deep-link token for a debtor, for another channel's
// reminder to carry as t.me/<bot>?start=<token> (see DeepLink). The token
// links the Telegram chat that opens it to the debtor, once, within
// LinkTokenTTL; only its hash is stored. Whoever opens it must still verify
// before anything is disclosed, so a forwarded link discloses nothing.
func NewLinkToken(ctx context.Context, pool *pgxpool.Pool, debtorID int64) (string, error) {
	b := make([]byte, 16)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b) // 22 of [A-Za-z0-9_-], as /start allows
	h := sha256.Sum256([]byte(token))
	err := pool.QueryRow(ctx, `INSERT INTO telegram_link_tokens (token_hash, debtor_id, expires_at)
		SELECT $1, id, now() + $3 * interval '1 second' FROM debtors WHERE id = $2 RETURNING debtor_id`,
		h[:], debtorID, int64(LinkTokenTTL/time.Second)).Scan(&debtorID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", payments.Errorf(payments.ENOTFOUND, "debtor %d not found", debtorID)
	}
	if err != nil {
		return "", fmt.Errorf("telegram: link token: %w", err)
	}
	return token, nil
}

// DeepLink is the link that opens a chat with the bot and sends it the token.
func DeepLink(botUsername, token string) string {
	return "https://t.me/" + botUsername + "?start=" + token
}

// redeemLinkToken spends a token for chat and returns its debtor; ok is
// false when the token is unknown, spent or expired.
func redeemLinkToken(ctx context.Context, pool *pgxpool.Pool, token, chat string) (debtorID int64, ok bool, err error) {
	h := sha256.Sum256([]byte(token))
	err = pool.QueryRow(ctx, `UPDATE telegram_link_tokens SET used_at = now(), used_chat = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING debtor_id`, h[:], chat).Scan(&debtorID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("telegram: redeem link token: %w", err)
	}
	return debtorID, true, nil
}

// Reachable returns the Telegram chat linked to a debtor that the bot can
// message: ok is false when no chat is linked, or when the person blocked
// the bot there (debtors.telegram_blocked_at), and the régua should use
// the other channel. Opting out is a separate stop (debtors.opt_out_telegram)
// that the régua checks with the others.
func Reachable(ctx context.Context, pool *pgxpool.Pool, debtorID int64) (chat string, ok bool, err error) {
	err = pool.QueryRow(ctx, `SELECT c.chat FROM conversations c
		JOIN debtors d ON d.id = c.debtor_id
		LEFT JOIN telegram_chats t ON t.chat_id::text = c.chat
		WHERE c.channel = 'telegram' AND c.debtor_id = $1 AND d.telegram_blocked_at IS NULL AND t.blocked_at IS NULL
		ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC LIMIT 1`, debtorID).Scan(&chat)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("telegram: reachable: %w", err)
	}
	return chat, true, nil
}

// chats keeps telegram_chats.
type chats struct{ pool *pgxpool.Pool }

func (c chats) load(ctx context.Context, chatID int64) (ChatState, error) {
	var st ChatState
	var menu []byte
	err := c.pool.QueryRow(ctx, "SELECT menu_nonce, menu, reply_keyboard FROM telegram_chats WHERE chat_id = $1", chatID).
		Scan(&st.Nonce, &menu, &st.ReplyKeyboard)
	if errors.Is(err, pgx.ErrNoRows) {
		return ChatState{}, nil
	}
	if err != nil {
		return st, fmt.Errorf("telegram: chat state: %w", err)
	}
	if err := json.Unmarshal(menu, &st.Menu); err != nil {
		return ChatState{}, nil // unreadable: no current menu
	}
	return st, nil
}

func (c chats) save(ctx context.Context, chatID int64, st ChatState) error {
	menu, _ := json.Marshal(st.Menu)
	_, err := c.pool.Exec(ctx, `INSERT INTO telegram_chats (chat_id, menu_nonce, menu, reply_keyboard) VALUES ($1, $2, $3, $4)
		ON CONFLICT (chat_id) DO UPDATE SET menu_nonce = excluded.menu_nonce, menu = excluded.menu,
			reply_keyboard = excluded.reply_keyboard, updated_at = now()`, chatID, st.Nonce, menu, st.ReplyKeyboard)
	if err != nil {
		return fmt.Errorf("telegram: save chat state: %w", err)
	}
	return nil
}

// blocked records that the person behind chatID blocked the bot, on the chat
// and on the debtor linked to it.
func (c chats) blocked(ctx context.Context, chatID int64, at time.Time) error {
	_, err := c.pool.Exec(ctx, `WITH t AS (
			INSERT INTO telegram_chats (chat_id, blocked_at) VALUES ($1, $2)
			ON CONFLICT (chat_id) DO UPDATE SET blocked_at = coalesce(telegram_chats.blocked_at, excluded.blocked_at), updated_at = now()
		)
		UPDATE debtors SET telegram_blocked_at = $2, updated_at = now()
		WHERE telegram_blocked_at IS NULL
		  AND id IN (SELECT debtor_id FROM conversations WHERE channel = 'telegram' AND chat = $3 AND debtor_id IS NOT NULL)`,
		chatID, at, strconv.FormatInt(chatID, 10))
	if err != nil {
		return fmt.Errorf("telegram: mark blocked: %w", err)
	}
	return nil
}

// unblocked clears what blocked recorded; it costs one indexed look-up when
// nothing was blocked.
func (c chats) unblocked(ctx context.Context, chatID int64) error {
	_, err := c.pool.Exec(ctx, `WITH t AS (
			UPDATE telegram_chats SET blocked_at = NULL, updated_at = now()
			WHERE chat_id = $1 AND blocked_at IS NOT NULL RETURNING chat_id
		)
		UPDATE debtors SET telegram_blocked_at = NULL, updated_at = now()
		WHERE telegram_blocked_at IS NOT NULL AND EXISTS (SELECT 1 FROM t)
		  AND id IN (SELECT debtor_id FROM conversations WHERE channel = 'telegram' AND chat = $2 AND debtor_id IS NOT NULL)`,
		chatID, strconv.FormatInt(chatID, 10))
	if err != nil {
		return fmt.Errorf("telegram: clear blocked: %w", err)
	}
	return nil
}
