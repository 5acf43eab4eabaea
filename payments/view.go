package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DebtorView is what a conversation may show a debtor, read in one round
// trip: the open charges with today's amounts, the credit, the next
// installment of each active plan and the policy's offers for the open
// charges. A chat turn of a verified person reads it; nothing else must.
type DebtorView struct {
	Balance      DebtorBalance
	Descriptions map[int64]string // open charges' descriptions, by charge id
	Next         []NextInstallment

	// what Quote needs, and its result once computed
	policy Policy
	ext    string
	states []*chargeState
	now    time.Time
	loc    *time.Location
	quote  *Quote
	err    error
	quoted bool
}

// Quote returns the policy's offers for the open charges (none when nothing
// is owed). It is computed on the first call, from what View read: a turn
// that shows no offers does not pay for them.
func (v *DebtorView) Quote() (*Quote, error) {
	if !v.quoted {
		v.quote, v.err = quoteDebt(v.policy, v.ext, v.states, v.now, v.loc)
		v.quoted = true
	}
	return v.quote, v.err
}

// NextInstallment is an active plan's first installment still to pay.
type NextInstallment struct {
	ID          int64
	PlanID      int64
	Number      int
	Count       int // installments in the plan
	DueDate     time.Time
	Outstanding Cents
}

// viewChargesSQL reads a debtor's open charges, oldest due first (on
// charges_debtor_open_idx).
const viewChargesSQL = "SELECT " + chargeStateColumns + ", c.description FROM charges c WHERE c.debtor_id = $1 AND c.status = 'open' ORDER BY c.due_date, c.id"

const nextInstallmentsSQL = `
	SELECT n.id, p.id, n.number, (SELECT count(*) FROM plan_installments x WHERE x.plan_id = p.id), n.due_date, n.outstanding
	FROM plans p
	CROSS JOIN LATERAL (
		SELECT i.id, i.number, i.due_date, o.outstanding
		FROM plan_installments i
		CROSS JOIN LATERAL (SELECT coalesce(sum(lp.amount), 0) AS outstanding FROM ledger_postings lp WHERE lp.installment_id = i.id) o
		WHERE i.plan_id = p.id AND o.outstanding > 0
		ORDER BY i.number LIMIT 1
	) n
	WHERE p.debtor_id = $1 AND p.status = 'active'
	ORDER BY p.id`

// BatchSender sends a batch of queries and runs their callbacks, returning
// the first error, as pool.SendBatch(ctx, b).Close() does; a statement
// group (internal/postgres) sends many callers' batches in one round trip.
// Callbacks given to it must set, not append to, what they fill: they may
// run twice.
type BatchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) error
}

// SendViewsWith has View send its reads through bs instead of the pool.
func (p *Plans) SendViewsWith(bs BatchSender) { p.views = bs }

func (p *Plans) sendBatch(ctx context.Context, b *pgx.Batch) error {
	if p.views != nil {
		return p.views.SendBatch(ctx, b)
	}
	return p.pool.SendBatch(ctx, b).Close()
}

// View reads the debtor's view as of now, in one round trip to PostgreSQL.
// An unknown debtor is ENOTFOUND.
func (p *Plans) View(ctx context.Context, debtorID int64, now time.Time) (*DebtorView, error) {
	b := &pgx.Batch{}
	var (
		polVersion int64
		polDoc     []byte
		polErr     error
		ext        string
		extErr     error
		states     []*chargeState
		descs      = map[int64]string{}
		credit     Cents
		next       []NextInstallment
	)
	// The debtor, their credit and the policy in force, in one statement
	// (no policy saved: NULLs, the defaults).
	b.Queue(`
		SELECT d.external_id,
		       (SELECT coalesce(-sum(amount), 0) FROM ledger_postings WHERE debtor_id = d.id AND account = 'debtor_credit'),
		       p.version, p.document
		FROM debtors d
		LEFT JOIN LATERAL (SELECT version, document FROM policies ORDER BY version DESC LIMIT 1) p ON true
		WHERE d.id = $1`, debtorID).QueryRow(func(r pgx.Row) error {
		var version *int64
		extErr = r.Scan(&ext, &credit, &version, &polDoc)
		polErr = nil
		if version == nil {
			polErr = pgx.ErrNoRows
		} else {
			polVersion = *version
		}
		if errors.Is(extErr, pgx.ErrNoRows) {
			return nil
		}
		return extErr
	})
	b.Queue(viewChargesSQL, debtorID).Query(func(rows pgx.Rows) error {
		states, descs = nil, map[int64]string{} // callbacks may run twice
		for rows.Next() {
			var s chargeState
			var desc string
			if err := rows.Scan(&s.ID, &s.DebtorID, &s.ExternalID, &s.Status, &s.Amount, &s.Due, &s.FineAssessed, &s.InterestThrough,
				&s.Principal, &s.Fees, &desc); err != nil {
				return err
			}
			states = append(states, &s)
			descs[s.ID] = desc
		}
		return rows.Err()
	})
	b.Queue(nextInstallmentsSQL, debtorID).Query(func(rows pgx.Rows) error {
		next = nil
		for rows.Next() {
			var n NextInstallment
			if err := rows.Scan(&n.ID, &n.PlanID, &n.Number, &n.Count, &n.DueDate, &n.Outstanding); err != nil {
				return err
			}
			next = append(next, n)
		}
		return rows.Err()
	})
	if err := p.sendBatch(ctx, b); err != nil {
		return nil, fmt.Errorf("payments: debtor view: %w", err)
	}
	if errors.Is(extErr, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "debtor %d not found", debtorID)
	}
	pol, err := p.policies.fromRow(polVersion, polDoc, polErr)
	if err != nil {
		return nil, err
	}
	v := &DebtorView{Descriptions: descs, Next: next, Balance: DebtorBalance{Credit: credit},
		policy: pol, ext: ext, states: states, now: now, loc: p.ledger.loc}
	for _, s := range states {
		cb := p.ledger.balanceOf(s, now)
		v.Balance.Charges = append(v.Balance.Charges, cb)
		v.Balance.Total += cb.Total
	}
	return v, nil
}

// LateFeeRules are the fine and late-interest rules of the policy the view
// was read with.
func (v *DebtorView) LateFeeRules() LateFeeRules { return v.policy.LateFees }

// DownPaymentOffers returns the policy's plans with a down payment of down
// for the open charges (Policy.DownPaymentOffers), and the least down
// payment the policy takes for them (0: it offers no such plans). A down
// payment the policy refuses gives no offers and no error.
func (v *DebtorView) DownPaymentOffers(down Cents) (offers []Offer, least Cents, err error) {
	q, err := v.Quote()
	if err != nil || q == nil || len(q.Offers) == 0 {
		return nil, 0, err
	}
	least = v.policy.DownPaymentLeast(q.Offers[0].Principal + q.Offers[0].Fees)
	offers, err = v.policy.DownPaymentOffers(q.Debt, down, v.now, v.loc)
	if ErrorCode(err) == EINVALID && ErrorField(err) == "down_payment" {
		return nil, least, nil
	}
	return offers, least, err
}
