package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/postgres/pgtest"
)

// groupFixture is a database with a small table and a group of one
// flusher on it (closed at the end of the test).
func groupFixture(t *testing.T, maxBatch int) (*pgxpool.Pool, *postgres.Group) {
	t.Helper()
	pool := pgtest.NewPool(t)
	groupTable(t, pool)
	g := postgres.NewGroup(pool, 1, maxBatch)
	t.Cleanup(g.Close)
	return pool, g
}

func groupTable(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `CREATE TABLE IF NOT EXISTS group_rows (id int PRIMARY KEY, note text NOT NULL CHECK (note <> 'bad'))`)
	if err != nil {
		t.Fatal(err)
	}
}

// holdFlusher keeps the group's only flusher busy for d, so that what is
// queued meanwhile goes out as one batch.
func holdFlusher(g *postgres.Group, d time.Duration) chan error {
	done := make(chan error, 1)
	go func() {
		var x int
		done <- g.QueryRow(context.Background(), "SELECT 1 FROM pg_sleep($1)", d.Seconds()).Scan(&x)
	}()
	time.Sleep(d / 4)
	return done
}

// Many callers at once each get their own statement's result, and batches
// are in fact formed.
func TestGroupEachCallerGetsItsResult(t *testing.T) {
	pool, g := groupFixture(t, 32)
	ctx := context.Background()

	hold := holdFlusher(g, 200*time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var id int
			var note string
			err := g.QueryRow(ctx, "INSERT INTO group_rows (id, note) VALUES ($1, $2) RETURNING id, note", i, fmt.Sprint("n", i)).Scan(&id, &note)
			if err == nil && (id != i || note != fmt.Sprint("n", i)) {
				err = fmt.Errorf("caller %d got %d %q", i, id, note)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-hold; err != nil {
		t.Fatal(err)
	}
	var n int
	pool.QueryRow(ctx, "SELECT count(*) FROM group_rows").Scan(&n)
	if n != 100 {
		t.Fatalf("%d rows, want 100", n)
	}
	// Every statement waited behind the sleeper, so they went in batches
	// of up to 32: at most a handful of transactions wrote the 100 rows.
	var xacts int
	pool.QueryRow(ctx, "SELECT count(DISTINCT xmin::text) FROM group_rows").Scan(&xacts)
	if xacts > 10 {
		t.Fatalf("100 rows written by %d transactions: no batching", xacts)
	}
}

// A statement the server refuses rolls its batch back; the group runs the
// others again on their own: they succeed, once, and only the guilty one
// fails with the server's error.
func TestGroupFailureIsolated(t *testing.T) {
	pool, g := groupFixture(t, 32)
	ctx := context.Background()

	hold := holdFlusher(g, 200*time.Millisecond)
	var wg sync.WaitGroup
	results := make([]error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			note := "ok"
			if i == 4 {
				note = "bad" // violates the CHECK constraint
			}
			var id int
			results[i] = g.QueryRow(ctx, "INSERT INTO group_rows (id, note) VALUES ($1, $2) RETURNING id", i, note).Scan(&id)
		}()
	}
	wg.Wait()
	<-hold
	for i, err := range results {
		var pgErr *pgconn.PgError
		switch {
		case i == 4 && !(errors.As(err, &pgErr) && pgErr.Code == "23514"):
			t.Fatalf("bad statement: %v", err)
		case i != 4 && err != nil:
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	var n int
	pool.QueryRow(ctx, "SELECT count(*) FROM group_rows").Scan(&n)
	if n != 9 {
		t.Fatalf("%d rows, want 9", n)
	}
}

// Callers' own batches travel with single statements: each gets its own
// rows, also when another caller's statement made the batch roll back and
// everything ran again alone.
func TestGroupCallerBatches(t *testing.T) {
	_, g := groupFixture(t, 64)
	ctx := context.Background()

	for _, withBad := range []bool{false, true} {
		hold := holdFlusher(g, 200*time.Millisecond)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 20 {
			wg.Add(2)
			go func() { // a batch of two reads
				defer wg.Done()
				var series []int
				var label string
				b := &pgx.Batch{}
				b.Queue("SELECT generate_series(1, $1::int)", i+1).Query(func(rows pgx.Rows) error {
					series = nil // may run twice
					for rows.Next() {
						var n int
						if err := rows.Scan(&n); err != nil {
							return err
						}
						series = append(series, n)
					}
					return rows.Err()
				})
				b.Queue("SELECT 'caller ' || $1::text", fmt.Sprint(i)).QueryRow(func(r pgx.Row) error { return r.Scan(&label) })
				err := g.SendBatch(ctx, b)
				if err == nil && (len(series) != i+1 || series[i] != i+1 || label != fmt.Sprint("caller ", i)) {
					err = fmt.Errorf("caller %d got %v %q", i, series, label)
				}
				errs <- err
			}()
			go func() { // a write
				defer wg.Done()
				note := "ok"
				if withBad && i == 7 {
					note = "bad"
				}
				var id int
				err := g.QueryRow(ctx, "INSERT INTO group_rows (id, note) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET note = excluded.note RETURNING id", i, note).Scan(&id)
				if withBad && i == 7 {
					if err == nil {
						err = fmt.Errorf("the bad write succeeded")
					} else {
						err = nil
					}
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("with a bad statement %v: %v", withBad, err)
			}
		}
		<-hold
	}
}

// A caller whose argument cannot be encoded gets the error; the others,
// sent in the same batch, run.
func TestGroupBadArgumentIsolated(t *testing.T) {
	pool, g := groupFixture(t, 32)
	hold := holdFlusher(g, 200*time.Millisecond)
	var wg sync.WaitGroup
	results := make([]error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var arg any = fmt.Sprint("n", i)
			if i == 2 {
				arg = struct{ X chan int }{} // no encoding for this
			}
			var id int
			results[i] = g.QueryRow(context.Background(), "INSERT INTO group_rows (id, note) VALUES ($1, $2) RETURNING id", i, arg).Scan(&id)
		}()
	}
	wg.Wait()
	<-hold
	for i, err := range results {
		if (i == 2) != (err != nil) {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	var n int
	pool.QueryRow(context.Background(), "SELECT count(*) FROM group_rows").Scan(&n)
	if n != 5 {
		t.Fatalf("%d rows, want 5", n)
	}
}

// A caller that gave up before its batch left is not run; after Close,
// nothing is.
func TestGroupCancelAndClose(t *testing.T) {
	pool, g := groupFixture(t, 32)
	hold := holdFlusher(g, 300*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var id int
		done <- g.QueryRow(ctx, "INSERT INTO group_rows (id, note) VALUES (1, 'late') RETURNING id").Scan(&id)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	<-hold
	var n int
	pool.QueryRow(context.Background(), "SELECT count(*) FROM group_rows").Scan(&n)
	if n != 0 {
		t.Fatalf("a cancelled statement ran: %d rows", n)
	}
	g.Close()
	g.Close() // twice is fine
	var x int
	if err := g.QueryRow(context.Background(), "SELECT 1").Scan(&x); !errors.Is(err, postgres.ErrGroupClosed) {
		t.Fatalf("after close: %v", err)
	}
}

// BenchmarkGroupInsert compares a small committed write sent alone with the
// same write through a Group, from many goroutines (b.SetParallelism).
func BenchmarkGroupInsert(b *testing.B) {
	pool := pgtest.NewPool(b)
	if _, err := pool.Exec(context.Background(), "CREATE TABLE bench_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	const sql = "INSERT INTO bench_rows (note) VALUES ($1) RETURNING id"
	run := func(b *testing.B, q interface {
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			var id int64
			for pb.Next() {
				if err := q.QueryRow(context.Background(), sql, "hello").Scan(&id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("pool", func(b *testing.B) { run(b, pool) })
	b.Run("group", func(b *testing.B) {
		g := postgres.NewGroup(pool, 4, 32)
		defer g.Close()
		run(b, g)
	})
}
