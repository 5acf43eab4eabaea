package billing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix"
)

// Code is a Pix code issued to a debtor.
type Code struct {
	ID       int64
	TxID     string
	URLToken string // the QR image is served at /pix/qr/{URLToken}.png
	Scope    string // "charge", "debtor", "installment" or "plan_payoff"
	DebtorID int64
	ChargeID int64 // 0 for the debtor's total and for an installment
	Amount   payments.Cents
	Payload  string // copia-e-cola
	Provider string
	Channel  string // where it was issued, for the payment confirmation
	Chat     string

	InstallmentID int64 // the plan installment it pays (scope "installment")
	PlanID        int64 // the plan it pays off (scope "plan_payoff")
}

// PaymentEvent is what a recorded payment did, for whatever must follow it.
type PaymentEvent struct {
	Result  *payments.PaymentResult
	Pix     apipix.Pix
	Code    *Code // nil when the txid matched no code
	Source  string
	Message string // pt-BR confirmation for the debtor ("" when none is due)
}

// PaymentHook runs inside the payment's database transaction, so that what
// it enqueues exists exactly when the payment does.
type PaymentHook interface {
	PaymentRecordedTx(ctx context.Context, tx pgx.Tx, ev PaymentEvent) error
}

// Service issues codes and receives payments.
type Service struct {
	pool     *pgxpool.Pool
	ledger   *payments.Ledger
	store    *payments.Store
	provider Provider
	hook     PaymentHook
	log      *slog.Logger
}

// New builds a Service. hook may be nil.
func New(ledger *payments.Ledger, store *payments.Store, provider Provider, hook PaymentHook, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: ledger.Pool(), ledger: ledger, store: store, provider: provider, hook: hook, log: log}
}

// SetHook sets what runs after each new payment (wiring order: the jobs
// layer needs the service, the service needs the hook).
func (s *Service) SetHook(h PaymentHook) { s.hook = h }

const codeCols = "id, txid, url_token, scope, debtor_id, coalesce(charge_id, 0), amount, payload, provider, channel, chat, coalesce(installment_id, 0), coalesce(plan_id, 0)"

func scanCode(row pgx.Row) (*Code, error) {
	var c Code
	err := row.Scan(&c.ID, &c.TxID, &c.URLToken, &c.Scope, &c.DebtorID, &c.ChargeID, &c.Amount, &c.Payload, &c.Provider, &c.Channel, &c.Chat, &c.InstallmentID, &c.PlanID)
	return &c, err
}

// IssueForCharge returns a Pix code for what a charge owes today, reusing
// today's code when the amount has not changed.
func (s *Service) IssueForCharge(ctx context.Context, chargeID int64, channel, chat string) (*Code, error) {
	now := s.ledger.Now()
	b, err := s.ledger.ChargeBalance(ctx, chargeID, now)
	if err != nil {
		return nil, err
	}
	if b.Status != payments.ChargeOpen || b.Total <= 0 {
		return nil, payments.Errorf(payments.ECONFLICT, "charge %s has nothing to pay (%s)", b.ExternalID, b.Status)
	}
	c, err := s.store.ChargeByID(ctx, chargeID)
	if err != nil {
		return nil, err
	}
	req := IssueRequest{Amount: b.Total, Description: c.Description}
	today := payments.Date(now, s.ledger.Location())
	if !today.After(c.DueDate) && b.Fees == 0 {
		req.DueDate, req.Principal = c.DueDate, b.Principal
	}
	return s.issue(ctx, "charge", c.DebtorID, chargeID, 0, 0, req, channel, chat)
}

// IssueForDebtor returns a Pix code for everything a debtor owes today.
func (s *Service) IssueForDebtor(ctx context.Context, debtorID int64, channel, chat string) (*Code, error) {
	db, err := s.ledger.DebtorBalance(ctx, debtorID, s.ledger.Now())
	if err != nil {
		return nil, err
	}
	if db.Total <= 0 {
		return nil, payments.Errorf(payments.ECONFLICT, "nothing to pay")
	}
	desc := "Total em aberto"
	if len(db.Charges) == 1 {
		desc = ""
	}
	return s.issue(ctx, "debtor", debtorID, 0, 0, 0, IssueRequest{Amount: db.Total, Description: desc}, channel, chat)
}

