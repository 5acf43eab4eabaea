package reminders

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// peakSampler samples the Go runtime's memory obtained from the system
// (heap, stacks, runtime structures) while a benchmark runs.
func peakSampler() (stop func() float64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if v := m.Sys - m.HeapReleased; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() float64 { close(done); return float64(peak.Load()) / (1 << 20) }
}

// benchCharges is the number of open charges BenchmarkPlanMillion plans
// over: 1,000,000, or REGUA_BENCH_CHARGES.
func benchCharges() int {
	if n, err := strconv.Atoi(os.Getenv("REGUA_BENCH_CHARGES")); err == nil && n >= 4 {
		return n
	}
	return 1_000_000
}

// BenchmarkPlanMillion plans over 1,000,000 open charges (250,000 debtors,
// due dates spread over the cadence's reach), the first run (every charge
// gets its latest due step: ~1,000,000 reminders and their send jobs) and
// a second (steady state: nothing new).
func BenchmarkPlanMillion(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	_, err := f.pool.Exec(ctx, `
		INSERT INTO debtors (external_id, name, document, document_kind, phones)
		SELECT 'd' || g, 'Pessoa ' || g, '52998224725', 'cpf', ARRAY['+55119' || lpad(g::text, 8, '0')] FROM generate_series(1, $1 / 4) g`, benchCharges())
	if err != nil {
		b.Fatal(err)
	}
	_, err = f.pool.Exec(ctx, `
		INSERT INTO charges (external_id, debtor_id, description, amount, due_date)
		SELECT 'c' || g, (SELECT min(id) FROM debtors) + (g % ($1 / 4)), 'Mensalidade', 10000, DATE '2026-12-01' + 3 - (g % 34)
		FROM generate_series(1, $1) g`, benchCharges())
	if err != nil {
		b.Fatal(err)
	}
	f.pool.Exec(ctx, "ANALYZE")
	client := f.client(b, 1) // inserts the jobs; never started
	if os.Getenv("REGUA_BENCH_NOJOBS") != "" {
		client = nil // measure the reminders' side alone
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		stop := peakSampler()
		t0 := time.Now()
		st, err := f.planner.Plan(ctx, client, tuesday)
		first := time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		peak := stop()
		t1 := time.Now()
		st2, err := f.planner.Plan(ctx, client, tuesday)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(first.Seconds(), "first-run-s")
		b.ReportMetric(time.Since(t1).Seconds(), "steady-run-s")
		b.ReportMetric(peak, "peak-MB")
		b.ReportMetric(float64(st.Planned), "planned")
		b.Logf("first run: read %d, planned %d (moved %d) in %s; second run: read %d, planned %d in %s; peak %.0f MB",
			st.Read, st.Planned, st.Moved, first, st2.Read, st2.Planned, time.Since(t1), peak)
		if i+1 < b.N {
			f.pool.Exec(ctx, "TRUNCATE reminder_events, reminders; DELETE FROM river_job")
		}
	}
}

// BenchmarkDispatch sends reminders through River to the web chat with a
// no-op sender (storing is delivering there), with the whole exactly-once
// bookkeeping: the reminder locked and re-read, stop conditions, calendar
// and caps, the gate, the message stored under its unique key, the
// reminder and its event updated, and the job completed in one transaction.
func BenchmarkDispatch(b *testing.B) {
	const n = 5000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := setup(b)
		f.due(b, n)
		client := f.client(b, 0) // the production default
		if _, err := f.planner.Plan(context.Background(), client, tuesday); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if err := client.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		f.waitSent(b, n, 5*time.Minute)
		el := time.Since(t0)
		b.StopTimer()
		client.Stop(context.Background())
		b.ReportMetric(float64(n)/el.Seconds(), "reminders/s")
		checkExactlyOnce(b, f.deliveredPerChat(b), n)
	}
}
