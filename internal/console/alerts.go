package console

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/payments"
)

// Alert is a staff alert not yet resolved: an unmatched or excess payment,
// a receipt to check, a broken plan, a wrong number, a locked chat.
type Alert struct {
	ID               int64
	Kind, Message    string
	DebtorExternalID string
	DebtorName       string
	At               time.Time
}

var alertKinds = map[string]string{
	"handoff": "Atendimento", "receipt": "Comprovante", "dispute": "Contestação", "wrong_number": "Número errado",
	"plan_broken": "Acordo quebrado", "overpayment": "Pagamento a maior", "unmatched_payment": "Pagamento não identificado",
	"conversation": "Conversa",
}

// KindName is the alert's kind in Portuguese.
func (a Alert) KindName() string {
	if n, ok := alertKinds[a.Kind]; ok {
		return n
	}
	return a.Kind
}

func (c *Console) alerts(ctx context.Context) ([]Alert, error) {
	rows, err := c.pool.Query(ctx, `SELECT a.id, a.kind, a.message, coalesce(d.external_id, ''), coalesce(d.name, ''), a.created_at
		FROM staff_alerts a LEFT JOIN debtors d ON d.id = a.debtor_id
		WHERE a.resolved_at IS NULL AND a.kind <> 'handoff' ORDER BY a.created_at LIMIT 200`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Alert, error) {
		var a Alert
		err := r.Scan(&a.ID, &a.Kind, &a.Message, &a.DebtorExternalID, &a.DebtorName, &a.At)
		return a, err
	})
}

func (c *Console) resolveAlertPost(w http.ResponseWriter, r *http.Request) {
	var debtor *int64
	var kind string
	err := c.pool.QueryRow(r.Context(), "UPDATE staff_alerts SET resolved_at = now() WHERE id = $1 AND resolved_at IS NULL RETURNING kind, debtor_id",
		r.PathValue("id")).Scan(&kind, &debtor)
	if err != nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "alerta não encontrado ou já resolvido"))
		return
	}
	var d int64
	if debtor != nil {
		d = *debtor
	}
	c.audit(r.Context(), userOf(r).Email, "alert.resolve", r.PathValue("id"), d, map[string]any{"kind": kind})
	http.Redirect(w, r, "/console/?ok="+urlQueryEscape("Alerta resolvido."), http.StatusSeeOther)
}
