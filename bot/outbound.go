package bot

import "errors"

// ErrUnreachable is wrapped by a channel's delivery error when the person
// cannot be reached there at all (Telegram 403, an SMTP 5xx, WhatsApp
// logged out): the régua moves to the next channel instead of retrying.
// Any other delivery error is temporary.
var ErrUnreachable = errors.New("unreachable on this channel")
