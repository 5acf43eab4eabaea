package reminders

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// PlanArgs runs the planner once.
type PlanArgs struct{}

// Kind implements river.JobArgs.
func (PlanArgs) Kind() string { return "regua_plan" }

// InsertOpts puts planning on the régua's queue, one attempt: the next
// period plans again anyway.
func (PlanArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue, MaxAttempts: 1} }

// Regua is the régua's River side: the periodic planner (on the elected
// leader only) and the send workers.
type Regua struct {
	Planner    *Planner
	Dispatcher *Dispatcher
	Every      time.Duration // planning period; 0: no planning
	// Workers is how many sends run at once per process (default 100).
	// River refetches at most once per FetchCooldown (50 ms in
	// internal/jobs), so a replica sends at most about Workers per
	// cooldown: 100 allows ~2,000 a second.
	Workers int
	Log     *slog.Logger
}

// Register adds the régua's queue, workers and periodic planner to a River
// configuration (internal/jobs calls it).
func (r *Regua) Register(workers *river.Workers, rc *river.Config) {
	river.AddWorker(workers, &sendWorker{d: r.Dispatcher})
	river.AddWorker(workers, &planWorker{r: r})
	if rc.Queues == nil {
		rc.Queues = map[string]river.QueueConfig{}
	}
	n := r.Workers
	if n <= 0 {
		n = 100
	}
	rc.Queues[Queue] = river.QueueConfig{MaxWorkers: n}
	if r.Every <= 0 {
		return
	}
	rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(r.Every),
		func() (river.JobArgs, *river.InsertOpts) { return PlanArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "regua_plan"}))
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	d *Dispatcher
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	err := w.d.Send(ctx, job.Args.ReminderID, func(ctx context.Context, tx pgx.Tx) error {
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	var s errSnooze
	if errors.As(err, &s) {
		wait := s.until.Sub(w.d.Now())
		if w.d.Speed > 1 {
			wait = time.Duration(float64(wait) / w.d.Speed)
		}
		return river.JobSnooze(max(time.Second, wait))
	}
	return err
}

type planWorker struct {
	river.WorkerDefaults[PlanArgs]
	r *Regua
}

// Timeout lets a planning run over a large table finish.
func (w *planWorker) Timeout(*river.Job[PlanArgs]) time.Duration { return 15 * time.Minute }

func (w *planWorker) Work(ctx context.Context, job *river.Job[PlanArgs]) error {
	st, err := w.r.Planner.Plan(ctx, river.ClientFromContext[pgx.Tx](ctx), w.r.Dispatcher.Now())
	if err != nil {
		return err
	}
	w.r.Dispatcher.Metrics.plannedAdd(st.Planned)
	if st.Planned > 0 && w.r.Log != nil {
		w.r.Log.Info("regua planned", "read", st.Read, "planned", st.Planned, "moved", st.Moved)
	}
	return nil
}

// Compressed is a clock on which a day lasts day of real time, starting
// from real's present (demo mode: the demo debtors' reminders arrive in
// minutes). speed is how many régua seconds pass per real second.
func Compressed(real func() time.Time, day time.Duration) (now func() time.Time, speed float64) {
	start := real()
	speed = float64(24*time.Hour) / float64(day)
	return func() time.Time {
		return start.Add(time.Duration(float64(real().Sub(start)) * speed))
	}, speed
}
