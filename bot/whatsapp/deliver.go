package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery tries a message at most this often before it fails; each
// failed try waits longer (2 s, 4 s, 8 s, ...).
const maxAttempts = 6

// idle is how long the deliverer sleeps when nothing is queued (a queue
// on another replica does not nudge this one).
const idle = time.Second

// Deliver sends the outbox until ctx is done (on the replica holding the
// connection).
func (c *Channel) Deliver(ctx context.Context) {
	for ctx.Err() == nil {
		wait, err := c.DeliverOnce(ctx)
		if err != nil && ctx.Err() == nil {
			c.log.Warn("whatsapp: deliver", "err", err)
			wait = idle
		}
		if wait <= 0 {
			continue
		}
		// Never longer than idle: a reply queued by another replica does
		// not nudge this one, and must not wait behind a reminder held
		// until midnight.
		t := time.NewTimer(min(wait, idle))
		select {
		case <-ctx.Done():
		case <-c.nudge:
		case <-t.C:
		}
		t.Stop()
	}
}

// ErrNotConnected is a send tried while the connection is down.
var ErrNotConnected = errors.New("whatsapp: not connected")

// DeliverOnce sends the next queued message if the governor lets it go
// now, and says how long to wait before the next call (0: call again at
// once). Replies go before messages the business starts; within each, in
// the order queued.
func (c *Channel) DeliverOnce(ctx context.Context) (time.Duration, error) {
	cl := c.current()
	if cl == nil || !c.connected.Load() {
		return idle, nil
	}
	q, err := c.box.next(ctx)
	if err != nil || q == nil {
		return idle, err
	}
	now := c.cfg.Now()
	if now.After(q.NotAfter) {
		c.metrics.sends.WithLabelValues(StatusFailed).Inc()
		return 0, c.box.failed(ctx, q.ID, "expired", now)
	}
	to, ok := JIDForChat(q.Chat)
	if !ok {
		c.metrics.sends.WithLabelValues(StatusFailed).Inc()
		return 0, c.box.failed(ctx, q.ID, "not a WhatsApp chat", now)
	}
	number := c.Number(ctx)
	if number == "" {
		return idle, nil
	}
	wait, err := c.gov.Acquire(ctx, number, q.Priority == PriorityReply)
	if err != nil || wait > 0 {
		return wait, err
	}
	if q.Out.Image() {
		err = cl.SendImage(ctx, to, q.WAID, q.Out.PNG, q.Out.Text)
	} else {
		err = cl.SendText(ctx, to, q.WAID, q.Out.Text)
	}
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		reason := err.Error()
		if q.Attempts+1 >= maxAttempts {
			c.metrics.sends.WithLabelValues(StatusFailed).Inc()
			return 0, c.box.failed(ctx, q.ID, reason, c.cfg.Now())
		}
		if aerr := c.box.attempted(ctx, q.ID, reason); aerr != nil {
			return idle, aerr
		}
		// The same id next time: if this try did reach WhatsApp, the
		// person's phone shows the message once.
		return time.Duration(1<<(q.Attempts+1)) * time.Second, fmt.Errorf("whatsapp: send (attempt %d): %w", q.Attempts+1, err)
	}
	c.metrics.sends.WithLabelValues(StatusSent).Inc()
	// Recorded even when ctx ends now (a shutdown): only a crash between
	// the send and this line sends the message again, under the same id.
	return 0, c.box.sent(context.WithoutCancel(ctx), q.ID, c.cfg.Now())
}
