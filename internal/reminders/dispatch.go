package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/email"
	"github.com/regua/regua/conversations/regua"
	"github.com/regua/regua/payments"
)

// SendArgs sends one reminder. The planner inserts exactly one per
// reminder row, in the transaction that records the row.
type SendArgs struct {
	ReminderID int64 `json:"reminder_id"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "regua_send" }

// Queue is the régua's River queue.
const Queue = "regua"

// InsertOpts puts sends on the régua's queue; a temporary failure is
// retried with River's back-off, up to 8 times (about 7 hours).
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue, MaxAttempts: 8} }

// Mailer delivers a reminder by email (bot/email.Sender).
type Mailer interface {
	Deliver(ctx context.Context, m email.Message) error
}

// Dispatcher sends due reminders.
type Dispatcher struct {
	slotsOnce sync.Once
	slots     chan struct{}

	Pool    *pgxpool.Pool
	Bot     *bot.Service
	Configs *ConfigStore
	Ledger  *payments.Ledger
	Log     *slog.Logger
	Loc     *time.Location   // REGUA_TIMEZONE
	Now     func() time.Time // the régua's clock (compressed in demo mode)
	Speed   float64          // régua seconds per real second (0: 1)
	Metrics *Metrics

	Business, Document string // REGUA_BUSINESS_NAME, REGUA_BUSINESS_DOCUMENT
	Mail               Mailer // nil: email off
	// Telegram finds the debtor's linked Telegram chat that can be
	// messaged (telegram.Reachable); nil: Telegram off.
	Telegram func(ctx context.Context, debtorID int64) (chat string, ok bool, err error)
	// Link is a link that opens a conversation for the debtor (a Telegram
	// deep link, the web chat in demo mode), carried by email; nil: none.
	Link func(ctx context.Context, debtorID int64, phone string) string
	// Webchat: the web chat reaches debtors by phone (demo mode only).
	Webchat bool
	// Demo: a demonstration reminds only on the web chat: made-up debtors'
	// phones and addresses may well be somebody's.
	Demo bool
}

// facts are what the worker re-reads, under the reminder's lock, right
// before sending.
type facts struct {
	status                 string
	debtorID, chargeID     int64
	installmentID          int64
	step                   string
	offset                 int
	intent                 string
	name, state            string
	phones                 []string
	email, preferred       string
	chargeStatus, descr    string
	due                    time.Time
	number                 int
	instStatus, planStatus string
	instAmount             int64
	promise                bool
	recent                 []time.Time // the debtor's reminders sent in the last 7 days
}

const factsSQL = `
	SELECT r.status, r.debtor_id, coalesce(r.charge_id, 0), coalesce(r.installment_id, 0), r.step, r.step_offset, r.intent,
	       d.name, d.state, d.phones, d.email, d.preferred_channel,
	       coalesce(c.status, ''), coalesce(c.description, ''), coalesce(c.due_date, i.due_date), coalesce(i.number, 0),
	       coalesce(i.status, ''), coalesce(p.status, ''), coalesce(i.amount, 0),
	       EXISTS (SELECT 1 FROM promises pr WHERE pr.debtor_id = r.debtor_id AND pr.status = 'open' AND pr.promised_for >= $2),
	       ARRAY(SELECT x.sent_at FROM reminders x WHERE x.debtor_id = r.debtor_id AND x.sent_at > $3 AND x.id <> r.id
	             AND x.status IN ('sending', 'sent', 'delivered', 'read'))
	FROM reminders r JOIN debtors d ON d.id = r.debtor_id
	LEFT JOIN charges c ON c.id = r.charge_id
	LEFT JOIN plan_installments i ON i.id = r.installment_id
	LEFT JOIN plans p ON p.id = i.plan_id
	WHERE r.id = $1`

// lockedFacts takes the debtor's régua lock (so that two reminders of one
// debtor, on two replicas, count each other against the caps) and reads
// the reminder's facts with the row locked.
//
// The lock and the read go in one round trip, as two statements: the read
// takes its snapshot after the lock is held, so it sees what the previous
// holder committed.
func (d *Dispatcher) lockedFacts(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (*facts, error) {
	f, _, err := d.lockedFactsGate(ctx, tx, id, now, nil)
	return f, err
}

// lockedFactsGate is lockedFacts that also asks the gate for t (when not
// nil) in the same round trip.
func (d *Dispatcher) lockedFactsGate(ctx context.Context, tx pgx.Tx, id int64, now time.Time, t *target) (*facts, bot.Hold, error) {
	today := regua.DateOf(now.In(d.Loc)).In(time.UTC)
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended('regua-debtor:' || debtor_id, 0)) FROM reminders WHERE id = $1`, id)
	var f *facts
	b.Queue(factsSQL+" FOR UPDATE OF r", id, today, now.Add(-7*24*time.Hour)).QueryRow(func(row pgx.Row) error {
		var err error
		f, err = scanFacts(row)
		return err
	})
	var hold bot.Hold
	if t != nil {
		// The reminder row's debtor, so the gate reads after the lock too.
		bot.QueueGate(b, t.channel, t.chat, t.debtorID, &hold)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, "", err
	}
	return f, hold, nil
}

