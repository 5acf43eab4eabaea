// Package apipix talks to a payment provider (PSP) that implements the
// Banco Central's "API Pix": it creates immediate charges (cob) and charges
// with a due date (cobv), lists received Pix for reconciliation, and parses
// and authenticates the provider's payment webhooks.
//
// A Client authenticates with OAuth2 client credentials over mutual TLS, as
// the API Pix requires, caches its access token and fetches a new one once
// when the provider answers 401. Provider errors (problem+json) come back as
// *Error; input the client can check itself (txid, amounts, keys, documents)
// is refused before anything is sent, as a *payments.Error with code invalid.
//
// Amounts are payments.Cents end to end and rates are basis points; the
// package formats them as the API's decimal strings ("12.34", "2.00") and
// never uses a float. It holds no state beyond the token cache: it must
// never store charges or payments, log secrets or documents, or decide what
// a payment means for the ledger; callers do that.
package apipix
