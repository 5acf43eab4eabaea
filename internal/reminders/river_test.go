package reminders

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// fastRetry retries soon: the tests kill processes and want the work back.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(200 * time.Millisecond)
}

// client is a River client running the régua's send workers, as a replica.
func (f *fixture) client(t testing.TB, workers int) *river.Client[pgx.Tx] {
	t.Helper()
	ws := river.NewWorkers()
	rc := &river.Config{Workers: ws, FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 50 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler), RetryPolicy: fastRetry{}, JobTimeout: 10 * time.Second, RescueStuckJobsAfter: 11 * time.Second}
	(&Regua{Planner: f.planner, Dispatcher: f.d, Workers: workers}).Register(ws, rc)
	c, err := river.NewClient(riverpgxv5.New(f.pool), rc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// due adds n debtors, each with a phone and one charge whose D0 is today.
func (f *fixture) due(t testing.TB, n int) {
	t.Helper()
	_, err := f.pool.Exec(context.Background(), `
		WITH d AS (
			INSERT INTO debtors (external_id, name, document, document_kind, phones)
			SELECT 'd' || g, 'Pessoa ' || g, '52998224725', 'cpf', ARRAY['+55119' || lpad(g::text, 8, '0')] FROM generate_series(1, $1) g
			RETURNING id, external_id)
		INSERT INTO charges (external_id, debtor_id, description, amount, due_date)
		SELECT 'c' || substr(external_id, 2), id, 'Mensalidade', 10000, $2 FROM d`, n, tuesday.Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
}

// deliveredPerChat counts, at the channel (what each web chat shows), the
// reminders each phone received.
func (f *fixture) deliveredPerChat(t testing.TB) map[string]int {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT c.chat, count(m.id) FROM conversations c
		LEFT JOIN messages m ON m.conversation_id = c.id AND m.direction = 'out' WHERE c.channel = 'webchat' GROUP BY c.chat`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var chat string
		var n int
		rows.Scan(&chat, &n)
		out[chat] = n
	}
	rows.Close()
	return out
}

func (f *fixture) countStatus(t testing.TB, status string) int {
	var n int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM reminders WHERE status = $1", status).Scan(&n)
	return n
}

func (f *fixture) waitSent(t testing.TB, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for f.countStatus(t, "sent") < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sent after %s (planned %d)", f.countStatus(t, "sent"), n, within, f.countStatus(t, "planned"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func checkExactlyOnce(t testing.TB, got map[string]int, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d chats got reminders, want %d", len(got), n)
	}
	for chat, k := range got {
		if k != 1 {
			t.Fatalf("chat %s got %d reminders", chat, k)
		}
	}
}

func TestTwoReplicasSendNothingTwice(t *testing.T) {
	db := pgtestDB(t)
	a, b := setupWith(t, db), setupWith(t, db)
	const n = 300
	a.due(t, n)
	ctx := context.Background()
	ca, cb := a.client(t, 10), b.client(t, 10)
	// Both plan at once (as two leaders would in a split second): one row
	// and one job per (charge, step) all the same.
	var wg sync.WaitGroup
	for _, x := range []struct {
		f *fixture
		c *river.Client[pgx.Tx]
	}{{a, ca}, {b, cb}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := x.f.planner.Plan(ctx, x.c, tuesday); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var jobs int
	a.pool.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = 'regua_send'").Scan(&jobs)
	if jobs != n {
		t.Fatalf("%d send jobs for %d reminders", jobs, n)
	}
	// A second job for every reminder (a re-enqueue by hand, a bug): the
	// two replicas may now run both jobs of a reminder at once, and the
	// locked reminder row still lets one message through.
	var params []river.InsertManyParams
	rows, _ := a.pool.Query(ctx, "SELECT id FROM reminders")
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		params = append(params, river.InsertManyParams{Args: SendArgs{ReminderID: id}})
	}
	rows.Close()
	if _, err := ca.InsertMany(ctx, params); err != nil {
		t.Fatal(err)
	}
	if err := ca.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer ca.Stop(ctx)
	defer cb.Stop(ctx)
	a.waitSent(t, n, time.Minute)
	checkExactlyOnce(t, a.deliveredPerChat(t), n)
}

// TestCrashChild is the process the crash test kills: it runs the send
// workers against the database it is given until it is killed.
func TestCrashChild(t *testing.T) {
	db := os.Getenv("REGUA_CRASH_CHILD_DB")
	if db == "" {
		t.Skip("run by TestCrashDeliversExactlyOnce")
	}
	t0 := time.Now()
	f := setupWith(t, db)
	c := f.client(t, 3)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("REGUA_CRASH_DEBUG") != "" {
		fmt.Fprintln(os.Stderr, "started after", time.Since(t0))
	}
	for {
		if f.countStatus(t, "planned") == 0 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func TestCrashDeliversExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	db := pgtestDB(t)
	f := setupWith(t, db)
	const n = 1000
	f.due(t, n)
	if _, err := f.planner.Plan(context.Background(), f.client(t, 1), tuesday); err != nil {
		t.Fatal(err)
	}
	child := func(i int) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "REGUA_CRASH_CHILD_DB="+db)
		if os.Getenv("REGUA_CRASH_DEBUG") != "" && i >= 0 {
			cmd.Stderr = os.Stderr // the last run's output is collected
		}
		return cmd
	}
	sentAt := make([]int, 0, 20)
	for i := 0; i < 20; i++ {
		cmd := child(i)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(150+rand.IntN(450)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		sentAt = append(sentAt, f.countStatus(t, "sent"))
	}
	t.Logf("sent after each SIGKILL: %v", sentAt)
	// The last one runs to the end (rescuing the jobs the killed ones held).
	cmd := child(-1)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("last run: %v\n%s", err, out)
	}
	if s := f.countStatus(t, "sent"); s != n {
		t.Fatalf("%d of %d sent", s, n)
	}
	checkExactlyOnce(t, f.deliveredPerChat(t), n)
	if sentAt[len(sentAt)-1] == 0 {
		t.Fatal("the killed processes sent nothing: the test did not exercise crashes mid-dispatch")
	}
	fmt.Fprintln(os.Stderr)
}
