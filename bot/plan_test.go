package bot

import (
	"context"
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
	const args = "'webchat', '+5511930000001', 0, '+5511930000001', now() - interval '30 days'"
	if _, err := pool.Exec(ctx, "INSERT INTO conversations (channel, chat) VALUES ('webchat', '+5511930000001')"); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, when string) {
		t.Helper()
		plan := pgtest.GenericPlan(t, pool, conversationSQL, args)
		for _, want := range []string{"debtors_phones_idx", "debtors_pkey", "verification_failures_conversation_idx", "verification_failures_debtor_idx"} {
			if !strings.Contains(plan, want) {
				t.Errorf("%s: plan does not use %s:\n%s", when, want, plan)
			}
		}
		if strings.Contains(plan, "Seq Scan on debtors") || strings.Contains(plan, "Filter: (phones @>") || strings.Contains(plan, "Seq Scan on verification_failures") {
			t.Errorf("%s: plan scans debtors:\n%s", when, plan)
		}
	}
	check(t, "empty tables")
	// Thousands of debtors, statistics stale (autovacuum off, say), then fresh.
	if _, err := pool.Exec(ctx, `INSERT INTO debtors (external_id, name, document, document_kind, phones)
		SELECT 'P' || i, 'Pessoa ' || i, lpad(i::text, 11, '0'), 'cpf', ARRAY['+55119' || lpad(i::text, 8, '0')]
		FROM generate_series(1, 5000) i`); err != nil {
		t.Fatal(err)
	}
	check(t, "stale statistics")
	if _, err := pool.Exec(ctx, "ANALYZE debtors, conversations"); err != nil {
		t.Fatal(err)
	}
	check(t, "fresh statistics")
	// Many conversations: found by (channel, chat).
	if _, err := pool.Exec(ctx, `INSERT INTO conversations (channel, chat) SELECT 'webchat', '+55119' || lpad(i::text, 8, '0') FROM generate_series(1, 5000) i`); err != nil {
		t.Fatal(err)
	}
	pool.Exec(ctx, "ANALYZE conversations")
	if plan := pgtest.GenericPlan(t, pool, conversationSQL, args); !strings.Contains(plan, "conversations_channel_chat_key") {
		t.Errorf("conversation not found by its key:\n%s", plan)
	}
}
