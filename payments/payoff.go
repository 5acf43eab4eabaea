package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// PayoffQuote is what settles the rest of an active plan early on a civil
// date (CDC art. 52 §2): the principal still owed plus the interest accrued
// to that day (PayoffAmount), so the interest not yet run is waived.
type PayoffQuote struct {
	PlanID         int64
	DebtorID       int64
	On             time.Time // the civil date it holds for
	Count          int       // installments in the plan
	Open           int       // of them still to pay
	Remaining      Cents     // what the open installments still owe, at face value
	Payoff         Cents     // what settles them on On (never more than Remaining)
	InterestWaived Cents     // Remaining − Payoff
}

// payoffOf quotes the payoff of pl on the civil date on. An installment
// partly paid counts for what is still owed on it, at its due date; one
// paid or cancelled counts for nothing but still marks where the next
// period begins.
func payoffOf(pl *Plan, on time.Time) (PayoffQuote, error) {
	q := PayoffQuote{PlanID: pl.ID, DebtorID: pl.DebtorID, On: on, Count: len(pl.Installments)}
	all := make([]Installment, len(pl.Installments))
	for i, in := range pl.Installments {
		all[i] = Installment{Number: in.Number, DueDate: in.DueDate, Interest: in.Interest, Amortization: in.Amortization}
		if in.Status != InstallmentOpen || in.Outstanding <= 0 {
			continue
		}
		all[i].Amount = in.Outstanding
		q.Remaining += in.Outstanding
		q.Open++
	}
	if on.Before(pl.AcceptedOn) { // a payment dated before the agreement: no more than on its first day
		on = pl.AcceptedOn
	}
	pv, err := PayoffAmount(all, 0, pl.AcceptedOn, on)
	if err != nil {
		return q, fmt.Errorf("plans: payoff of plan %d: %w", pl.ID, err)
	}
	q.Payoff = min(pv, q.Remaining)
	q.InterestWaived = q.Remaining - q.Payoff
	return q, nil
}

// PlanPayoffQuote returns what settles an active plan today, by the
// ledger's clock in its time zone. A plan that is not active (paid or
// broken) is an ECONFLICT error.
func (l *Ledger) PlanPayoffQuote(ctx context.Context, planID int64) (PayoffQuote, error) {
	pl, err := loadPlan(ctx, l.pool, planID)
	if err != nil {
		return PayoffQuote{}, err
	}
	if pl.Status != PlanActive {
		return PayoffQuote{}, Errorf(ECONFLICT, "plan %d is %s: there is nothing to pay off", planID, pl.Status)
	}
	q, err := payoffOf(pl, Date(l.now(), l.loc))
	if err != nil {
		return PayoffQuote{}, err
	}
	if q.Open == 0 {
		return PayoffQuote{}, Errorf(ECONFLICT, "plan %d has nothing left to pay off", planID)
	}
	return q, nil
}

// PayoffQuote returns what settles an active plan today (see
// Ledger.PlanPayoffQuote).
func (p *Plans) PayoffQuote(ctx context.Context, planID int64) (PayoffQuote, error) {
	return p.ledger.PlanPayoffQuote(ctx, planID)
}

// PlanPayoff is what a payment on a plan's payoff code did.
type PlanPayoff struct {
	PlanID   int64
	DebtorID int64
	// PlanActive is false when the plan had already been paid or broken:
	// then nothing is applied to it.
	PlanActive bool
	// Quote is the payoff on the payment's date.
	Quote PayoffQuote
	// PaidOff: the payment covered Quote.Payoff, so every open installment
	// was settled, Quote.InterestWaived taken back out of plan interest and
	// the plan paid. Otherwise the payment went to the installments in
	// order, as ordinary installment payments (Installments), and nothing
	// was waived.
	PaidOff      bool
	Applied      Cents // to the plan
	Installments []*InstallmentPayment
	postings     []Posting
}

// payPlanOffTx applies up to amount to a plan through its payoff code, on
// the civil date on, under a lock on the plan (breaks and installment
// payments of the same plan wait for it).
func payPlanOffTx(ctx context.Context, tx pgx.Tx, planID int64, amount Cents, on, at time.Time) (*PlanPayoff, error) {
	po := &PlanPayoff{PlanID: planID}
	var status string
	err := tx.QueryRow(ctx, "SELECT debtor_id, status FROM plans WHERE id = $1 FOR UPDATE", planID).Scan(&po.DebtorID, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "plan %d not found", planID)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: lock plan: %w", err)
	}
	po.PlanActive = status == PlanActive
	if !po.PlanActive {
		return po, nil
	}
	pl, err := loadPlan(ctx, tx, planID)
	if err != nil {
		return nil, err
	}
	if po.Quote, err = payoffOf(pl, on); err != nil {
		return nil, err
	}
	if po.Quote.Open == 0 {
		return po, nil
	}
	if amount < po.Quote.Payoff {
		// Short of the payoff: the installments in order, no waiver.
		left := amount
		for _, in := range pl.Installments {
			if left == 0 {
				break
			}
			if in.Status != InstallmentOpen || in.Outstanding <= 0 {
				continue
			}
			ip, err := payInstallmentTx(ctx, tx, in.ID, left, at)
			if err != nil {
				return nil, err
			}
			po.Installments = append(po.Installments, ip)
			po.postings = append(po.postings, ip.postings...)
			po.Applied += ip.Applied
			left -= ip.Applied
		}
		return po, nil
	}
	for _, in := range pl.Installments {
		if in.Status == InstallmentOpen && in.Outstanding > 0 {
			po.postings = append(po.postings, Posting{Account: AccReceivablePlan, Amount: -in.Outstanding, DebtorID: po.DebtorID, InstallmentID: in.ID})
		}
	}
	if po.Quote.InterestWaived > 0 {
		po.postings = append(po.postings, Posting{Account: AccPlanInterest, Amount: po.Quote.InterestWaived, DebtorID: po.DebtorID})
	}
	if _, err := tx.Exec(ctx, "UPDATE plan_installments SET status = 'paid', paid_at = $2 WHERE plan_id = $1 AND status = 'open'", planID, at); err != nil {
		return nil, fmt.Errorf("ledger: installments paid off: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE plans SET status = 'paid', paid_at = $2 WHERE id = $1", planID, at); err != nil {
		return nil, fmt.Errorf("ledger: plan paid off: %w", err)
	}
	po.PaidOff, po.Applied = true, po.Quote.Payoff
	return po, nil
}
