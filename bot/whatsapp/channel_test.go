package whatsapp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/regua/regua/bot"
)

// TestConnectionLoss: while disconnected nothing is sent and messages wait
// in the outbox; back online they leave. A temporary ban stops WhatsApp:
// queued messages fail (to take another channel), staff get an alert, and
// senders are told the channel is unreachable.
func TestConnectionLoss(t *testing.T) {
	ch, fc, clk := setupChannel(t, nil, testBudgets, time.Date(2026, 12, 4, 10, 0, 0, 0, saoPaulo))
	ctx := context.Background()
	if err := ch.Ready(ctx); err != nil {
		t.Fatalf("connected but not ready: %v", err)
	}
	alerts := func() (n int) {
		ch.cfg.Pool.QueryRow(ctx, "SELECT count(*) FROM staff_alerts WHERE kind = 'whatsapp'").Scan(&n)
		return n
	}
	// A blip: reconnected before staff need to hear.
	ch.cfg.AlertAfter = 100 * time.Millisecond
	fc.emit(&events.Disconnected{})
	fc.emit(&events.Connected{})
	time.Sleep(250 * time.Millisecond)
	if n := alerts(); n != 0 {
		t.Fatalf("%d alerts for a blip", n)
	}
	fc.emit(&events.Disconnected{})
	time.Sleep(250 * time.Millisecond)
	if n := alerts(); n != 1 {
		t.Fatalf("%d alerts for a connection down longer than AlertAfter", n)
	}
	ch.forgetState()
	if ok, state := ch.Usable(ctx); !ok || state != StateDisconnected {
		t.Fatalf("disconnected: usable %v %s", ok, state)
	}
	if err := ch.Ready(ctx); err == nil {
		t.Fatal("ready while disconnected")
	}
	if err := ch.Sender().Send(ctx, "+5511999000001", bot.Reply{Text: "saldo"}); err != nil {
		t.Fatalf("queuing while disconnected: %v", err)
	}
	if wait, err := ch.DeliverOnce(ctx); err != nil || wait != idle || len(fc.all()) != 0 {
		t.Fatalf("sent while disconnected: %v %v %d", wait, err, len(fc.all()))
	}
	fc.emit(&events.Connected{})
	if _, err := ch.DeliverOnce(ctx); err != nil || len(fc.all()) != 1 {
		t.Fatalf("after reconnecting: %v, %d sent", err, len(fc.all()))
	}

	// Queued, then banned.
	clk.Advance(time.Minute)
	for _, chat := range []string{"+5511999000002", "+5511999000003"} {
		if err := ch.Sender().Send(ctx, chat, bot.Reply{Text: "oi"}); err != nil {
			t.Fatal(err)
		}
	}
	fc.emit(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 24 * time.Hour})
	ch.forgetState()
	if ok, state := ch.Usable(ctx); ok || state != StateBanned {
		t.Fatalf("banned: usable %v %s", ok, state)
	}
	log, _ := Log(ctx, ch.cfg.Pool, "")
	failed := 0
	for _, s := range log {
		if s.Status == StatusFailed && s.Reason == StateBanned {
			failed++
		}
	}
	if failed != 2 {
		t.Fatalf("%d queued messages failed on the ban: %+v", failed, log)
	}
	var alert string
	ch.cfg.Pool.QueryRow(ctx, "SELECT message FROM staff_alerts WHERE kind = 'whatsapp' ORDER BY id DESC LIMIT 1").Scan(&alert)
	if !strings.Contains(alert, "baniu") {
		t.Fatalf("no alert for staff about the ban: %q", alert)
	}
	err := ch.Sender().Send(bot.WithStartedByBusiness(ctx), "+5511999000004", bot.Reply{Text: "lembrete"})
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("send while banned: %v", err)
	}
}
