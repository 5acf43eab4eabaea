package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/postgres/pgtest"
)

func TestMigrateConcurrentAndIdempotent(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- postgres.Migrate(ctx, pool, nil) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	ms, _ := postgres.Migrations()
	var n int
	pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
	if n != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

// The database itself refuses an unbalanced or edited ledger.
func TestLedgerInvariantsInDatabase(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	exec := func(f func(tx pgx.Tx) error) error { return pgx.BeginFunc(ctx, pool, f) }
	newTx := func(tx pgx.Tx) (id int64) {
		tx.QueryRow(ctx, "INSERT INTO ledger_transactions (kind, effective_at) VALUES ('payment', now()) RETURNING id").Scan(&id)
		return id
	}
	err := exec(func(tx pgx.Tx) error {
		id := newTx(tx)
		_, err := tx.Exec(ctx, "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES ($1,'cash_pix',100),($1,'suspense',-99)", id)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "does not balance") {
		t.Fatalf("unbalanced transaction committed: %v", err)
	}
	err = exec(func(tx pgx.Tx) error { newTx(tx); return nil })
	if err == nil {
		t.Fatal("transaction without postings committed")
	}
	var okID int64
	err = exec(func(tx pgx.Tx) error {
		okID = newTx(tx)
		_, err := tx.Exec(ctx, "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES ($1,'cash_pix',100),($1,'suspense',-100)", okID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE ledger_postings SET amount = 1",
		"DELETE FROM ledger_postings",
		"DELETE FROM ledger_transactions",
		"TRUNCATE ledger_postings CASCADE",
	} {
		if _, err := pool.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want append-only refusal", q, err)
		}
	}
	// A later database transaction cannot add postings to a committed one.
	err = exec(func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES ($1,'cash_pix',5),($1,'suspense',-5)", okID)
		return err
	})
	if err == nil {
		t.Fatal("postings added to a committed transaction")
	}
}

func TestPostingsNeedTheirTransactionAndAKnownAccount(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES (999999, 'cash_pix', 5), (999999, 'suspense', -5)")
		return err
	})
	if err == nil {
		t.Fatal("postings without a ledger transaction were accepted")
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var id int64
		tx.QueryRow(ctx, "INSERT INTO ledger_transactions (kind, effective_at) VALUES ('payment', now()) RETURNING id").Scan(&id)
		_, err := tx.Exec(ctx, "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES ($1, 'cash_pix', 5), ($1, 'nonsense', -5)", id)
		return err
	})
	if err == nil {
		t.Fatal("a posting to an unknown account was accepted")
	}
}

// Conversations keep their messages: a conversation cannot be deleted or
// truncated away (messages have no foreign key to guard them).
func TestConversationsAreKept(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	var id int64
	if err := pool.QueryRow(ctx, "INSERT INTO conversations (channel, chat) VALUES ('webchat', '+5511999990000') RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO messages (conversation_id, direction, sender, text) VALUES ($1, 'in', 'debtor', 'oi')", id); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{"DELETE FROM conversations WHERE id = $1", "TRUNCATE conversations CASCADE"} {
		args := []any{}
		if strings.Contains(sql, "$1") {
			args = append(args, id)
		}
		if _, err := pool.Exec(ctx, sql, args...); err == nil || !strings.Contains(err.Error(), "conversations are kept") {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}
