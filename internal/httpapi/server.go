package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/intake"
)

// Server holds what the API handlers need.
type Server struct {
	pool     *pgxpool.Pool
	store    *payments.Store
	ledger   *payments.Ledger
	policies *payments.PolicyStore
	plans    *payments.Plans
	log      *slog.Logger
	ready    func(context.Context) error
	degraded func(context.Context) map[string]string
	metrics  prometheus.Gatherer
	keyUsed  sync.Map // API key id → when this process last wrote its last_used_at
}

// Deps are the Server's dependencies.
type Deps struct {
	Pool    *pgxpool.Pool
	Store   *payments.Store
	Ledger  *payments.Ledger
	Log     *slog.Logger
	Ready   func(context.Context) error // nil error when PostgreSQL and Redis answer
	Metrics prometheus.Gatherer         // nil: no /metrics here (REGUA_METRICS_ADDR serves it)
	// Degraded names the parts that work only in part (WhatsApp down), if
	// any: /readyz still answers 200, with status "degraded". May be nil.
	Degraded func(context.Context) map[string]string

	Policies *payments.PolicyStore // the negotiation policy (RegisterPlans)
	Plans    *payments.Plans       // offers and plans (RegisterPlans, statement)
}

// New builds the Server.
func New(d Deps) *Server {
	return &Server{pool: d.Pool, store: d.Store, ledger: d.Ledger, policies: d.Policies, plans: d.Plans, log: d.Log, ready: d.Ready, degraded: d.Degraded, metrics: d.Metrics}
}

// maxImportBody bounds an import upload (a 100,000-line file is ~8 MB).
const maxImportBody = 64 << 20

// Register mounts the API, health and metrics routes on mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.metrics != nil { // nil: served on REGUA_METRICS_ADDR only
		mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{}))
	}

	api := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, s.requireKey(h)) }
	post := func(pattern string, max int64, h http.HandlerFunc) {
		mux.HandleFunc(pattern, s.requireKey(idempotent(s.pool, max, h)))
	}
	api("GET /api/v1/debtors", s.listDebtors)
	post("POST /api/v1/debtors", maxJSONBody, s.createDebtor)
	api("GET /api/v1/debtors/{external_id}", s.getDebtor)
	api("GET /api/v1/debtors/{external_id}/statement", s.statement)
	api("GET /api/v1/charges", s.listCharges)
	post("POST /api/v1/charges", maxJSONBody, s.createCharge)
	api("GET /api/v1/charges/{external_id}", s.getCharge)
	post("POST /api/v1/imports", maxImportBody, s.importCSV)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, s.log, payments.Errorf(payments.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		// The answer names the component only: the error's text carries the
		// database's user, host and name, or Redis's address.
		s.log.Warn("not ready", "err", err)
		reason := "a dependency is unreachable"
		var re *ReadyError
		if errors.As(err, &re) {
			reason = re.Component + " is unreachable"
		}
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
		return
	}
	if s.degraded != nil {
		if parts := s.degraded(ctx); len(parts) > 0 {
			WriteJSON(w, http.StatusOK, map[string]any{"status": "degraded", "degraded": parts})
			return
		}
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// ReadyError says which dependency a readiness check found unreachable
// ("postgres", "redis"); /readyz shows the component, never Err's text.
type ReadyError struct {
	Component string
	Err       error
}

func (e *ReadyError) Error() string { return e.Component + ": " + e.Err.Error() }
func (e *ReadyError) Unwrap() error { return e.Err }

// Page is a page of a list.
type Page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func pageParams(r *http.Request) (after string, limit int, err error) {
	limit = 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return "", 0, malformed("limit", "must be a number from 1 to 500")
		}
		limit = n
	}
	return r.URL.Query().Get("after"), limit, nil
}