// peek reads, without locking anything, what choosing the channels needs
// (to know which chats to take in order before the locked read).
func (d *Dispatcher) peek(ctx context.Context, id int64) (*facts, error) {
	var f facts
	var offset int32
	err := d.Pool.QueryRow(ctx, `SELECT r.status, r.debtor_id, r.step_offset, coalesce(r.installment_id, 0), d.phones, d.email, d.preferred_channel
		FROM reminders r JOIN debtors d ON d.id = r.debtor_id WHERE r.id = $1`, id).
		Scan(&f.status, &f.debtorID, &offset, &f.installmentID, &f.phones, &f.email, &f.preferred)
	f.offset = int(offset)
	return &f, err
}

func scanFacts(row pgx.Row) (*facts, error) {
	var f facts
	var offset, number int32
	err := row.Scan(&f.status, &f.debtorID, &f.chargeID, &f.installmentID,
		&f.step, &offset, &f.intent, &f.name, &f.state, &f.phones, &f.email, &f.preferred, &f.chargeStatus, &f.descr, &f.due, &number,
		&f.instStatus, &f.planStatus, &f.instAmount, &f.promise, &f.recent)
	if err != nil {
		return nil, err
	}
	f.offset, f.number = int(offset), int(number)
	return &f, nil
}

func (f *facts) phone() string {
	if len(f.phones) > 0 {
		return f.phones[0]
	}
	return ""
}

// stopReason is the stop condition that holds for every channel.
func (f *facts) stopReason() string {
	s := regua.Stops{Promise: f.promise}
	if f.chargeID != 0 {
		s.Paid = f.chargeStatus == "paid" || f.chargeStatus == "written_off"
		s.InPlan = f.chargeStatus == "in_plan"
	} else {
		s.Paid = f.instStatus != "open" || f.planStatus != "active"
	}
	return s.Reason()
}

// target is a channel and the chat on it that can reach the debtor.
type target struct {
	channel, chat string
	debtorID      int64
}

