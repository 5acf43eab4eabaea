// Package payments is Régua's money domain: amounts in centavos, debtors and
// charges, the double-entry ledger, late charges, the negotiation policy and
// installment plans.
//
// It owns its PostgreSQL code (the Ledger and Store types are built from a
// pgx pool) but must never import a messaging channel, the conversation
// layer, net/http or anything under internal/. Amounts are always integer
// centavos (Cents); there is no float anywhere on a money path.
package payments
