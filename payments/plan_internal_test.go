package payments

import (
	"context"
	"strings"
	"testing"

	"github.com/regua/regua/internal/postgres/pgtest"
)

// A verified chat turn reads the debtor's open charges on every balance, Pix
// or offer: the statement must stay on its index in its generic plan (what
// pgx's prepared statements get), with stale statistics and fresh. With
// stale ones it once read every open charge of every debtor.
func TestViewQueriesUseIndexes(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	check := func(t *testing.T, when string) {
		t.Helper()
		for _, q := range []struct{ name, sql string }{
			{"view charges", viewChargesSQL},
			{"quote charges", chargeStateSQL + " WHERE c.debtor_id = $1 AND c.status = 'open' ORDER BY c.due_date, c.id"},
		} {
			p := pgtest.GenericPlan(t, pool, q.sql, "5")
			if !strings.Contains(p, "charges_debtor_open_idx") || strings.Contains(p, "charges_due_open_idx") || strings.Contains(p, "Seq Scan on charges") {
				t.Errorf("%s, %s: want charges_debtor_open_idx alone:\n%s", when, q.name, p)
			}
		}
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO debtors (external_id, name, document, document_kind, phones)
		SELECT 'P' || i, 'Pessoa ' || i, lpad(i::text, 11, '0'), 'cpf', ARRAY['+55119' || lpad(i::text, 8, '0')] FROM generate_series(1, 3000) i;
		INSERT INTO charges (external_id, debtor_id, description, amount, due_date)
		SELECT 'C' || i, (i % 3000) + 1, 'Mensalidade', 1000, current_date - (i % 40) FROM generate_series(1, 6000) i`); err != nil {
		t.Fatal(err)
	}
	check(t, "stale statistics")
	if _, err := pool.Exec(ctx, "ANALYZE debtors, charges"); err != nil {
		t.Fatal(err)
	}
	check(t, "fresh statistics")
}
