package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Group runs the short single-row statements of many concurrent callers
// together: whatever is waiting when a flusher is free goes to PostgreSQL as
// one pipelined batch, in one round trip and one implicit transaction (one
// commit, one WAL flush). Under load a chat turn's statements then cost a
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
}

type groupItem struct {
	ctx  context.Context
	sql  string
	args []any
	dest []any
	err  error
	done chan struct{}
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

type groupRow struct {
	g    *Group
	ctx  context.Context
	sql  string
	args []any
}

func (r groupRow) Scan(dest ...any) error {
	it := &groupItem{ctx: r.ctx, sql: r.sql, args: r.args, dest: dest, done: make(chan struct{})}
	g := r.g
	g.closeMu.RLock()
	if g.closed {
		g.closeMu.RUnlock()
		return ErrGroupClosed
	}
	select {
	case g.queue <- it:
		g.closeMu.RUnlock()
	case <-r.ctx.Done():
		g.closeMu.RUnlock()
		return r.ctx.Err()
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if len(live) == 1 {
		it := live[0]
		it.err = g.pool.QueryRow(ctx, it.sql, it.args...).Scan(it.dest...)
		close(it.done)
		return
	}
	b := &pgx.Batch{}
	for _, it := range live {
		b.Queue(it.sql, it.args...)
	}
	br := g.pool.SendBatch(ctx, b)
	for _, it := range live {
		it.err = br.QueryRow().Scan(it.dest...)
	}
	err := br.Close()
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
	case errors.As(err, &pgErr):
		// The server refused a statement and rolled the whole batch back:
		// run each statement alone, so only the guilty one fails.
		for _, it := range live {
			it.err = g.pool.QueryRow(ctx, it.sql, it.args...).Scan(it.dest...)
		}
	default:
		// The connection failed: whether the batch committed is unknown.
		for _, it := range live {
			it.err = err
		}
	}
	for _, it := range live {
		close(it.done)
	}
}
