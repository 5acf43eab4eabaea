package reminders

import (
	"context"
	"strings"
	"testing"

	"github.com/regua/regua/internal/postgres/pgtest"
)

// The dispatcher reads a reminder's facts once per send, with the generic
// plan pgx's prepared statement gets. Once the tables hold rows, whatever
// the statistics say (stale: autovacuum off, or fresh), reminders, debtors
// and charges must be reached by index: a scan per send grows with the
// table. (Tables that are really empty may be scanned: nothing to read.)
func TestFactsQueryUsesIndexes(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	const args = "1, DATE '2026-12-01', now() - interval '7 days'"
	check := func(when string) {
		plan := pgtest.GenericPlan(t, pool, factsSQL, args)
		for _, table := range []string{"reminders", "debtors", "charges"} {
			if strings.Contains(plan, "Seq Scan on "+table) {
				t.Errorf("%s: the facts query scans %s:\n%s", when, table, plan)
			}
		}
	}
	_, err := pool.Exec(ctx, `
		WITH d AS (
			INSERT INTO debtors (external_id, name, document, document_kind, phones)
			SELECT 'd' || g, 'Pessoa ' || g, '52998224725', 'cpf', ARRAY['+55119' || lpad(g::text, 8, '0')] FROM generate_series(1, 20000) g
			RETURNING id),
		c AS (
			INSERT INTO charges (external_id, debtor_id, description, amount, due_date)
			SELECT 'c' || id, id, 'Mensalidade', 10000, DATE '2026-12-01' FROM d RETURNING id, debtor_id)
		INSERT INTO reminders (debtor_id, charge_id, step, step_offset, intent, config_version, status, due_at, sent_at, channel)
		SELECT debtor_id, id, 'D0', 0, 'remind', 1, 'sent', now(), now(), 'webchat' FROM c`)
	if err != nil {
		t.Fatal(err)
	}
	check("grown tables, stale statistics")
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	check("fresh statistics")
}
