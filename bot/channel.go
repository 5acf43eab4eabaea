package bot

import (
	"context"
	"errors"
)

// ErrUnreachable is wrapped by a channel's delivery error when the person
// cannot be reached there at all (Telegram 403, an SMTP 5xx, WhatsApp
// logged out or banned): the message was not sent, and the régua moves to
// the next channel instead of retrying. Any other delivery error is
// temporary.
var ErrUnreachable = errors.New("bot: unreachable on this channel")

// ErrThrottled is wrapped by a channel's Sender when its send budget for
// messages the business starts is spent for now (WhatsApp's governor): the
// message was not sent; it is a temporary failure (try later, or another
// channel). Permanent ones wrap ErrUnreachable.
var ErrThrottled = errors.New("bot: channel throttled")

type startedKey struct{}

// StartedByBusiness reports whether ctx carries a message the business
// starts on its own (Start: reminders, follow-ups), as opposed to a reply
// to a person or a message a person at the business wrote. Senders pace
// and word the two differently.
func StartedByBusiness(ctx context.Context) bool {
	v, _ := ctx.Value(startedKey{}).(bool)
	return v
}

// WithStartedByBusiness marks ctx as carrying a message the business
// starts (Start does it; a test or a job may too).
func WithStartedByBusiness(ctx context.Context) context.Context {
	return context.WithValue(ctx, startedKey{}, true)
}