// IssueForInstallment returns a Pix code for what is left to pay on a plan
// installment, reusing today's code when the amount has not changed. Until
// the installment's due date the code is payable up to then, at its face
// value: installments carry no fine or interest of their own (a late one
// can break the plan instead).
func (s *Service) IssueForInstallment(ctx context.Context, installmentID int64, channel, chat string) (*Code, error) {
	in, err := s.ledger.InstallmentDue(ctx, installmentID)
	if err != nil {
		return nil, err
	}
	if in.PlanStatus != payments.PlanActive || in.Status != payments.InstallmentOpen || in.Outstanding <= 0 {
		return nil, payments.Errorf(payments.ECONFLICT, "installment %d of %d has nothing to pay (installment %s, plan %s)",
			in.Number, in.Count, in.Status, in.PlanStatus)
	}
	req := IssueRequest{Amount: in.Outstanding, Description: fmt.Sprintf("Parcela %d/%d do acordo", in.Number, in.Count)}
	today := payments.Date(s.ledger.Now(), s.ledger.Location())
	if !today.After(in.DueDate) {
		req.DueDate, req.Principal = in.DueDate, in.Outstanding
	}
	return s.issue(ctx, "installment", in.DebtorID, 0, installmentID, 0, req, channel, chat)
}

// IssueForPlanPayoff returns a Pix code that settles the rest of an active
// plan today, for its payoff (the principal still owed plus the interest accrued to today),
// reusing today's code when the amount has not changed. The code is an
// immediate charge: tomorrow's payoff is another amount.
func (s *Service) IssueForPlanPayoff(ctx context.Context, planID int64, channel, chat string) (*Code, error) {
	q, err := s.ledger.PlanPayoffQuote(ctx, planID)
	if err != nil {
		return nil, err
	}
	req := IssueRequest{Amount: q.Payoff, Description: fmt.Sprintf("Quitação antecipada do acordo (%d parcelas)", q.Open)}
	if q.Open == 1 {
		req.Description = "Quitação antecipada do acordo (1 parcela)"
	}
	return s.issue(ctx, "plan_payoff", q.DebtorID, 0, 0, planID, req, channel, chat)
}