// targets are the channels that can reach the debtor, preferred first:
// Telegram only for a linked chat the bot can message, WhatsApp only when
// its sender is up, the web chat in demo mode, email when set up and the
// debtor has an address.
func (d *Dispatcher) targets(ctx context.Context, f *facts, step regua.Step) []target {
	order := []string{}
	if f.preferred != "" {
		order = append(order, f.preferred)
	}
	for _, c := range regua.AllChannels {
		if !slices.Contains(order, c) {
			order = append(order, c)
		}
	}
	if d.Demo {
		order = []string{regua.ChannelWebchat}
	}
	var out []target
	for _, c := range order {
		if !step.Allows(c) {
			continue
		}
		switch c {
		case regua.ChannelWhatsApp:
			if f.phone() != "" && d.Bot.Reachable(bot.ChannelWhatsApp) {
				out = append(out, target{c, f.phone(), f.debtorID})
			}
		case regua.ChannelTelegram:
			if d.Telegram != nil && d.Bot.Reachable(bot.ChannelTelegram) {
				chat, ok, err := d.Telegram(ctx, f.debtorID)
				if err != nil {
					d.Log.Warn("regua: telegram reachability", "debtor_id", f.debtorID, "err", err)
				}
				if ok {
					out = append(out, target{c, chat, f.debtorID})
				}
			}
		case regua.ChannelWebchat:
			if d.Webchat && f.phone() != "" {
				out = append(out, target{c, f.phone(), f.debtorID})
			}
		case regua.ChannelEmail:
			if d.Mail != nil && f.email != "" {
				out = append(out, target{c, f.email, f.debtorID})
			}
		}
	}
	return out
}

// txSlots bounds the sends holding a transaction at once to half the
// pool (at least one).
func (d *Dispatcher) txSlots() chan struct{} {
	d.slotsOnce.Do(func() {
		d.slots = make(chan struct{}, max(1, int(d.Pool.Config().MaxConns)/2))
	})
	return d.slots
}

// outcome of one attempt on one channel.
type outcome int

const (
	done        outcome = iota // recorded (sent, held for good, or already handled)
	gateHeld                   // the gate holds this channel: try the next
	unreachable                // the channel refused for good: try the next
)

// errSnooze carries a later slot (calendar or caps).
type errSnooze struct{ until time.Time }

func (e errSnooze) Error() string { return "regua: held until " + e.until.Format(time.RFC3339) }

// complete finishes the River job in tx (nil outside a worker).
type completer func(ctx context.Context, tx pgx.Tx) error

// Send runs one reminder: re-read under lock, stop conditions, the
// calendar and caps, then each channel that can reach in turn through the
// gate, until one takes it. It returns errSnooze for a later slot, or a
// temporary delivery error to retry.
func (d *Dispatcher) Send(ctx context.Context, id int64, complete completer) error {
	now := d.Now()
	cfg, err := d.Configs.Recent(ctx)
	if err != nil {
		return err
	}
	// A first look without the lock, to know which chats to take in order.
	f, err := d.peek(ctx, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // the reminder is gone (never: reminders are kept)
	}
	if err != nil {
		return fmt.Errorf("regua: reminder %d: %w", id, err)
	}
	switch f.status {
	case "planned":
	case "sending":
		// A remote send was handed to its channel and the process died
		// before recording the answer: it may have gone. At most once.
		return d.finish(ctx, id, complete, "failed", "", "interrupted", "o processo parou durante o envio: não reenviado para não duplicar", now)
	default:
		return d.finish(ctx, id, complete, "", "", "", "", now)
	}
	step := stepOf(cfg, f)
	targets := d.targets(ctx, f, step)
	firstHold, refused := "", false
	for _, t := range targets {
		out, hold, err := d.attempt(ctx, cfg, step, id, t, complete)
		if err != nil {
			return err
		}
		switch out {
		case done:
			return nil
		case gateHeld:
			if firstHold == "" {
				firstHold = hold
			}
		case unreachable:
			refused = true
		}
	}
	switch {
	case firstHold != "":
		return d.finish(ctx, id, complete, "held", "", firstHold, "bloqueado pela regra de contato: "+firstHold, now)
	case refused:
		return d.finish(ctx, id, complete, "failed", "", "unreachable", "todos os canais recusaram a entrega", now)
	}
	return d.finish(ctx, id, complete, "held", "", "no_channel", "nenhum canal alcança o devedor", now)
}

