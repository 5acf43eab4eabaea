package whatsapp

import (
	"context"
	"fmt"
	"time"

	"github.com/regua/regua/bot"
)

// sender is the channel's bot.Sender: every message Régua sends on
// WhatsApp (replies handed over by the service, payment confirmations,
// agents' messages, reminders) is queued in the outbox and delivered by the
// replica holding the connection, through the governor.
type sender struct{ c *Channel }

var (
	_ bot.Sender  = sender{}
	_ bot.Healthy = sender{}
)

// Healthy implements bot.Healthy: whether the number can carry messages
// (see Channel.Usable); the régua skips WhatsApp when it cannot.
func (s sender) Healthy() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, _ := s.c.Usable(ctx)
	return ok
}

// Send queues a reply for chat. A message the business starts
// (bot.StartedByBusiness) is first admitted by the governor's day budgets
// (else an error wrapping bot.ErrThrottled) and worded in the rotation of
// its phrasings. When the number cannot be used (not linked, logged out,
// banned, replaced) nothing is queued and the error wraps
// bot.ErrUnreachable, so the caller takes another channel.
func (s sender) Send(ctx context.Context, chat string, r bot.Reply) error {
	c := s.c
	if _, ok := JIDForChat(chat); !ok {
		return fmt.Errorf("whatsapp: %q is not a WhatsApp chat", chat)
	}
	if ok, why := c.Usable(ctx); !ok {
		c.metrics.sends.WithLabelValues("unreachable").Inc()
		return fmt.Errorf("%w: whatsapp %s", bot.ErrUnreachable, why)
	}
	priority := PriorityReply
	if bot.StartedByBusiness(ctx) {
		priority = PriorityStarted
		wrote, err := c.wrote(ctx, chat)
		if err != nil {
			return err
		}
		turn, err := c.gov.Admit(ctx, c.Number(ctx), !wrote)
		if err != nil {
			c.metrics.sends.WithLabelValues("throttled").Inc()
			return err
		}
		r = Vary(r, turn)
	}
	return c.queue(ctx, chat, priority, r)
}

// queue renders a reply and queues its messages.
func (c *Channel) queue(ctx context.Context, chat string, priority int, r bot.Reply) error {
	outs, err := Render(r)
	if err != nil || len(outs) == 0 {
		return err
	}
	if _, err := c.box.enqueue(ctx, chat, priority, outs, c.cfg.Now()); err != nil {
		return err
	}
	c.metrics.sends.WithLabelValues(StatusQueued).Add(float64(len(outs)))
	c.wake()
	return nil
}

// wrote reports whether the person behind chat ever wrote to the number.
func (c *Channel) wrote(ctx context.Context, chat string) (bool, error) {
	var ok bool
	err := c.cfg.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.channel = 'whatsapp' AND c.chat = $1 AND m.direction = 'in')`, chat).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("whatsapp: wrote: %w", err)
	}
	return ok, nil
}
