package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/regua/regua/bot"
)

// Service is what the channel needs of the conversation service (*bot.Service).
type Service interface {
	Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error)
	Send(ctx context.Context, channel, chat string, r bot.Reply, sender string) error
	Takeover(ctx context.Context, id int64, reason string) error
}

// Config configures a Channel.
type Config struct {
	Service Service
	Pool    *pgxpool.Pool
	Log     *slog.Logger
	Now     func() time.Time // default time.Now
	Rand    func() float64   // the governor's jitter; default uniform
	Loc     *time.Location   // REGUA_TIMEZONE: the governor's days
	Budgets Budgets          // zero: DefaultBudgets
	// NewClient connects to the device store and returns the client (meow.go's
	// Open); called by the replica that takes the lease.
	NewClient func(ctx context.Context) (Client, error)
	// Holder names this replica in the lease (default host name and pid).
	Holder   string
	LeaseTTL time.Duration // default 30 s
	MediaMax int64         // largest image or document kept; default 16 MB
	// AlertAfter: a connection down this long is told to staff (default
	// 5 minutes); messages wait in the outbox meanwhile.
	AlertAfter time.Duration
	Workers    int // chats handled at once; default 16
}

// Channel is the WhatsApp channel: whichever replica holds the lease
// connects, receives, and delivers the outbox; every replica queues.
type Channel struct {
	cfg     Config
	log     *slog.Logger
	gov     *Governor
	box     outbox
	conn    conn
	disp    *bot.Ordered[string, Update]
	metrics *metrics

	mu        sync.Mutex
	client    Client // while holding the lease
	number    string // the linked number's digits
	stop      context.CancelFunc
	workCtx   context.Context
	running   sync.WaitGroup
	holding   atomic.Bool
	crashed   atomic.Bool // tests: stop without giving the lease up
	connected atomic.Bool
	nudge     chan struct{}
	reset     chan struct{}
	downSince atomic.Int64 // a generation: bumped at each transition, so a stale alert timer knows

	health struct {
		sync.Mutex
		at    time.Time
		state ConnState
	}
}

// New builds the channel without touching the network.
func New(cfg Config) (*Channel, error) {
	if cfg.Service == nil || cfg.Pool == nil {
		return nil, errors.New("whatsapp: a service and a pool are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Budgets == (Budgets{}) {
		cfg.Budgets = DefaultBudgets
	}
	if cfg.Holder == "" {
		host, _ := os.Hostname()
		cfg.Holder = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 30 * time.Second
	}
	if cfg.MediaMax <= 0 {
		cfg.MediaMax = 16 << 20
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.AlertAfter <= 0 {
		cfg.AlertAfter = 5 * time.Minute
	}
	c := &Channel{cfg: cfg, log: cfg.Log.With("channel", "whatsapp"), box: outbox{cfg.Pool}, conn: conn{cfg.Pool},
		metrics: newMetrics(), nudge: make(chan struct{}, 1), reset: make(chan struct{}, 1), workCtx: context.Background()}
	c.gov = NewGovernor(cfg.Pool, cfg.Budgets, cfg.Loc, cfg.Now, cfg.Rand)
	c.disp = bot.NewOrdered[string](cfg.Workers, c.process)
	return c, nil
}

// Governor is the channel's send governor.
func (c *Channel) Governor() *Governor { return c.gov }

// Collectors are the channel's metrics.
func (c *Channel) Collectors() []prometheus.Collector { return c.metrics.collectors(c) }

// Sender is what the conversation service sends through (register it for
// bot.ChannelWhatsApp): it queues, and the holder delivers.
func (c *Channel) Sender() bot.Sender { return sender{c} }

// Holding reports whether this replica holds the connection.
func (c *Channel) Holding() bool { return c.holding.Load() }

// Start takes part in the lease: the replica that holds it connects,
// receives and delivers; the others only queue, and take over when the
// holder stops renewing.
func (c *Channel) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return errors.New("whatsapp: already started")
	}
	run, stop := context.WithCancel(context.Background())
	c.stop, c.workCtx = stop, run
	c.running.Add(1)
	go func() { defer c.running.Done(); c.leaseLoop(run) }()
	return nil
}

// Close stops holding (disconnecting and giving the lease up), lets the
// messages being handled finish (up to 10 s) and returns.
func (c *Channel) Close() {
	c.mu.Lock()
	stop := c.stop
	c.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	c.running.Wait()
	done := make(chan struct{})
	go func() { c.disp.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// leaseLoop renews the lease every third of its TTL; it connects on
// taking it and lets go on losing it.
func (c *Channel) leaseLoop(ctx context.Context) {
	var hold context.CancelFunc
	var held sync.WaitGroup
	letGo := func() {
		if hold != nil {
			hold()
			held.Wait()
			hold = nil
		}
	}
	defer func() {
		letGo()
		if c.crashed.Load() {
			return // a test's replica that "dies": the lease runs out by itself
		}
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.conn.release(rctx, c.cfg.Holder); err != nil {
			c.log.Warn("whatsapp: release lease", "err", err)
		}
	}()
	for {
		ok, err := c.conn.lease(ctx, c.cfg.Holder, c.cfg.LeaseTTL)
		switch {
		case err != nil && ctx.Err() == nil:
			c.log.Warn("whatsapp: lease", "err", err)
			// Unknown whether we still hold it: stop before the TTL runs out.
			letGo()
		case ok && hold == nil:
			hold = c.startHolding(ctx, &held)
		case !ok && hold != nil:
			c.log.Warn("whatsapp: lease lost to another replica")
			letGo()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(c.cfg.LeaseTTL / 3):
		}
	}
}

// startHolding runs hold until the returned function is called.
func (c *Channel) startHolding(ctx context.Context, wg *sync.WaitGroup) context.CancelFunc {
	hctx, cancel := context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); c.hold(hctx) }()
	return cancel
}