func stepOf(cfg regua.Config, f *facts) regua.Step {
	steps := cfg.Steps
	if f.installmentID != 0 {
		steps = cfg.PlanSteps
	}
	for _, s := range steps {
		if s.Offset == f.offset {
			return s
		}
	}
	// The cadence changed since planning: the step's intent with a plain text.
	return regua.Step{Offset: f.offset, Intent: regua.Intent(f.intent), Template: "Oi, {{first_name}}! Temos uma mensagem sobre {{description}} ({{amount}}). Responda esta mensagem para continuar."}
}

// finish records a final outcome (status "" leaves the row as it is) and
// completes the job in the same transaction.
func (d *Dispatcher) finish(ctx context.Context, id int64, complete completer, status, channel, reason, detail string, now time.Time) error {
	err := pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
		if status != "" {
			if err := d.mark(ctx, tx, id, status, channel, reason, detail, now, nil); err != nil {
				return err
			}
		}
		return complete(ctx, tx)
	})
	if err == nil && status != "" {
		d.Metrics.count(status, channel, reason)
	}
	return err
}

// mark sets the reminder's status and appends the event.
func (d *Dispatcher) mark(ctx context.Context, tx pgx.Tx, id int64, status, channel, reason, detail string, now time.Time, next *time.Time) error {
	_, err := tx.Exec(ctx, markSQL, id, status, channel, reason, detail, now, next)
	return err
}

const markSQL = `
	WITH u AS (
		UPDATE reminders SET status = $2, channel = CASE WHEN $3 = '' THEN channel ELSE $3 END, reason = $4, detail = $5,
			sent_at = CASE WHEN $2 IN ('sending', 'sent', 'delivered', 'read') THEN coalesce(sent_at, $6) END,
			due_at = coalesce($7, due_at), updated_at = $6
		WHERE id = $1
	)
	INSERT INTO reminder_events (reminder_id, at, status, channel, reason, detail, next_at) VALUES ($1, $6, $2, $3, $4, $5, $7)`

// attempt tries one channel, in the chat's conversation order.
func (d *Dispatcher) attempt(ctx context.Context, cfg regua.Config, step regua.Step, id int64, t target, complete completer) (out outcome, hold string, err error) {
	run := func(ctx context.Context) error {
		out, hold, err = d.try(ctx, cfg, step, id, t, complete)
		return err
	}
	if t.channel == regua.ChannelEmail {
		err = run(ctx)
	} else {
		err = d.Bot.InOrder(ctx, t.channel, t.chat, run)
	}
	return out, hold, err
}

