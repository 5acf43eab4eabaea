package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Plan statuses.
const (
	PlanActive = "active" // installments being paid
	PlanPaid   = "paid"   // every installment paid
	PlanBroken = "broken" // an installment was too late: the rest of the debt went back to the charges
)

// Installment statuses.
const (
	InstallmentOpen      = "open"
	InstallmentPaid      = "paid"
	InstallmentCancelled = "cancelled" // the plan broke before it was paid
)

// Plan is an accepted offer. Accepting it settled the debtor's open charges
// into the plan: the ledger moved what they owed (principal and the late
// charges booked to the day of the agreement) into one receivable per
// installment, booked the plan's interest as income and, for a cash offer,
// the discount as an expense. A cash offer is a plan of one installment due
// the day it was accepted.
type Plan struct {
	ID                 int64
	DebtorID           int64
	OfferID            string
	Kind               string // OfferCash or OfferInstallments
	Status             string
	PolicyVersion      int64
	Principal          Cents // what the charges owed when the plan was made …
	Fees               Cents // … as principal and as fine and interest
	Discount           Cents
	Financed           Cents // Principal + Fees − Discount
	Interest           Cents // the plan's interest
	Total              Cents // Financed + Interest = the sum of the installments
	MonthlyRateBP      int64
	BreakAfterDaysLate int
	AcceptedOn         time.Time // civil date
	AcceptedAt         time.Time
	PaidAt             *time.Time
	BrokenAt           *time.Time
	Charges            []PlanCharge
	Installments       []PlanInstallment
}

// PlanCharge is a charge settled into a plan and what it owed then.
type PlanCharge struct {
	ChargeID   int64
	ExternalID string
	DueDate    time.Time
	Principal  Cents
	Fees       Cents
	// Restored is what a break put back on the charge (nil while the plan
	// has not broken).
	RestoredPrincipal *Cents
	RestoredFees      *Cents
}

// PlanInstallment is one payment of a plan.
type PlanInstallment struct {
	ID           int64
	PlanID       int64
	Number       int
	DueDate      time.Time
	Amount       Cents
	Interest     Cents
	Amortization Cents
	Status       string
	Paid         Cents // received for it
	Outstanding  Cents // still receivable (0 once paid or cancelled)
	PaidAt       *time.Time
}

// Quote is what the policy offers a debtor at an instant.
type Quote struct {
	Debt   Debt
	Policy Policy
	Offers []Offer // empty when nothing is owed
	// CashOnly says why there are no installment plans, when there are
	// none although something is owed.
	CashOnly error
}

// StaleOfferError refuses an offer that is no longer on the table: the debt
// changed, a day passed or the policy changed since it was made. Offers are
// the ones valid now. Its code is ECONFLICT.
type StaleOfferError struct {
	OfferID string
	Offers  []Offer
	err     *Error
}

func (e *StaleOfferError) Error() string { return e.err.Error() }
func (e *StaleOfferError) Unwrap() error { return e.err }

// Plans makes offers to debtors from the current policy, turns an accepted
// offer into a plan in the ledger, and breaks plans whose installments are
// too late.
type Plans struct {
	pool     *pgxpool.Pool
	ledger   *Ledger
	policies *PolicyStore
	log      *slog.Logger
	views    BatchSender // nil: the pool
}

// NewPlans builds Plans over the ledger's pool.
func NewPlans(ledger *Ledger, policies *PolicyStore, log *slog.Logger) *Plans {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Plans{pool: ledger.pool, ledger: ledger, policies: policies, log: log}
}

// debtOf is the Debt the policy quotes for a debtor's open charges as the
// ledger holds them. The ledger keeps fine and interest in one receivable
// and records how far they are booked (fine_assessed, interest_through);
// Offers wants the same facts:
//   - Principal is the principal still owed; the booked fine and interest
//     still owed go in Interest (the ledger does not keep them apart and
//     Offers adds Fine and Interest up alike);
//   - AssessedThrough is interest_through. The ledger books late charges
//     only on a day after the due date, and the fine with the first of
//     them, so interest_through is either unset (nothing booked: both
//     compute the fine and interest from the due date) or after the due
//     date with the fine booked (both add interest only, from the day after
//     it). A plan break keeps to the same rule when it restores a charge.
//
// So Offers' principal plus fees is exactly the ledger's DebtorBalance.Total.
func debtOf(debtorExt string, states []*chargeState, today time.Time) Debt {
	d := Debt{DebtorExternalID: debtorExt}
	for _, s := range states {
		if s.Principal+s.Fees <= 0 {
			continue
		}
		c := DebtCharge{ExternalID: s.ExternalID, Principal: s.Principal, DueDate: s.Due, Interest: s.Fees}
		if s.InterestThrough != nil {
			c.AssessedThrough = *s.InterestThrough
			if c.AssessedThrough.After(today) { // booked ahead by a payment dated later than our clock
				c.AssessedThrough = today
			}
		} else if s.Fees > 0 {
			c.AssessedThrough = s.Due
		}
		d.Charges = append(d.Charges, c)
	}
	return d
}

