package reminders

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Attempt is one reminder of a debtor with everything that happened to it.
type Attempt struct {
	ID               int64      `json:"id"`
	ChargeExternalID string     `json:"charge_external_id"`
	Installment      int        `json:"installment,omitempty"`
	Step             string     `json:"step"`
	Intent           string     `json:"intent"`
	Status           string     `json:"status"` // planned, sending, sent, delivered, read, held, failed
	Channel          string     `json:"channel,omitempty"`
	Reason           string     `json:"reason,omitempty"`
	Detail           string     `json:"detail,omitempty"`
	DueAt            time.Time  `json:"due_at"`
	SentAt           *time.Time `json:"sent_at"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Events           []Event    `json:"events"`
}

// Event is one change of a reminder.
type Event struct {
	At      time.Time  `json:"at"`
	Status  string     `json:"status"`
	Channel string     `json:"channel,omitempty"`
	Reason  string     `json:"reason,omitempty"`
	Detail  string     `json:"detail,omitempty"`
	NextAt  *time.Time `json:"next_at,omitempty"`
}

// History lists a debtor's reminders, newest first (at most limit), each
// with its events. found is false when no debtor has that external id.
func History(ctx context.Context, pool *pgxpool.Pool, debtorExternalID string, limit int) (out []Attempt, found bool, err error) {
	err = pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM debtors WHERE external_id = $1)", debtorExternalID).Scan(&found)
	if err != nil || !found {
		return nil, found, err
	}
	rows, err := pool.Query(ctx, `
		SELECT r.id, coalesce(c.external_id, (SELECT min(c2.external_id) FROM plan_charges pc JOIN charges c2 ON c2.id = pc.charge_id WHERE pc.plan_id = i.plan_id), ''),
		       coalesce(i.number, 0), r.step, r.intent, r.status, r.channel, r.reason, r.detail, r.due_at, r.sent_at, r.created_at, r.updated_at,
		       coalesce((SELECT json_agg(json_build_object('at', e.at, 'status', e.status, 'channel', e.channel, 'reason', e.reason,
		                 'detail', e.detail, 'next_at', e.next_at) ORDER BY e.id) FROM reminder_events e WHERE e.reminder_id = r.id), '[]')
		FROM reminders r JOIN debtors d ON d.id = r.debtor_id
		LEFT JOIN charges c ON c.id = r.charge_id
		LEFT JOIN plan_installments i ON i.id = r.installment_id
		WHERE d.external_id = $1 ORDER BY r.id DESC LIMIT $2`, debtorExternalID, limit)
	if err != nil {
		return nil, true, fmt.Errorf("regua: history: %w", err)
	}
	out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attempt, error) {
		var a Attempt
		var events []byte
		var number int32
		if err := r.Scan(&a.ID, &a.ChargeExternalID, &number, &a.Step, &a.Intent, &a.Status, &a.Channel, &a.Reason, &a.Detail,
			&a.DueAt, &a.SentAt, &a.CreatedAt, &a.UpdatedAt, &events); err != nil {
			return a, err
		}
		a.Installment = int(number)
		if err := json.Unmarshal(events, &a.Events); err != nil {
			return a, err
		}
		for i := range a.Events {
			if a.Events[i].NextAt != nil && a.Events[i].NextAt.IsZero() {
				a.Events[i].NextAt = nil
			}
		}
		return a, nil
	})
	if err != nil {
		return nil, true, fmt.Errorf("regua: history: %w", err)
	}
	if out == nil {
		out = []Attempt{}
	}
	return out, true, nil
}

// OptOutEmail records a debtor's email unsubscribe (List-Unsubscribe),
// honoured like SAIR: the gate holds email for them from now on.
func OptOutEmail(ctx context.Context, pool *pgxpool.Pool, debtorID int64) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE debtors SET opt_out_email = true, updated_at = now() WHERE id = $1 AND NOT opt_out_email", debtorID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO audit_log (actor, action, subject) VALUES ('debtor:email', 'debtor.opt_out_email', $1)",
			fmt.Sprintf("debtor %d", debtorID))
		return err
	})
}
