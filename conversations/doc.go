// Package conversations is Régua's conversation domain: what a debtor's chat
// message means (the pt-BR Recognizer) and what the bot does about it (the
// Engine).
//
// The engine is a pure step:
//
//	session', actions = Engine.Step(session, event, facts, now)
//
// The service around it de-duplicates the inbound message, takes the
// conversation's lock, loads the Session (Redis) and the Facts (debtor,
// open charges with today's amounts, the policy's offers), calls Step,
// stores the new Session and performs the Actions in order: ledger writes,
// Pix codes, plans, handoffs and preferences, and the replies between them.
// types.go is that contract.
//
// The business rules live here: identity before disclosure (nothing about a
// debt, not even the debtor's name, before the person answers the first
// three characters of the CPF/CNPJ; three wrong answers lock the session
// and alert staff), numbered menus that mean what the debtor last saw, the
// balance, Pix, installment, promise, receipt, dispute, wrong-person,
// opt-out and handoff flows, and a helpful answer to anything, never
// silence, while the bot holds the conversation. Someone who says they are
// not the debtor ("sou a mãe dela") is told nothing, even after typing the
// right digits; the first request made before verification is answered
// right after it; questions (who is collecting, is this a scam, due dates,
// interest, credit bureaus, ways to pay, hours), anger, complaints and
// hardship get calm, true answers and a person. All user-facing text is in
// texts.go.
//
// The recogniser (intent.go, understand.go, dates.go) reads informal pt-BR
// as debtors write it; testdata/corpus.txt scores it per intent.
//
// This package must never do I/O: no network, no Redis, no database, no
// files, no clock (now is an argument), no randomness, no logging, and no
// package-level mutable state. It imports only the standard library,
// golang.org/x/text and the payments domain types. That is what makes the
// golden transcripts in testdata/transcripts exact and cheap to run.
package conversations
