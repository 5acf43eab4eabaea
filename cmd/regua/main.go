// Command regua is Régua's single binary: the service (serve) and the tools
// around it (migrate, import, pix, plans, apikey, version). See SPEC.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `regua — collections over WhatsApp and Telegram, with Pix and an exact ledger.

Usage:
  regua serve                              run the service (HTTP, channels, scheduler)
  regua migrate                            apply database migrations
  regua import debtors|charges FILE.csv    load a CSV, all or nothing
  regua pix encode --key K --name N --city C [--amount 12.34] [--txid T] [--description D]
  regua pix decode PAYLOAD                 print a BR Code's fields as JSON
  regua plans simulate --amount 1500.00 --overdue-days 40 [--json]
  regua apikey add --name N                create an API key (printed once)
  regua apikey list                        list API keys (name, prefix, created, last used, revoked)
  regua apikey revoke ID|PREFIX|NAME       revoke a key: it stops working at once
  regua user add --email E --role R        create a console user (agent, supervisor or admin; password on stdin)
  regua reminders preview [--at TIME] [--debtor ID]   what the régua would send at TIME, and why not
  regua whatsapp pair [--phone 55DDDNUMBER] link a WhatsApp number (QR code, or a pairing code)
  regua whatsapp status|logout             the linked number and its state; unlink it
  regua version                            print version and build info

Settings come from REGUA_* environment variables (and .env); see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a command line; it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serveCommand(ctx, stderr)
	case "migrate":
		return migrateCommand(ctx, stderr)
	case "import":
		return importCommand(ctx, args[1:], stdout, stderr)
	case "pix":
		return pixCommand(args[1:], stdout, stderr)
	case "plans":
		return plansMain(ctx, args[1:], stdout, stderr)
	case "apikey":
		return apikeyCommand(ctx, args[1:], stdout, stderr)
	case "user":
		return userCommand(ctx, args[1:], stdin, stdout, stderr)
	case "reminders":
		return remindersCommand(ctx, args[1:], stdout, stderr)
	case "whatsapp":
		return whatsappCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		return versionCommand(stdout)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "regua: unknown command %q\n\n%s", args[0], usage)
	return 2
}
