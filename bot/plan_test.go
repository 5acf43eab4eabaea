package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/regua/regua/internal/postgres/pgtest"
)

// The conversation query runs on every message: whatever the statistics
// say, its generic plan (what pgx's prepared statements get) must find the
// conversation and the debtor by index. It once walked every debtor for a
// stranger's phone.
func TestConversationQueryUsesIndexes(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO conversations (channel, chat) VALUES ('webchat', '+5511930000001')"); err != nil {
		t.Fatal(err)
	}
	n := 0
	explain := func(t *testing.T) string {
		t.Helper()
		n++ // a new statement each time: planned on the statistics of now
		name := fmt.Sprint("conv_", n)
		if _, err := conn.Exec(ctx, "PREPARE "+name+" AS "+conversationSQL); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, "EXPLAIN EXECUTE "+name+"('webchat', '+5511930000001', 0, '+5511930000001')")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var line string
			rows.Scan(&line)
			b.WriteString(line + "\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	check := func(t *testing.T, when string) {
		t.Helper()
		plan := explain(t)
		for _, want := range []string{"debtors_phones_idx", "debtors_pkey"} {
			if !strings.Contains(plan, want) {
				t.Errorf("%s: plan does not use %s:\n%s", when, want, plan)
			}
		}
		if strings.Contains(plan, "Seq Scan on debtors") || strings.Contains(plan, "Filter: (phones @>") {
			t.Errorf("%s: plan scans debtors:\n%s", when, plan)
		}
	}
	check(t, "empty tables")
	// Thousands of debtors, statistics stale (autovacuum off, say), then fresh.
	if _, err := conn.Exec(ctx, `INSERT INTO debtors (external_id, name, document, document_kind, phones)
		SELECT 'P' || i, 'Pessoa ' || i, lpad(i::text, 11, '0'), 'cpf', ARRAY['+55119' || lpad(i::text, 8, '0')]
		FROM generate_series(1, 5000) i`); err != nil {
		t.Fatal(err)
	}
	check(t, "stale statistics")
	if _, err := conn.Exec(ctx, "ANALYZE debtors, conversations"); err != nil {
		t.Fatal(err)
	}
	check(t, "fresh statistics")
	// Many conversations: found by (channel, chat).
	if _, err := conn.Exec(ctx, `INSERT INTO conversations (channel, chat) SELECT 'webchat', '+55119' || lpad(i::text, 8, '0') FROM generate_series(1, 5000) i`); err != nil {
		t.Fatal(err)
	}
	conn.Exec(ctx, "ANALYZE conversations")
	if plan := explain(t); !strings.Contains(plan, "conversations_channel_chat_key") {
		t.Errorf("conversation not found by its key:\n%s", plan)
	}
}
