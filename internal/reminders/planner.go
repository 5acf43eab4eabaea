package reminders

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/regua/regua/conversations/regua"
)

// batchSize is how many charges (or installments) one planning statement
// reads: planning streams the table in keyset pages of this size, each in
// its own short transaction, never holding the whole table in memory.
const batchSize = 5000

// writers record pages concurrently with the reading of the next ones.
const writers = 2

// Planner finds the (charge, step) and (installment, step) pairs that are
// due and records each once, with its send job, in one transaction.
type Planner struct {
	pool    *pgxpool.Pool
	configs *ConfigStore
	loc     *time.Location // REGUA_TIMEZONE: debtors placed in no state

	// Speed is how many régua seconds pass per real second (0: 1): a send
	// job due in d on the régua's clock runs in d/Speed of real time (the
	// compressed demo clock; tests on a fixed clock).
	Speed float64
	Real  func() time.Time // the real clock for River (nil: time.Now)
}

// realAt is when, in real time, the job of a reminder due at (on the
// régua's clock, whose present is now) must run; zero for now (the job is
// then available at once, without waiting for the leader's scheduler).
func (p *Planner) realAt(at, now time.Time) time.Time {
	real := time.Now
	if p.Real != nil {
		real = p.Real
	}
	wait := at.Sub(now)
	if wait <= 0 {
		return time.Time{}
	}
	if p.Speed > 1 {
		wait = time.Duration(float64(wait) / p.Speed)
	}
	return real().Add(wait)
}

// NewPlanner builds a Planner.
func NewPlanner(pool *pgxpool.Pool, configs *ConfigStore, loc *time.Location) *Planner {
	return &Planner{pool: pool, configs: configs, loc: loc}
}

// Stats is what one planning run did.
type Stats struct {
	Read    int // charges and installments read
	Planned int // reminders recorded (each with its job)
	Moved   int // of those, held by the calendar and moved to the next slot
}

// due is one reminder to record.
type due struct {
	debtorID, chargeID, installmentID int64
	step                              string
	offset                            int
	intent                            string
	at                                time.Time
	reason, detail                    string
}

// chargesSQL reads a page of open charges whose due date puts a step
// within reach, with the latest step already recorded for each.
const chargesSQL = `
	SELECT c.id, c.debtor_id, c.due_date, (SELECT max(r.step_offset) FROM reminders r WHERE r.charge_id = c.id),
	       d.state, coalesce(d.phones[1], '')
	FROM charges c JOIN debtors d ON d.id = c.debtor_id
	WHERE c.status = 'open' AND c.id > $1 AND c.due_date BETWEEN $2 AND $3
	ORDER BY c.id LIMIT $4`

// installmentsSQL is the same for open installments of active plans.
const installmentsSQL = `
	SELECT i.id, p.debtor_id, i.due_date, (SELECT max(r.step_offset) FROM reminders r WHERE r.installment_id = i.id),
	       d.state, coalesce(d.phones[1], ''), i.number
	FROM plan_installments i JOIN plans p ON p.id = i.plan_id JOIN debtors d ON d.id = p.debtor_id
	WHERE i.status = 'open' AND p.status = 'active' AND i.id > $1 AND i.due_date BETWEEN $2 AND $3
	ORDER BY i.id LIMIT $4`

// insertSQL records the due reminders, except where a stop condition that
// holds for every channel already applies (paused, a promise not yet due,
// a dispute, a person holding a conversation); those are not recorded and
// are looked at again on the next run. A pair already recorded (another
// replica, an earlier run) is skipped by the unique index.
const insertSQL = `
	WITH x AS (
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::int[], $6::text[], $7::timestamptz[], $8::text[], $9::text[])
			AS x(debtor_id, charge_id, installment_id, step, step_offset, intent, due_at, reason, detail)
	), ins AS (
		INSERT INTO reminders (debtor_id, charge_id, installment_id, step, step_offset, intent, config_version, status, reason, detail, due_at)
		SELECT x.debtor_id, nullif(x.charge_id, 0), nullif(x.installment_id, 0), x.step, x.step_offset, x.intent, $10, 'planned', x.reason, x.detail, x.due_at
		FROM x JOIN debtors d ON d.id = x.debtor_id
		WHERE d.regua_paused_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.debtor_id = d.id AND p.status = 'open' AND p.promised_for >= $11)
		  AND NOT EXISTS (SELECT 1 FROM charges ch WHERE ch.debtor_id = d.id AND ch.status IN ('open', 'in_plan') AND ch.disputed_at IS NOT NULL)
		  AND NOT EXISTS (SELECT 1 FROM conversations cv WHERE cv.debtor_id = d.id AND cv.status IN ('waiting_agent', 'with_agent'))
		ON CONFLICT DO NOTHING
		RETURNING id, due_at, reason, detail
	), ev AS (
		INSERT INTO reminder_events (reminder_id, at, status, reason, detail, next_at)
		SELECT id, $12, 'planned', reason, detail, due_at FROM ins WHERE reason <> ''
	)
	SELECT id, due_at, reason FROM ins`

