package bot

import (
	"context"
	"errors"
)

// Errors a channel's Sender returns (wrapped) so that callers can choose
// another channel.
var (
	// ErrUnreachable: the channel cannot deliver now or for the foreseeable
	// future (the WhatsApp number was logged out or banned, the person
	// blocked the bot). The message was not sent: use another channel.
	ErrUnreachable = errors.New("bot: channel unreachable")
	// ErrThrottled: the channel's send budget for messages the business
	// starts is spent for now (WhatsApp's governor). The message was not
	// sent: try later or use another channel.
	ErrThrottled = errors.New("bot: channel throttled")
)

// Health says whether a channel can deliver; channels that may become
// unusable (WhatsApp) implement it, and the régua skips an unusable one.
type Health interface {
	Usable(ctx context.Context) (ok bool, reason string)
}

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
