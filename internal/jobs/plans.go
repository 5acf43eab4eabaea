package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/regua/regua/payments"
)

// PlanBreaksArgs is one sweep that breaks the installment plans whose open
// installments are later than their plan allows.
type PlanBreaksArgs struct{}

// Kind implements river.JobArgs.
func (PlanBreaksArgs) Kind() string { return "plan_breaks" }

// InsertOpts: a failed sweep is retried a few times; the next period's
// sweep covers the rest.
func (PlanBreaksArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// defaultPlanBreaksEvery is how often plans are checked. A plan breaks on a
// calendar day, so an hour's delay at most is fine.
const defaultPlanBreaksEvery = time.Hour

type planBreaksWorker struct {
	river.WorkerDefaults[PlanBreaksArgs]
	plans *payments.Plans
	log   *slog.Logger
}

// Work breaks what is due to break. Breaking is idempotent, so a retried or
// concurrent sweep changes nothing twice.
func (w *planBreaksWorker) Work(ctx context.Context, job *river.Job[PlanBreaksArgs]) error {
	if w.plans == nil {
		return river.JobCancel(errors.New("no plans service"))
	}
	broken, err := w.plans.BreakOverdue(ctx)
	if len(broken) > 0 {
		w.log.Info("plans broken", "count", len(broken))
	}
	return err
}

func addPlanBreaks(workers *river.Workers, rc *river.Config, cfg Config) {
	if cfg.Plans == nil {
		return
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	river.AddWorker(workers, &planBreaksWorker{plans: cfg.Plans, log: log})
	every := cfg.PlanBreaksEvery
	if every <= 0 {
		every = defaultPlanBreaksEvery
	}
	rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return PlanBreaksArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}