func (d *Dispatcher) try(ctx context.Context, cfg regua.Config, step regua.Step, id int64, t target, complete completer) (outcome, string, error) {
	// At most half the pool's connections hold a send's transaction: the
	// chat's turns keep the rest, and what a send still asks of the pool
	// inside its transaction (an email's deep link) always finds one.
	select {
	case d.txSlots() <- struct{}{}:
		defer func() { <-d.txSlots() }()
	case <-ctx.Done():
		return done, "", ctx.Err()
	}
	now := d.Now()
	tx, err := d.Pool.Begin(ctx)
	if err != nil {
		return done, "", err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	f, h, err := d.lockedFactsGate(ctx, tx, id, now, &t)
	if err != nil {
		return done, "", fmt.Errorf("regua: reminder %d: %w", id, err)
	}
	if f.status != "planned" {
		if err := complete(ctx, tx); err != nil {
			return done, "", err
		}
		return done, "", tx.Commit(ctx)
	}
	// Stop conditions that hold on every channel.
	if r := f.stopReason(); r != "" {
		if err := d.mark(ctx, tx, id, "held", "", r, stopText(r), now, nil); err != nil {
			return done, "", err
		}
		if err := complete(ctx, tx); err != nil {
			return done, "", err
		}
		if err := tx.Commit(ctx); err != nil {
			return done, "", err
		}
		d.Metrics.count("held", "", r)
		return done, "", nil
	}
	// The calendar and the caps, at this instant (the queue may have lagged).
	cal := cfg.CalendarFor(regua.StateOf(f.state, f.phone()), d.Loc)
	caps := capsOf(f.recent, now, cal.Loc)
	dec := cfg.Decide(cal, key(max(f.chargeID, f.installmentID), f.installmentID != 0)+uint64(f.offset+1000), regua.Stops{}, caps, now)
	if !dec.Send || dec.At.After(now.Add(time.Minute)) {
		if dec.At.IsZero() {
			return done, "", d.finishTx(ctx, tx, id, complete, "held", "", "quiet_hours", "nenhum horário permitido", now)
		}
		reason, detail := dec.Reason, dec.Detail
		if dec.Send {
			reason, detail = "", "espalhado pela manhã"
		}
		if err := d.mark(ctx, tx, id, "planned", "", reason, detail, now, &dec.At); err != nil {
			return done, "", err
		}
		if err := tx.Commit(ctx); err != nil {
			return done, "", err
		}
		if reason != "" {
			d.Metrics.count("moved", "", reason)
		}
		return done, "", errSnooze{dec.At}
	}
	// The one gate, for this channel and chat (read with the facts).
	if h != bot.HoldNone {
		return gateHeld, string(h), nil
	}
	text, link := d.render(ctx, tx, cfg, step, f, t, now)
	key := fmt.Sprintf("reminder:%d", id)
	if bot.Local(t.channel) {
		// Storing is delivering: the message, the reminder and the job
		// complete together or not at all.
		b := &pgx.Batch{}
		st := d.Bot.QueueStarted(b, t.channel, t.chat, bot.Reply{Text: text}, key)
		d.queueSent(b, id, f, t, now)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return done, "", err
		}
		if !st.Stored {
			d.Log.Warn("regua: reminder already delivered", "reminder_id", id)
		}
		if err := complete(ctx, tx); err != nil {
			return done, "", err
		}
		if err := tx.Commit(ctx); err != nil {
			return done, "", err
		}
		d.Bot.Announce(ctx, st.Announcement)
		d.Metrics.count("sent", t.channel, "")
		return done, "", nil
	}
	// A remote channel: recorded as sending before the network call, so a
	// crash after it never sends twice.
	if err := d.mark(ctx, tx, id, "sending", t.channel, "", "", now, nil); err != nil {
		return done, "", err
	}
	if err := tx.Commit(ctx); err != nil {
		return done, "", err
	}
	var derr error
	if t.channel == regua.ChannelEmail {
		derr = d.Mail.Deliver(ctx, email.Message{To: t.chat, DebtorID: f.debtorID, Text: text, Link: link, Key: key})
	} else {
		derr = d.Bot.Deliver(bot.WithOutboundKey(ctx, key), t.channel, t.chat, bot.Reply{Text: text})
	}
	if derr != nil {
		permanent := errors.Is(derr, bot.ErrUnreachable) || errors.Is(derr, bot.ErrNoSender)
		reason := "temporary"
		if permanent {
			reason = "unreachable"
		}
		d.Log.Warn("regua: delivery failed", "reminder_id", id, "channel", t.channel, "permanent", permanent, "err", derr)
		err := pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
			// Back to planned: it did not go.
			if _, err := tx.Exec(ctx, "UPDATE reminders SET status = 'planned', sent_at = NULL, updated_at = $2 WHERE id = $1", id, now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO reminder_events (reminder_id, at, status, channel, reason, detail) VALUES ($1, $2, 'failed', $3, $4, $5)`,
				id, now, t.channel, reason, truncate(derr.Error(), 300))
			return err
		})
		if err != nil {
			return done, "", err
		}
		d.Metrics.count("failed", t.channel, reason)
		if permanent {
			return unreachable, "", nil
		}
		return done, "", derr
	}
	tx2, err := d.Pool.Begin(ctx)
	if err != nil {
		return done, "", err
	}
	defer tx2.Rollback(context.WithoutCancel(ctx))
	b := &pgx.Batch{}
	st := &bot.Started{}
	if t.channel != regua.ChannelEmail {
		st = d.Bot.QueueStarted(b, t.channel, t.chat, bot.Reply{Text: text}, key)
	}
	d.queueSent(b, id, f, t, now)
	if err := tx2.SendBatch(ctx, b).Close(); err != nil {
		return done, "", err
	}
	if err := complete(ctx, tx2); err != nil {
		return done, "", err
	}
	if err := tx2.Commit(ctx); err != nil {
		return done, "", err
	}
	d.Bot.Announce(ctx, st.Announcement)
	d.Metrics.count("sent", t.channel, "")
	return done, "", nil
}

func (d *Dispatcher) finishTx(ctx context.Context, tx pgx.Tx, id int64, complete completer, status, channel, reason, detail string, now time.Time) error {
	if err := d.mark(ctx, tx, id, status, channel, reason, detail, now, nil); err != nil {
		return err
	}
	if err := complete(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// queueSent queues on b the reminder's record as sent; a hand-to-staff
// step also puts the conversation in the people's queue.
func (d *Dispatcher) queueSent(b *pgx.Batch, id int64, f *facts, t target, now time.Time) {
	b.Queue(markSQL, id, "sent", t.channel, "", "", now, nil)
	if f.intent == string(regua.IntentHandToStaff) && t.channel != regua.ChannelEmail {
		b.Queue(`UPDATE conversations SET status = 'waiting_agent', status_reason = $3, updated_at = now()
			WHERE channel = $1 AND chat = $2 AND status = 'bot'`, t.channel, t.chat, "régua: "+f.step)
	}
}

// render writes the reminder: the step's text where the chat is verified
// as the debtor, else the text that names no debt.
// It reads the charge's amount in tx: a send that held its transaction's
// connection while asking the pool for another could, with every worker
// doing the same, wait for ever.
func (d *Dispatcher) render(ctx context.Context, tx pgx.Tx, cfg regua.Config, step regua.Step, f *facts, t target, now time.Time) (text, link string) {
	verified := t.channel != regua.ChannelEmail && d.Bot.Verified(ctx, t.channel, t.chat, f.debtorID)
	v := regua.Vars{FirstName: regua.FirstName(f.name), Business: d.Business, BusinessDocument: d.Document}
	if t.channel == regua.ChannelEmail && d.Link != nil {
		link = d.Link(ctx, f.debtorID, f.phone())
		v.Link = link
	}
	if verified {
		loc := d.Loc
		today := regua.DateOf(now.In(loc))
		due := regua.DateOf(f.due)
		v.DueDate = f.due.Format("02/01/2006")
		v.DaysLate = max(0, today.Sub(due))
		v.Description = f.descr
		if v.Description == "" {
			v.Description = "Sua conta"
		}
		v.Installment = f.number
		if f.chargeID != 0 {
			if b, err := d.Ledger.ChargeBalanceTx(ctx, tx, f.chargeID, d.Ledger.Now()); err == nil {
				v.Amount = b.Total.String()
			} else {
				verified = false // no amount we can stand by: say nothing of the debt
			}
		} else {
			v.Amount = payments.Cents(f.instAmount).String()
		}
	}
	return cfg.Render(step, verified, v), link
}

func capsOf(recent []time.Time, now time.Time, loc *time.Location) regua.Caps {
	var c regua.Caps
	today := regua.DateOf(now.In(loc))
	for _, t := range recent {
		if regua.DateOf(t.In(loc)) == today {
			c.Today++
		}
		c.Week++
		if c.WeekOldest.IsZero() || t.Before(c.WeekOldest) {
			c.WeekOldest = t
		}
	}
	return c
}

func stopText(r string) string {
	d := regua.DefaultConfig()
	_ = d
	switch r {
	case "paid":
		return "cobrança paga antes do envio"
	case "in_plan":
		return "cobrança entrou em acordo antes do envio"
	case "promise":
		return "promessa de pagamento ainda não vencida"
	}
	return r
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
