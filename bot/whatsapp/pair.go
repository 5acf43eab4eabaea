package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// ErrAlreadyPaired: a number is linked already (unlink it first).
var ErrAlreadyPaired = errors.New("whatsapp: a number is already linked; unlink it first (regua whatsapp logout)")

// ErrNotHolder: this replica does not hold the connection, so it cannot
// pair or unlink through it.
var ErrNotHolder = errors.New("whatsapp: this replica does not hold the WhatsApp connection")

// ErrBadPhone: the number given for a pairing code is not one.
var ErrBadPhone = errors.New("whatsapp: the number must have country and area code, e.g. 5511999990000")

// PairTimeout bounds a pairing attempt.
const PairTimeout = 3 * time.Minute

// Pair links a number to cl, which must be unlinked and not connected.
// With phone "" it shows each QR code (show gets Event "code"); with a
// phone (digits with country code, e.g. 5511999990000) it shows the
// 8-character code to type on the phone (Event "pairing_code"). It returns
// the linked JID once WhatsApp confirms.
func Pair(ctx context.Context, cl Client, phone string, show func(PairEvent)) (types.JID, error) {
	if _, ok := cl.Paired(); ok {
		return types.JID{}, ErrAlreadyPaired
	}
	ctx, cancel := context.WithTimeout(ctx, PairTimeout)
	defer cancel()
	done := make(chan types.JID, 1)
	failed := make(chan error, 1)
	cl.OnEvent(func(evt any) {
		switch e := evt.(type) {
		case *events.PairSuccess:
			select {
			case done <- e.ID.ToNonAD():
			default:
			}
		case *events.PairError:
			select {
			case failed <- fmt.Errorf("whatsapp: pairing failed: %w", e.Error):
			default:
			}
		}
	})
	if phone == "" {
		qr, err := cl.PairQR(ctx)
		if err != nil {
			return types.JID{}, err
		}
		if err := cl.Connect(ctx); err != nil {
			return types.JID{}, fmt.Errorf("whatsapp: connect: %w", err)
		}
		for ev := range qr {
			switch ev.Event {
			case "code":
				show(ev)
			case "success":
				return waitPaired(ctx, cl, done)
			case "timeout":
				return types.JID{}, errors.New("whatsapp: pairing timed out: no QR code was scanned")
			default:
				if ev.Err != nil {
					return types.JID{}, fmt.Errorf("whatsapp: pairing: %w", ev.Err)
				}
				return types.JID{}, fmt.Errorf("whatsapp: pairing: %s", ev.Event)
			}
		}
		return waitPaired(ctx, cl, done)
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if len(digits) < 10 || len(digits) > 15 {
		return types.JID{}, fmt.Errorf("%w (got %q)", ErrBadPhone, phone)
	}
	if err := cl.Connect(ctx); err != nil {
		return types.JID{}, fmt.Errorf("whatsapp: connect: %w", err)
	}
	code, err := cl.PairPhone(ctx, digits)
	if err != nil {
		return types.JID{}, fmt.Errorf("whatsapp: pairing code: %w", err)
	}
	show(PairEvent{Event: "pairing_code", Code: code, Timeout: PairTimeout})
	select {
	case jid := <-done:
		return jid, nil
	case err := <-failed:
		return types.JID{}, err
	case <-ctx.Done():
		return types.JID{}, errors.New("whatsapp: pairing timed out: the code was not entered on the phone")
	}
}

// waitPaired waits for the linked JID after a scanned QR.
func waitPaired(ctx context.Context, cl Client, done <-chan types.JID) (types.JID, error) {
	select {
	case jid := <-done:
		return jid, nil
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
	}
	if jid, ok := cl.Paired(); ok {
		return jid, nil
	}
	return types.JID{}, errors.New("whatsapp: pairing did not complete")
}

// RecordPaired records a number linked outside a running channel (the
// command line): the connection's state, and a fresh warm-up.
func RecordPaired(ctx context.Context, pool *pgxpool.Pool, jid types.JID, now time.Time) error {
	if err := (conn{pool}).paired(ctx, jid.User, now); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, "INSERT INTO audit_log (actor, action, subject) VALUES ('cli', 'whatsapp.pair', $1)", "+"+jid.User); err != nil {
		return fmt.Errorf("whatsapp: audit: %w", err)
	}
	return NewGovernor(pool, DefaultBudgets, nil, func() time.Time { return now }, nil).Linked(ctx, jid.User)
}

// RecordUnlinked records that the number was unlinked (by actor, for the
// audit log: "cli" or an API key).
func RecordUnlinked(ctx context.Context, pool *pgxpool.Pool, actor string) error {
	if _, err := pool.Exec(ctx, "INSERT INTO audit_log (actor, action) VALUES ($1, 'whatsapp.logout')", actor); err != nil {
		return fmt.Errorf("whatsapp: audit: %w", err)
	}
	return (conn{pool}).set(ctx, Transition{State: StateUnpaired, Detail: "Número desvinculado."}, "")
}

// Pair links a number through the connection this replica holds (the
// staff console's pairing): see the package function Pair.
func (c *Channel) Pair(ctx context.Context, phone string, show func(PairEvent)) (types.JID, error) {
	if !c.Holding() {
		return types.JID{}, ErrNotHolder
	}
	cl := c.current()
	if cl == nil {
		return types.JID{}, ErrNotHolder
	}
	jid, err := Pair(ctx, cl, phone, show)
	if err != nil {
		return jid, err
	}
	// events.PairSuccess reached Event too (paired): the state is recorded
	// and the holder reopens the device and connects.
	return jid, nil
}

// Logout unlinks the number through the connection this replica holds.
func (c *Channel) Logout(ctx context.Context) error {
	if !c.Holding() {
		return ErrNotHolder
	}
	cl := c.current()
	if cl == nil {
		return ErrNotHolder
	}
	if _, ok := cl.Paired(); !ok {
		return (conn{c.cfg.Pool}).set(ctx, Transition{State: StateUnpaired, Detail: "Número desvinculado."}, "")
	}
	if err := cl.Logout(ctx); err != nil {
		return fmt.Errorf("whatsapp: logout: %w", err)
	}
	if err := (conn{c.cfg.Pool}).set(ctx, Transition{State: StateUnpaired, Detail: "Número desvinculado."}, ""); err != nil {
		return err
	}
	c.forgetState()
	c.resetHold()
	return nil
}
