// Package telegramtest is a fake Telegram Bot API server for tests: a
// loopback HTTP server that speaks the real wire format. Every call is
// POST /bot<token>/<method> with a multipart/form-data body; answers are
// {"ok":true,"result":…} or {"ok":false,"error_code":…,"description":…}
// with parameters.retry_after on a 429.
//
// It serves getMe, getUpdates (long polling with offsets), setWebhook and
// deleteWebhook (and then posts updates to the webhook with the secret
// header, as Telegram does), sendMessage, sendPhoto (an uploaded file part)
// and answerCallbackQuery. It checks what the real API checks where a
// client could get it wrong: text and caption lengths, HTML entities,
// inline buttons (exactly one action; callback_data up to 64 bytes; no
// empty copy_text), reply keyboards. A violation is answered 400, as
// Telegram would, and kept for the test to see (Violations).
//
// Tests play the people: Text, Contact, Photo, Tap (an inline button of a
// message the bot sent) and the rest push updates; Block makes the chat
// answer 403; Fail429 injects rate limiting. Every delivered message is
// recorded per chat with the instant it arrived (Messages, WaitMessages).
//
// It is independent of the client library on purpose (its own wire types),
// so that a mistake in the client is not mirrored here. It must never be
// used outside tests.
package telegramtest
