package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Ledger accounts (the chart is seeded by migration 0001).
const (
	AccReceivablePrincipal = "receivable_principal"
	AccReceivableFees      = "receivable_fees"
	AccCashPix             = "cash_pix"
	AccBilled              = "billed"
	AccLateFees            = "late_fees"
	AccDiscounts           = "discounts"
	AccWriteOffs           = "write_offs"
	AccDebtorCredit        = "debtor_credit"
	AccSuspense            = "suspense"
	AccReceivablePlan      = "receivable_plan" // per installment, through InstallmentID
	AccPlanInterest        = "plan_interest"
	AccCashManual          = "cash_manual" // received outside Pix, recorded by staff (ManualPayment)
)

// Posting is one line of a ledger transaction: debit positive, credit
// negative. DebtorID, ChargeID and InstallmentID place it in the
// per-debtor, per-charge and per-installment sub-ledgers (0 = none).
type Posting struct {
	Account       string
	Amount        Cents
	DebtorID      int64
	ChargeID      int64
	InstallmentID int64
}

// Ledger is the double-entry ledger in PostgreSQL. Every operation is one
// database transaction whose postings balance (the database refuses any
// that do not) and is idempotent by a key.
type Ledger struct {
	pool  *pgxpool.Pool
	log   *slog.Logger
	loc   *time.Location
	now   func() time.Time
	rules atomic.Pointer[LateFeeRules] // swapped when the policy changes
}

// NewLedger builds a Ledger. loc is REGUA_TIMEZONE (late charges count
// calendar days there); now is the clock (time.Now in production).
func NewLedger(pool *pgxpool.Pool, log *slog.Logger, loc *time.Location, rules LateFeeRules, now func() time.Time) *Ledger {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Ledger{pool: pool, log: log, loc: loc, now: now}
	l.rules.Store(&rules)
	return l
}

// LateFeeRules returns the late-charge rules in force.
func (l *Ledger) LateFeeRules() LateFeeRules { return *l.rules.Load() }

// SetLateFeeRules puts new late-charge rules in force (the negotiation
// policy changed). Late charges already booked stay as they were; what
// accrues from now on follows r. Safe to call while the ledger is in use.
func (l *Ledger) SetLateFeeRules(r LateFeeRules) { l.rules.Store(&r) }

// Pool returns the pool the ledger writes to, for callers that compose a
// ledger operation with their own writes in one transaction.
func (l *Ledger) Pool() *pgxpool.Pool { return l.pool }

// Now returns the ledger's clock reading.
func (l *Ledger) Now() time.Time { return l.now() }

// Location returns the time zone in which calendar days are counted.
func (l *Ledger) Location() *time.Location { return l.loc }

// post inserts a ledger transaction and its postings in one statement. With
// a key, a transaction already recorded under it makes post a no-op
// (inserted == false).
func post(ctx context.Context, tx pgx.Tx, kind, key, memo string, at time.Time, ps []Posting) (id int64, inserted bool, err error) {
	accounts := make([]string, len(ps))
	amounts := make([]int64, len(ps))
	debtors := make([]*int64, len(ps))
	charges := make([]*int64, len(ps))
	installments := make([]*int64, len(ps))
	var sum Cents
	for i, p := range ps {
		if p.Amount == 0 {
			return 0, false, fmt.Errorf("ledger: zero posting to %s", p.Account)
		}
		sum += p.Amount
		accounts[i], amounts[i] = p.Account, int64(p.Amount)
		if p.DebtorID != 0 {
			debtors[i] = &ps[i].DebtorID
		}
		if p.ChargeID != 0 {
			charges[i] = &ps[i].ChargeID
		}
		if p.InstallmentID != 0 {
			installments[i] = &ps[i].InstallmentID
		}
	}
	if sum != 0 || len(ps) < 2 {
		return 0, false, fmt.Errorf("ledger: %s does not balance (%d postings, sum %d)", kind, len(ps), sum)
	}
	var k *string
	if key != "" {
		k = &key
	}
	err = tx.QueryRow(ctx, `
		WITH t AS (
			INSERT INTO ledger_transactions (kind, idempotency_key, memo, effective_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (idempotency_key) DO NOTHING
			RETURNING id
		), p AS (
			INSERT INTO ledger_postings (transaction_id, account, amount, debtor_id, charge_id, installment_id)
			SELECT t.id, x.account, x.amount, x.debtor_id, x.charge_id, x.installment_id
			FROM t, unnest($5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[]) AS x(account, amount, debtor_id, charge_id, installment_id)
		)
		SELECT id FROM t`, kind, k, memo, at, accounts, amounts, debtors, charges, installments).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("ledger: post %s: %w", kind, err)
	}
	return id, true, nil
}

