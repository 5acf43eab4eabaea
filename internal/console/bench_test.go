package console_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/internal/console"
)

// BenchmarkConsolePages times the KPI page (a 30-day period) and the inbox
// over a database of 1,000,000 charges and 10,000,000 messages (100,000
// debtors, 200,000 conversations of which 300 wait for a person, 300,000
// payments, 100,000 promises, 20,000 plans). Generating it takes minutes,
// so it runs only with REGUA_BENCH_CONSOLE=1:
//
//	REGUA_BENCH_CONSOLE=1 go test ./internal/console -run '^$' -bench ConsolePages -benchtime 20x
func BenchmarkConsolePages(b *testing.B) {
	if os.Getenv("REGUA_BENCH_CONSOLE") == "" {
		b.Skip("set REGUA_BENCH_CONSOLE=1 to generate 1M charges and 10M messages and time the console's pages")
	}
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, loc)
	m := setupEmpty(b, now)
	ctx := context.Background()
	start := time.Now()
	conn, err := m.Pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release() // (idempotent) a Fatal must not leave the pool waiting for it
	scale := 1           // REGUA_BENCH_CONSOLE=small: a hundredth, to try the fixture quickly
	if os.Getenv("REGUA_BENCH_CONSOLE") == "small" {
		scale = 100
	}
	// A fixture, not a ledger: triggers off (a replica's role) while loading.
	for _, sql := range []string{
		`SET session_replication_role = replica`,
		`INSERT INTO debtors (external_id, name, document, document_kind, phones)
		 SELECT 'b-' || i, 'Devedor ' || i, lpad(i::text, 11, '0'), 'cpf', ARRAY['+55119' || lpad(i::text, 8, '0')]
		 FROM generate_series(1, 100000) i`,
		`INSERT INTO charges (external_id, debtor_id, amount, due_date, status, paid_at)
		 SELECT 'ch-' || i, (SELECT min(id) FROM debtors) + i % 100000, 1000 + (i::bigint * 7919) % 500000,
		        date '2025-06-01' + (i % 700),
		        CASE WHEN i % 10 < 6 THEN 'open' WHEN i % 10 < 9 THEN 'paid' ELSE 'written_off' END,
		        CASE WHEN i % 10 BETWEEN 6 AND 8 THEN (date '2025-06-01' + (i % 700) + (i % 40) - 5)::timestamptz END
		 FROM generate_series(1, 1000000) i`,
		`INSERT INTO ledger_transactions (kind, effective_at) SELECT 'payment', now() FROM generate_series(1, 300000)`,
		`INSERT INTO payments (end_to_end_id, amount, paid_at, debtor_id, transaction_id, source)
		 SELECT 'E' || i, 1000 + (i::bigint * 104729) % 300000, timestamptz '2025-06-01' + (i % 548) * interval '1 day' + (i % 86400) * interval '1 second',
		        (SELECT min(id) FROM debtors) + i % 100000, (SELECT min(id) FROM ledger_transactions) + i - 1, 'webhook'
		 FROM generate_series(1, 300000) i`,
		`INSERT INTO promises (debtor_id, promised_for, amount, status)
		 SELECT (SELECT min(id) FROM debtors) + i % 100000, date '2025-06-01' + (i % 548), 5000,
		        (ARRAY['kept', 'broken', 'open', 'replaced'])[1 + i % 4]
		 FROM generate_series(1, 100000) i`,
		`INSERT INTO plans (debtor_id, offer_id, kind, status, policy_version, principal, fees, discount, financed, interest, total,
		                    monthly_rate_bp, break_after_days_late, accepted_on, accepted_at, actor, broken_at)
		 SELECT (SELECT min(id) FROM debtors) + i % 100000, 'o-' || i, 'installments', CASE WHEN i % 5 = 0 THEN 'broken' ELSE 'active' END,
		        0, 10000, 0, 0, 10000, 0, 10000, 0, 30, date '2025-06-01' + (i % 548), timestamptz '2025-06-01' + (i % 548) * interval '1 day',
		        'bench', CASE WHEN i % 5 = 0 THEN timestamptz '2025-07-01' + (i % 500) * interval '1 day' END
		 FROM generate_series(1, 20000) i`,
		`INSERT INTO conversations (channel, chat, debtor_id, status, status_reason, last_message_at)
		 SELECT 'whatsapp', '+55119' || lpad(i::text, 8, '0'), (SELECT min(id) FROM debtors) + i % 100000,
		        CASE WHEN i % 1000 = 0 THEN 'waiting_agent' WHEN i % 1000 = 1 THEN 'with_agent' WHEN i % 3 = 0 THEN 'closed' ELSE 'bot' END,
		        CASE WHEN i % 1000 IN (0, 1) THEN 'pediu para falar com uma pessoa' ELSE '' END, now()
		 FROM generate_series(1, 200000) i`,
		`INSERT INTO conversation_status_log (conversation_id, status, reason, at)
		 SELECT id, status, status_reason, now() - (id % 600) * interval '1 minute' FROM conversations WHERE status IN ('waiting_agent', 'with_agent')`,
		`INSERT INTO messages (conversation_id, direction, sender, text, created_at)
		 SELECT (SELECT min(id) FROM conversations) + i % 200000, CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END,
		        CASE WHEN i % 2 = 0 THEN 'debtor' ELSE 'bot' END, 'mensagem número ' || i, timestamptz '2025-06-01' + i * interval '1 second'
		 FROM generate_series(1, 10000000) i`,
		`SET session_replication_role = origin`,
		// The triggers that keep it were off while loading.
		`INSERT INTO kpi_charges_by_due SELECT due_date, status, count(*), sum(amount) FROM charges GROUP BY 1, 2`,
		`VACUUM`,
		`ANALYZE`,
	} {
		if scale > 1 {
			for _, n := range []string{"10000000", "1000000", "300000", "200000", "100000", "20000"} {
				sql = strings.ReplaceAll(sql, n, strconv.Itoa(mustAtoi(n)/scale))
			}
		}
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatalf("%.80s: %v", strings.TrimSpace(sql), err)
		}
	}
	conn.Release()
	var charges, messages int
	m.Pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM charges), (SELECT count(*) FROM messages)").Scan(&charges, &messages)
	b.Logf("generated %d charges and %d messages in %s", charges, messages, time.Since(start).Round(time.Second))
	if _, err := console.CreateUser(ctx, m.Pool, "sup@regua.test", console.RoleSupervisor, password, "bench"); err != nil {
		b.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", m.URL()+"/console/login", strings.NewReader(url.Values{"email": {"sup@regua.test"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", m.URL())
	if res, err := hc.Do(req); err != nil || res.StatusCode != http.StatusSeeOther {
		b.Fatalf("login: %v", err)
	}
	get := func(b *testing.B, path, want string) {
		res, err := hc.Get(m.URL() + path)
		if err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := res.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(sb.String(), want) {
			b.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	b.Run("kpis-30-days", func(b *testing.B) {
		for b.Loop() {
			get(b, "/console/kpis?from=2026-11-01&to=2026-11-30", "recovered-chart")
		}
	})
	b.Run("kpis-one-year", func(b *testing.B) {
		for b.Loop() {
			get(b, "/console/kpis?from=2025-12-01&to=2026-11-30", "recovered-chart")
		}
	})
	b.Run("inbox", func(b *testing.B) {
		for b.Loop() {
			get(b, "/console/", "pediu para falar com uma pessoa")
		}
	})
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}
