// Package console is the staff console at /console: login (argon2id,
// sessions in PostgreSQL, lockout), the inbox of conversations waiting for
// a person with claim, live transcript, reply and hand back, the debtor
// page with its actions (manual payment, cancel, write-off, unlock, pause,
// LGPD export and erase), the KPI dashboard and the admin settings. Pages
// are server-rendered html/template; live updates are server-sent events.
//
// It must never hold a conversation row across anything slow: the chat's
// hot path batches its statements behind one flusher. Conversation status
// changes go through bot.Service (in the conversation's Redis order); the
// console's own writes are single short statements. Every staff action is
// written to the append-only audit log; passwords, session tokens and API
// keys are never logged.
package console