// Plan runs once at now: every due step not yet recorded is recorded as
// planned for its slot (now, later this morning, or the next lawful
// instant when the calendar holds it, saying why) with its send job.
// client inserts the jobs in the same transactions.
func (p *Planner) Plan(ctx context.Context, client *river.Client[pgx.Tx], now time.Time) (Stats, error) {
	var st Stats
	cfg, err := p.configs.Current(ctx)
	if err != nil {
		return st, err
	}
	cals := map[string]regua.Calendar{}
	calOf := func(state, phone string) regua.Calendar {
		uf := regua.StateOf(state, phone)
		c, ok := cals[uf]
		if !ok {
			c = cfg.CalendarFor(uf, p.loc)
			cals[uf] = c
		}
		return c
	}
	lo, hi := offsetRange(cfg)
	today := regua.DateOf(now.In(p.loc))
	// A day of margin each side: debtors' zones differ from ours.
	from := today.AddDays(-hi - 1).In(time.UTC)
	to := today.AddDays(-lo + 1).In(time.UTC)
	// Two writers record pages while this goroutine reads the next ones:
	// at most four pages are in memory at once.
	work := make(chan []due, 1)
	failed := make(chan error, writers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range work {
				planned, moved, err := p.record(ctx, client, cfg.Version, today, now, batch)
				if err != nil {
					failed <- err
					for range work { // drain: the reader stops at the failure
					}
					return
				}
				mu.Lock()
				st.Planned += planned
				st.Moved += moved
				mu.Unlock()
			}
		}()
	}
	finish := func(err error) (Stats, error) {
		close(work)
		wg.Wait()
		if err == nil {
			select {
			case err = <-failed:
			default:
			}
		}
		return st, err
	}
	for _, plan := range []bool{false, true} {
		var after int64
		for {
			// Each page is planned for its own execution (QueryExecModeExec:
			// an unnamed statement gets a custom plan), not from a generic
			// plan cached while reminders was empty: that one scanned the
			// whole of reminders for every charge once the table had grown,
			// and a cold run over a million charges took minutes.
			q, args := chargesSQL, []any{pgx.QueryExecModeExec, after, from, to, batchSize}
			if plan {
				q = installmentsSQL
			}
			rows, err := p.pool.Query(ctx, q, args...)
			if err != nil {
				return finish(fmt.Errorf("regua: plan: %w", err))
			}
			var batch []due
			n := 0
			for rows.Next() {
				var id, debtor int64
				var dueDate time.Time
				var last *int32
				var state, phone string
				var number int32
				dest := []any{&id, &debtor, &dueDate, &last, &state, &phone}
				if plan {
					dest = append(dest, &number)
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return finish(fmt.Errorf("regua: plan: %w", err))
				}
				n++
				after = id
				cal := calOf(state, phone)
				it := regua.Item{Key: key(id, plan), Installment: int(number), Due: regua.DateOf(dueDate)}
				if last != nil {
					l := int(*last)
					it.LastOffset = &l
				}
				step, ok := cfg.DueStep(it, regua.DateOf(now.In(cal.Loc)))
				if !ok {
					continue
				}
				dec := cfg.Decide(cal, it.Key+uint64(step.Offset+1000), regua.Stops{}, regua.Caps{}, now)
				d := due{debtorID: debtor, step: regua.StepName(step.Offset, int(number)), offset: step.Offset, intent: string(step.Intent), at: dec.At}
				if !dec.Send {
					d.reason, d.detail = dec.Reason, dec.Detail
				}
				if d.at.IsZero() {
					continue // hours configured to nothing: never
				}
				if plan {
					d.installmentID = id
				} else {
					d.chargeID = id
				}
				batch = append(batch, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return finish(fmt.Errorf("regua: plan: %w", err))
			}
			st.Read += n
			if len(batch) > 0 {
				// Recorded by a writer while the next page is read.
				select {
				case work <- batch:
				case err := <-failed:
					return finish(err)
				}
			}
			if n < batchSize {
				break
			}
		}
	}
	return finish(nil)
}

func (p *Planner) record(ctx context.Context, client *river.Client[pgx.Tx], version int64, today regua.Date, now time.Time, batch []due) (planned, moved int, err error) {
	n := len(batch)
	debtors, charges, insts := make([]int64, n), make([]int64, n), make([]int64, n)
	steps, intents, reasons, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	offsets := make([]int32, n)
	ats := make([]time.Time, n)
	for i, d := range batch {
		debtors[i], charges[i], insts[i] = d.debtorID, d.chargeID, d.installmentID
		steps[i], intents[i], reasons[i], details[i] = d.step, d.intent, d.reason, d.detail
		offsets[i], ats[i] = int32(d.offset), d.at
	}
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// A page lost in a crash is planned again by the next run (the
		// reminders and their jobs go or stay together): no need to wait
		// for the disk.
		// A page's debtors are a few thousand of maybe millions: probe them
		// by id rather than hash the whole table.
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off; SET LOCAL enable_hashjoin = off"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, insertSQL, debtors, charges, insts, steps, offsets, intents, ats, reasons, details,
			version, today.In(time.UTC), now)
		if err != nil {
			return err
		}
		var params []river.InsertManyParams
		for rows.Next() {
			var id int64
			var at time.Time
			var reason string
			if err := rows.Scan(&id, &at, &reason); err != nil {
				rows.Close()
				return err
			}
			params = append(params, river.InsertManyParams{Args: SendArgs{ReminderID: id}, InsertOpts: &river.InsertOpts{ScheduledAt: p.realAt(at, now)}})
			if reason != "" {
				moved++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		planned = len(params)
		if len(params) == 0 || client == nil {
			return nil
		}
		_, err = client.InsertManyFastTx(ctx, tx, params)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("regua: record plan: %w", err)
	}
	return planned, moved, nil
}

// offsetRange is the earliest and latest step offsets of the cadence.
func offsetRange(cfg regua.Config) (lo, hi int) {
	lo, hi = 0, 0
	for _, s := range append(append([]regua.Step{}, cfg.Steps...), cfg.PlanSteps...) {
		lo, hi = min(lo, s.Offset), max(hi, s.Offset)
	}
	return lo, hi
}

// key is the spread key of a charge or an installment.
func key(id int64, installment bool) uint64 {
	k := uint64(id) << 1
	if installment {
		k |= 1
	}
	return k
}
