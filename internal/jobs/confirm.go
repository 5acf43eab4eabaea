package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// Confirmer delivers a payment confirmation in the chat where the debtor got
// the Pix code (the bot service).
type Confirmer interface {
	Confirm(ctx context.Context, channel, chat, text string) error
}

// ConfirmArgs delivers the confirmation of one payment.
type ConfirmArgs struct {
	PaymentID int64 `json:"payment_id" river:"unique"`
}

// Kind implements river.JobArgs.
func (ConfirmArgs) Kind() string { return "payment_confirmation" }

// InsertOpts makes the confirmation of a payment unique.
func (ConfirmArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type confirmWorker struct {
	river.WorkerDefaults[ConfirmArgs]
	pool *pgxpool.Pool
	c    Confirmer
}

func (w *confirmWorker) Work(ctx context.Context, job *river.Job[ConfirmArgs]) error {
	var channel, chat, text string
	var sent bool
	err := w.pool.QueryRow(ctx, "SELECT channel, chat, text, sent_at IS NOT NULL FROM payment_confirmations WHERE payment_id = $1", job.Args.PaymentID).
		Scan(&channel, &chat, &text, &sent)
	if errors.Is(err, pgx.ErrNoRows) || sent || channel == "" || chat == "" {
		return nil
	}
	if err != nil {
		return err
	}
	if w.c == nil {
		return river.JobCancel(fmt.Errorf("no channel to confirm on"))
	}
	if err := w.c.Confirm(ctx, channel, chat, text); err != nil {
		return err
	}
	_, err = w.pool.Exec(ctx, "UPDATE payment_confirmations SET sent_at = now() WHERE payment_id = $1", job.Args.PaymentID)
	return err
}