// OpenChargeTx books a new charge: the debtor owes its amount.
func (l *Ledger) OpenChargeTx(ctx context.Context, tx pgx.Tx, c *Charge) error {
	_, _, err := post(ctx, tx, "open_charge", fmt.Sprintf("open:%d", c.ID), c.ExternalID, l.now(), []Posting{
		{Account: AccReceivablePrincipal, Amount: c.Amount, DebtorID: c.DebtorID, ChargeID: c.ID},
		{Account: AccBilled, Amount: -c.Amount, DebtorID: c.DebtorID, ChargeID: c.ID},
	})
	return err
}

// chargeState is a charge as the ledger sees it, read under a row lock.
type chargeState struct {
	ID, DebtorID    int64
	ExternalID      string
	Status          string
	Amount          Cents
	Due             time.Time
	FineAssessed    bool
	InterestThrough *time.Time
	Principal, Fees Cents // booked and outstanding
}

const chargeStateColumns = `
	c.id, c.debtor_id, c.external_id, c.status, c.amount, c.due_date, c.fine_assessed, c.interest_through,
	(SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE charge_id = c.id AND account = 'receivable_principal'),
	(SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE charge_id = c.id AND account = 'receivable_fees')`

const chargeStateSQL = "SELECT " + chargeStateColumns + " FROM charges c"

func scanChargeState(row pgx.Row) (*chargeState, error) {
	var s chargeState
	err := row.Scan(&s.ID, &s.DebtorID, &s.ExternalID, &s.Status, &s.Amount, &s.Due, &s.FineAssessed, &s.InterestThrough, &s.Principal, &s.Fees)
	return &s, err
}

func lockCharge(ctx context.Context, tx pgx.Tx, id int64) (*chargeState, error) {
	s, err := scanChargeState(tx.QueryRow(ctx, chargeStateSQL+" WHERE c.id = $1 FOR UPDATE OF c", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "charge %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: lock charge: %w", err)
	}
	return s, nil
}

// accrual is what the charge's late charges have grown by since they were
// last booked, as of the civil date today: the fine once, and simple
// interest on the outstanding principal for the days not yet booked.
func (r LateFeeRules) accrual(s *chargeState, today time.Time) (fine, interest Cents) {
	if s.Principal <= 0 || !today.After(s.Due) {
		return 0, 0
	}
	if !s.FineAssessed {
		fine = s.Principal.MulRate(r.FineBP, 10000)
	}
	from := s.Due
	if s.InterestThrough != nil && s.InterestThrough.After(from) {
		from = *s.InterestThrough
	}
	if days := DaysBetween(from, today); days > 0 {
		interest = s.Principal.MulRate(r.InterestMonthlyBP*int64(days), 10000*30)
	}
	return fine, interest
}

// assessTx books the late charges accrued up to the civil date of at, so that
// a payment, discount or write-off sees the amount owed that day.
func (l *Ledger) assessTx(ctx context.Context, tx pgx.Tx, s *chargeState, at time.Time) error {
	return l.assessWithTx(ctx, tx, s, at, l.LateFeeRules())
}

