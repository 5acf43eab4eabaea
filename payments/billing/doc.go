// Package billing issues Pix codes for what debtors owe and turns received
// Pix into ledger payments. It sits between the ledger (payments), the BR
// Code (payments/pix) and the payment provider (payments/pix/apipix), so that
// a channel, the webhook handler and the reconciliation job all issue and
// receive money the same way.
//
// It must never drop a payment: a Pix that matches no code goes to the
// suspense account with a staff alert, an overpayment becomes the debtor's
// credit with a staff alert. It must never import a channel or the
// conversation layer; what should follow a payment (a chat confirmation,
// outgoing webhooks) is handed to a PaymentHook inside the payment's
// database transaction.
package billing
