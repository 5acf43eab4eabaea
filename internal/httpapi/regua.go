package httpapi

import (
	"net/http"

	"github.com/regua/regua/conversations/regua"
	"github.com/regua/regua/internal/reminders"
	"github.com/regua/regua/payments"
)

// ReguaDeps are what the régua's routes need.
type ReguaDeps struct {
	Configs *reminders.ConfigStore
}

// RegisterRegua mounts GET/PUT /api/v1/regua (the cadence, versioned) and
// GET /api/v1/debtors/{external_id}/reminders (every attempt).
func (s *Server) RegisterRegua(mux *http.ServeMux, d ReguaDeps) {
	mux.HandleFunc("GET /api/v1/regua", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		c, err := d.Configs.Current(r.Context())
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		WriteJSON(w, http.StatusOK, c)
	}))
	mux.HandleFunc("PUT /api/v1/regua", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		// Settings left out take their defaults; an invalid cadence is a
		// 422 naming the field, and nothing is saved.
		c := regua.DefaultConfig()
		if err := DecodeJSON(r, &c); err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		v, err := d.Configs.Save(r.Context(), c, "api:"+apiKeyOf(r).Name)
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		c.Version = v
		WriteJSON(w, http.StatusOK, c)
	}))
	mux.HandleFunc("GET /api/v1/debtors/{external_id}/reminders", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		out, found, err := reminders.History(r.Context(), s.pool, r.PathValue("external_id"), 500)
		if err == nil && !found {
			err = payments.Errorf(payments.ENOTFOUND, "debtor %q not found", r.PathValue("external_id"))
		}
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"reminders": out})
	}))
}