// assessWithTx is assessTx under given rules (a plan books its charges'
// late charges by the policy its offers were computed with).
func (l *Ledger) assessWithTx(ctx context.Context, tx pgx.Tx, s *chargeState, at time.Time, rules LateFeeRules) error {
	if s.Status != ChargeOpen {
		return nil
	}
	today := Date(at, l.loc)
	fine, interest := rules.accrual(s, today)
	if !today.After(s.Due) || s.Principal <= 0 {
		return nil
	}
	if fine+interest > 0 {
		_, _, err := post(ctx, tx, "late_fees", "", fmt.Sprintf("fine %s, interest %s through %s", fine.Decimal(), interest.Decimal(), today.Format(time.DateOnly)), at, []Posting{
			{Account: AccReceivableFees, Amount: fine + interest, DebtorID: s.DebtorID, ChargeID: s.ID},
			{Account: AccLateFees, Amount: -(fine + interest), DebtorID: s.DebtorID, ChargeID: s.ID},
		})
		if err != nil {
			return err
		}
	}
	if s.InterestThrough == nil || today.After(*s.InterestThrough) || !s.FineAssessed {
		if _, err := tx.Exec(ctx, "UPDATE charges SET fine_assessed = true, interest_through = greatest(interest_through, $2::date), updated_at = now() WHERE id = $1", s.ID, today); err != nil {
			return fmt.Errorf("ledger: assess: %w", err)
		}
	}
	s.Fees += fine + interest
	s.FineAssessed = true
	s.InterestThrough = &today
	return nil
}

// settle credits amount against a charge's receivables, fees first, and
// returns the postings and what was left over.
func settle(s *chargeState, amount Cents) (ps []Posting, left Cents) {
	left = amount
	if f := min(left, s.Fees); f > 0 {
		ps = append(ps, Posting{Account: AccReceivableFees, Amount: -f, DebtorID: s.DebtorID, ChargeID: s.ID})
		s.Fees -= f
		left -= f
	}
	if p := min(left, s.Principal); p > 0 {
		ps = append(ps, Posting{Account: AccReceivablePrincipal, Amount: -p, DebtorID: s.DebtorID, ChargeID: s.ID})
		s.Principal -= p
		left -= p
	}
	return ps, left
}

func setStatusIfSettled(ctx context.Context, tx pgx.Tx, s *chargeState, status string) error {
	if s.Status != ChargeOpen || s.Principal+s.Fees > 0 {
		return nil
	}
	s.Status = status
	_, err := tx.Exec(ctx, "UPDATE charges SET status = $2, updated_at = now() WHERE id = $1", s.ID, status)
	return err
}

// PaymentInput is money received, as the provider reports it.
type PaymentInput struct {
	EndToEndID string    // the provider's unique id: the idempotency key
	TxID       string    // ties the payment to what was charged
	Amount     Cents     // > 0
	PaidAt     time.Time // when the payer paid
	ChargeID   int64     // the charge it pays, if known
	DebtorID   int64     // else the debtor whose open charges it pays, oldest first
	Source     string    // webhook, reconciliation, api, manual, demo
	Payer      string    // payer's name as the provider reports it (never logged)

	// InstallmentID is the plan installment it pays (its Pix code's). The
	// excess becomes the debtor's credit; if the plan broke meanwhile, the
	// money pays the debtor's open charges instead, oldest first.
	InstallmentID int64
	// PlanPayoffID is the plan whose payoff code it pays: when it covers the
	// payoff on its date it settles the plan early (see payPlanOffTx), else
	// it pays the installments in order. Excess and a plan no longer active
	// are handled as for InstallmentID.
	PlanPayoffID int64
}

// PaymentResult says what a payment did.
type PaymentResult struct {
	PaymentID     int64
	TransactionID int64
	Duplicate     bool    // already recorded: nothing changed
	Applied       Cents   // to charges and installments
	Credit        Cents   // overpayment kept as the debtor's credit
	Suspense      Cents   // not matched to any debtor
	PaidCharges   []int64 // charges this payment settled
	DebtorID      int64
	// Installment is what the payment did to the installment it paid (nil
	// when it paid none).
	Installment *InstallmentPayment
	// Payoff is what the payment did to the plan whose payoff code it paid
	// (nil when none).
	Payoff *PlanPayoff
}

