package httpapi

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/regua/regua/internal/egress"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
	"github.com/regua/regua/payments/pix"
	"github.com/regua/regua/payments/pix/apipix"
)

// PixDeps are what the Pix routes need.
type PixDeps struct {
	Billing   *billing.Service
	Secret    string // REGUA_WEBHOOK_SECRET
	PublicURL string // REGUA_PUBLIC_URL
	Now       func() time.Time
	// AllowPrivateWebhooks (REGUA_WEBHOOK_ALLOW_PRIVATE) lets outgoing
	// webhook URLs resolve to loopback, private or link-local addresses.
	AllowPrivateWebhooks bool
}

// maxWebhookBody bounds a provider notification.
const maxWebhookBody = 1 << 20

// RegisterPix mounts /webhooks/pix, the QR images and the outgoing-webhook
// API.
func (s *Server) RegisterPix(mux *http.ServeMux, d PixDeps) {
	mux.HandleFunc("POST /webhooks/pix", func(w http.ResponseWriter, r *http.Request) { s.pixWebhook(w, r, d) })
	// Some providers post to {webhookUrl}/pix.
	mux.HandleFunc("POST /webhooks/pix/pix", func(w http.ResponseWriter, r *http.Request) { s.pixWebhook(w, r, d) })
	mux.HandleFunc("GET /pix/qr/{file}", func(w http.ResponseWriter, r *http.Request) { s.pixQR(w, r, d) })
	api := func(pattern string, h http.HandlerFunc) { mux.HandleFunc(pattern, s.requireKey(h)) }
	api("GET /api/v1/webhooks", s.listEndpoints)
	mux.HandleFunc("POST /api/v1/webhooks", s.requireKey(idempotent(s.pool, maxJSONBody, func(w http.ResponseWriter, r *http.Request) {
		s.createEndpoint(w, r, d.AllowPrivateWebhooks)
	})))
	api("GET /api/v1/webhooks/deliveries", s.listDeliveries)
	api("GET /api/v1/alerts", s.listAlerts)
	api("POST /api/v1/charges/{external_id}/pix", func(w http.ResponseWriter, r *http.Request) { s.issuePix(w, r, d) })
}

// PixCodeJSON is an issued Pix code.
type PixCodeJSON struct {
	TxID     string         `json:"txid"`
	Amount   payments.Cents `json:"amount"`
	Payload  string         `json:"payload"`
	QRPNGURL string         `json:"qr_png_url"`
}

// PixCode renders an issued code with its QR image's URL.
func PixCode(c *billing.Code, publicURL string) PixCodeJSON {
	return PixCodeJSON{TxID: c.TxID, Amount: c.Amount, Payload: c.Payload, QRPNGURL: publicURL + "/pix/qr/" + c.URLToken + ".png"}
}

func (s *Server) issuePix(w http.ResponseWriter, r *http.Request, d PixDeps) {
	c, err := s.store.Charge(r.Context(), r.PathValue("external_id"))
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	code, err := d.Billing.IssueForCharge(r.Context(), c.ID, "api", "")
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, PixCode(code, d.PublicURL))
}

// PixWebhookMTLS is the Pix webhook for the mTLS listener, where the TLS
// layer has already verified the provider's client certificate.
func (s *Server) PixWebhookMTLS(d PixDeps) http.Handler {
	mux := http.NewServeMux()
	h := func(w http.ResponseWriter, r *http.Request) { s.pixWebhook(w, r, d) }
	mux.HandleFunc("POST /webhooks/pix", h)
	mux.HandleFunc("POST /webhooks/pix/pix", h)
	return mux
}

// pixWebhook takes provider notifications: {"pix":[...]} or a bare array.
// The provider is authenticated by a verified client certificate (on the
// mTLS listener) or else by an HMAC of the raw body with a timestamp
// (5-minute tolerance). Each payment is recorded once, in its own
// transaction; a duplicate is harmless.
func (s *Server) pixWebhook(w http.ResponseWriter, r *http.Request, d PixDeps) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = malformed("", "cannot read the request body: %v", err)
		}
		WriteError(w, r, s.log, err)
		return
	}
	viaMTLS := r.TLS != nil && len(r.TLS.VerifiedChains) > 0
	if viaMTLS {
		s.log.Debug("pix webhook over mTLS", "client", r.TLS.PeerCertificates[0].Subject.CommonName)
	} else if err := apipix.VerifyWebhook(d.Secret, r.Header.Get(apipix.SignatureHeader), body, d.Now(), apipix.DefaultWebhookTolerance); err != nil {
		s.log.Warn("pix webhook refused", "reason", err.Error(), "remote", r.RemoteAddr)
		WriteError(w, r, s.log, err)
		return
	}
	list, err := apipix.ParseWebhook(body)
	if err != nil {
		s.log.Warn("pix webhook malformed", "err", err)
		WriteError(w, r, s.log, &badRequest{&payments.Error{Code: payments.EINVALID, Field: fieldOf(err), Message: err.Error()}})
		return
	}
	rep, err := d.Billing.Receive(r.Context(), list, "webhook")
	if err != nil {
		// The provider retries; what was recorded stays recorded once.
		WriteError(w, r, s.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, rep)
}

