package reminders

import "github.com/prometheus/client_golang/prometheus"

// Metrics count reminders by outcome.
type Metrics struct {
	outcomes *prometheus.CounterVec
	planned  prometheus.Counter
}

// NewMetrics registers the régua's counters on reg (nil: not exported).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "regua_reminders_total",
			Help: "Reminder outcomes: sent, held (with the reason), moved to a later slot, failed on a channel."},
			[]string{"status", "channel", "reason"}),
		planned: prometheus.NewCounter(prometheus.CounterOpts{Name: "regua_reminders_planned_total",
			Help: "Reminders recorded by the planner (each with its send job)."}),
	}
	if reg != nil {
		reg.MustRegister(m.outcomes, m.planned)
	}
	return m
}

func (m *Metrics) count(status, channel, reason string) {
	if m != nil {
		m.outcomes.WithLabelValues(status, channel, reason).Inc()
	}
}

func (m *Metrics) plannedAdd(n int) {
	if m != nil {
		m.planned.Add(float64(n))
	}
}