// RecordPayment records a payment once, however often it is called with the
// same end-to-end id, concurrently or not.
func (l *Ledger) RecordPayment(ctx context.Context, in PaymentInput) (*PaymentResult, error) {
	var res *PaymentResult
	err := pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		var err error
		res, err = l.RecordPaymentTx(ctx, tx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RecordPaymentTx is RecordPayment inside the caller's transaction, so that
// jobs caused by the payment (confirmations, outgoing webhooks) commit with it.
func (l *Ledger) RecordPaymentTx(ctx context.Context, tx pgx.Tx, in PaymentInput) (*PaymentResult, error) {
	if in.EndToEndID == "" {
		return nil, Invalid("end_to_end_id", "is required")
	}
	if in.Amount <= 0 {
		return nil, Invalid("amount", "must be greater than zero")
	}
	if in.PaidAt.IsZero() {
		in.PaidAt = l.now()
	}
	if in.Source == "" {
		in.Source = "api"
	}
	// Claim the end-to-end id first: a concurrent duplicate waits here on the
	// unique index and then finds the claim taken.
	var txID int64
	cash, memo := AccCashPix, "Pix "+in.TxID
	if in.Source == "manual" {
		cash, memo = AccCashManual, "received outside Pix"
	}
	err := tx.QueryRow(ctx, `INSERT INTO ledger_transactions (kind, idempotency_key, memo, effective_at)
		VALUES ('payment', $1, $2, $3) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
		"payment:"+in.EndToEndID, memo, in.PaidAt).Scan(&txID)
	if errors.Is(err, pgx.ErrNoRows) {
		res := &PaymentResult{Duplicate: true}
		err := tx.QueryRow(ctx, "SELECT id, transaction_id, coalesce(debtor_id, 0) FROM payments WHERE end_to_end_id = $1", in.EndToEndID).
			Scan(&res.PaymentID, &res.TransactionID, &res.DebtorID)
		if err != nil {
			return nil, fmt.Errorf("ledger: duplicate payment lookup: %w", err)
		}
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: claim payment: %w", err)
	}

	res := &PaymentResult{TransactionID: txID, DebtorID: in.DebtorID}
	ps := []Posting{{Account: cash, Amount: in.Amount}}
	left := in.Amount
	payCharges := true
	if in.InstallmentID != 0 {
		ip, err := payInstallmentTx(ctx, tx, in.InstallmentID, left, in.PaidAt)
		if err != nil {
			return nil, err
		}
		res.DebtorID, in.DebtorID, in.ChargeID = ip.DebtorID, ip.DebtorID, 0
		res.Installment = ip
		ps = append(ps, ip.postings...)
		res.Applied += ip.Applied
		left -= ip.Applied
		payCharges = !ip.PlanActive
	} else if in.PlanPayoffID != 0 {
		po, err := payPlanOffTx(ctx, tx, in.PlanPayoffID, left, Date(in.PaidAt, l.loc), in.PaidAt)
		if err != nil {
			return nil, err
		}
		res.DebtorID, in.DebtorID, in.ChargeID = po.DebtorID, po.DebtorID, 0
		res.Payoff = po
		ps = append(ps, po.postings...)
		res.Applied += po.Applied
		left -= po.Applied
		payCharges = !po.PlanActive
	}
	var states []*chargeState
	switch {
	case !payCharges:
	case in.ChargeID != 0:
		s, err := lockCharge(ctx, tx, in.ChargeID)
		if err != nil {
			return nil, err
		}
		res.DebtorID = s.DebtorID
		states = append(states, s)
	case in.DebtorID != 0:
		rows, err := tx.Query(ctx, chargeStateSQL+" WHERE c.debtor_id = $1 AND c.status = 'open' ORDER BY c.due_date, c.id FOR UPDATE OF c", in.DebtorID)
		if err != nil {
			return nil, fmt.Errorf("ledger: lock debtor charges: %w", err)
		}
		for rows.Next() {
			s, err := scanChargeState(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("ledger: lock debtor charges: %w", err)
			}
			states = append(states, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("ledger: lock debtor charges: %w", err)
		}
	}

	ps[0].DebtorID = res.DebtorID
	for _, s := range states {
		if s.Status != ChargeOpen || left == 0 {
			continue
		}
		if err := l.assessTx(ctx, tx, s, in.PaidAt); err != nil {
			return nil, err
		}
		sp, rest := settle(s, left)
		ps = append(ps, sp...)
		res.Applied += left - rest
		left = rest
		if s.Principal+s.Fees == 0 {
			if err := setStatusIfSettled(ctx, tx, s, ChargePaid); err != nil {
				return nil, fmt.Errorf("ledger: mark paid: %w", err)
			}
			res.PaidCharges = append(res.PaidCharges, s.ID)
		}
	}
	if left > 0 {
		if res.DebtorID != 0 {
			ps = append(ps, Posting{Account: AccDebtorCredit, Amount: -left, DebtorID: res.DebtorID})
			res.Credit = left
		} else {
			ps = append(ps, Posting{Account: AccSuspense, Amount: -left})
			res.Suspense = left
		}
	}
	if err := insertPostings(ctx, tx, txID, ps); err != nil {
		return nil, err
	}
	var debtor, charge, installment *int64
	if res.DebtorID != 0 {
		debtor = &res.DebtorID
	}
	if in.ChargeID != 0 {
		charge = &in.ChargeID
	}
	if in.InstallmentID != 0 {
		installment = &in.InstallmentID
	}
	err = tx.QueryRow(ctx, `INSERT INTO payments (end_to_end_id, txid, amount, paid_at, debtor_id, charge_id, transaction_id, source, payer, installment_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		in.EndToEndID, in.TxID, in.Amount, in.PaidAt, debtor, charge, txID, in.Source, in.Payer, installment).Scan(&res.PaymentID)
	if err != nil {
		return nil, fmt.Errorf("ledger: insert payment: %w", err)
	}
	return res, nil
}

func insertPostings(ctx context.Context, tx pgx.Tx, txID int64, ps []Posting) error {
	rows := make([][]any, len(ps))
	for i, p := range ps {
		var d, c *int64
		if p.DebtorID != 0 {
			d = &ps[i].DebtorID
		}
		if p.ChargeID != 0 {
			c = &ps[i].ChargeID
		}
		var in *int64
		if p.InstallmentID != 0 {
			in = &ps[i].InstallmentID
		}
		rows[i] = []any{txID, p.Account, int64(p.Amount), d, c, in}
	}
	if len(rows) <= 8 {
		b := &pgx.Batch{}
		for _, r := range rows {
			b.Queue("INSERT INTO ledger_postings (transaction_id, account, amount, debtor_id, charge_id, installment_id) VALUES ($1, $2, $3, $4, $5, $6)", r...)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("ledger: insert postings: %w", err)
		}
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"ledger_postings"}, []string{"transaction_id", "account", "amount", "debtor_id", "charge_id", "installment_id"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("ledger: insert postings: %w", err)
	}
	return nil
}

// Discount waives part of what a charge owes today (fine and interest
// first, then principal). key makes it idempotent.
func (l *Ledger) Discount(ctx context.Context, chargeID int64, amount Cents, key, memo string) error {
	if amount <= 0 {
		return Invalid("amount", "must be greater than zero")
	}
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
		at := l.now()
		if err := l.assessTx(ctx, tx, s, at); err != nil {
			return err
		}
		if amount > s.Principal+s.Fees {
			return Invalid("amount", "discount %s is more than the %s owed", amount, s.Principal+s.Fees)
		}
		ps, _ := settle(s, amount)
		ps = append(ps, Posting{Account: AccDiscounts, Amount: amount, DebtorID: s.DebtorID, ChargeID: s.ID})
		if _, _, err := post(ctx, tx, "discount", key, memo, at, ps); err != nil {
			return err
		}
		return setStatusIfSettled(ctx, tx, s, ChargePaid)
	})
}

// WriteOff gives up on what a charge still owes (as booked: late charges
// never booked are not income to write off). key makes it idempotent.
func (l *Ledger) WriteOff(ctx context.Context, chargeID int64, key, memo string) error {
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
		owed := s.Principal + s.Fees
		if owed > 0 {
			ps, _ := settle(s, owed)
			ps = append(ps, Posting{Account: AccWriteOffs, Amount: owed, DebtorID: s.DebtorID, ChargeID: s.ID})
			if _, _, err := post(ctx, tx, "write_off", key, memo, l.now(), ps); err != nil {
				return err
			}
		}
		s.Principal, s.Fees = 0, 0
		return setStatusIfSettled(ctx, tx, s, ChargeWrittenOff)
	})
}

