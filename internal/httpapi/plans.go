package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
)

// PlansDeps are what the plan routes need beyond the Server's Deps.
type PlansDeps struct {
	Billing   *billing.Service
	PublicURL string // REGUA_PUBLIC_URL
}

// RegisterPlans mounts the negotiation policy, offers and plans routes.
func (s *Server) RegisterPlans(mux *http.ServeMux, d PlansDeps) {
	api := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, s.requireKey(h)) }
	api("GET /api/v1/policy", s.getPolicy)
	api("PUT /api/v1/policy", s.putPolicy)
	api("GET /api/v1/debtors/{external_id}/offers", s.offers)
	api("GET /api/v1/debtors/{external_id}/plans", s.listPlans)
	mux.HandleFunc("POST /api/v1/debtors/{external_id}/plans", s.requireKey(idempotent(s.pool, maxJSONBody, s.acceptPlan)))
	api("GET /api/v1/plans/{id}", s.getPlan)
	api("POST /api/v1/plans/{id}/installments/{number}/pix", func(w http.ResponseWriter, r *http.Request) { s.installmentPix(w, r, d) })
	api("GET /api/v1/plans/{id}/payoff", s.planPayoff)
	api("POST /api/v1/plans/{id}/payoff/pix", func(w http.ResponseWriter, r *http.Request) { s.planPayoffPix(w, r, d) })
}

// OffersJSON is the offers for a debtor, in the shape of
// `regua plans simulate --json`.
type OffersJSON struct {
	Offers []OfferJSON `json:"offers"`
	// CashOnly says why there are no installment plans ("" when there are).
	CashOnly string `json:"cash_only,omitempty"`
}

// OfferJSON is one offer: SPEC's fields, then what a client needs to show
// it (what is financed, the plan's interest, until when it holds).
type OfferJSON struct {
	ID           string                 `json:"id"`
	Kind         string                 `json:"kind"`
	Count        int                    `json:"count"`
	Total        payments.Cents         `json:"total"`
	Discount     payments.Cents         `json:"discount"`
	Installments []OfferInstallmentJSON `json:"installments"`
	Financed     payments.Cents         `json:"financed"`
	Interest     payments.Cents         `json:"interest"`
	ExpiresAt    time.Time              `json:"expires_at"`
}

// OfferInstallmentJSON is one payment of an offer.
type OfferInstallmentJSON struct {
	Number  int            `json:"number"`
	DueDate string         `json:"due_date"`
	Amount  payments.Cents `json:"amount"`
}

func offersJSON(offers []payments.Offer) []OfferJSON {
	out := make([]OfferJSON, 0, len(offers))
	for _, o := range offers {
		j := OfferJSON{ID: o.ID, Kind: o.Kind, Count: o.Count, Total: o.Total, Discount: o.Discount,
			Financed: o.Financed, Interest: o.Interest, ExpiresAt: o.ExpiresAt, Installments: []OfferInstallmentJSON{}}
		for _, in := range o.Installments {
			j.Installments = append(j.Installments, OfferInstallmentJSON{Number: in.Number, DueDate: in.DueDate.Format(time.DateOnly), Amount: in.Amount})
		}
		out = append(out, j)
	}
	return out
}

// PlanJSON is an accepted offer and its installments.
type PlanJSON struct {
	ID               int64                 `json:"id"`
	DebtorExternalID string                `json:"debtor_external_id,omitempty"`
	OfferID          string                `json:"offer_id"`
	Kind             string                `json:"kind"`
	Status           string                `json:"status"` // active, paid, broken
	Count            int                   `json:"count"`
	PolicyVersion    int64                 `json:"policy_version"`
	Principal        payments.Cents        `json:"principal"`
	Fees             payments.Cents        `json:"fees"`
	Discount         payments.Cents        `json:"discount"`
	Financed         payments.Cents        `json:"financed"`
	Interest         payments.Cents        `json:"interest"`
	Total            payments.Cents        `json:"total"`
	Outstanding      payments.Cents        `json:"outstanding"`
	MonthlyRateBP    int64                 `json:"monthly_rate_bp"`
	AcceptedAt       time.Time             `json:"accepted_at"`
	PaidAt           *time.Time            `json:"paid_at,omitempty"`
	BrokenAt         *time.Time            `json:"broken_at,omitempty"`
	Charges          []string              `json:"charges"` // external ids of the charges settled into it
	Installments     []PlanInstallmentJSON `json:"installments"`
}

// PlanInstallmentJSON is one installment of a plan.
type PlanInstallmentJSON struct {
	Number  int            `json:"number"`
	DueDate string         `json:"due_date"`
	Amount  payments.Cents `json:"amount"`
	Status  string         `json:"status"` // open, paid, cancelled
	Paid    payments.Cents `json:"paid"`
	PaidAt  *time.Time     `json:"paid_at,omitempty"`
}

func planJSON(p *payments.Plan) PlanJSON {
	j := PlanJSON{ID: p.ID, OfferID: p.OfferID, Kind: p.Kind, Status: p.Status, Count: len(p.Installments), PolicyVersion: p.PolicyVersion,
		Principal: p.Principal, Fees: p.Fees, Discount: p.Discount, Financed: p.Financed, Interest: p.Interest, Total: p.Total,
		MonthlyRateBP: p.MonthlyRateBP, AcceptedAt: p.AcceptedAt, PaidAt: p.PaidAt, BrokenAt: p.BrokenAt,
		Charges: []string{}, Installments: []PlanInstallmentJSON{}}
	for _, c := range p.Charges {
		j.Charges = append(j.Charges, c.ExternalID)
	}
	for _, in := range p.Installments {
		j.Outstanding += in.Outstanding
		j.Installments = append(j.Installments, PlanInstallmentJSON{Number: in.Number, DueDate: in.DueDate.Format(time.DateOnly),
			Amount: in.Amount, Status: in.Status, Paid: in.Paid, PaidAt: in.PaidAt})
	}
	return j
}