func openChargeStates(ctx context.Context, q querier, debtorID int64, lock bool) ([]*chargeState, error) {
	sql := chargeStateSQL + " WHERE c.debtor_id = $1 AND c.status = 'open' ORDER BY c.due_date, c.id"
	if lock {
		sql += " FOR UPDATE OF c"
	}
	rows, err := q.Query(ctx, sql, debtorID)
	if err != nil {
		return nil, fmt.Errorf("plans: open charges: %w", err)
	}
	defer rows.Close()
	var states []*chargeState
	for rows.Next() {
		s, err := scanChargeState(rows)
		if err != nil {
			return nil, fmt.Errorf("plans: open charges: %w", err)
		}
		states = append(states, s)
	}
	return states, rows.Err()
}

func quoteDebt(p Policy, debtorExt string, states []*chargeState, now time.Time, loc *time.Location) (*Quote, error) {
	q := &Quote{Policy: p, Debt: debtOf(debtorExt, states, Date(now, loc)), Offers: []Offer{}}
	if len(q.Debt.Charges) == 0 {
		return q, nil
	}
	offers, cashOnly, err := p.quote(q.Debt, now, loc)
	if err != nil {
		return nil, fmt.Errorf("plans: offers: %w", err)
	}
	q.Offers, q.CashOnly = offers, cashOnly
	return q, nil
}

// Quote returns what the current policy offers the debtor now for all of
// their open charges together.
func (p *Plans) Quote(ctx context.Context, debtorID int64) (*Quote, error) {
	pol, err := p.policies.Current(ctx)
	if err != nil {
		return nil, err
	}
	var ext string
	if err := p.pool.QueryRow(ctx, "SELECT external_id FROM debtors WHERE id = $1", debtorID).Scan(&ext); errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "debtor %d not found", debtorID)
	} else if err != nil {
		return nil, fmt.Errorf("plans: debtor: %w", err)
	}
	states, err := openChargeStates(ctx, p.pool, debtorID, false)
	if err != nil {
		return nil, err
	}
	return quoteDebt(pol, ext, states, p.ledger.now(), p.ledger.loc)
}