func keyUsed(ctx context.Context, tx pgx.Tx, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	// Serialise operations under one key so that the second sees the first.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key); err != nil {
		return false, fmt.Errorf("ledger: key lock: %w", err)
	}
	var used bool
	err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM ledger_transactions WHERE idempotency_key = $1)", key).Scan(&used)
	return used, err
}

// ChargeBalance is what a charge owes at an instant: what is booked plus
// the late charges accrued and not yet booked.
type ChargeBalance struct {
	ChargeID        int64     `json:"-"`
	ExternalID      string    `json:"external_id"`
	Status          string    `json:"status"`
	DueDate         time.Time `json:"-"`
	Original        Cents     `json:"original"`
	Principal       Cents     `json:"principal"`
	Fees            Cents     `json:"fees"` // booked fine and interest still owed
	AccruedFine     Cents     `json:"accrued_fine"`
	AccruedInterest Cents     `json:"accrued_interest"`
	DaysLate        int       `json:"days_late"`
	Total           Cents     `json:"total"`
}

func (l *Ledger) balanceOf(s *chargeState, at time.Time) ChargeBalance {
	b := ChargeBalance{ChargeID: s.ID, ExternalID: s.ExternalID, Status: s.Status, DueDate: s.Due, Original: s.Amount, Principal: s.Principal, Fees: s.Fees}
	today := Date(at, l.loc)
	if s.Status == ChargeOpen {
		b.AccruedFine, b.AccruedInterest = l.LateFeeRules().accrual(s, today)
		if d := DaysBetween(s.Due, today); d > 0 && s.Principal+s.Fees > 0 {
			b.DaysLate = d
		}
	}
	b.Total = b.Principal + b.Fees + b.AccruedFine + b.AccruedInterest
	return b
}