func fieldOf(err error) string {
	if f := payments.ErrorField(err); f != "" {
		return f
	}
	msg := err.Error()
	if i := strings.Index(msg, ":"); i > 0 && strings.HasPrefix(msg, "pix[") {
		return msg[:i]
	}
	return ""
}

func (s *Server) pixQR(w http.ResponseWriter, r *http.Request, d PixDeps) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	if !ok {
		http.NotFound(w, r)
		return
	}
	c, err := d.Billing.CodeByToken(r.Context(), token)
	if err != nil {
		if payments.ErrorCode(err) == payments.ENOTFOUND {
			http.NotFound(w, r)
			return
		}
		WriteError(w, r, s.log, err)
		return
	}
	if c.Payload == "" { // erased (LGPD)
		http.NotFound(w, r)
		return
	}
	png, err := pix.QRPNG(c.Payload, 512)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Write(png)
}

// EndpointJSON is an outgoing-webhook endpoint.
type EndpointJSON struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) createEndpoint(w http.ResponseWriter, r *http.Request, allowPrivate bool) {
	var in struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
	}
	if err := DecodeJSON(r, &in); err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	// A URL into our own network (loopback, private, link-local, metadata)
	// is refused here, and again at each delivery's connection.
	if err := egress.CheckURL(r.Context(), net.DefaultResolver, in.URL, allowPrivate); err != nil {
		WriteError(w, r, s.log, payments.Invalid("url", "%s", err.Error()))
		return
	}
	if len(in.Events) == 0 {
		in.Events = []string{"payment.received", "charge.paid"}
	}
	for _, e := range in.Events {
		if e != "payment.received" && e != "charge.paid" {
			WriteError(w, r, s.log, payments.Invalid("events", "%q is not payment.received or charge.paid", e))
			return
		}
	}
	var e EndpointJSON
	err := s.pool.QueryRow(r.Context(), "INSERT INTO webhook_endpoints (url, events) VALUES ($1, $2) RETURNING id, url, events, active, created_at",
		in.URL, in.Events).Scan(&e.ID, &e.URL, &e.Events, &e.Active, &e.CreatedAt)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	s.audit(r, "webhook.create", in.URL)
	WriteJSON(w, http.StatusCreated, e)
}

func (s *Server) listEndpoints(w http.ResponseWriter, r *http.Request) {
	rows, err := s.pool.Query(r.Context(), "SELECT id, url, events, active, created_at FROM webhook_endpoints ORDER BY id")
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	defer rows.Close()
	out := Page[EndpointJSON]{Data: []EndpointJSON{}}
	for rows.Next() {
		var e EndpointJSON
		if err := rows.Scan(&e.ID, &e.URL, &e.Events, &e.Active, &e.CreatedAt); err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		out.Data = append(out.Data, e)
	}
	WriteJSON(w, http.StatusOK, out)
}

// DeliveryJSON is one attempt to deliver an outgoing webhook.
type DeliveryJSON struct {
	EndpointID int64     `json:"endpoint_id"`
	Event      string    `json:"event"`
	EventID    string    `json:"event_id"`
	Attempt    int       `json:"attempt"`
	StatusCode *int      `json:"status_code"`
	Error      string    `json:"error,omitempty"`
	DurationMS int       `json:"duration_ms"`
	At         time.Time `json:"at"`
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	_, limit, err := pageParams(r)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	rows, err := s.pool.Query(r.Context(), `SELECT endpoint_id, event, event_id, attempt, status_code, error, duration_ms, created_at
		FROM webhook_deliveries WHERE ($1 = '' OR event_id = $1) ORDER BY id DESC LIMIT $2`, r.URL.Query().Get("event_id"), limit)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	defer rows.Close()
	out := Page[DeliveryJSON]{Data: []DeliveryJSON{}}
	for rows.Next() {
		var d DeliveryJSON
		if err := rows.Scan(&d.EndpointID, &d.Event, &d.EventID, &d.Attempt, &d.StatusCode, &d.Error, &d.DurationMS, &d.At); err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		out.Data = append(out.Data, d)
	}
	WriteJSON(w, http.StatusOK, out)
}

// AlertJSON is a staff alert.
type AlertJSON struct {
	ID               int64     `json:"id"`
	Kind             string    `json:"kind"`
	DebtorExternalID string    `json:"debtor_external_id,omitempty"`
	Message          string    `json:"message"`
	CreatedAt        time.Time `json:"created_at"`
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	rows, err := s.pool.Query(r.Context(), `SELECT a.id, a.kind, coalesce(d.external_id, ''), a.message, a.created_at
		FROM staff_alerts a LEFT JOIN debtors d ON d.id = a.debtor_id WHERE a.resolved_at IS NULL ORDER BY a.id DESC LIMIT 500`)
	if err != nil {
		WriteError(w, r, s.log, err)
		return
	}
	defer rows.Close()
	out := Page[AlertJSON]{Data: []AlertJSON{}}
	for rows.Next() {
		var a AlertJSON
		if err := rows.Scan(&a.ID, &a.Kind, &a.DebtorExternalID, &a.Message, &a.CreatedAt); err != nil {
			WriteError(w, r, s.log, err)
			return
		}
		out.Data = append(out.Data, a)
	}
	WriteJSON(w, http.StatusOK, out)
}
