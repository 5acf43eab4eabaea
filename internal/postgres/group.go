package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Group runs the short statements of many concurrent callers together
// (single-row statements, and small batches of reads): whatever is waiting
// when a flusher is free goes to PostgreSQL as one pipelined batch, in one
// round trip and one implicit transaction (one commit, one WAL flush). Under load a chat turn's statements then cost a
// fraction of a round trip and of a commit; a lone caller waits for nothing,
// its batch is just itself. Durability is unchanged: Scan returns only after
// the batch committed.
//
// A batch is all or nothing on the server, so a statement that fails makes
// its batch roll back; the group then runs each statement of that batch
// again on its own, and each caller gets its own statement's result. Use it
// only for statements that are safe to run twice after a rollback (all of
// them, in practice: a rolled-back statement changed nothing) and whose Scan
// cannot fail on types (a scan error is reported to every later statement of
// the batch by pgx, although they committed).
type Group struct {
	pool     *pgxpool.Pool
	queue    chan *groupItem
	maxBatch int
	wg       sync.WaitGroup
	closeMu  sync.RWMutex
	closed   bool

	batches atomic.Int64 // sent to PostgreSQL
	items   atomic.Int64 // callers' items in them
}

// Stats returns how many batches the group sent and how many callers'
// items they carried (their ratio is the mean batch size).
func (g *Group) Stats() (batches, items int64) {
	return g.batches.Load(), g.items.Load()
}

type groupItem struct {
	ctx   context.Context
	sql   string     // a single-row statement,
	args  []any      //
	dest  []any      //
	batch *pgx.Batch // or a caller's batch
	err   error
	done  chan struct{}
}

// read takes the item's results from br, in queue order. A caller's batch
// runs its queries' callbacks (or reads them as Exec); its error is the
// first one, but every query's results are read so that the next item
// finds its own.
func (it *groupItem) read(br pgx.BatchResults) error {
	if it.batch == nil {
		return br.QueryRow().Scan(it.dest...)
	}
	var first error
	for _, q := range it.batch.QueuedQueries {
		var err error
		if q.Fn != nil {
			err = q.Fn(br)
		} else {
			_, err = br.Exec()
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// alone runs the item by itself.
func (it *groupItem) alone(ctx context.Context, pool *pgxpool.Pool) error {
	if it.batch == nil {
		return pool.QueryRow(ctx, it.sql, it.args...).Scan(it.dest...)
	}
	return pool.SendBatch(ctx, it.batch).Close()
}

// ErrGroupClosed is returned by a Group's rows after Close.
var ErrGroupClosed = errors.New("postgres: statement group closed")

// NewGroup starts flushers goroutines, each sending at most maxBatch
// statements at a time on a connection of pool.
func NewGroup(pool *pgxpool.Pool, flushers, maxBatch int) *Group {
	if flushers < 1 {
		flushers = 1
	}
	if maxBatch < 1 {
		maxBatch = 1
	}
	g := &Group{pool: pool, queue: make(chan *groupItem, flushers*maxBatch), maxBatch: maxBatch}
	g.wg.Add(flushers)
	for range flushers {
		go g.flusher()
	}
	return g
}

// Close runs what is queued and stops the flushers. Rows scanned after
// Close fail with ErrGroupClosed.
func (g *Group) Close() {
	g.closeMu.Lock()
	if g.closed {
		g.closeMu.Unlock()
		return
	}
	g.closed = true
	close(g.queue)
	g.closeMu.Unlock()
	g.wg.Wait()
}

// QueryRow is pgx's QueryRow, run in the next batch when Scan is called.
func (g *Group) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return groupRow{g: g, ctx: ctx, sql: sql, args: args}
}

// SendBatch runs b in the next batch, like pool.SendBatch(ctx, b).Close():
// the queries' callbacks run in order and the first error is returned. The
// callbacks may run twice (again alone, after a rollback caused by another
// caller's statement), so they must set, not append to, what they fill.
func (g *Group) SendBatch(ctx context.Context, b *pgx.Batch) error {
	return g.wait(&groupItem{ctx: ctx, batch: b, done: make(chan struct{})})
}

type groupRow struct {
	g    *Group
	ctx  context.Context
	sql  string
	args []any
}

func (r groupRow) Scan(dest ...any) error {
	return r.g.wait(&groupItem{ctx: r.ctx, sql: r.sql, args: r.args, dest: dest, done: make(chan struct{})})
}

// wait queues it and returns its outcome.
func (g *Group) wait(it *groupItem) error {
	g.closeMu.RLock()
	if g.closed {
		g.closeMu.RUnlock()
		return ErrGroupClosed
	}
	select {
	case g.queue <- it:
		g.closeMu.RUnlock()
	case <-it.ctx.Done():
		g.closeMu.RUnlock()
		return it.ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the statement may
	// already be on its way, and the caller must not believe it did not run.
	<-it.done
	return it.err
}

func (g *Group) flusher() {
	defer g.wg.Done()
	batch := make([]*groupItem, 0, g.maxBatch)
	for it := range g.queue {
		batch = append(batch[:0], it)
	fill:
		for len(batch) < g.maxBatch {
			select {
			case more, ok := <-g.queue:
				if !ok {
					break fill
				}
				batch = append(batch, more)
			default:
				break fill
			}
		}
		g.run(batch)
	}
}

// run sends a batch and hands each caller its result.
func (g *Group) run(batch []*groupItem) {
	live := batch[:0:0]
	for _, it := range batch {
		if err := it.ctx.Err(); err != nil {
			it.err = err // not sent: the caller gave up before its turn
			close(it.done)
			continue
		}
		live = append(live, it)
	}
	if len(live) == 0 {
		return
	}
	g.batches.Add(1)
	g.items.Add(int64(len(live)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if len(live) == 1 {
		it := live[0]
		it.err = it.alone(ctx, g.pool)
		close(it.done)
		return
	}
	b := &pgx.Batch{}
	for _, it := range live {
		if it.batch != nil {
			// Copies: pgx remembers prepared statements on the queries it
			// sends, and a statement a failed batch left unprepared must
			// not be remembered when the caller's batch runs again alone.
			for _, q := range it.batch.QueuedQueries {
				b.QueuedQueries = append(b.QueuedQueries, &pgx.QueuedQuery{SQL: q.SQL, Arguments: q.Arguments, Fn: q.Fn})
			}
		} else {
			b.Queue(it.sql, it.args...)
		}
	}
	br := g.pool.SendBatch(ctx, b)
	for _, it := range live {
		it.err = it.read(br)
	}
	err := br.Close()
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
	case errors.As(err, &pgErr):
		// The server refused a statement and rolled the whole batch back:
		// run each statement alone, so only the guilty one fails.
		for _, it := range live {
			it.err = it.alone(ctx, g.pool)
		}
	case outcomeUnknown(err):
		// The connection failed: whether the batch committed is unknown,
		// and running it again could apply it twice.
		for _, it := range live {
			it.err = err
		}
	default:
		// Refused before it was sent (a caller's argument that cannot be
		// encoded, say): nothing ran, so each runs alone.
		for _, it := range live {
			it.err = it.alone(ctx, g.pool)
		}
	}
	for _, it := range live {
		close(it.done)
	}
}

// outcomeUnknown says whether err may have come after the server received
// the batch: a network failure or a timeout.
func outcomeUnknown(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.Timeout(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
