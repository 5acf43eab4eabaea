package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.mau.fi/whatsmeow"

	"github.com/regua/regua/bot"
)

// Outbox statuses: a message's outcome, from the send and the receipts.
const (
	StatusQueued    = "queued"
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
)

// Priorities: replies go before anything the business starts.
const (
	PriorityReply   = 0
	PriorityStarted = 1
)

// How long a queued message may wait before it is stale and dropped
// (failed, "expired"): a reminder must not arrive at night, nor an answer
// days late after the number was down.
const (
	replyTTL   = 24 * time.Hour
	startedTTL = 2 * time.Hour
)

// outbox keeps whatsapp_outbox: every message Régua sends on WhatsApp.
type outbox struct{ pool *pgxpool.Pool }

// Queued is one message waiting for delivery.
type Queued struct {
	ID       int64
	Chat     string
	Priority int
	Out      Out
	WAID     string
	Attempts int
	NotAfter time.Time
}

// enqueue stores the messages of one reply, in order, each with the
// WhatsApp id it will be sent with.
func (o outbox) enqueue(ctx context.Context, chat string, priority int, outs []Out, now time.Time) ([]string, error) {
	ttl := replyTTL
	if priority == PriorityStarted {
		ttl = startedTTL
	}
	ids := make([]string, len(outs))
	bodies := make([]string, len(outs))
	images := make([][]byte, len(outs))
	for i, m := range outs {
		ids[i] = string(whatsmeow.GenerateMessageID())
		bodies[i], images[i] = m.Text, m.PNG
	}
	// A reminder's key rides along, so its receipts reach the reminder
	// (migration 0031).
	var key *string
	if k := bot.OutboundKey(ctx); k != "" {
		key = &k
	}
	_, err := o.pool.Exec(ctx, `INSERT INTO whatsapp_outbox (chat, priority, body, image, wa_id, not_after, created_at, outbound_key)
		SELECT $1, $2, x.b, x.i, x.w, $6, $5, $8 FROM unnest($3::text[], $4::bytea[], $7::text[]) WITH ORDINALITY AS x(b, i, w, n) ORDER BY x.n`,
		chat, priority, bodies, images, now, now.Add(ttl), ids, key)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: queue: %w", err)
	}
	return ids, nil
}

// next is the message to deliver next: replies first, then in order.
func (o outbox) next(ctx context.Context) (*Queued, error) {
	var q Queued
	err := o.pool.QueryRow(ctx, `SELECT id, chat, priority, body, image, wa_id, attempts, not_after FROM whatsapp_outbox
		WHERE status = 'queued' ORDER BY priority, id LIMIT 1`).Scan(&q.ID, &q.Chat, &q.Priority, &q.Out.Text, &q.Out.PNG, &q.WAID, &q.Attempts, &q.NotAfter)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("whatsapp: next queued: %w", err)
	}
	return &q, nil
}

func (o outbox) sent(ctx context.Context, id int64, at time.Time) error {
	_, err := o.pool.Exec(ctx, "UPDATE whatsapp_outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1", id, at)
	if err != nil {
		return fmt.Errorf("whatsapp: mark sent: %w", err)
	}
	return nil
}

// attempted counts a try that failed but may be tried again.
func (o outbox) attempted(ctx context.Context, id int64, reason string) error {
	_, err := o.pool.Exec(ctx, "UPDATE whatsapp_outbox SET attempts = attempts + 1, reason = $2 WHERE id = $1", id, reason)
	if err != nil {
		return fmt.Errorf("whatsapp: count attempt: %w", err)
	}
	return nil
}

func (o outbox) failed(ctx context.Context, id int64, reason string, at time.Time) error {
	_, err := o.pool.Exec(ctx, "UPDATE whatsapp_outbox SET status = 'failed', reason = $2, failed_at = $3 WHERE id = $1 AND status = 'queued'", id, reason, at)
	if err != nil {
		return fmt.Errorf("whatsapp: mark failed: %w", err)
	}
	return nil
}

// failQueued fails every queued message (the number is unusable): they
// must take another channel, not leave days later.
func (o outbox) failQueued(ctx context.Context, reason string, at time.Time) (int64, error) {
	tag, err := o.pool.Exec(ctx, "UPDATE whatsapp_outbox SET status = 'failed', reason = $1, failed_at = $2 WHERE status = 'queued'", reason, at)
	if err != nil {
		return 0, fmt.Errorf("whatsapp: fail queued: %w", err)
	}
	return tag.RowsAffected(), nil
}

// receipt records delivery or reading of sent messages; a status never goes
// back (read stays read).
func (o outbox) receipt(ctx context.Context, ids []string, status string, at time.Time) error {
	var err error
	switch status {
	case StatusDelivered:
		_, err = o.pool.Exec(ctx, `UPDATE whatsapp_outbox SET status = 'delivered', delivered_at = coalesce(delivered_at, $2)
			WHERE wa_id = ANY($1) AND status = 'sent'`, ids, at)
	case StatusRead:
		_, err = o.pool.Exec(ctx, `UPDATE whatsapp_outbox SET status = 'read', read_at = coalesce(read_at, $2), delivered_at = coalesce(delivered_at, $2)
			WHERE wa_id = ANY($1) AND status IN ('sent', 'delivered')`, ids, at)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("whatsapp: receipt: %w", err)
	}
	return nil
}

// ours reports whether a message id is one Régua sent.
func (o outbox) ours(ctx context.Context, waID string) (bool, error) {
	var ok bool
	err := o.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM whatsapp_outbox WHERE wa_id = $1)", waID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("whatsapp: own message: %w", err)
	}
	return ok, nil
}

// Sent is one outbox row as the API and tests read it.
type Sent struct {
	Chat, Body, WAID, Status, Reason string
	Priority                         int
	Image                            bool
	SentAt                           *time.Time
}

// Log lists a chat's messages ("" for all), oldest first.
func Log(ctx context.Context, pool *pgxpool.Pool, chat string) ([]Sent, error) {
	rows, err := pool.Query(ctx, `SELECT chat, body, wa_id, status, reason, priority, image IS NOT NULL, sent_at
		FROM whatsapp_outbox WHERE $1 = '' OR chat = $1 ORDER BY id`, chat)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: log: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Sent, error) {
		var s Sent
		err := r.Scan(&s.Chat, &s.Body, &s.WAID, &s.Status, &s.Reason, &s.Priority, &s.Image, &s.SentAt)
		return s, err
	})
}

// Counts are the outbox's messages of the last 24 hours by status.
func Counts(ctx context.Context, pool *pgxpool.Pool) (map[string]int, error) {
	rows, err := pool.Query(ctx, "SELECT status, count(*) FROM whatsapp_outbox WHERE created_at > now() - interval '24 hours' GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("whatsapp: counts: %w", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			rows.Close()
			return nil, err
		}
		out[s] = n
	}
	rows.Close()
	return out, rows.Err()
}
