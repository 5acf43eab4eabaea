// Package pgtest gives each test its own migrated PostgreSQL database on the
// real server, so test packages run in parallel without seeing each other.
//
// A template database is migrated once per set of migrations (its name
// carries their hash) and every test database is a fast copy of it.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/internal/postgres"
)

// AdminURL is the server the tests use: REGUA_TEST_DATABASE_URL, else the
// local server SPEC's set-up provides.
func AdminURL() string {
	if u := os.Getenv("REGUA_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDatabase creates a fresh migrated database, dropped when the test ends,
// and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		tb.Fatalf("pgtest: connect to %s (is PostgreSQL running? `make test` starts it): %v", AdminURL(), err)
	}
	defer admin.Close(ctx)

	tpl, err := template(ctx, admin)
	if err != nil {
		tb.Fatalf("pgtest: template: %v", err)
	}
	name := "regua_test_" + randomHex(6)
	// CREATE DATABASE ... TEMPLATE fails if another session is connected to
	// the template; the template is only connected to while being built.
	var createErr error
	for i := 0; i < 50; i++ {
		if _, createErr = admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); createErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if createErr != nil {
		tb.Fatalf("pgtest: create database: %v", createErr)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), AdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(AdminURL(), name)
}

// NewPool returns a pool on a fresh migrated database (see NewDatabase).
func NewPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	pool, err := postgres.Open(context.Background(), NewDatabase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

func template(ctx context.Context, admin *pgx.Conn) (string, error) {
	ms, err := postgres.Migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte("river-v1"))      // bump when River's migrations change
	h.Write([]byte("whatsmeow-v11")) // bump when whatsmeow's store upgrades change
	for _, m := range ms {
		h.Write([]byte(m.Name))
		h.Write([]byte(m.SQL))
	}
	name := "regua_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]

	// One builder at a time across test processes.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(7217)"); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(7217)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	pool, err := postgres.Open(ctx, withDatabase(AdminURL(), name))
	if err != nil {
		return "", err
	}
	err = postgres.Migrate(ctx, pool, nil)
	pool.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s WITH is_template true", name)); err != nil {
		return "", err
	}
	// Drop templates of older migration sets.
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'regua_tpl_%' AND datname <> $1", name)
	if err == nil {
		old, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, o := range old {
			admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s WITH is_template false", o))
			admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s", o))
		}
	}
	return name, nil
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + db
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// GenericPlan returns EXPLAIN's text for sql prepared with a generic plan
// (what pgx's prepared statements get on Régua's pool, whose
// plan_cache_mode is force_generic_plan) and executed with args, SQL
// literals such as "5" or "'webchat', '+5511999990000', 0, ”". The plan
// is made on the statistics of the moment.
func GenericPlan(tb testing.TB, pool *pgxpool.Pool, sql, args string) string {
	tb.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Release()
	name := "plan_" + randomHex(6)
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = force_generic_plan"); err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "PREPARE "+name+" AS "+sql); err != nil {
		tb.Fatal(err)
	}
	defer conn.Exec(ctx, "DEALLOCATE "+name)
	rows, err := conn.Query(ctx, "EXPLAIN EXECUTE "+name+"("+args+")")
	if err != nil {
		tb.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
