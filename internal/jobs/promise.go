package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/regua/regua/payments"
)

// PromiseArgs follows up a promise to pay, the day after its date.
type PromiseArgs struct {
	PromiseID int64 `json:"promise_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (PromiseArgs) Kind() string { return "promise_followup" }

// InsertOpts makes one follow-up per promise.
func (PromiseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SchedulePromiseFollowUpTx enqueues the follow-up of a promise, in the
// transaction that records it, for 10:00 local time the day after.
func (j *Jobs) SchedulePromiseFollowUpTx(ctx context.Context, tx pgx.Tx, promiseID int64, date time.Time, loc *time.Location) error {
	at := time.Date(date.Year(), date.Month(), date.Day()+1, 10, 0, 0, 0, loc)
	_, err := j.client.InsertTx(ctx, tx, PromiseArgs{PromiseID: promiseID}, &river.InsertOpts{ScheduledAt: at})
	if err != nil {
		return fmt.Errorf("jobs: schedule follow-up: %w", err)
	}
	return nil
}

// Starter sends a message the business starts on its own through the one
// gate (opt-out, wrong number, dispute, a person holding the chat, régua
// paused): the bot service. hold is why it was not sent ("" when sent).
type Starter interface {
	StartText(ctx context.Context, channel, chat string, debtorID int64, text string) (hold string, err error)
}

type promiseWorker struct {
	river.WorkerDefaults[PromiseArgs]
	pool    *pgxpool.Pool
	ledger  *payments.Ledger
	starter Starter
	log     *slog.Logger
}

// Work marks the promise kept when nothing is owed any more; otherwise it
// marks it broken and nudges the debtor in the chat where they promised,
// through the gate: nothing goes to a chat that opted out, said wrong
// number, disputes, or is in a person's hands. The nudge names no amount:
// the chat may no longer be verified.
func (w *promiseWorker) Work(ctx context.Context, job *river.Job[PromiseArgs]) error {
	var debtorID int64
	var status, channel, chat, name string
	var promised time.Time
	err := w.pool.QueryRow(ctx, `SELECT p.debtor_id, p.status, p.promised_for, coalesce(c.channel, ''), coalesce(c.chat, ''), d.name
		FROM promises p JOIN debtors d ON d.id = p.debtor_id LEFT JOIN conversations c ON c.id = p.conversation_id
		WHERE p.id = $1`, job.Args.PromiseID).Scan(&debtorID, &status, &promised, &channel, &chat, &name)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && status != "open") {
		return nil
	}
	if err != nil {
		return err
	}
	bal, err := w.ledger.DebtorBalance(ctx, debtorID, w.ledger.Now())
	if err != nil {
		return err
	}
	if bal.Total == 0 {
		_, err := w.pool.Exec(ctx, "UPDATE promises SET status = 'kept' WHERE id = $1 AND status = 'open'", job.Args.PromiseID)
		return err
	}
	tag, err := w.pool.Exec(ctx, "UPDATE promises SET status = 'broken' WHERE id = $1 AND status = 'open'", job.Args.PromiseID)
	if err != nil || tag.RowsAffected() == 0 || w.starter == nil || channel == "" {
		return err
	}
	first, _, _ := strings.Cut(name, " ")
	text := fmt.Sprintf("Oi, %s! Passando para lembrar do pagamento que combinamos para %s. Se precisar, responda aqui que eu te ajudo. 😊",
		first, promised.Format("02/01"))
	hold, err := w.starter.StartText(ctx, channel, chat, debtorID, text)
	if hold != "" {
		w.log.Info("promise follow-up held", "promise_id", job.Args.PromiseID, "debtor_id", debtorID, "reason", hold)
		return nil
	}
	return err
}

// RunPromiseFollowUp runs a promise's follow-up now (what the scheduled job
// does), for staff tools and tests.
func (j *Jobs) RunPromiseFollowUp(ctx context.Context, promiseID int64) error {
	return j.promises.Work(ctx, &river.Job[PromiseArgs]{Args: PromiseArgs{PromiseID: promiseID}})
}
