package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// mainMetrics is what the main listener serves at /metrics: the registry,
// unless REGUA_METRICS_ADDR moves /metrics to a listener of its own (so that
// it need not be public).
func (m *Main) mainMetrics() prometheus.Gatherer {
	if m.Config.MetricsAddr != "" {
		return nil
	}
	return m.registry
}

// startMetrics serves /metrics on REGUA_METRICS_ADDR, when set.
func (m *Main) startMetrics() error {
	if m.Config.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.Config.MetricsAddr)
	if err != nil {
		return fmt.Errorf("REGUA_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	m.metricsLn = ln
	m.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	go m.metrics.Serve(ln)
	m.Log.Info("serving /metrics", "addr", ln.Addr().String())
	return nil
}

// MetricsURL is the base URL of the metrics listener ("" when /metrics is on
// the main listener).
func (m *Main) MetricsURL() string {
	if m.metricsLn == nil {
		return ""
	}
	return "http://" + m.metricsLn.Addr().String()
}
