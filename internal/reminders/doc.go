// Package reminders runs the régua: the versioned cadence in PostgreSQL,
// the planner that finds the (charge, step) pairs that are due and
// enqueues one send job each, the dispatcher that re-checks and sends
// through the gate with channel fallback, the attempts history, and the
// preview.
//
// The rules (cadence, legal calendar, caps, texts) are conversations/regua's
// pure functions; this package reads rows, calls them and acts. It must
// never decide what a rule says, send a message the gate has not allowed,
// or send a (charge, step) twice: the reminders table's unique (charge or
// installment, step) row is the exactly-once ledger, locked by the worker
// and updated in the transaction that completes the job.
package reminders
