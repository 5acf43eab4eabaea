// Package regua is the reminder cadence ("régua de cobrança") and the legal
// calendar as pure functions: which step of a charge is due, when it may be
// sent in the debtor's local time (Brazilian national and state holidays,
// the state contact-hour laws, daily and weekly caps), or why it is held,
// and what it says (validated pt-BR templates).
//
// Rows in, decisions with reasons out: the planner and dispatcher jobs
// (internal/reminders) read PostgreSQL, call these functions and act on the
// answers. This package must never do I/O: no database, no network, no
// clock of its own (every function takes the instant it decides for), no
// randomness (the morning spread is a hash of the charge id).
package regua
