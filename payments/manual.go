package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ManualPayment is money staff say was received outside Pix (cash at the
// counter, a bank transfer, a boleto paid elsewhere).
type ManualPayment struct {
	Key      string    // idempotency key: the same key records once
	DebtorID int64     // whose open charges it pays, oldest first
	ChargeID int64     // or the one charge it pays
	Amount   Cents     // > 0
	PaidAt   time.Time // zero: now
	Reason   string    // required: why staff record it
	Actor    string    // who records it
}

// RecordManualPayment records a payment received outside Pix as a balanced
// ledger transaction (cash_manual against the charges' receivables, the
// excess as the debtor's credit), once per Key. The reason is kept beside
// the payment, not in the ledger, so that an LGPD erase can clear it.
func (l *Ledger) RecordManualPayment(ctx context.Context, in ManualPayment) (*PaymentResult, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	switch {
	case in.Key == "":
		return nil, Invalid("key", "is required")
	case in.Reason == "":
		return nil, Invalid("reason", "is required")
	case len(in.Reason) > 500:
		return nil, Invalid("reason", "must be at most 500 characters")
	case in.DebtorID == 0 && in.ChargeID == 0:
		return nil, Invalid("debtor", "a debtor or a charge is required")
	}
	var res *PaymentResult
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var err error
		res, err = l.RecordPaymentTx(ctx, tx, PaymentInput{EndToEndID: "manual:" + in.Key, Amount: in.Amount, PaidAt: in.PaidAt,
			ChargeID: in.ChargeID, DebtorID: in.DebtorID, Source: "manual"})
		if err != nil || res.Duplicate {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO manual_payments (payment_id, reason, actor) VALUES ($1, $2, $3)", res.PaymentID, in.Reason, in.Actor)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: manual payment: %w", err)
	}
	return res, nil
}

// CancelCharge reverses what an open charge still owes as booked (billed
// in error): receivables against the income they were booked to. Money
// already paid on it stays paid. key makes it idempotent.
func (l *Ledger) CancelCharge(ctx context.Context, chargeID int64, key string) error {
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		if done, err := keyUsed(ctx, tx, key); err != nil || done {
			return err
		}
		s, err := lockCharge(ctx, tx, chargeID)
		if err != nil {
			return err
		}
		if s.Status != ChargeOpen {
			return Errorf(ECONFLICT, "charge %s is %s", s.ExternalID, s.Status)
		}
		var ps []Posting
		if s.Principal > 0 {
			ps = append(ps, Posting{Account: AccReceivablePrincipal, Amount: -s.Principal, DebtorID: s.DebtorID, ChargeID: s.ID},
				Posting{Account: AccBilled, Amount: s.Principal, DebtorID: s.DebtorID, ChargeID: s.ID})
		}
		if s.Fees > 0 {
			ps = append(ps, Posting{Account: AccReceivableFees, Amount: -s.Fees, DebtorID: s.DebtorID, ChargeID: s.ID},
				Posting{Account: AccLateFees, Amount: s.Fees, DebtorID: s.DebtorID, ChargeID: s.ID})
		}
		if len(ps) > 0 {
			if _, _, err := post(ctx, tx, "cancel_charge", key, "cancelled "+s.ExternalID, l.now(), ps); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE charges SET status = 'cancelled', updated_at = now() WHERE id = $1", s.ID); err != nil {
			return fmt.Errorf("ledger: cancel charge: %w", err)
		}
		return nil
	})
}

// Unbalanced returns how many ledger transactions do not sum to zero (0 in
// a sound ledger): a check for tests and the console's health page.
func (l *Ledger) Unbalanced(ctx context.Context) (int, error) {
	var n int
	err := l.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT transaction_id FROM ledger_postings GROUP BY transaction_id HAVING sum(amount) <> 0) x`).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, err
}
