package httpapi

import (
	"context"
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

// Observe wraps the whole mux: metrics, a request log line (paths only:
// phones in /chat paths are masked), and panics turned into a JSON 500.
func Observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		r = r.WithContext(context.WithValue(r.Context(), keyLogger, log))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic in handler", "method", r.Method, "path", maskPath(r.URL.Path), "panic", p)
				WriteJSON(sw, http.StatusInternalServerError, ErrorBody{Error: ErrorDetail{Code: payments.EINTERNAL, Message: "internal error; it has been logged"}})
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if m != nil {
				m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
				m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
			}
			if !strings.HasPrefix(r.URL.Path, "/healthz") && !strings.HasPrefix(r.URL.Path, "/metrics") && !strings.HasSuffix(r.URL.Path, "/events") {
				log.Debug("http", "method", r.Method, "path", maskPath(r.URL.Path), "status", sw.status, "ms", time.Since(start).Milliseconds())
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// maskPath hides phone numbers and documents that appear as path segments.
func maskPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		digits := 0
		for _, c := range s {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits >= 8 {
			parts[i] = payments.MaskPhone(s)
		}
	}
	return strings.Join(parts, "/")
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
		next(w, r.WithContext(context.WithValue(r.Context(), keyAPIKey, k)))
	}
}
