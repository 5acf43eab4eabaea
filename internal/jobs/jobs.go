package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/regua/regua/internal/egress"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
	"github.com/regua/regua/payments/pix/apipix"
)

// Event names for outgoing webhooks.
const (
	EventPaymentReceived = "payment.received"
	EventChargePaid      = "charge.paid"
)

// SignatureHeader carries "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>">"
// keyed by REGUA_WEBHOOK_SECRET, on outgoing webhooks.
const SignatureHeader = "Regua-Signature"

// WebhookArgs is one delivery of one event to one endpoint.
type WebhookArgs struct {
	EndpointID int64           `json:"endpoint_id" river:"unique"`
	EventID    string          `json:"event_id" river:"unique"`
	Event      string          `json:"event"`
	Payload    json.RawMessage `json:"payload"`
}

// Kind implements river.JobArgs.
func (WebhookArgs) Kind() string { return "webhook_delivery" }

// InsertOpts makes a delivery unique per (endpoint, event id) and retried
// up to 12 times (River's back-off: about a day and a half in all).
func (WebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReconcileArgs runs one reconciliation over the last Window.
type ReconcileArgs struct {
	Window time.Duration `json:"window"`
}

// Kind implements river.JobArgs.
func (ReconcileArgs) Kind() string { return "pix_reconcile" }

// Jobs owns the River client.
type Jobs struct {
	client   *river.Client[pgx.Tx]
	promises *promiseWorker
	pool     *pgxpool.Pool
	log      *slog.Logger
}

// Config is what the workers need.
type Config struct {
	Pool       *pgxpool.Pool
	Log        *slog.Logger
	Secret     string       // REGUA_WEBHOOK_SECRET
	HTTPClient *http.Client // outgoing webhooks; default egress.Client(false, 15s)
	Now        func() time.Time
	Billing    *billing.Service
	Reconciler billing.Reconciler // nil: no periodic reconciliation (static Pix)
	// ReconcileEvery is the period of the reconciliation job (default 10 min).
	ReconcileEvery time.Duration
	// PollInterval overrides River's fetch poll interval (tests).
	PollInterval time.Duration
	// Confirmer delivers payment confirmations in chat (nil: recorded only).
	Confirmer Confirmer
	// Starter sends promise follow-ups through the gate (nil: none sent).
	Starter Starter
	// Ledger answers what a debtor owes (promise follow-ups).
	Ledger *payments.Ledger
	// Plans, when set, gets a periodic job that breaks installment plans
	// whose installments are too late, every PlanBreaksEvery (default 1 h).
	Plans           *payments.Plans
	PlanBreaksEvery time.Duration
	// Regua, when set, adds the régua's queue, send workers and periodic
	// planner (internal/reminders).
	Regua interface {
		Register(workers *river.Workers, rc *river.Config)
	}
}

// New builds the River client and its workers.
func New(cfg Config) (*Jobs, error) {
	if cfg.HTTPClient == nil {
		// Customers' URLs: never into our own network (internal/egress).
		cfg.HTTPClient = egress.Client(false, 15*time.Second)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReconcileEvery == 0 {
		cfg.ReconcileEvery = 10 * time.Minute
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &webhookWorker{pool: cfg.Pool, secret: cfg.Secret, http: cfg.HTTPClient, now: cfg.Now})
	river.AddWorker(workers, &reconcileWorker{billing: cfg.Billing, src: cfg.Reconciler, now: cfg.Now})
	river.AddWorker(workers, &confirmWorker{pool: cfg.Pool, c: cfg.Confirmer})
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	promises := &promiseWorker{pool: cfg.Pool, ledger: cfg.Ledger, starter: cfg.Starter, log: log}
	river.AddWorker(workers, promises)
	rc := &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 20}},
		Workers: workers,
		Logger:  cfg.Log,
	}
	// A queue refetches at most once per cooldown when its workers free up:
	// River's 100 ms default would cap the régua's sends near MaxWorkers×10
	// a second.
	rc.FetchCooldown = 50 * time.Millisecond
	if cfg.PollInterval > 0 {
		rc.FetchPollInterval = cfg.PollInterval
		rc.FetchCooldown = cfg.PollInterval
	}
	if cfg.Reconciler != nil && cfg.Billing != nil {
		every := cfg.ReconcileEvery
		rc.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) { return ReconcileArgs{Window: 3 * every}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})}
	}
	addPlanBreaks(workers, rc, cfg)
	if cfg.Regua != nil {
		cfg.Regua.Register(workers, rc)
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Jobs{client: client, promises: promises, pool: cfg.Pool, log: cfg.Log}, nil
}

// Start runs the workers until Stop.
func (j *Jobs) Start(ctx context.Context) error { return j.client.Start(ctx) }

// Stop waits for running jobs to finish (bounded by ctx).
func (j *Jobs) Stop(ctx context.Context) error { return j.client.Stop(ctx) }

// Client is the River client, for callers that enqueue their own jobs.
func (j *Jobs) Client() *river.Client[pgx.Tx] { return j.client }

var _ billing.PaymentHook = (*Jobs)(nil)