// Accept turns the offer offerID into a plan for the debtor, in one
// database transaction: it locks the debtor's open charges, recomputes the
// offers, and when offerID is still among them books the charges' late
// charges to today, settles the charges into the plan (status in_plan) and
// opens one receivable per installment. Accepting an offer already
// accepted returns its plan (created == false), however many times and
// however concurrently it is called. An offer no longer on the table is a
// *StaleOfferError carrying the offers valid now.
func (p *Plans) Accept(ctx context.Context, debtorID int64, offerID, actor string) (plan *Plan, created bool, err error) {
	if strings.TrimSpace(offerID) == "" {
		return nil, false, Invalid("offer_id", "is required")
	}
	if actor == "" {
		actor = "system"
	}
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// The debtor's row serialises plan changes for one debtor: a second
		// acceptance of the same offer waits here and then finds the plan.
		var ext string
		err := tx.QueryRow(ctx, "SELECT external_id FROM debtors WHERE id = $1 FOR UPDATE", debtorID).Scan(&ext)
		if errors.Is(err, pgx.ErrNoRows) {
			return Errorf(ENOTFOUND, "debtor %d not found", debtorID)
		} else if err != nil {
			return fmt.Errorf("plans: lock debtor: %w", err)
		}
		var existing, owner int64
		err = tx.QueryRow(ctx, "SELECT id, debtor_id FROM plans WHERE offer_id = $1", offerID).Scan(&existing, &owner)
		switch {
		case err == nil && owner != debtorID:
			return &Error{Code: ENOTFOUND, Field: "offer_id", Message: fmt.Sprintf("offer %s is not one of this debtor's", offerID)}
		case err == nil:
			plan, err = loadPlan(ctx, tx, existing)
			return err
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("plans: find offer: %w", err)
		}

		pol, err := p.policies.current(ctx, tx)
		if err != nil {
			return err
		}
		states, err := openChargeStates(ctx, tx, debtorID, true)
		if err != nil {
			return err
		}
		now := p.ledger.now()
		q, err := quoteDebt(pol, ext, states, now, p.ledger.loc)
		if err != nil {
			return err
		}
		if down, ok := downPaymentOf(offerID); ok && len(q.Debt.Charges) > 0 {
			// A plan with a down payment: the offers for that down payment.
			if withDown, err := pol.DownPaymentOffers(q.Debt, down, now, p.ledger.loc); err == nil {
				q.Offers = append(slices.Clip(q.Offers), withDown...)
			}
		}
		i := slices.IndexFunc(q.Offers, func(o Offer) bool { return o.ID == offerID })
		if i < 0 {
			msg := fmt.Sprintf("offer %s is no longer available: the debt, the day or the policy changed since it was made; choose one of the current offers", offerID)
			if len(q.Offers) == 0 {
				msg = fmt.Sprintf("offer %s is no longer available: nothing is owed now", offerID)
			}
			return &StaleOfferError{OfferID: offerID, Offers: q.Offers, err: &Error{Code: ECONFLICT, Field: "offer_id", Message: msg}}
		}
		plan, err = p.acceptTx(ctx, tx, debtorID, pol, q.Offers[i], states, now, actor)
		created = err == nil
		return err
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, false, err
		}
		return nil, false, fmt.Errorf("plans: accept: %w", err)
	}
	return plan, created, nil
}

