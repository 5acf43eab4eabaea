package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mdp/qrterminal/v3"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/regua/regua/bot/whatsapp"
	"github.com/regua/regua/internal/postgres"
)

const whatsappUsage = `usage:
  regua whatsapp pair [--phone 55DDDNUMBER]   link a number: QR code here, or an 8-character code to type on the phone
  regua whatsapp status                       the linked number, its connection and today's sends
  regua whatsapp logout                       unlink the number`

// whatsappCommand runs `regua whatsapp pair|status|logout`.
func whatsappCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, whatsappUsage)
		return 2
	}
	switch args[0] {
	case "pair":
		return whatsappPair(ctx, args[1:], stdout, stderr)
	case "status":
		return whatsappStatus(ctx, stdout, stderr)
	case "logout":
		return whatsappLogout(ctx, stderr)
	}
	fmt.Fprintf(stderr, "regua: unknown whatsapp command %q\n%s\n", args[0], whatsappUsage)
	return 2
}

func whatsappPair(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("whatsapp pair", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phone := fs.String("phone", "", "the number to link, with country and area code (e.g. 5511999990000): pair with a code instead of a QR")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cl, pool, closeDB, ok := openWhatsApp(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	defer cl.Disconnect()
	jid, err := whatsapp.Pair(ctx, cl, *phone, func(ev whatsapp.PairEvent) {
		switch ev.Event {
		case "code":
			fmt.Fprintln(stdout, "\nOn the phone: WhatsApp › Linked devices › Link a device, and scan:")
			qrterminal.GenerateWithConfig(ev.Code, qrterminal.Config{Level: qrterminal.L, Writer: stdout,
				BlackChar: qrterminal.BLACK, WhiteChar: qrterminal.WHITE, QuietZone: 1})
			fmt.Fprintf(stdout, "(a new code comes in %s)\n", ev.Timeout.Round(time.Second))
		case "pairing_code":
			fmt.Fprintf(stdout, "\nOn the phone: WhatsApp › Linked devices › Link a device › Link with phone number instead, and type:\n\n    %s\n\n", ev.Code)
		}
	})
	if errors.Is(err, whatsapp.ErrAlreadyPaired) {
		if j, ok := cl.Paired(); ok {
			fmt.Fprintf(stderr, "regua: +%s is already linked; unlink it first with: regua whatsapp logout\n", j.User)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	if err := whatsapp.RecordPaired(ctx, pool, jid, time.Now()); err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	// Let the first sync settle before this process lets go; the service
	// (REGUA_WHATSAPP=on) then connects with the stored device.
	time.Sleep(3 * time.Second)
	fmt.Fprintf(stdout, "Linked +%s. Start (or keep running) `regua serve` with REGUA_WHATSAPP=on.\n", jid.User)
	fmt.Fprintln(stdout, "Warm-up: the number starts few conversations on its own in its first days (see README, WhatsApp).")
	return 0
}

func whatsappStatus(ctx context.Context, stdout, stderr io.Writer) int {
	store, _, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	pool := store.Pool()
	st, err := whatsapp.ReadState(ctx, pool)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	out := map[string]any{"state": st.State, "usable": st.Usable, "changed_at": st.ChangedAt.Format(time.RFC3339)}
	if st.Number != "" {
		out["number"] = "+" + st.Number
	}
	if st.Detail != "" {
		out["detail"] = st.Detail
	}
	if st.PairedAt != nil {
		out["paired_at"] = st.PairedAt.Format(time.RFC3339)
	}
	if st.Holder != "" && st.LeaseUntil.After(time.Now()) {
		out["held_by"] = st.Holder
	}
	counts, err := whatsapp.Counts(ctx, pool)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	out["messages_24h"] = counts
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintln(stdout, string(b))
	return 0
}

func whatsappLogout(ctx context.Context, stderr io.Writer) int {
	cl, pool, closeDB, ok := openWhatsApp(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	jid, ok := cl.Paired()
	if !ok {
		fmt.Fprintln(stderr, "No number is linked.")
		return 0
	}
	connected := make(chan struct{}, 1)
	cl.OnEvent(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := cl.Connect(cctx); err != nil {
		fmt.Fprintf(stderr, "regua: connect: %v\n", err)
		return 1
	}
	defer cl.Disconnect()
	select {
	case <-connected:
	case <-cctx.Done():
		fmt.Fprintln(stderr, "regua: WhatsApp did not answer in 30 s; try again (or unlink the device on the phone: Linked devices)")
		return 1
	}
	if err := cl.Logout(cctx); err != nil {
		fmt.Fprintf(stderr, "regua: logout: %v\n", err)
		return 1
	}
	if err := whatsapp.RecordUnlinked(ctx, pool, "cli"); err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "Unlinked +%s.\n", jid.User)
	return 0
}

// openWhatsApp opens the database and the whatsmeow client on its device
// store; closeDB closes the database (the caller disconnects the client).
func openWhatsApp(ctx context.Context, stderr io.Writer) (cl *whatsapp.Meow, pool *pgxpool.Pool, closeDB func(), ok bool) {
	store, _, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return nil, nil, nil, false
	}
	pool = store.Pool()
	cl, err := whatsapp.Open(ctx, postgres.WhatsmeowStore(pool), logger(io.Discard))
	if err != nil {
		closeDB()
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return nil, nil, nil, false
	}
	return cl, pool, closeDB, true
}
