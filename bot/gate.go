package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/payments"
)

// ChannelEmail is the régua's outbound-only email channel. It has no
// conversations; its "chat" is the address.
const ChannelEmail = "email"

// Hold says why a message the business starts may not go now. The empty
// Hold means it may. The names are the régua's reasons (SPEC: `regua
// reminders preview`).
type Hold string

// Holds, in the order the gate checks them.
const (
	HoldNone        Hold = ""
	HoldWrongNumber Hold = "wrong_number" // the person on this number said it is not the debtor
	HoldOptedOut    Hold = "opted_out"    // SAIR on this channel (or an email unsubscribe)
	HoldDispute     Hold = "dispute"      // the debtor disputes an open charge
	HoldWithAgent   Hold = "with_agent"   // a conversation of the debtor waits for or is held by a person
	HoldPaused      Hold = "paused"       // staff paused the régua for this debtor
)

// ErrHeld is returned (wrapped) by Start when the gate holds a message.
var ErrHeld = errors.New("bot: message held")

// GateFacts are what the gate decides on, read in one statement right
// before a send.
type GateFacts struct {
	OptOutWhatsApp, OptOutTelegram, OptOutEmail bool
	WrongNumber                                 bool // the debtor's number was said to be wrong
	ChatWrongNumber                             bool // this chat said "não sou eu", or speaks for someone else (a relative)
	Disputed                                    bool // an open charge is disputed
	WithAgent                                   bool // a conversation of the debtor (or this chat) is a person's
	Paused                                      bool
}

// Decide is the gate's rule: whether a message the business starts may go
// on channel given f. It is pure; Gate reads f.
func Decide(channel string, f GateFacts) Hold {
	phone := channel == ChannelWhatsApp || channel == ChannelWebchat || channel == ChannelTelegram
	switch {
	case f.ChatWrongNumber, phone && f.WrongNumber:
		return HoldWrongNumber
	case optedOutOn(channel, f):
		return HoldOptedOut
	case f.Disputed:
		return HoldDispute
	case f.WithAgent:
		return HoldWithAgent
	case f.Paused:
		return HoldPaused
	}
	return HoldNone
}

func optedOutOn(channel string, f GateFacts) bool {
	switch channel {
	case ChannelTelegram:
		return f.OptOutTelegram
	case ChannelEmail:
		return f.OptOutEmail
	default: // WhatsApp and the web chat (which stands in for it) share the phone's opt-out
		return f.OptOutWhatsApp
	}
}

// gateSQL reads the gate's facts for a debtor ($1; 0: whoever the chat is
// linked to) and a chat ($2, $3).
const gateSQL = `
	WITH c AS (SELECT id, debtor_id, status, wrong_number_at, third_party_at FROM conversations WHERE channel = $2 AND chat = $3),
	d AS (SELECT * FROM debtors WHERE id = coalesce(nullif($1::bigint, 0), (SELECT debtor_id FROM c)))
	SELECT coalesce((SELECT opt_out_whatsapp FROM d), false), coalesce((SELECT opt_out_telegram FROM d), false),
	       coalesce((SELECT opt_out_email FROM d), false), coalesce((SELECT wrong_number FROM d), false),
	       coalesce((SELECT wrong_number_at IS NOT NULL OR third_party_at IS NOT NULL FROM c), false),
	       EXISTS (SELECT 1 FROM charges ch, d WHERE ch.debtor_id = d.id AND ch.status IN ('open', 'in_plan') AND ch.disputed_at IS NOT NULL),
	       EXISTS (SELECT 1 FROM conversations x, d WHERE x.debtor_id = d.id AND x.status IN ('waiting_agent', 'with_agent'))
	           OR coalesce((SELECT status IN ('waiting_agent', 'with_agent') FROM c), false),
	       coalesce((SELECT regua_paused_at IS NOT NULL FROM d), false)`

// Gate says whether a message the business starts (a reminder, a promise
// follow-up) may go now to chat on channel about debtorID (0: the debtor
// the chat is linked to). It is the one place that decides: every such
// message passes it right before it is sent. Replies to a person, payment
// confirmations and agents' messages do not.
func (s *Service) Gate(ctx context.Context, q Querier, channel, chat string, debtorID int64) (Hold, error) {
	if q == nil {
		q = s.Pool
	}
	return gateScan(q.QueryRow(ctx, gateSQL, debtorID, channel, chat), channel)
}

func gateScan(row pgx.Row, channel string) (Hold, error) {
	var f GateFacts
	err := row.Scan(&f.OptOutWhatsApp, &f.OptOutTelegram, &f.OptOutEmail,
		&f.WrongNumber, &f.ChatWrongNumber, &f.Disputed, &f.WithAgent, &f.Paused)
	if err != nil {
		return HoldNone, fmt.Errorf("bot: gate: %w", err)
	}
	return Decide(channel, f), nil
}

// QueueGate is Gate for a caller that batches its statements: it queues
// the gate's read on b (sent in the caller's transaction, after the
// caller's own locks) and sets *hold when the batch's results are read
// (pgx.BatchResults.Close).
func QueueGate(b *pgx.Batch, channel, chat string, debtorID int64, hold *Hold) {
	b.Queue(gateSQL, debtorID, channel, chat).QueryRow(func(row pgx.Row) error {
		h, err := gateScan(row, channel)
		*hold = h
		return err
	})
}

// Querier runs a statement on a pool or in a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Start sends a message the business starts through the gate: in the
// conversation's order (after any turn of that chat in progress, so an
// opt-out that arrived first is seen), it asks the gate and, unless held,
// sends, stores and announces the message as Send does. A held message is
// not sent and the error wraps ErrHeld; Hold says why.
func (s *Service) Start(ctx context.Context, channel, chat string, debtorID int64, r Reply) (Hold, error) {
	if channel == "" || chat == "" {
		return HoldNone, payments.Invalid("chat", "channel and chat are required")
	}
	var hold Hold
	ctx = WithStartedByBusiness(ctx)
	err := s.serial.Do(ctx, channel, chat, func(ctx context.Context) error {
		var err error
		if hold, err = s.Gate(ctx, nil, channel, chat, debtorID); err != nil {
			return err
		}
		if hold != HoldNone {
			return fmt.Errorf("%w: %s", ErrHeld, hold)
		}
		return s.send(ctx, channel, chat, r, "bot")
	})
	return hold, err
}
