package console_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/internal/postgres/pgtest"
	"github.com/regua/regua/payments"
)

// setupEmpty is a Régua without demo data, on a fixed clock.
func setupEmpty(t testing.TB, now time.Time) *app.Main {
	t.Helper()
	vars := map[string]string{"REGUA_DATABASE_URL": pgtest.NewDatabase(t), "REGUA_HTTP_ADDR": "127.0.0.1:0",
		"REGUA_PIX_KEY": "kpi@regua.test", "REGUA_PIX_NAME": "Regua KPI", "REGUA_PIX_CITY": "SAO PAULO",
		"REGUA_BUSINESS_NAME": "Régua KPI Ltda", "REGUA_BUSINESS_DOCUMENT": "11222333000181", "REGUA_WEBHOOK_SECRET": "s3cret-s3cret-s3cret"}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	m, err := app.Open(context.Background(), cfg, slog.New(slog.DiscardHandler), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// The KPIs of a small portfolio, each figure computed by hand in the
// comments.
func TestKPIsAgainstHandComputedFixture(t *testing.T) {
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, loc)
	m := setupEmpty(t, now)
	ctx := context.Background()
	day := func(mo time.Month, d int) time.Time { return time.Date(2026, mo, d, 0, 0, 0, 0, time.UTC) }
	noon := func(mo time.Month, d int) time.Time { return time.Date(2026, mo, d, 12, 0, 0, 0, loc) }
	deb := &payments.Debtor{ExternalID: "k-1", Name: "Fulano de Tal", Document: cpf("123123123"), DocumentKind: "cpf", Phones: []string{"+5511911112222"}}
	if _, err := m.Store.CreateDebtor(ctx, deb); err != nil {
		t.Fatal(err)
	}
	charges := map[string]*payments.Charge{}
	for _, c := range []struct {
		id     string
		amount payments.Cents
		due    time.Time
	}{
		{"c1", 10000, day(11, 5)}, {"c2", 20000, day(11, 20)}, {"c3", 30000, day(11, 25)}, {"c4", 40000, day(9, 1)},
		{"c5", 50000, day(12, 10)}, {"c6", 5000, day(11, 15)}, {"c7", 70000, day(7, 1)}, {"c8", 8000, day(10, 15)},
	} {
		ch := &payments.Charge{ExternalID: c.id, DebtorID: deb.ID, DebtorExternalID: deb.ExternalID, Amount: c.amount, DueDate: c.due}
		if _, err := m.Store.CreateCharge(ctx, ch); err != nil {
			t.Fatal(err)
		}
		charges[c.id] = ch
	}
	// Paid: c1 on 11-10 (5 days late), c2 on 11-18 (2 days early), c8 on
	// 11-02 (18 days late). c8 and c1 were late, so each payment covers
	// its late charges too: pay generously and let the rest be credit.
	for _, p := range []struct {
		id   string
		paid time.Time
		amt  payments.Cents
	}{{"c1", noon(11, 10), 10000}, {"c2", noon(11, 18), 20000}, {"c8", noon(11, 2), 8000}} {
		res, err := m.Ledger.RecordManualPayment(ctx, payments.ManualPayment{Key: p.id, ChargeID: charges[p.id].ID, Amount: p.amt + 1000, PaidAt: p.paid, Reason: "fixture", Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.PaidCharges) != 1 {
			t.Fatalf("%s not settled by its payment: %+v", p.id, res)
		}
		// The trigger stamps paid_at with the database's clock; the
		// fixture's clock is another.
		var stamped bool
		m.Pool.QueryRow(ctx, "SELECT paid_at IS NOT NULL FROM charges WHERE id = $1", charges[p.id].ID).Scan(&stamped)
		if !stamped {
			t.Fatalf("%s: paid_at not set when paid", p.id)
		}
		m.Pool.Exec(ctx, "UPDATE charges SET paid_at = $2 WHERE id = $1", charges[p.id].ID, p.paid)
	}
	if err := m.Ledger.CancelCharge(ctx, charges["c6"].ID, "cancel-c6"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		on     time.Time
		status string
	}{{day(11, 10), "kept"}, {day(11, 12), "broken"}, {day(11, 20), "kept"}, {day(11, 25), "open"}, {day(12, 5), "kept"}} {
		if _, err := m.Pool.Exec(ctx, "INSERT INTO promises (debtor_id, promised_for, amount, status) VALUES ($1, $2, 100, $3)", deb.ID, p.on, p.status); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range []struct {
		on     time.Time
		total  int64
		broken *time.Time
	}{{day(11, 3), 30000, nil}, {day(11, 15), 15000, nil}, {day(10, 1), 9000, ptr(noon(11, 20))}} {
		status := "active"
		if p.broken != nil {
			status = "broken"
		}
		_, err := m.Pool.Exec(ctx, `INSERT INTO plans (debtor_id, offer_id, kind, status, policy_version, principal, fees, discount, financed, interest, total,
				monthly_rate_bp, break_after_days_late, accepted_on, accepted_at, actor, broken_at)
			VALUES ($1, $2, 'installments', $3, 0, $4, 0, 0, $4, 0, $4, 0, 30, $5, $7, 'test', $6)`, deb.ID, "offer-"+string(rune('a'+i)), status, p.total, p.on, p.broken, p.on.Add(15*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
	}
	// Escalations: two waiting (for 2 h and 4 h), one held.
	for i, st := range []string{"waiting_agent", "waiting_agent", "with_agent"} {
		var id int64
		m.Pool.QueryRow(ctx, "INSERT INTO conversations (channel, chat) VALUES ('webchat', $1) RETURNING id", "+55119000000"+string(rune('1'+i))).Scan(&id)
		m.Pool.Exec(ctx, "UPDATE conversations SET status = 'waiting_agent' WHERE id = $1", id)
		if st == "with_agent" {
			m.Pool.Exec(ctx, "UPDATE conversations SET status = 'with_agent' WHERE id = $1", id)
		}
		m.Pool.Exec(ctx, "UPDATE conversation_status_log SET at = $2 WHERE conversation_id = $1", id, now.Add(-time.Duration(2*(i+1))*time.Hour))
	}

	// The incremental aggregate agrees with the charges themselves.
	var drift int
	if err := m.Pool.QueryRow(ctx, `SELECT count(*) FROM (
			SELECT due_date, status, count(*) AS n, sum(amount) AS a FROM charges GROUP BY 1, 2) c
		FULL JOIN (SELECT * FROM kpi_charges_by_due WHERE charges <> 0 OR amount <> 0) k USING (due_date, status)
		WHERE c.n IS DISTINCT FROM k.charges OR c.a IS DISTINCT FROM k.amount`).Scan(&drift); err != nil || drift != 0 {
		t.Fatalf("kpi_charges_by_due drifted from charges on %d rows (%v)", drift, err)
	}
	k, err := m.Console.ComputeKPIs(ctx, day(11, 1), day(11, 30))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// Received in November: 90 + 110 + 210 (the payments, credit included).
	check("recovered", k.RecoveredTotal, payments.Cents(9000+11000+21000))
	check("days", len(k.Recovered), 30)
	check("recovered 11-02", k.Recovered[1].Amount, payments.Cents(9000))
	check("recovered 11-10", k.Recovered[9].Amount, payments.Cents(11000))
	check("recovered 11-18", k.Recovered[17].Amount, payments.Cents(21000))
	// Due in November, cancelled aside: c1 100 + c2 200 + c3 300; paid c1 + c2.
	check("due", k.DueAmount, payments.Cents(60000))
	check("due paid", k.DuePaid, payments.Cents(30000))
	check("recovery rate", k.RecoveryRate, 0.5)
	// Paid in November: c1 +5, c2 -2, c8 +18 days → 21 / 3 = 7.
	check("dso", k.DSO, 7.0)
	check("dso count", k.DSOCount, 3)
	check("paid early", k.PaidEarly, 1)
	// Promises due in November: kept 11-10 and 11-20, broken 11-12, open 11-25.
	check("kept", k.PromisesKept, 2)
	check("broken", k.PromisesBroken, 1)
	check("open", k.PromisesOpen, 1)
	check("kept rate", k.PromiseKeptRate, 2.0/3.0)
	check("plans accepted", k.PlansAccepted, 2)
	check("plans accepted total", k.PlansAcceptedTotal, payments.Cents(45000))
	check("plans broken", k.PlansBroken, 1)
	// Open on 11-30: c5 not yet due; c3 5 days; c4 90 days; c7 152 days.
	want := []console.AgingBucket{{Label: "A vencer", Count: 1, Amount: 50000}, {Label: "0–30 dias", Count: 1, Amount: 30000},
		{Label: "31–60 dias"}, {Label: "61–90 dias", Count: 1, Amount: 40000}, {Label: "90+ dias", Count: 1, Amount: 70000}}
	for i := range want {
		check("aging "+want[i].Label, k.Aging[i], want[i])
	}
	check("waiting", k.Waiting, 2)
	check("with agent", k.WithAgent, 1)
	check("wait avg", k.WaitAvg.Round(time.Second), 3*time.Hour)
	check("wait max", k.WaitMax.Round(time.Second), 4*time.Hour)
	check("escalations in period", k.EscalationsInPeriod, 3)
	if !k.StepsAvailable || len(k.Steps) != 0 {
		t.Errorf("step figures: available %v, %d rows without any reminder", k.StepsAvailable, len(k.Steps))
	}

	// The page and the CSV say the same.
	if _, err := console.CreateUser(ctx, m.Pool, "sup@regua.test", console.RoleSupervisor, password, "test"); err != nil {
		t.Fatal(err)
	}
	c := (&env{m: m, url: m.URL()}).client(t)
	c.login("sup@regua.test")
	res, body := c.get("/console/kpis?from=2026-11-01&to=2026-11-30")
	if res.StatusCode != 200 || !strings.Contains(body, "50.0%") || !strings.Contains(body, "R$ 410,00") || !strings.Contains(body, "<svg id=\"recovered-chart\"") {
		t.Fatalf("kpi page: %d", res.StatusCode)
	}
	res, body = c.get("/console/kpis/summary.csv?from=2026-11-01&to=2026-11-30")
	for _, line := range []string{"recovered,410.00", "recovery_rate,0.5000", "dso_days,7.00", "promise_kept_rate,0.6667", "plans_broken,1"} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("summary.csv lacks %q:\n%s", line, body)
		}
	}
	res, body = c.get("/console/kpis/aging.csv?from=2026-11-01&to=2026-11-30")
	if res.StatusCode != 200 || !strings.Contains(body, "90+ dias,1,700.00") {
		t.Errorf("aging.csv: %d %s", res.StatusCode, body)
	}
	if res, _ := c.get("/console/kpis?from=2026-12-01&to=2026-11-01"); res.StatusCode != 422 {
		t.Errorf("reversed period: %d", res.StatusCode)
	}
}

func ptr[T any](v T) *T { return &v }
