// Package app wires Régua together: it builds every piece from the settings,
// owns start-up (migrations, demo data) and graceful shutdown. It is the
// only package that knows every other one; cmd/regua stays a thin main over
// it, and tests start the whole service on a random port through Main.
package app