func (s *Service) issue(ctx context.Context, scope string, debtorID, chargeID, installmentID, planID int64, req IssueRequest, channel, chat string) (*Code, error) {
	today := payments.Date(s.ledger.Now(), s.ledger.Location())
	var charge, installment, plan *int64
	if chargeID != 0 {
		charge = &chargeID
	}
	if installmentID != 0 {
		installment = &installmentID
	}
	if planID != 0 {
		plan = &planID
	}
	// Today's code for the same thing and amount is reused.
	c, err := scanCode(s.pool.QueryRow(ctx, "SELECT "+codeCols+` FROM pix_codes
		WHERE debtor_id = $1 AND scope = $2 AND charge_id IS NOT DISTINCT FROM $3 AND amount = $4 AND issued_on = $5 AND provider = $6
		AND installment_id IS NOT DISTINCT FROM $7 AND plan_id IS NOT DISTINCT FROM $8
		ORDER BY id DESC LIMIT 1`, debtorID, scope, charge, req.Amount, today, s.provider.Name(), installment, plan))
	if err == nil {
		if (channel != "" && c.Channel != channel) || c.Chat != chat {
			s.pool.Exec(ctx, "UPDATE pix_codes SET channel = $2, chat = $3 WHERE id = $1", c.ID, channel, chat)
			c.Channel, c.Chat = channel, chat
		}
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("billing: find code: %w", err)
	}
	d, err := s.store.DebtorByID(ctx, debtorID)
	if err != nil {
		return nil, err
	}
	req.Debtor = d
	if scope == "charge" || scope == "debtor" {
		req.Rules = s.ledger.LateFeeRules()
	}
	var id int64
	if err := s.pool.QueryRow(ctx, "SELECT nextval(pg_get_serial_sequence('pix_codes', 'id'))").Scan(&id); err != nil {
		return nil, fmt.Errorf("billing: code id: %w", err)
	}
	if req.TxID, err = s.provider.TxID(id); err != nil {
		return nil, err
	}
	payload, err := s.provider.Issue(ctx, req)
	if err != nil {
		return nil, err
	}
	c = &Code{ID: id, TxID: req.TxID, URLToken: randomToken(), Scope: scope, DebtorID: debtorID, ChargeID: chargeID,
		Amount: req.Amount, Payload: payload, Provider: s.provider.Name(), Channel: channel, Chat: chat, InstallmentID: installmentID, PlanID: planID}
	_, err = s.pool.Exec(ctx, `INSERT INTO pix_codes (id, txid, url_token, scope, debtor_id, charge_id, amount, payload, provider, issued_on, channel, chat, installment_id, plan_id)
		OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.TxID, c.URLToken, scope, debtorID, charge, c.Amount, c.Payload, c.Provider, today, channel, chat, installment, plan)
	if err != nil {
		return nil, fmt.Errorf("billing: store code: %w", err)
	}
	return c, nil
}

// CodeByToken returns the code whose QR image URL carries token.
func (s *Service) CodeByToken(ctx context.Context, token string) (*Code, error) {
	c, err := scanCode(s.pool.QueryRow(ctx, "SELECT "+codeCols+" FROM pix_codes WHERE url_token = $1", token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, payments.Errorf(payments.ENOTFOUND, "no such Pix code")
	}
	return c, err
}

// CodeByTxID returns the code with a txid.
func (s *Service) CodeByTxID(ctx context.Context, txid string) (*Code, error) {
	c, err := scanCode(s.pool.QueryRow(ctx, "SELECT "+codeCols+" FROM pix_codes WHERE txid = $1", txid))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, payments.Errorf(payments.ENOTFOUND, "no Pix code with txid %s", txid)
	}
	return c, err
}

// Report counts what Receive did.
type Report struct {
	Received   int `json:"received"`
	Posted     int `json:"posted"`
	Duplicates int `json:"duplicates"`
	Unmatched  int `json:"unmatched"` // to suspense, staff alerted
	Overpaid   int `json:"overpaid"`  // credit kept, staff alerted
}

// Receive records received Pix, each in its own transaction, idempotently
// by end-to-end id. source is "webhook" or "reconciliation".
func (s *Service) Receive(ctx context.Context, pixes []apipix.Pix, source string) (Report, error) {
	r := Report{Received: len(pixes)}
	for _, p := range pixes {
		var ev *PaymentEvent
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var err error
			ev, err = s.receiveTx(ctx, tx, p, source)
			return err
		})
		if err != nil {
			return r, fmt.Errorf("billing: receive %s: %w", p.EndToEndID, err)
		}
		switch {
		case ev.Result.Duplicate:
			r.Duplicates++
		default:
			r.Posted++
			if ev.Result.Suspense > 0 {
				r.Unmatched++
			}
			if ev.Result.Credit > 0 {
				r.Overpaid++
			}
		}
	}
	return r, nil
}

func (s *Service) receiveTx(ctx context.Context, tx pgx.Tx, p apipix.Pix, source string) (*PaymentEvent, error) {
	// The payer's free text may hold a NUL (JSON's \u0000), which PostgreSQL
	// text and jsonb refuse: the payment must still be booked, not retried
	// forever by the provider.
	p.InfoPagador = strings.ReplaceAll(p.InfoPagador, "\x00", "")
	ev := &PaymentEvent{Pix: p, Source: source}
	in := payments.PaymentInput{EndToEndID: p.EndToEndID, TxID: p.TxID, Amount: p.Valor, PaidAt: p.Horario, Source: source, Payer: p.InfoPagador}
	if p.TxID != "" {
		c, err := scanCode(tx.QueryRow(ctx, "SELECT "+codeCols+" FROM pix_codes WHERE txid = $1", p.TxID))
		if err == nil {
			ev.Code = c
			in.ChargeID, in.DebtorID, in.InstallmentID, in.PlanPayoffID = c.ChargeID, c.DebtorID, c.InstallmentID, c.PlanID
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
	}
	res, err := s.ledger.RecordPaymentTx(ctx, tx, in)
	if err != nil {
		return nil, err
	}
	ev.Result = res
	if res.Duplicate {
		return ev, nil
	}
	alert := func(kind, msg string) error {
		var debtor, charge *int64
		if res.DebtorID != 0 {
			debtor = &res.DebtorID
		}
		if in.ChargeID != 0 {
			charge = &in.ChargeID
		}
		_, err := tx.Exec(ctx, "INSERT INTO staff_alerts (kind, debtor_id, charge_id, payment_id, message) VALUES ($1, $2, $3, $4, $5)",
			kind, debtor, charge, res.PaymentID, msg)
		return err
	}
	if res.Suspense > 0 {
		if err := alert("unmatched_payment", fmt.Sprintf("Pix de %s (txid %q, e2e %s) não corresponde a nenhuma cobrança: lançado em suspenso", p.Valor, p.TxID, p.EndToEndID)); err != nil {
			return nil, err
		}
	}
	if res.Credit > 0 {
		if err := alert("overpayment", fmt.Sprintf("Pix de %s pagou %s a mais: crédito do devedor", p.Valor, res.Credit)); err != nil {
			return nil, err
		}
	}
	if res.DebtorID != 0 {
		ev.Message = confirmation(res)
		var channel, chat string
		if ev.Code != nil {
			channel, chat = ev.Code.Channel, ev.Code.Chat
		}
		if _, err := tx.Exec(ctx, `INSERT INTO payment_confirmations (payment_id, debtor_id, channel, chat, text) VALUES ($1, $2, $3, $4, $5)`,
			res.PaymentID, res.DebtorID, channel, chat, ev.Message); err != nil {
			return nil, err
		}
	}
	if s.hook != nil {
		if err := s.hook.PaymentRecordedTx(ctx, tx, *ev); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

func confirmation(r *payments.PaymentResult) string {
	in, po := r.Installment, r.Payoff
	switch {
	case po != nil && po.PaidOff && r.Credit == 0 && po.Quote.InterestWaived > 0:
		return fmt.Sprintf("Recebemos seu Pix de %s: acordo quitado antecipadamente, com %s de juros descontados. Obrigado! 💚", r.Applied, po.Quote.InterestWaived)
	case po != nil && po.PaidOff && r.Credit == 0:
		return fmt.Sprintf("Recebemos seu Pix de %s: acordo quitado. Obrigado! 💚", r.Applied)
	case po != nil && po.PlanActive && !po.PaidOff:
		return fmt.Sprintf("Recebemos seu Pix de %s, obrigado! 💚 Não foi o suficiente para quitar o acordo (%s hoje), então abatemos das próximas parcelas.", r.Applied, po.Quote.Payoff)
	case in != nil && in.PlanPaid && r.Credit == 0:
		return fmt.Sprintf("Recebemos seu Pix de %s: parcela %d/%d paga e o acordo está quitado. Obrigado! 💚", r.Applied, in.Number, in.Count)
	case in != nil && in.Paid && r.Credit == 0:
		return fmt.Sprintf("Recebemos seu Pix de %s: parcela %d/%d paga. Obrigado! 💚", r.Applied, in.Number, in.Count)
	case r.Credit > 0:
		return fmt.Sprintf("Recebemos seu Pix de %s, obrigado! 💚 Ficou um crédito de %s a seu favor.", r.Applied+r.Credit, r.Credit)
	case len(r.PaidCharges) > 0:
		return fmt.Sprintf("Recebemos seu Pix de %s e a conta está quitada. Obrigado! 💚", r.Applied)
	default:
		return fmt.Sprintf("Recebemos seu Pix de %s, obrigado! 💚 Já abatemos do seu saldo.", r.Applied)
	}
}

func randomToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Reconciler lists received Pix from the provider.
type Reconciler interface {
	ListAllPix(ctx context.Context, inicio, fim time.Time) ([]apipix.Pix, error)
}

// Reconcile lists what the provider received in [from, to) and posts what
// the webhook missed (duplicates change nothing). The run is recorded.
func (s *Service) Reconcile(ctx context.Context, src Reconciler, from, to time.Time) (Report, error) {
	list, err := src.ListAllPix(ctx, from, to)
	var r Report
	if err == nil {
		r, err = s.Receive(ctx, list, "reconciliation")
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	s.pool.Exec(context.WithoutCancel(ctx), "INSERT INTO reconciliation_runs (window_from, window_to, listed, posted, error) VALUES ($1, $2, $3, $4, $5)",
		from, to, r.Received, r.Posted, msg)
	if err != nil {
		return r, err
	}
	if r.Posted > 0 {
		s.log.Warn("reconciliation posted payments the webhook missed", "posted", r.Posted, "listed", r.Received, "unmatched", r.Unmatched)
	} else {
		s.log.Info("reconciliation", "listed", r.Received, "posted", 0)
	}
	return r, nil
}