// ChargeBalance returns what a charge owes at the instant at.
func (l *Ledger) ChargeBalance(ctx context.Context, chargeID int64, at time.Time) (ChargeBalance, error) {
	return l.ChargeBalanceTx(ctx, l.pool, chargeID, at)
}

// RowQuerier runs a single-row statement: the pool or a transaction.
type RowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ChargeBalanceTx is ChargeBalance read through q: a caller already in a
// transaction reads there instead of taking a second connection.
func (l *Ledger) ChargeBalanceTx(ctx context.Context, q RowQuerier, chargeID int64, at time.Time) (ChargeBalance, error) {
	s, err := scanChargeState(q.QueryRow(ctx, chargeStateSQL+" WHERE c.id = $1", chargeID))
	if errors.Is(err, pgx.ErrNoRows) {
		return ChargeBalance{}, Errorf(ENOTFOUND, "charge %d not found", chargeID)
	}
	if err != nil {
		return ChargeBalance{}, fmt.Errorf("ledger: charge balance: %w", err)
	}
	return l.balanceOf(s, at), nil
}

// DebtorBalance is what a debtor owes at an instant.
type DebtorBalance struct {
	Charges []ChargeBalance `json:"charges"` // open charges, oldest due first
	Total   Cents           `json:"total"`   // sum of the open charges' totals
	Credit  Cents           `json:"credit"`  // overpayments held for the debtor
}

// DebtorBalance returns the open charges of a debtor with today's amounts.
func (l *Ledger) DebtorBalance(ctx context.Context, debtorID int64, at time.Time) (DebtorBalance, error) {
	var db DebtorBalance
	rows, err := l.pool.Query(ctx, chargeStateSQL+" WHERE c.debtor_id = $1 AND c.status = 'open' ORDER BY c.due_date, c.id", debtorID)
	if err != nil {
		return db, fmt.Errorf("ledger: debtor balance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanChargeState(rows)
		if err != nil {
			return db, fmt.Errorf("ledger: debtor balance: %w", err)
		}
		b := l.balanceOf(s, at)
		db.Charges = append(db.Charges, b)
		db.Total += b.Total
	}
	if err := rows.Err(); err != nil {
		return db, fmt.Errorf("ledger: debtor balance: %w", err)
	}
	var credit Cents
	if err := l.pool.QueryRow(ctx, "SELECT coalesce(-sum(amount), 0) FROM ledger_postings WHERE debtor_id = $1 AND account = 'debtor_credit'", debtorID).Scan(&credit); err != nil {
		return db, fmt.Errorf("ledger: debtor credit: %w", err)
	}
	db.Credit = credit
	return db, nil
}
