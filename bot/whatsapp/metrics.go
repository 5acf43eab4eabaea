package whatsapp

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	ignored     *prometheus.CounterVec
	received    *prometheus.CounterVec
	sends       *prometheus.CounterVec
	transitions *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{
		ignored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "regua_whatsapp_ignored_total",
			Help: "WhatsApp messages ignored, by reason (group, broadcast, status, newsletter, other_chat, no_content)."}, []string{"reason"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "regua_whatsapp_received_total",
			Help: "WhatsApp messages received in direct chats, by kind (message, from_me, edited, deleted)."}, []string{"kind"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "regua_whatsapp_sends_total",
			Help: "WhatsApp messages by outcome (queued, sent, failed, throttled, unreachable)."}, []string{"outcome"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "regua_whatsapp_connection_events_total",
			Help: "WhatsApp connection events, by the state they led to."}, []string{"state"}),
	}
}

func (m *metrics) collectors(c *Channel) []prometheus.Collector {
	state := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "regua_whatsapp_usable",
		Help: "1 while the linked WhatsApp number can carry messages (linked, not logged out, banned or replaced)."},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if ok, _ := c.Usable(ctx); ok {
				return 1
			}
			return 0
		})
	connected := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "regua_whatsapp_connected",
		Help: "1 on the replica holding the WhatsApp connection while it is connected."},
		func() float64 {
			if c.connected.Load() {
				return 1
			}
			return 0
		})
	holding := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "regua_whatsapp_holder",
		Help: "1 on the replica holding the WhatsApp connection's lease."},
		func() float64 {
			if c.holding.Load() {
				return 1
			}
			return 0
		})
	return []prometheus.Collector{m.ignored, m.received, m.sends, m.transitions, state, connected, holding}
}
