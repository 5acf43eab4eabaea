package httpapi

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/regua/regua/payments"
)

// WhatsAppPairing is what the staff console needs to link the business's
// WhatsApp number (the WhatsApp channel, through internal/app).
type WhatsAppPairing interface {
	// WhatsAppStatus is the linked number and its connection's state.
	WhatsAppStatus(ctx context.Context) (any, error)
	// WhatsAppPair links a number through the connection this replica
	// holds: each QR code (event "code") or the pairing code for phone
	// (event "pairing_code") goes to show; it returns the linked number.
	WhatsAppPair(ctx context.Context, phone string, show func(event, code string, valid time.Duration)) (string, error)
	// WhatsAppLogout unlinks the number.
	WhatsAppLogout(ctx context.Context) error
	// WhatsAppMedia is a file a person sent (a receipt), by its id.
	WhatsAppMedia(ctx context.Context, id int64) (mimetype, fileName string, data []byte, err error)
}

// RegisterWhatsApp mounts the pairing API (bearer API key, like /api/v1):
//
//	GET  /api/v1/whatsapp                     the state (JSON)
//	POST /api/v1/whatsapp/pair[?phone=55…]    Server-Sent Events: "code" (a QR code's text, to draw),
//	                                          or "pairing_code"; then "paired" {"number"} or "error" {"error"}
//	POST /api/v1/whatsapp/logout              unlinks the number
//	GET  /api/v1/whatsapp/media/{id}          a file a person sent (a receipt's media_ref "whatsapp-media:<id>")
func (s *Server) RegisterWhatsApp(mux *http.ServeMux, p WhatsAppPairing) {
	mux.HandleFunc("GET /api/v1/whatsapp/media/{id}", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			WriteError(w, r, s.log, payments.Invalid("id", "must be a file id (the number in whatsapp-media:<id>)"))
			return
		}
		mt, name, data, err := p.WhatsAppMedia(r.Context(), id)
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		if mt == "" {
			mt = "application/octet-stream"
		}
		w.Header().Set("Content-Type", mt)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "sandbox")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": cmp.Or(name, fmt.Sprintf("whatsapp-%d", id))}))
		w.Write(data)
	}))
	mux.HandleFunc("GET /api/v1/whatsapp", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		st, err := p.WhatsAppStatus(r.Context())
		if err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		WriteJSON(w, http.StatusOK, st)
	}))
	mux.HandleFunc("POST /api/v1/whatsapp/logout", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		if err := p.WhatsAppLogout(r.Context()); err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		s.log.Info("whatsapp: unlinked through the API", "key", apiKeyName(r))
		s.audit(r, "whatsapp.logout", "")
		WriteJSON(w, http.StatusOK, map[string]string{"state": "unpaired"})
	}))
	mux.HandleFunc("POST /api/v1/whatsapp/pair", s.requireKey(func(w http.ResponseWriter, r *http.Request) {
		fl, ok := w.(http.Flusher)
		if !ok {
			WriteError(w, r, s.log, fmt.Errorf("httpapi: streaming unsupported"))
			return
		}
		started := false
		send := func(event string, data any) {
			if !started {
				w.Header().Set("Content-Type", "text/event-stream")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusOK)
				started = true
			}
			b, _ := json.Marshal(data)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
			fl.Flush()
		}
		number, err := p.WhatsAppPair(r.Context(), r.URL.Query().Get("phone"), func(event, code string, valid time.Duration) {
			send(event, map[string]any{"code": code, "valid_seconds": int(valid.Seconds())})
		})
		if err != nil {
			if !started { // refused before anything was shown: a plain error
				WriteError(w, r, s.log, err)
				return
			}
			send("error", map[string]string{"error": err.Error()})
			return
		}
		s.log.Info("whatsapp: linked through the API", "key", apiKeyName(r))
		s.audit(r, "whatsapp.pair", number)
		send("paired", map[string]string{"number": number})
	}))
}

func apiKeyName(r *http.Request) string {
	if k := apiKeyOf(r); k != nil {
		return k.Name
	}
	return ""
}
