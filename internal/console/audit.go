package console

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// The audit log is append-only (PostgreSQL refuses UPDATE, DELETE and
// TRUNCATE on it). Its detail never carries personal data (names, phones,
// documents, message text): an LGPD erase must leave it as it is.

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID        int64
	Actor     string
	Action    string
	Subject   string
	DebtorID  *int64
	Detail    string
	CreatedAt time.Time
}

func auditTx(ctx context.Context, tx pgx.Tx, actor, action, subject string, debtorID int64, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	b, _ := json.Marshal(detail)
	var d *int64
	if debtorID != 0 {
		d = &debtorID
	}
	_, err := tx.Exec(ctx, "INSERT INTO audit_log (actor, action, subject, debtor_id, detail) VALUES ($1, $2, $3, $4, $5)", actor, action, subject, d, b)
	return err
}

// audit records a staff action; a failure to record is logged.
func (c *Console) audit(ctx context.Context, actor, action, subject string, debtorID int64, detail map[string]any) {
	if detail == nil {
		detail = map[string]any{}
	}
	b, _ := json.Marshal(detail)
	var d *int64
	if debtorID != 0 {
		d = &debtorID
	}
	if _, err := c.pool.Exec(context.WithoutCancel(ctx), "INSERT INTO audit_log (actor, action, subject, debtor_id, detail) VALUES ($1, $2, $3, $4, $5)",
		actor, action, subject, d, b); err != nil {
		c.log.Error("audit log", "action", action, "err", err)
	}
}

func (c *Console) auditEntries(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	rows, err := c.pool.Query(ctx, `SELECT id, actor, action, subject, debtor_id, detail::text, created_at FROM audit_log
		WHERE $1 = 0 OR id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var e AuditEntry
		err := r.Scan(&e.ID, &e.Actor, &e.Action, &e.Subject, &e.DebtorID, &e.Detail, &e.CreatedAt)
		return e, err
	})
}