// DebtorJSON is a debtor as the API shows it.
type DebtorJSON struct {
	ExternalID       string    `json:"external_id"`
	Name             string    `json:"name"`
	Document         string    `json:"document"`
	DocumentKind     string    `json:"document_kind"`
	Phones           []string  `json:"phones"`
	Email            string    `json:"email,omitempty"`
	PreferredChannel string    `json:"preferred_channel,omitempty"`
	State            string    `json:"state,omitempty"`
	OptOutWhatsApp   bool      `json:"opt_out_whatsapp"`
	OptOutTelegram   bool      `json:"opt_out_telegram"`
	WrongNumber      bool      `json:"wrong_number"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func debtorJSON(d *payments.Debtor) DebtorJSON {
	return DebtorJSON{d.ExternalID, d.Name, d.Document, d.DocumentKind, d.Phones, d.Email, d.PreferredChannel, d.State,
		d.OptOutWhatsApp, d.OptOutTelegram, d.WrongNumber, d.CreatedAt, d.UpdatedAt}
}

// ChargeJSON is a charge as the API shows it, with what it owes now.
type ChargeJSON struct {
	ExternalID       string         `json:"external_id"`
	DebtorExternalID string         `json:"debtor_external_id"`
	Description      string         `json:"description"`
	Amount           payments.Cents `json:"amount"`
	DueDate          string         `json:"due_date"`
	Status           string         `json:"status"`
	Balance          *BalanceJSON   `json:"balance,omitempty"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

// BalanceJSON is what a charge owes at an instant.
type BalanceJSON struct {
	Principal payments.Cents `json:"principal"`
	Fine      payments.Cents `json:"fine"`     // accrued and not yet booked
	Interest  payments.Cents `json:"interest"` // accrued and not yet booked
	Fees      payments.Cents `json:"fees"`     // booked fine and interest still owed
	DaysLate  int            `json:"days_late"`
	Total     payments.Cents `json:"total"`
}

func chargeJSON(c *payments.Charge, b *payments.ChargeBalance) ChargeJSON {
	j := ChargeJSON{ExternalID: c.ExternalID, DebtorExternalID: c.DebtorExternalID, Description: c.Description, Amount: c.Amount,
		DueDate: c.DueDate.Format(time.DateOnly), Status: c.Status, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if b != nil {
		j.Status = b.Status
		j.Balance = &BalanceJSON{Principal: b.Principal, Fine: b.AccruedFine, Interest: b.AccruedInterest, Fees: b.Fees, DaysLate: b.DaysLate, Total: b.Total}
	}
	return j
}

func (s *Server) listDebtors(w http.ResponseWriter, r *http.Request) {
	after, limit, err := pageParams(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	ds, err := s.store.ListDebtors(r.Context(), after, limit+1)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	p := Page[DebtorJSON]{Data: []DebtorJSON{}}
	for i, d := range ds {
		if i == limit {
			p.NextCursor = ds[limit-1].ExternalID
			break
		}
		p.Data = append(p.Data, debtorJSON(d))
	}
	WriteJSON(w, http.StatusOK, p)
}

func firstFieldError(errs []intake.FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0].AppError()
}

func (s *Server) createDebtor(w http.ResponseWriter, r *http.Request) {
	var in intake.DebtorFields
	if err := DecodeJSON(r, &in); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	d, ferrs := intake.DebtorFromFields(in)
	if err := firstFieldError(ferrs); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	created, err := s.store.CreateDebtor(r.Context(), &d)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.audit(r, "debtor.create", d.ExternalID)
	}
	WriteJSON(w, status, debtorJSON(&d))
}

func (s *Server) getDebtor(w http.ResponseWriter, r *http.Request) {
	d, err := s.store.Debtor(r.Context(), r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, debtorJSON(d))
}

// StatementJSON is SPEC's debtor statement.
type StatementJSON struct {
	Debtor   DebtorJSON         `json:"debtor"`
	AsOf     time.Time          `json:"as_of"`
	Charges  []ChargeJSON       `json:"charges"`
	Plans    []PlanJSON         `json:"plans"` // with their installments
	Payments []payments.Payment `json:"payments"`
	Balance  payments.Cents     `json:"balance"` // open charges with today's amounts
	Credit   payments.Cents     `json:"credit"`  // overpayments held for the debtor
}

func (s *Server) statement(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d, err := s.store.Debtor(ctx, r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	now := s.ledger.Now()
	st := StatementJSON{Debtor: debtorJSON(d), AsOf: now, Charges: []ChargeJSON{}}
	if st.Plans, err = s.plansOf(r, d.ID); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	cs, err := s.store.ListCharges(ctx, payments.ChargeFilter{DebtorID: d.ID, Limit: 10000})
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	for _, c := range cs {
		b, err := s.ledger.ChargeBalance(ctx, c.ID, now)
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		st.Charges = append(st.Charges, chargeJSON(c, &b))
	}
	db, err := s.ledger.DebtorBalance(ctx, d.ID, now)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	st.Balance, st.Credit = db.Total, db.Credit
	if st.Payments, err = s.store.PaymentsOfDebtor(ctx, d.ID); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	if st.Payments == nil {
		st.Payments = []payments.Payment{}
	}
	WriteJSON(w, http.StatusOK, st)
}

func (s *Server) listCharges(w http.ResponseWriter, r *http.Request) {
	after, limit, err := pageParams(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	f := payments.ChargeFilter{After: after, Limit: limit + 1, Status: r.URL.Query().Get("status")}
	switch f.Status {
	case "", payments.ChargeOpen, payments.ChargePaid, payments.ChargeInPlan, payments.ChargeWrittenOff:
	default:
		WriteError(w, r, s.log, malformed("status", "must be open, paid, in_plan or written_off"))
		return
	}
	if ext := r.URL.Query().Get("debtor_external_id"); ext != "" {
		d, err := s.store.Debtor(r.Context(), ext)
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		f.DebtorID = d.ID
	}
	cs, err := s.store.ListCharges(r.Context(), f)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	p := Page[ChargeJSON]{Data: []ChargeJSON{}}
	for i, c := range cs {
		if i == limit {
			p.NextCursor = cs[limit-1].ExternalID
			break
		}
		p.Data = append(p.Data, chargeJSON(c, nil))
	}
	WriteJSON(w, http.StatusOK, p)
}

func (s *Server) createCharge(w http.ResponseWriter, r *http.Request) {
	var in intake.ChargeFields
	if err := DecodeJSON(r, &in); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	c, ferrs := intake.ChargeFromJSON(in)
	if err := firstFieldError(ferrs); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	created, err := s.store.CreateCharge(r.Context(), &c)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	b, err := s.ledger.ChargeBalance(r.Context(), c.ID, s.ledger.Now())
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.audit(r, "charge.create", c.ExternalID)
	}
	WriteJSON(w, status, chargeJSON(&c, &b))
}

func (s *Server) getCharge(w http.ResponseWriter, r *http.Request) {
	c, err := s.store.Charge(r.Context(), r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	b, err := s.ledger.ChargeBalance(r.Context(), c.ID, s.ledger.Now())
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, chargeJSON(c, &b))
}

// LineJSON is one bad line of an import.
type LineJSON struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// importCSV takes a CSV as the body (text/csv) or as the "file" part of a
// multipart form; ?kind=debtors|charges (or a "kind" form field).
func (s *Server) importCSV(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("kind")
	var body io.Reader = r.Body
	filename := "api"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mbe *http.MaxBytesError
			if !errors.As(err, &mbe) {
				err = malformed("file", "cannot read the multipart form: %v", err)
			}
			WriteError(w, r, s.log, err)
			return
		}
		if kind == "" {
			kind = r.FormValue("kind")
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			WriteError(w, r, s.log, malformed("file", "send the CSV as a form part named \"file\""))
			return
		}
		defer f.Close()
		body, filename = f, hdr.Filename
	}
	if kind != "debtors" && kind != "charges" {
		WriteError(w, r, s.log, malformed("kind", "must be debtors or charges (?kind=debtors)"))
		return
	}
	res, err := intake.Load(r.Context(), s.store, kind, body, filename, "api:"+apiKeyOf(r).Name, intake.Options{})
	if err != nil {
		var p *intake.Problems
		var fe *intake.FileError
		switch {
		case errors.As(err, &p):
			lines := make([]LineJSON, len(p.Lines))
			for i, l := range p.Lines {
				lines[i] = LineJSON{Line: l.Line, Column: l.Column, Value: l.Value, Reason: l.Reason}
			}
			WriteError(w, r, s.log, &linesError{err: &payments.Error{Code: payments.EINVALID, Field: "file", Message: p.Error()}, lines: lines})
		case errors.As(err, &fe):
			WriteError(w, r, s.log, &payments.Error{Code: payments.EINVALID, Field: "file", Message: fe.Error()})
		case errors.As(err, new(*http.MaxBytesError)):
			WriteError(w, r, s.log, err) // 413
		default:
			WriteError(w, r, s.log, err)
		}
		return
	}
	s.audit(r, "import."+kind, filename)
	WriteJSON(w, http.StatusOK, map[string]any{"kind": kind, "result": res})
}

func (s *Server) audit(r *http.Request, action, subject string) {
	actor := "api:" + apiKeyOf(r).Name
	if _, err := s.pool.Exec(context.WithoutCancel(r.Context()), "INSERT INTO audit_log (actor, action, subject) VALUES ($1, $2, $3)", actor, action, subject); err != nil {
		s.log.Error("audit", "err", err)
	}
}
