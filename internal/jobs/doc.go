// Package jobs runs Régua's background work on River, a job queue in
// PostgreSQL: outgoing webhooks (enqueued in the same transaction as the
// payment that causes them, delivered at least once with back-off), and the
// periodic Pix reconciliation. Jobs live in the database, so a crash or a
// restart loses none, and River spreads them over replicas.
package jobs