// PaymentRecordedTx enqueues what a payment causes, in the payment's
// transaction: the debtor's confirmation in chat and the outgoing webhooks.
func (j *Jobs) PaymentRecordedTx(ctx context.Context, tx pgx.Tx, ev billing.PaymentEvent) error {
	if ev.Message != "" && ev.Code != nil && ev.Code.Channel != "" && ev.Code.Chat != "" {
		if _, err := j.client.InsertTx(ctx, tx, ConfirmArgs{PaymentID: ev.Result.PaymentID}, nil); err != nil {
			return fmt.Errorf("jobs: enqueue confirmation: %w", err)
		}
	}
	rows, err := tx.Query(ctx, "SELECT id, events FROM webhook_endpoints WHERE active")
	if err != nil {
		return fmt.Errorf("jobs: endpoints: %w", err)
	}
	type endpoint struct {
		id     int64
		events []string
	}
	eps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (endpoint, error) {
		var e endpoint
		return e, r.Scan(&e.id, &e.events)
	})
	if err != nil || len(eps) == 0 {
		return err
	}
	var debtorExt, chargeExt string
	tx.QueryRow(ctx, "SELECT coalesce((SELECT external_id FROM debtors WHERE id = $1), '')", ev.Result.DebtorID).Scan(&debtorExt)
	if ev.Code != nil && ev.Code.ChargeID != 0 {
		tx.QueryRow(ctx, "SELECT external_id FROM charges WHERE id = $1", ev.Code.ChargeID).Scan(&chargeExt)
	}
	now := ev.Pix.Horario
	type envelope struct {
		ID        string    `json:"id"`
		Type      string    `json:"type"`
		CreatedAt time.Time `json:"created_at"`
		Data      any       `json:"data"`
	}
	var params []river.InsertManyParams
	add := func(event, id string, data any) error {
		body, err := json.Marshal(envelope{ID: id, Type: event, CreatedAt: now, Data: data})
		if err != nil {
			return err
		}
		for _, e := range eps {
			for _, want := range e.events {
				if want == event {
					params = append(params, river.InsertManyParams{Args: WebhookArgs{EndpointID: e.id, EventID: id, Event: event, Payload: body}})
				}
			}
		}
		return nil
	}
	r := ev.Result
	err = add(EventPaymentReceived, "evt_payment_"+ev.Pix.EndToEndID, map[string]any{
		"end_to_end_id": ev.Pix.EndToEndID, "txid": ev.Pix.TxID, "amount": ev.Pix.Valor, "paid_at": ev.Pix.Horario,
		"debtor_external_id": debtorExt, "charge_external_id": chargeExt, "applied": r.Applied, "credit": r.Credit, "unmatched": r.Suspense,
		"source": ev.Source,
	})
	if err != nil {
		return err
	}
	for _, id := range r.PaidCharges {
		var ext, debtor string
		var amount int64
		if err := tx.QueryRow(ctx, "SELECT c.external_id, d.external_id, c.amount FROM charges c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = $1", id).Scan(&ext, &debtor, &amount); err != nil {
			return err
		}
		if err := add(EventChargePaid, "evt_charge_paid_"+ext, map[string]any{"external_id": ext, "debtor_external_id": debtor,
			"amount": fmt.Sprintf("%d.%02d", amount/100, amount%100), "paid_at": ev.Pix.Horario, "end_to_end_id": ev.Pix.EndToEndID}); err != nil {
			return err
		}
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := j.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("jobs: enqueue webhooks: %w", err)
	}
	return nil
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	pool   *pgxpool.Pool
	secret string
	http   *http.Client
	now    func() time.Time
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	a := job.Args
	var url string
	var active bool
	err := w.pool.QueryRow(ctx, "SELECT url, active FROM webhook_endpoints WHERE id = $1", a.EndpointID).Scan(&url, &active)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !active) {
		return river.JobCancel(fmt.Errorf("endpoint %d is gone or inactive", a.EndpointID))
	}
	if err != nil {
		return err
	}
	start := time.Now()
	status, derr := w.deliver(ctx, url, a)
	msg := ""
	if derr != nil {
		msg = derr.Error()
	}
	var code *int
	if status != 0 {
		code = &status
	}
	w.pool.Exec(context.WithoutCancel(ctx), `INSERT INTO webhook_deliveries (endpoint_id, event, event_id, attempt, status_code, error, duration_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.EndpointID, a.Event, a.EventID, job.Attempt, code, msg, time.Since(start).Milliseconds())
	return derr
}

func (w *webhookWorker) deliver(ctx context.Context, url string, a WebhookArgs) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(a.Payload))
	if err != nil {
		return 0, river.JobCancel(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Regua-Webhooks/1")
	req.Header.Set("Regua-Event", a.Event)
	req.Header.Set("Regua-Event-Id", a.EventID)
	req.Header.Set(SignatureHeader, apipix.SignWebhook(w.secret, w.now(), a.Payload))
	res, err := w.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("endpoint answered %d: %s", res.StatusCode, strings.TrimSpace(string(snippet)))
	}
	return res.StatusCode, nil
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	billing *billing.Service
	src     billing.Reconciler
	now     func() time.Time
}

func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[ReconcileArgs]) error {
	if w.billing == nil || w.src == nil {
		return river.JobCancel(errors.New("no provider to reconcile with"))
	}
	to := w.now()
	_, err := w.billing.Reconcile(ctx, w.src, to.Add(-job.Args.Window), to)
	return err
}