func (s *Server) plansOf(r *http.Request, debtorID int64) ([]PlanJSON, error) {
	out := []PlanJSON{}
	if s.plans == nil {
		return out, nil
	}
	ps, err := s.plans.PlansOfDebtor(r.Context(), debtorID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out = append(out, planJSON(p))
	}
	return out, nil
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) {
	p, err := s.policies.Current(r.Context())
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, p)
}

// putPolicy replaces the policy: settings left out of the body take their
// defaults. An invalid policy is a 422 naming the setting, and nothing is
// saved.
func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) {
	p := payments.DefaultPolicy()
	if err := DecodeJSON(r, &p); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	v, err := s.policies.Save(r.Context(), p, "api:"+apiKeyOf(r).Name)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	p.Version = v
	WriteJSON(w, http.StatusOK, p)
}

func (s *Server) offers(w http.ResponseWriter, r *http.Request) {
	d, err := s.store.Debtor(r.Context(), r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	q, err := s.plans.Quote(r.Context(), d.ID)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	out := OffersJSON{Offers: offersJSON(q.Offers)}
	if q.CashOnly != nil {
		out.CashOnly = payments.ErrorMessage(q.CashOnly)
	}
	WriteJSON(w, http.StatusOK, out)
}

// staleOfferBody is a 409 for an offer no longer on the table, with the
// offers valid now so the client can choose again without another call.
type staleOfferBody struct {
	Error  ErrorDetail `json:"error"`
	Offers []OfferJSON `json:"offers"`
}

// acceptPlan accepts an offer by id: 201 with the new plan, 200 with the
// plan an earlier acceptance of the same offer made, 409 with the fresh
// offers when the offer is stale.
func (s *Server) acceptPlan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OfferID string `json:"offer_id"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	d, err := s.store.Debtor(r.Context(), r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	p, created, err := s.plans.Accept(r.Context(), d.ID, in.OfferID, "api:"+apiKeyOf(r).Name)
	var stale *payments.StaleOfferError
	if errors.As(err, &stale) {
		WriteJSON(w, http.StatusConflict, staleOfferBody{
			Error:  ErrorDetail{Code: payments.ECONFLICT, Message: payments.ErrorMessage(err), Field: payments.ErrorField(err)},
			Offers: offersJSON(stale.Offers),
		})
		return
	}
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	j := planJSON(p)
	j.DebtorExternalID = d.ExternalID
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	WriteJSON(w, status, j)
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) {
	d, err := s.store.Debtor(r.Context(), r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	ps, err := s.plansOf(r, d.ID)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	for i := range ps {
		ps[i].DebtorExternalID = d.ExternalID
	}
	WriteJSON(w, http.StatusOK, Page[PlanJSON]{Data: ps})
}

func planID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, payments.Errorf(payments.ENOTFOUND, "plan %q not found", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) planOf(r *http.Request) (*payments.Plan, error) {
	id, err := planID(r)
	if err != nil {
		return nil, err
	}
	return s.plans.Plan(r.Context(), id)
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) {
	p, err := s.planOf(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	d, err := s.store.DebtorByID(r.Context(), p.DebtorID)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	j := planJSON(p)
	j.DebtorExternalID = d.ExternalID
	WriteJSON(w, http.StatusOK, j)
}

// installmentPix issues (or reuses today's) Pix code for an installment.
func (s *Server) installmentPix(w http.ResponseWriter, r *http.Request, d PlansDeps) {
	p, err := s.planOf(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n < 1 || n > len(p.Installments) {
		WriteError(w, r, s.log, payments.Errorf(payments.ENOTFOUND, "plan %d has no installment %q", p.ID, r.PathValue("number")))
		return
	}
	code, err := d.Billing.IssueForInstallment(r.Context(), p.Installments[n-1].ID, "api", "")
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, PixCode(code, d.PublicURL))
}

// PayoffJSON is what settles the rest of a plan today (CDC art. 52 §2).
type PayoffJSON struct {
	PlanID         int64          `json:"plan_id"`
	Date           string         `json:"date"`         // the day it holds for
	Installments   int            `json:"installments"` // still to pay
	Remaining      payments.Cents `json:"remaining"`    // what they owe at face value
	Payoff         payments.Cents `json:"payoff"`       // what settles them today
	InterestWaived payments.Cents `json:"interest_waived"`
}

// planPayoff quotes a plan's early payoff: 409 when the plan is not active.
func (s *Server) planPayoff(w http.ResponseWriter, r *http.Request) {
	id, err := planID(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	q, err := s.plans.PayoffQuote(r.Context(), id)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, PayoffJSON{PlanID: q.PlanID, Date: q.On.Format(time.DateOnly), Installments: q.Open,
		Remaining: q.Remaining, Payoff: q.Payoff, InterestWaived: q.InterestWaived})
}

// planPayoffPix issues (or reuses today's) Pix code for a plan's payoff.
func (s *Server) planPayoffPix(w http.ResponseWriter, r *http.Request, d PlansDeps) {
	id, err := planID(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	code, err := d.Billing.IssueForPlanPayoff(r.Context(), id, "api", "")
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, PixCode(code, d.PublicURL))
}
