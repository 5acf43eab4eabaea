package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/regua/regua/payments"
)

type ctxKey int

const (
	keyAPIKey ctxKey = iota
	keyLogger
	keyRequestID
)

func apiKeyOf(r *http.Request) *APIKey {
	k, _ := r.Context().Value(keyAPIKey).(*APIKey)
	if k == nil {
		return &APIKey{}
	}
	return k
}

func loggerOf(r *http.Request) *slog.Logger {
	if l, ok := r.Context().Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// Metrics are the HTTP metrics exposed at /metrics.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "regua_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "regua_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// RequestID returns the id Observe gave the request (also sent back in the
// X-Request-Id header), or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// newRequestID is "r" and 16 hex digits: the letter keeps a run of
// digits in it from ever looking like a phone to the log's masking.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return "r" + hex.EncodeToString(b[:])
}

// routeOf is the pattern the request matched ("GET /chat/api/{phone}/messages"),
// what logs and metrics name instead of the path.
func routeOf(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// Observe wraps the whole mux: metrics, a request log line, panics turned
// into a JSON 500, and a request id. Logs name the route's pattern and the
// request id, never the path: paths carry phones and documents in any
// form ("/chat/api/(11) 99900-0001/messages", "/api/v1/debtors/123.456.789-09").
// A NUL byte anywhere in the path or query is a 400 before any handler
// (PostgreSQL refuses NUL in text, which would otherwise be a 500).
func Observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), keyLogger, log)
		r = r.WithContext(context.WithValue(ctx, keyRequestID, id))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic in handler", "method", r.Method, "route", routeOf(r), "request_id", id, "panic", fmt.Sprint(p))
				WriteJSON(sw, http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{Code: payments.EINTERNAL, Message: "internal error; it has been logged as request " + id}})
			}
			route := routeOf(r)
			if m != nil {
				m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
				m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
			}
			if route != "GET /healthz" && route != "GET /metrics" && !strings.HasSuffix(route, "/events") {
				log.Debug("http", "method", r.Method, "route", route, "request_id", id, "status", sw.status, "ms", time.Since(start).Milliseconds())
			}
		}()
		if strings.ContainsRune(r.URL.Path, 0) || strings.Contains(strings.ToLower(r.URL.RawQuery), "%00") || strings.ContainsRune(r.URL.RawQuery, 0) {
			WriteError(sw, r, log, malformed("", "the URL holds a NUL byte (%%00)"))
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// requireKey authenticates /api/v1 requests by bearer API key.
func (s *Server) requireKey(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="regua"`)
			WriteError(w, r, s.log, errBadKey)
			return
		}
		k, err := authenticate(r.Context(), s.pool, strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="regua"`)
			WriteError(w, r, s.log, err)
			return
		}
		s.touch(r.Context(), k)
		next(w, r.WithContext(context.WithValue(r.Context(), keyAPIKey, k)))
	}
}
