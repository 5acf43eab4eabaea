package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/email"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/reminders"
	"github.com/regua/regua/payments"
)

const remindersUsage = `usage: regua reminders preview [--at 2026-12-01T10:00:00-03:00] [--debtor EXTERNAL_ID]

Prints, one JSON object a line, every reminder step due at that instant
(default: now): whether it would be sent and on which channel, or why it is
held and when it may go. Changes nothing.
`

// remindersCommand runs "regua reminders …".
func remindersCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "preview" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(stdout, remindersUsage)
			return 0
		}
		fmt.Fprint(stderr, remindersUsage)
		return 2
	}
	fs := flag.NewFlagSet("regua reminders preview", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	atFlag := fs.String("at", "", "the instant, RFC 3339")
	debtor := fs.String("debtor", "", "one debtor's external id")
	if err := fs.Parse(args[1:]); err != nil {
		fmt.Fprintf(stderr, "regua reminders preview: %v\n%s", err, remindersUsage)
		return 2
	}
	at := time.Now()
	if *atFlag != "" {
		t, err := time.Parse(time.RFC3339, *atFlag)
		if err != nil {
			fmt.Fprintf(stderr, "regua reminders preview: --at: %q is not an RFC 3339 instant (e.g. 2026-12-01T10:00:00-03:00)\n", *atFlag)
			return 2
		}
		at = t
	}
	cfg, ok := settings(stderr)
	if !ok {
		return 1
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	defer pool.Close()
	ledger := payments.NewLedger(pool, nil, cfg.Location, payments.DefaultLateFeeRules, time.Now)
	// A bot service only to ask the gate (it reads); the channels that
	// serve would have are marked present, none is ever sent to.
	svc := bot.New(bot.Deps{Pool: pool, Ledger: ledger, Log: slog.New(slog.DiscardHandler)})
	d := &reminders.Dispatcher{Pool: pool, Bot: svc, Configs: reminders.NewConfigStore(pool), Ledger: ledger, Loc: cfg.Location,
		Now: time.Now, Log: slog.New(slog.DiscardHandler), Webchat: cfg.Demo}
	if cfg.WhatsApp {
		svc.RegisterSender(bot.ChannelWhatsApp, neverSender{})
	}
	if cfg.TelegramToken != "" {
		svc.RegisterSender(bot.ChannelTelegram, neverSender{})
		d.Telegram = func(ctx context.Context, id int64) (string, bool, error) { return telegram.Reachable(ctx, pool, id) }
	}
	if cfg.Regua.SMTPURL != "" {
		d.Mail = neverMailer{}
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	err = d.Preview(ctx, at, *debtor, func(l reminders.Line) error { return enc.Encode(l) })
	if err != nil {
		fmt.Fprintf(stderr, "regua reminders preview: %v\n", err)
		return 1
	}
	return 0
}

var errPreviewOnly = errors.New("preview sends nothing")

type neverSender struct{}

func (neverSender) Send(context.Context, string, bot.Reply) error { return errPreviewOnly }

type neverMailer struct{}

func (neverMailer) Deliver(context.Context, email.Message) error { return errPreviewOnly }