// recheck is how often a replica holding the lease without a usable
// connection looks again (a number linked from the command line, a new
// number after a ban).
const recheck = 10 * time.Second

// hold runs while this replica holds the lease: open the device from the
// store; a linked one connects, receives and delivers until the number
// becomes unusable or is relinked (reset); an unlinked one waits for
// pairing (from the API on this client, or from the command line, seen in
// the store). A number that is banned, replaced or outdated is left alone
// until staff link a number again or restart Régua.
func (c *Channel) hold(ctx context.Context) {
	c.holding.Store(true)
	defer c.holding.Store(false)
	c.log.Info("whatsapp: holding the connection", "holder", c.cfg.Holder)
	for first := true; ctx.Err() == nil; first = false {
		// Unusable (banned, replaced, outdated): staff must act. A restart
		// (the first pass) tries once more: a temporary ban may have lifted.
		if st, err := c.conn.read(ctx); err == nil && !first && !st.Usable && st.State != StateUnpaired && st.State != StateLoggedOut {
			c.pause(ctx, recheck)
			continue
		}
		cl, err := c.cfg.NewClient(ctx)
		if err != nil {
			c.log.Error("whatsapp: open client", "err", err)
			c.pause(ctx, recheck)
			continue
		}
		err = c.Attach(ctx, cl)
		if _, paired := cl.Paired(); !paired {
			// Kept for pairing through the API until a number is linked
			// (here, or by `regua whatsapp pair` elsewhere).
			c.pause(ctx, recheck)
			c.Detach()
			continue
		}
		if err != nil {
			c.log.Warn("whatsapp: connect", "err", err) // whatsmeow keeps trying
		}
		dctx, stop := context.WithCancel(ctx)
		go func() {
			select {
			case <-c.reset:
				stop()
			case <-dctx.Done():
			}
		}()
		c.Deliver(dctx)
		stop()
		c.Detach()
	}
}

// pause waits d, or less when the connection is reset.
func (c *Channel) pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-c.reset:
	case <-t.C:
	}
}

// resetHold makes the holder reopen the device (after pairing, logout or a
// permanent failure).
func (c *Channel) resetHold() {
	select {
	case c.reset <- struct{}{}:
	default:
	}
}

// Attach makes cl the channel's connection: events come to the channel,
// and a linked device connects (an unlinked one waits for pairing).
func (c *Channel) Attach(ctx context.Context, cl Client) error {
	c.mu.Lock()
	c.client = cl
	c.mu.Unlock()
	cl.OnEvent(c.Event)
	jid, ok := cl.Paired()
	if !ok {
		if st, err := c.conn.read(ctx); err == nil && st.State == StateLoggedOut {
			return nil // logged out from the phone: staff keep seeing why
		}
		return c.conn.set(ctx, Transition{State: StateUnpaired, Detail: "Nenhum número vinculado: use `regua whatsapp pair`."}, "")
	}
	c.setNumber(jid.User)
	if err := c.conn.set(ctx, Transition{State: StateConnecting, Usable: true}, jid.User); err != nil {
		return err
	}
	return cl.Connect(ctx)
}

// Detach disconnects and forgets the client.
func (c *Channel) Detach() {
	c.mu.Lock()
	cl := c.client
	c.client = nil
	c.mu.Unlock()
	c.connected.Store(false)
	if cl != nil {
		cl.Disconnect()
	}
}

func (c *Channel) current() Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.client
}

func (c *Channel) setNumber(n string) {
	c.mu.Lock()
	c.number = n
	c.mu.Unlock()
}

// Number is the linked number's digits ("" before pairing is known).
func (c *Channel) Number(ctx context.Context) string {
	c.mu.Lock()
	n := c.number
	c.mu.Unlock()
	if n != "" {
		return n
	}
	st, err := c.State(ctx)
	if err != nil {
		return ""
	}
	return st.Number
}

// State reads the connection's state, cached for a second.
func (c *Channel) State(ctx context.Context) (ConnState, error) {
	c.health.Lock()
	defer c.health.Unlock()
	if !c.health.at.IsZero() && time.Since(c.health.at) < time.Second {
		return c.health.state, nil
	}
	st, err := c.conn.read(ctx)
	if err != nil {
		return st, err
	}
	c.health.state, c.health.at = st, time.Now()
	return st, nil
}

