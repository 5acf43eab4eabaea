// Package httpapi serves Régua's HTTP surface that is not a channel or the
// console: the /api/v1 JSON API (bearer API keys, Idempotency-Key on POST),
// /healthz, /readyz and /metrics, and the plumbing every handler shares
// (JSON errors per SPEC, request logs with masked personal data, panics
// turned into 500s without a stack trace to the client).
//
// It translates HTTP to calls on payments and back; it holds no business rule.
package httpapi
