// Package apipixtest is a fake payment provider speaking the Banco
// Central's "API Pix" for tests: a loopback HTTPS server with its own CA
// that demands a client certificate, issues OAuth2 client-credentials
// tokens, accepts cob and cobv charges with the validation a real provider
// applies, and lists received Pix with paging.
//
// Tests drive it directly: Pay records a received Pix, Charges and Payments
// show what it holds, Requests what it was asked, FailNext and
// ExpireTokens inject the faults a real provider produces.
//
// It is independent of package apipix on purpose (its own wire types, its
// own BR Code), so that a mistake in the client is not mirrored here. It
// must never be used outside tests.
package apipixtest
