// Package telegram is Régua's Telegram channel, on github.com/go-telegram/bot.
//
// It receives updates by long polling, or through the webhook at
// /webhooks/telegram when a secret is configured (checked here, in constant
// time, before the library sees the request), translates each into one call
// of the conversation service, and delivers the replies: menus as inline
// keyboards, a "share my phone" option as a request_contact button, a Pix
// code as a QR photo followed by the copia-e-cola in a monospace block.
//
// Translation both ways is pure (Translate, Render) and tested without a
// network; the I/O lives in Channel and Sender. One Sender per process
// carries every outgoing message (replies, reminders, agents' messages), so
// one pacer keeps Telegram's limits and 429s are waited out once; with a
// Redis client (Config.Redis, Sender.ShareLimits) the limits and the
// retry_after of 429s hold across every replica sending as the same bot.
// It must never drop a message because Redis is unreachable: it then paces
// the process alone.
//
// A chat is linked to a debtor only by the person's own shared contact or by
// a single-use deep link minted for that debtor; either way, verification
// comes before any disclosure. The adapter never decides what to say about a
// debt: those words are the engine's (package conversations). It must never
// import another channel's adapter.
package telegram