func (p *Plans) acceptTx(ctx context.Context, tx pgx.Tx, debtorID int64, pol Policy, o Offer, states []*chargeState, now time.Time, actor string) (*Plan, error) {
	// Book each charge's late charges to today, by the policy the offer was
	// computed with, so that the ledger holds exactly what the offer settles.
	var principal, fees Cents
	var live []*chargeState
	for _, s := range states {
		if err := p.ledger.assessWithTx(ctx, tx, s, now, pol.LateFees); err != nil {
			return nil, err
		}
		if s.Principal+s.Fees <= 0 {
			continue
		}
		principal += s.Principal
		fees += s.Fees
		live = append(live, s)
	}
	if principal != o.Principal || fees != o.Fees {
		return nil, fmt.Errorf("plans: charges hold %d principal and %d fees, the offer %d and %d", principal, fees, o.Principal, o.Fees)
	}
	today := Date(now, p.ledger.loc)
	var planID int64
	err := tx.QueryRow(ctx, `INSERT INTO plans (debtor_id, offer_id, kind, policy_version, principal, fees, discount, financed, interest, total,
			monthly_rate_bp, break_after_days_late, accepted_on, accepted_at, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		debtorID, o.ID, o.Kind, pol.Version, o.Principal, o.Fees, o.Discount, o.Financed, o.Interest, o.Total,
		o.MonthlyRateBP, pol.BreakAfterDaysLate, today, now, actor).Scan(&planID)
	if err != nil {
		return nil, fmt.Errorf("plans: insert plan: %w", err)
	}
	n := len(o.Installments)
	numbers, amounts, interests, amorts := make([]int32, n), make([]int64, n), make([]int64, n), make([]int64, n)
	dues := make([]time.Time, n)
	for k, in := range o.Installments {
		numbers[k], dues[k], amounts[k], interests[k], amorts[k] = int32(in.Number), in.DueDate, int64(in.Amount), int64(in.Interest), int64(in.Amortization)
	}
	rows, err := tx.Query(ctx, `INSERT INTO plan_installments (plan_id, number, due_date, amount, interest, amortization)
		SELECT $1, x.* FROM unnest($2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[]) AS x
		RETURNING id, number`, planID, numbers, dues, amounts, interests, amorts)
	if err != nil {
		return nil, fmt.Errorf("plans: insert installments: %w", err)
	}
	ids := map[int]int64{}
	for rows.Next() {
		var id int64
		var num int32
		if err := rows.Scan(&id, &num); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plans: insert installments: %w", err)
		}
		ids[int(num)] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plans: insert installments: %w", err)
	}

	var ps []Posting
	var exts []string
	for _, s := range live {
		if _, err := tx.Exec(ctx, `INSERT INTO plan_charges (plan_id, charge_id, principal, fees, fine_assessed, interest_through)
			VALUES ($1, $2, $3, $4, $5, $6)`, planID, s.ID, s.Principal, s.Fees, s.FineAssessed, s.InterestThrough); err != nil {
			return nil, fmt.Errorf("plans: insert plan charge: %w", err)
		}
		sp, _ := settle(s, s.Principal+s.Fees)
		ps = append(ps, sp...)
		if err := setStatusIfSettled(ctx, tx, s, ChargeInPlan); err != nil {
			return nil, fmt.Errorf("plans: charge in plan: %w", err)
		}
		exts = append(exts, s.ExternalID)
	}
	for _, in := range o.Installments {
		ps = append(ps, Posting{Account: AccReceivablePlan, Amount: in.Amount, DebtorID: debtorID, InstallmentID: ids[in.Number]})
	}
	if o.Interest > 0 {
		ps = append(ps, Posting{Account: AccPlanInterest, Amount: -o.Interest, DebtorID: debtorID})
	}
	if o.Discount > 0 {
		ps = append(ps, Posting{Account: AccDiscounts, Amount: o.Discount, DebtorID: debtorID})
	}
	memo := fmt.Sprintf("plan %d accepted: %d× from %s, total %s (financed %s, interest %s, discount %s); charges %s",
		planID, o.Count, o.Installments[0].Amount.Decimal(), o.Total.Decimal(), o.Financed.Decimal(), o.Interest.Decimal(), o.Discount.Decimal(), strings.Join(exts, ", "))
	txID, _, err := post(ctx, tx, "plan_accept", fmt.Sprintf("plan_accept:%d", planID), memo, now, ps)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "UPDATE plans SET transaction_id = $2 WHERE id = $1", planID, txID); err != nil {
		return nil, fmt.Errorf("plans: link transaction: %w", err)
	}
	detail, _ := json.Marshal(map[string]any{"offer_id": o.ID, "kind": o.Kind, "count": o.Count, "total": o.Total, "policy_version": pol.Version})
	if _, err := tx.Exec(ctx, "INSERT INTO audit_log (actor, action, subject, detail) VALUES ($1, 'plan.accept', $2, $3)",
		actor, fmt.Sprintf("plan %d", planID), detail); err != nil {
		return nil, fmt.Errorf("plans: audit: %w", err)
	}
	return loadPlan(ctx, tx, planID)
}

// Plan returns a plan with its charges and installments.
func (p *Plans) Plan(ctx context.Context, id int64) (*Plan, error) {
	return loadPlan(ctx, p.pool, id)
}

// PlansOfDebtor returns a debtor's plans, oldest first.
func (p *Plans) PlansOfDebtor(ctx context.Context, debtorID int64) ([]*Plan, error) {
	rows, err := p.pool.Query(ctx, "SELECT id FROM plans WHERE debtor_id = $1 ORDER BY id", debtorID)
	if err != nil {
		return nil, fmt.Errorf("plans: list: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("plans: list: %w", err)
	}
	out := make([]*Plan, 0, len(ids))
	for _, id := range ids {
		pl, err := loadPlan(ctx, p.pool, id)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, nil
}

func loadPlan(ctx context.Context, q querier, id int64) (*Plan, error) {
	var pl Plan
	err := q.QueryRow(ctx, `SELECT id, debtor_id, offer_id, kind, status, policy_version, principal, fees, discount, financed, interest, total,
			monthly_rate_bp, break_after_days_late, accepted_on, accepted_at, paid_at, broken_at
		FROM plans WHERE id = $1`, id).Scan(&pl.ID, &pl.DebtorID, &pl.OfferID, &pl.Kind, &pl.Status, &pl.PolicyVersion, &pl.Principal, &pl.Fees,
		&pl.Discount, &pl.Financed, &pl.Interest, &pl.Total, &pl.MonthlyRateBP, &pl.BreakAfterDaysLate, &pl.AcceptedOn, &pl.AcceptedAt,
		&pl.PaidAt, &pl.BrokenAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "plan %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("plans: load: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT pc.charge_id, c.external_id, c.due_date, pc.principal, pc.fees, pc.restored_principal, pc.restored_fees
		FROM plan_charges pc JOIN charges c ON c.id = pc.charge_id WHERE pc.plan_id = $1 ORDER BY c.due_date, c.id`, id)
	if err != nil {
		return nil, fmt.Errorf("plans: load charges: %w", err)
	}
	pl.Charges, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PlanCharge, error) {
		var c PlanCharge
		err := r.Scan(&c.ChargeID, &c.ExternalID, &c.DueDate, &c.Principal, &c.Fees, &c.RestoredPrincipal, &c.RestoredFees)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("plans: load charges: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT i.id, i.plan_id, i.number, i.due_date, i.amount, i.interest, i.amortization, i.status, i.paid_at,
			coalesce((SELECT sum(lp.amount) FROM ledger_postings lp WHERE lp.installment_id = i.id), 0),
			coalesce((SELECT -sum(lp.amount) FROM ledger_postings lp JOIN ledger_transactions t ON t.id = lp.transaction_id
			          WHERE lp.installment_id = i.id AND t.kind = 'payment'), 0)
		FROM plan_installments i WHERE i.plan_id = $1 ORDER BY i.number`, id)
	if err != nil {
		return nil, fmt.Errorf("plans: load installments: %w", err)
	}
	pl.Installments, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PlanInstallment, error) {
		var in PlanInstallment
		err := r.Scan(&in.ID, &in.PlanID, &in.Number, &in.DueDate, &in.Amount, &in.Interest, &in.Amortization, &in.Status, &in.PaidAt,
			&in.Outstanding, &in.Paid)
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("plans: load installments: %w", err)
	}
	return &pl, nil
}

// InstallmentDue is an installment as billing needs it to issue a code.
type InstallmentDue struct {
	ID          int64
	PlanID      int64
	DebtorID    int64
	Number      int
	Count       int // installments in the plan
	DueDate     time.Time
	Amount      Cents
	Outstanding Cents // what is still to pay on it
	Status      string
	PlanStatus  string
}

// InstallmentDue returns an installment and what is still owed on it.
func (l *Ledger) InstallmentDue(ctx context.Context, id int64) (*InstallmentDue, error) {
	var d InstallmentDue
	err := l.pool.QueryRow(ctx, `SELECT i.id, i.plan_id, p.debtor_id, i.number, (SELECT count(*) FROM plan_installments WHERE plan_id = p.id),
			i.due_date, i.amount, i.status, p.status,
			coalesce((SELECT sum(amount) FROM ledger_postings WHERE installment_id = i.id AND account = 'receivable_plan'), 0)
		FROM plan_installments i JOIN plans p ON p.id = i.plan_id WHERE i.id = $1`, id).
		Scan(&d.ID, &d.PlanID, &d.DebtorID, &d.Number, &d.Count, &d.DueDate, &d.Amount, &d.Status, &d.PlanStatus, &d.Outstanding)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "installment %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("plans: installment: %w", err)
	}
	return &d, nil
}

// InstallmentPayment is what a payment did to the installment it was for.
type InstallmentPayment struct {
	InstallmentID int64
	PlanID        int64
	DebtorID      int64
	Number        int
	Count         int
	Applied       Cents // to the installment
	Paid          bool  // this payment settled the installment …
	PlanPaid      bool  // … and with it the whole plan
	// PlanActive is false when the plan had already broken or been paid:
	// then nothing is applied to the installment.
	PlanActive bool
	postings   []Posting
}

// payInstallmentTx applies up to amount to an installment's receivable,
// under a lock on its plan (a break and a payment of the same plan wait for
// each other). It marks the installment paid when nothing is left on it, and
// the plan paid when that was its last open installment.
func payInstallmentTx(ctx context.Context, tx pgx.Tx, id int64, amount Cents, at time.Time) (*InstallmentPayment, error) {
	ip := &InstallmentPayment{InstallmentID: id}
	err := tx.QueryRow(ctx, "SELECT plan_id, number FROM plan_installments WHERE id = $1", id).Scan(&ip.PlanID, &ip.Number)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "installment %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: installment: %w", err)
	}
	var status string
	if err := tx.QueryRow(ctx, "SELECT debtor_id, status FROM plans WHERE id = $1 FOR UPDATE", ip.PlanID).Scan(&ip.DebtorID, &status); err != nil {
		return nil, fmt.Errorf("ledger: lock plan: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM plan_installments WHERE plan_id = $1", ip.PlanID).Scan(&ip.Count); err != nil {
		return nil, fmt.Errorf("ledger: installments: %w", err)
	}
	ip.PlanActive = status == PlanActive
	if !ip.PlanActive {
		return ip, nil
	}
	var istatus string
	var outstanding Cents
	err = tx.QueryRow(ctx, `SELECT status, coalesce((SELECT sum(amount) FROM ledger_postings WHERE installment_id = $1 AND account = 'receivable_plan'), 0)
		FROM plan_installments WHERE id = $1`, id).Scan(&istatus, &outstanding)
	if err != nil {
		return nil, fmt.Errorf("ledger: installment balance: %w", err)
	}
	ip.Applied = min(amount, outstanding)
	if ip.Applied > 0 {
		ip.postings = append(ip.postings, Posting{Account: AccReceivablePlan, Amount: -ip.Applied, DebtorID: ip.DebtorID, InstallmentID: id})
	}
	if istatus != InstallmentOpen || outstanding-ip.Applied > 0 {
		return ip, nil
	}
	if _, err := tx.Exec(ctx, "UPDATE plan_installments SET status = 'paid', paid_at = $2 WHERE id = $1", id, at); err != nil {
		return nil, fmt.Errorf("ledger: installment paid: %w", err)
	}
	ip.Paid = true
	tag, err := tx.Exec(ctx, `UPDATE plans SET status = 'paid', paid_at = $2 WHERE id = $1
		AND NOT EXISTS (SELECT 1 FROM plan_installments WHERE plan_id = $1 AND status = 'open')`, ip.PlanID, at)
	if err != nil {
		return nil, fmt.Errorf("ledger: plan paid: %w", err)
	}
	ip.PlanPaid = tag.RowsAffected() == 1
	return ip, nil
}

// BreakResult says what breaking a plan did.
type BreakResult struct {
	PlanID           int64
	Broken           bool  // false: the plan was not active or not late enough; nothing changed
	Installment      int   // the late installment that broke it
	DaysLate         int   // how late it was
	Paid             Cents // received for the plan's installments
	Amortized        Cents // of that, amortisation (the rest paid plan interest)
	InterestReversed Cents // plan interest not earned, taken back out of income
	Restored         Cents // put back on the charges: Principal + Fees − Amortized
	Credit           Cents // amortisation beyond what was owed (prepaid installments), kept as credit
}

// BreakOverdue breaks every active plan with an open installment more than
// its plan's BreakAfterDaysLate days late today. It returns the plans it
// broke. Each break is its own transaction and breaking is idempotent, so
// a failed or repeated run is harmless.
func (p *Plans) BreakOverdue(ctx context.Context) ([]BreakResult, error) {
	today := Date(p.ledger.now(), p.ledger.loc)
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT p.id FROM plans p JOIN plan_installments i ON i.plan_id = p.id
		WHERE p.status = 'active' AND i.status = 'open' AND i.due_date + p.break_after_days_late < $1 ORDER BY p.id`, today)
	if err != nil {
		return nil, fmt.Errorf("plans: overdue: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("plans: overdue: %w", err)
	}
	var out []BreakResult
	var errs []error
	for _, id := range ids {
		r, err := p.Break(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.Broken {
			out = append(out, *r)
		}
	}
	return out, errors.Join(errs...)
}

// Break breaks a plan if one of its open installments is more than the
// plan's BreakAfterDaysLate days late today, and otherwise changes nothing
// (so breaking twice is breaking once). In one transaction it:
//
//   - takes the unpaid installments' receivables off the books (they are
//     cancelled);
//   - takes the plan interest that was not earned back out of income: the
//     interest of an installment counts as earned only as far as the
//     installment was paid, its interest first, and only when its due date
//     has come (a payment ahead of time is all amortisation: no interest is
//     earned for a month that had not run);
//   - reverses a cash offer's discount (it was granted for paying at once);
//   - restores the rest of the debt onto the original charges, open again:
//     what they owed when the plan was made (principal and the fine and
//     interest booked to that day) minus the amortisation paid. So right
//     after the break the debtor owes exactly
//     Principal + Fees − Amortized, never more.
//
// How the restored debt is split, and late charges from then on — the
// choices that are kindest to the debtor while keeping what was agreed:
//
//   - The amortisation paid reduces principal before fine and interest, the
//     oldest charge's first. Late interest runs on principal only (never on
//     fine or interest), so this leaves the least on which interest runs.
//   - Late interest starts again the day after the break, not from the day
//     the plan was made nor from the missed installment's due date: the
//     plan's interest for the unpaid months is waived with the plan, and no
//     late interest is charged for the grace period either.
//   - No charge is fined twice: a charge fined before the plan keeps its
//     fine in the restored fees; a charge that fell due during the plan is
//     not fined (the debtor's default was on the plan, which has no fine).
//     A charge not yet due is restored as new: fine and interest only if it
//     is paid late.
func (p *Plans) Break(ctx context.Context, planID int64) (*BreakResult, error) {
	res := &BreakResult{PlanID: planID}
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var debtorID int64
		err := tx.QueryRow(ctx, "SELECT debtor_id FROM plans WHERE id = $1", planID).Scan(&debtorID)
		if errors.Is(err, pgx.ErrNoRows) {
			return Errorf(ENOTFOUND, "plan %d not found", planID)
		} else if err != nil {
			return err
		}
		// Lock order, as in Accept and payments: debtor, plan, charges.
		if _, err := tx.Exec(ctx, "SELECT 1 FROM debtors WHERE id = $1 FOR UPDATE", debtorID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT 1 FROM plans WHERE id = $1 FOR UPDATE", planID); err != nil {
			return err
		}
		pl, err := loadPlan(ctx, tx, planID)
		if err != nil {
			return err
		}
		if pl.Status != PlanActive {
			return nil
		}
		now := p.ledger.now()
		today := Date(now, p.ledger.loc)
		var late *PlanInstallment
		for i := range pl.Installments {
			in := &pl.Installments[i]
			if in.Status == InstallmentOpen && DaysBetween(in.DueDate, today) > pl.BreakAfterDaysLate {
				late = in
				break
			}
		}
		if late == nil {
			return nil
		}
		res.Installment, res.DaysLate = late.Number, DaysBetween(late.DueDate, today)
		return p.breakTx(ctx, tx, pl, res, now, today)
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, fmt.Errorf("plans: break plan %d: %w", planID, err)
	}
	return res, nil
}

func (p *Plans) breakTx(ctx context.Context, tx pgx.Tx, pl *Plan, res *BreakResult, now, today time.Time) error {
	var ps []Posting
	var earned, unpaid Cents
	for _, in := range pl.Installments {
		paid := in.Paid
		res.Paid += paid
		if in.DueDate.After(today) {
			res.Amortized += paid
		} else {
			e := min(paid, in.Interest)
			earned += e
			res.Amortized += paid - e
		}
		if in.Outstanding > 0 {
			unpaid += in.Outstanding
			ps = append(ps, Posting{Account: AccReceivablePlan, Amount: -in.Outstanding, DebtorID: pl.DebtorID, InstallmentID: in.ID})
		}
	}
	res.InterestReversed = pl.Interest - earned
	if res.InterestReversed > 0 {
		ps = append(ps, Posting{Account: AccPlanInterest, Amount: res.InterestReversed, DebtorID: pl.DebtorID})
	}
	if pl.Discount > 0 {
		ps = append(ps, Posting{Account: AccDiscounts, Amount: -pl.Discount, DebtorID: pl.DebtorID})
	}

	// Lock the charges and check that the plan left them settled.
	ids := make([]int64, len(pl.Charges))
	for i, c := range pl.Charges {
		ids[i] = c.ChargeID
	}
	rows, err := tx.Query(ctx, chargeStateSQL+" WHERE c.id = ANY($1) ORDER BY c.id FOR UPDATE OF c", ids)
	if err != nil {
		return fmt.Errorf("lock charges: %w", err)
	}
	states := map[int64]*chargeState{}
	for rows.Next() {
		s, err := scanChargeState(rows)
		if err != nil {
			rows.Close()
			return err
		}
		states[s.ID] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range pl.Charges {
		s := states[c.ChargeID]
		if s == nil || s.Status != ChargeInPlan || s.Principal != 0 || s.Fees != 0 {
			return fmt.Errorf("charge %d is not settled into plan %d", c.ChargeID, pl.ID)
		}
	}

	// Amortisation reduces principal first, oldest charge first, then fees.
	left := res.Amortized
	restP := make([]Cents, len(pl.Charges))
	restF := make([]Cents, len(pl.Charges))
	for i, c := range pl.Charges {
		a := min(left, c.Principal)
		restP[i] = c.Principal - a
		left -= a
	}
	for i, c := range pl.Charges {
		b := min(left, c.Fees)
		restF[i] = c.Fees - b
		left -= b
	}
	res.Credit = left
	if left > 0 {
		ps = append(ps, Posting{Account: AccDebtorCredit, Amount: -left, DebtorID: pl.DebtorID})
	}
	var exts []string
	for i, c := range pl.Charges {
		res.Restored += restP[i] + restF[i]
		if restP[i] > 0 {
			ps = append(ps, Posting{Account: AccReceivablePrincipal, Amount: restP[i], DebtorID: pl.DebtorID, ChargeID: c.ChargeID})
		}
		if restF[i] > 0 {
			ps = append(ps, Posting{Account: AccReceivableFees, Amount: restF[i], DebtorID: pl.DebtorID, ChargeID: c.ChargeID})
		}
		status, fineAssessed, through := ChargeOpen, false, (*time.Time)(nil)
		switch {
		case restP[i]+restF[i] == 0:
			status = ChargePaid // the plan's payments paid it all
		case c.DueDate.Before(today):
			// Overdue: fined once at most (before the plan, or never), and
			// interest runs from the day after the break.
			fineAssessed, through = true, &today
		}
		if _, err := tx.Exec(ctx, "UPDATE charges SET status = $2, fine_assessed = $3, interest_through = $4, updated_at = now() WHERE id = $1",
			c.ChargeID, status, fineAssessed, through); err != nil {
			return fmt.Errorf("restore charge: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE plan_charges SET restored_principal = $3, restored_fees = $4 WHERE plan_id = $1 AND charge_id = $2",
			pl.ID, c.ChargeID, restP[i], restF[i]); err != nil {
			return fmt.Errorf("restore charge: %w", err)
		}
		exts = append(exts, fmt.Sprintf("%s %s", c.ExternalID, (restP[i]+restF[i]).Decimal()))
	}
	if unpaid != pl.Total-res.Paid {
		return fmt.Errorf("plan %d: %d receivable, but %d total and %d paid", pl.ID, unpaid, pl.Total, res.Paid)
	}

	memo := fmt.Sprintf("plan %d broken: installment %d due %s unpaid %d days (limit %d); paid %s (amortisation %s), "+
		"plan interest reversed %s, discount reversed %s, restored %s to charges: %s",
		pl.ID, res.Installment, pl.Installments[res.Installment-1].DueDate.Format(time.DateOnly), res.DaysLate, pl.BreakAfterDaysLate,
		res.Paid.Decimal(), res.Amortized.Decimal(), res.InterestReversed.Decimal(), pl.Discount.Decimal(), res.Restored.Decimal(), strings.Join(exts, ", "))
	if res.Credit > 0 {
		memo += fmt.Sprintf("; credit %s", res.Credit.Decimal())
	}
	txID, inserted, err := post(ctx, tx, "plan_break", fmt.Sprintf("plan_break:%d", pl.ID), memo, now, ps)
	if err != nil {
		return err
	}
	if !inserted {
		return fmt.Errorf("plan %d was already broken in the ledger", pl.ID)
	}
	if _, err := tx.Exec(ctx, "UPDATE plan_installments SET status = 'cancelled' WHERE plan_id = $1 AND status = 'open'", pl.ID); err != nil {
		return fmt.Errorf("cancel installments: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE plans SET status = 'broken', broken_at = $2, break_transaction_id = $3 WHERE id = $1", pl.ID, now, txID); err != nil {
		return fmt.Errorf("mark broken: %w", err)
	}
	alert := fmt.Sprintf("Acordo %d quebrado: parcela %d vencida há %d dias (limite %d). Pago no acordo: %s. Saldo de %s voltou para as cobranças: %s.",
		pl.ID, res.Installment, res.DaysLate, pl.BreakAfterDaysLate, res.Paid, res.Restored, strings.Join(exts, ", "))
	if _, err := tx.Exec(ctx, "INSERT INTO staff_alerts (kind, debtor_id, message) VALUES ('plan_broken', $1, $2)", pl.DebtorID, alert); err != nil {
		return fmt.Errorf("alert: %w", err)
	}
	res.Broken = true
	p.log.Info("plan broken", "plan", pl.ID, "installment", res.Installment, "days_late", res.DaysLate, "restored", res.Restored.Decimal())
	return nil
}