func (c *Channel) forgetState() {
	c.health.Lock()
	c.health.at = time.Time{}
	c.health.Unlock()
}

// Usable says whether WhatsApp can carry messages (a
// number is linked and not logged out, banned or replaced). A dropped
// connection is still usable: messages wait in the outbox.
func (c *Channel) Usable(ctx context.Context) (bool, string) {
	st, err := c.State(ctx)
	if err != nil {
		return false, err.Error()
	}
	if !st.Usable {
		return false, st.State
	}
	return true, st.State
}

// Ready is the channel's part of /readyz: nil when connected, else the
// state (WhatsApp down degrades Régua, it does not stop it).
func (c *Channel) Ready(ctx context.Context) error {
	st, err := c.State(ctx)
	if err != nil {
		return err
	}
	if st.State != StateConnected {
		return fmt.Errorf("whatsapp %s", st.State)
	}
	return nil
}

// Event is the handler of whatsmeow's events. It runs on the library's
// goroutine: it queues messages per chat and hands the rest off.
func (c *Channel) Event(evt any) {
	switch e := evt.(type) {
	case *events.Message:
		up := Translate(e)
		if up.Kind == Ignore {
			c.metrics.ignored.WithLabelValues(up.Reason).Inc()
			return
		}
		c.metrics.received.WithLabelValues(up.Kind.String()).Inc()
		c.disp.Push(c.workCtx, up.Peer.String(), up)
	case *events.Receipt:
		status := ReceiptStatus(e)
		if status == "" {
			return
		}
		ids, at := append([]string(nil), e.MessageIDs...), when(e.Timestamp, c.cfg.Now())
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.box.receipt(ctx, ids, status, at); err != nil {
				c.log.Warn("whatsapp: receipt", "err", err)
			}
		}()
	case *events.PairSuccess:
		go c.paired(e.ID)
	default:
		if t, ok := Interpret(evt); ok {
			c.transition(t)
		}
	}
}

// paired records a newly linked number and restarts its warm-up.
func (c *Channel) paired(jid types.JID) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.setNumber(jid.User)
	if err := c.conn.paired(ctx, jid.User, c.cfg.Now()); err != nil {
		c.log.Error("whatsapp: record pairing", "err", err)
	}
	if err := c.gov.Linked(ctx, jid.User); err != nil {
		c.log.Error("whatsapp: warm-up", "err", err)
	}
	c.forgetState()
	c.resetHold() // reopen the linked device from the store and connect
	c.log.Info("whatsapp: number linked", "number", maskNumber(jid.User))
}

// transition records a connection event: the state for /readyz and the
// other replicas and, when it is permanent, an alert for staff and the
// end of sending (queued messages fail so that they take another channel).
func (c *Channel) transition(t Transition) {
	c.connected.Store(t.State == StateConnected)
	c.metrics.transitions.WithLabelValues(t.State).Inc()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.conn.set(ctx, t, ""); err != nil {
		c.log.Error("whatsapp: record state", "err", err)
	}
	c.forgetState()
	if t.State == StateConnected {
		c.downSince.Add(1)
		c.log.Info("whatsapp: connected")
		c.wake()
		return
	}
	gen := c.downSince.Add(1)
	if !t.Permanent {
		c.log.Warn("whatsapp: connection", "state", t.State)
		if t.State == StateDisconnected {
			time.AfterFunc(c.cfg.AlertAfter, func() {
				if c.downSince.Load() != gen || c.connected.Load() {
					return // reconnected (or something else happened) since
				}
				actx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				msg := fmt.Sprintf("WhatsApp: sem conexão há %s; as mensagens aguardam na fila e saem quando a conexão voltar.", c.cfg.AlertAfter.Round(time.Second))
				if err := alert(actx, c.cfg.Pool, msg); err != nil {
					c.log.Error("whatsapp: alert", "err", err)
				}
			})
		}
		return
	}
	c.log.Error("whatsapp: the number can no longer be used", "state", t.State, "detail", t.Detail)
	if err := alert(ctx, c.cfg.Pool, "WhatsApp: "+t.Detail); err != nil {
		c.log.Error("whatsapp: alert", "err", err)
	}
	n, err := c.box.failQueued(ctx, t.State, c.cfg.Now())
	if err != nil {
		c.log.Error("whatsapp: fail queued", "err", err)
	} else if n > 0 {
		c.metrics.sends.WithLabelValues(StatusFailed).Add(float64(n))
	}
	c.resetHold() // the holder disconnects (never from inside the library's own handler)
}

// wake nudges the deliverer (something was queued, or the connection is back).
func (c *Channel) wake() {
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

// maskNumber keeps a number's country and area code and last two digits.
func maskNumber(n string) string {
	if len(n) < 8 {
		return "***"
	}
	return n[:4] + "*****" + n[len(n)-2:]
}

// SetBudgets replaces the governor's budgets (a test that runs faster than
// a person would; production uses the settings).
func (c *Channel) SetBudgets(b Budgets) {
	c.gov = NewGovernor(c.cfg.Pool, b, c.cfg.Loc, c.cfg.Now, c.cfg.Rand)
}
