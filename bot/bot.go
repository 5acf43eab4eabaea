package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/internal/redisstore"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
)

// Channel names.
const (
	ChannelWhatsApp = "whatsapp"
	ChannelTelegram = "telegram"
	ChannelWebchat  = "webchat"
)

// Inbound is one message from a person, translated by an adapter.
type Inbound struct {
	Channel string
	Chat    string // E.164 phone (whatsapp, webchat) or the Telegram chat id
	conversations.Event
	MediaRef string // the channel's reference to an image or document (for receipts)
}

// Reply is one message to a person.
type Reply struct {
	Text    string                 `json:"text"`
	Options []conversations.Option `json:"options,omitempty"`
	Pix     *Pix                   `json:"pix,omitempty"`
	// Variants are equivalent phrasings of Text for a message the business
	// starts; a channel that must not repeat itself (WhatsApp) rotates
	// them. Not stored.
	Variants []string `json:"-"`
}

// Pix is a Pix code attached to a reply.
type Pix struct {
	Payload  string         `json:"payload"`
	QRPNGURL string         `json:"qr_png_url"`
	Amount   payments.Cents `json:"amount"`
}

// Sender delivers replies on one channel.
type Sender interface {
	Send(ctx context.Context, chat string, r Reply) error
}

// Engine is the pure conversation step.
type Engine interface {
	Step(s conversations.Session, ev conversations.Event, f conversations.Facts, now time.Time) (conversations.Session, []conversations.Action)
}

// Plans reads what a debtor may see and accepts installment offers.
type Plans interface {
	// View reads, in one round trip, the debtor's open charges with today's
	// amounts, credit, the next installment of each active plan and the
	// offers.
	View(ctx context.Context, debtorID int64, now time.Time) (*payments.DebtorView, error)
	// Accept turns an offer into a plan and returns its first installment's
	// Pix code (issued for channel and chat).
	Accept(ctx context.Context, debtorID int64, offerID, channel, chat string) (*billing.Code, error)
}

// Scheduler schedules the follow-up of a promise to pay, in the
// transaction that records the promise.
type Scheduler interface {
	SchedulePromiseFollowUpTx(ctx context.Context, tx pgx.Tx, promiseID int64, date time.Time, loc *time.Location) error
}

// Deps are the Service's dependencies.
type Deps struct {
	Pool      *pgxpool.Pool
	Rows      RowQuerier // the hot path's statements (a postgres.Group); nil: Pool
	Redis     *redisstore.Store
	Store     *payments.Store
	Ledger    *payments.Ledger
	Billing   *billing.Service
	Engine    Engine
	Plans     Plans     // nil: no installment offers
	Scheduler Scheduler // nil: promises are recorded without a follow-up
	Log       *slog.Logger
	Business  string // REGUA_BUSINESS_NAME
	// BusinessDocument is REGUA_BUSINESS_DOCUMENT (the CNPJ), told to
	// whoever asks who is collecting.
	BusinessDocument string
	// Chat is what the bot says when asked about hours, other ways to pay
	// and credit bureaus (REGUA_SUPPORT_HOURS, REGUA_OTHER_PAY_METHODS,
	// REGUA_CREDIT_BUREAU_DAYS).
	Chat      ChatInfo
	PublicURL string // REGUA_PUBLIC_URL, for QR image links
}

// RowQuerier runs a single-row statement: a pool, or a postgres.Group that
// sends concurrent turns' statements to PostgreSQL together.
type RowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Service runs conversational turns.
type Service struct {
	Deps
	serial *redisstore.Serial

	mu      sync.RWMutex
	senders map[string]Sender
}

// New builds the Service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Rows == nil {
		d.Rows = d.Pool
	}
	return &Service{Deps: d, serial: d.Redis.Serial(30 * time.Second), senders: map[string]Sender{}}
}

// RegisterSender sets the Sender of a channel (for messages Régua starts:
// payment confirmations, follow-ups, agents' replies).
func (s *Service) RegisterSender(channel string, snd Sender) {
	s.mu.Lock()
	s.senders[channel] = snd
	s.mu.Unlock()
}

// ErrDuplicate is returned by Handle for a message already handled, with
// the replies stored for its first delivery.
var ErrDuplicate = errors.New("bot: duplicate message")

// Handle runs one turn and returns the replies to send, in order. Messages
// of one conversation are handled one at a time in arrival order, each once.
// A message id seen before runs nothing: Handle returns the replies stored
// for the first delivery (waiting briefly while that turn is still running)
// with ErrDuplicate, so a client that lost the answer and retries gets it.
func (s *Service) Handle(ctx context.Context, in Inbound) ([]Reply, error) {
	replies, err := s.handle(ctx, in)
	if errors.Is(err, ErrDuplicate) && in.MessageID != "" {
		stored, ferr := s.repliesTo(ctx, in.Channel, in.Chat, in.MessageID)
		if ferr != nil {
			s.Log.Warn("replies of a duplicate", "channel", in.Channel, "err", ferr)
		}
		return stored, ErrDuplicate
	}
	return replies, err
}

// repliesTo reads the bot's replies to the inbound message id, waiting up
// to a few seconds for a turn of it still in progress to store them.
func (s *Service) repliesTo(ctx context.Context, channel, chat, messageID string) ([]Reply, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var found bool
		var texts []string
		var payloads [][]byte
		err := s.Pool.QueryRow(ctx, `
			WITH m AS (
				SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
				WHERE c.channel = $1 AND c.chat = $2 AND m.channel_message_id = $3 AND m.direction = 'in')
			SELECT EXISTS (SELECT 1 FROM m),
			       coalesce((SELECT array_agg(o.text ORDER BY o.id) FROM messages o WHERE o.reply_to = (SELECT id FROM m)), '{}'),
			       coalesce((SELECT array_agg(o.payload ORDER BY o.id) FROM messages o WHERE o.reply_to = (SELECT id FROM m)), '{}')`,
			channel, chat, messageID).Scan(&found, &texts, &payloads)
		if err != nil {
			return nil, fmt.Errorf("bot: replies to %s: %w", messageID, err)
		}
		if found {
			out := make([]Reply, len(texts))
			for i := range texts {
				out[i].Text = texts[i]
				var p struct {
					Options []conversations.Option `json:"options"`
					Pix     *Pix                   `json:"pix"`
				}
				json.Unmarshal(payloads[i], &p)
				out[i].Options, out[i].Pix = p.Options, p.Pix
			}
			return out, nil
		}
		if time.Now().After(deadline) {
			return []Reply{}, nil
		}
		select {
		case <-ctx.Done():
			return []Reply{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Service) handle(ctx context.Context, in Inbound) ([]Reply, error) {
	if in.Channel == "" || in.Chat == "" {
		return nil, payments.Invalid("chat", "channel and chat are required")
	}
	if in.At.IsZero() {
		in.At = s.Ledger.Now()
	}
	var replies []Reply
	var sess conversations.Session
	dup, err := s.serial.Turn(ctx, in.Channel, in.Chat, in.MessageID, &sess, func(ctx context.Context, found bool) (any, [][]byte, error) {
		if !found {
			sess = conversations.Session{Channel: in.Channel, Chat: in.Chat}
		}
		var next conversations.Session
		var msgs []storedMessage
		var err error
		replies, next, msgs, err = s.turn(ctx, in, sess)
		if err != nil {
			return nil, nil, err
		}
		return next, eventPayloads(msgs), nil
	})
	if dup {
		return nil, ErrDuplicate
	}
	return replies, err
}

// conv is a conversation's row.
type conv struct {
	ID          int64
	Channel     string
	Chat        string
	DebtorID    int64
	Status      string
	HadMessages bool
	Locked      bool // verification locked (kept in PostgreSQL)
	WrongNumber bool // the chat said "não sou eu": linked to nobody
	ThirdParty  bool // someone not the debtor spoke on this chat: it never verifies
	// Wrong answers to the identity question within failureWindow: on this
	// chat, and about Debtor on any chat.
	ChatFailures, DebtorFailures int
	Debtor                       *payments.Debtor // the debtor the turn is about (ID, name, document, flags), if any
}

func (s *Service) conversation(ctx context.Context, channel, chat string) (*conv, error) {
	return s.conversationFor(ctx, channel, chat, 0, "")
}

// conversationSQL loads a conversation and the debtor its turn is about:
// the session's ($3), else the conversation's link, else the first debtor
// with the chat's phone ($4). It runs on every message, so each branch must
// stay on an index (see TestConversationQueryUsesIndexes).
//
// It also counts the wrong answers to the identity question given on this
// chat, and about this debtor on any chat, within the window: they live
// here, not in the Redis session, so that losing a session gives no fresh
// guesses. A chat that said "não sou eu" is never linked by its phone again;
// one where a third party spoke stays theirs (third_party_at).
const conversationSQL = `
	SELECT c.id, c.debtor_id, c.status, c.last_message_at, c.verify_locked_at IS NOT NULL, c.wrong_number_at IS NOT NULL,
	       c.third_party_at IS NOT NULL,
	       (SELECT count(*) FROM verification_failures v WHERE v.conversation_id = c.id AND v.cleared_at IS NULL AND v.at > $5),
	       (SELECT count(*) FROM verification_failures v WHERE v.debtor_id = d.id AND v.cleared_at IS NULL AND v.at > $5),
	       d.id, d.name, d.document, d.opt_out_whatsapp, d.opt_out_telegram, d.wrong_number
	FROM conversations c
	LEFT JOIN LATERAL (
		SELECT * FROM debtors WHERE id = coalesce(nullif($3, 0), c.debtor_id)
		UNION ALL
		-- OFFSET 0 keeps the phone lookup on the phones index: without
		-- it the planner may walk debtors in id order for the LIMIT.
		(SELECT * FROM (SELECT * FROM debtors WHERE $3 = 0 AND c.debtor_id IS NULL AND c.wrong_number_at IS NULL AND $4 <> '' AND phones @> ARRAY[$4]::text[] OFFSET 0) p
		 ORDER BY id LIMIT 1)
		LIMIT 1
	) d ON true
	WHERE c.channel = $1 AND c.chat = $2`

// Verification failures are counted over this window; a chat locks at
// conversations.MaxVerifyFailures, and a debtor at maxDebtorFailures wrong
// answers about them across all chats (someone trying several numbers).
const (
	failureWindow     = 30 * 24 * time.Hour
	maxDebtorFailures = 5
)

// conversationFor finds (or creates) the conversation and, in the same
// round trip, the debtor the turn is about: the session's, else the
// conversation's link, else the one whose phone is phone ("" for none).
func (s *Service) conversationFor(ctx context.Context, channel, chat string, sessDebtor int64, phone string) (*conv, error) {
	for attempt := 0; attempt < 2; attempt++ {
		c := conv{Channel: channel, Chat: chat}
		var last *time.Time
		var debtor *int64
		var d payments.Debtor
		var did *int64
		var name, doc *string
		var optW, optT, wrong *bool
		err := s.Rows.QueryRow(ctx, conversationSQL,
			channel, chat, sessDebtor, phone, s.Ledger.Now().Add(-failureWindow)).Scan(&c.ID, &debtor, &c.Status, &last, &c.Locked, &c.WrongNumber, &c.ThirdParty,
			&c.ChatFailures, &c.DebtorFailures, &did, &name, &doc, &optW, &optT, &wrong)
		if errors.Is(err, pgx.ErrNoRows) && attempt == 0 {
			if _, err := s.Pool.Exec(ctx, "INSERT INTO conversations (channel, chat) VALUES ($1, $2) ON CONFLICT DO NOTHING", channel, chat); err != nil {
				return nil, fmt.Errorf("bot: conversation: %w", err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bot: conversation: %w", err)
		}
		if debtor != nil {
			c.DebtorID = *debtor
		}
		if did != nil {
			d.ID, d.Name, d.Document, d.OptOutWhatsApp, d.OptOutTelegram, d.WrongNumber = *did, *name, *doc, *optW, *optT, *wrong
			c.Debtor = &d
		}
		c.HadMessages = last != nil
		return &c, nil
	}
	return nil, fmt.Errorf("bot: a %s conversation vanished while being created", channel)
}

// inboundRow is the message a turn answers, stored with the turn's replies.
type inboundRow struct {
	MessageID *string
	Text      string
	Payload   []byte
	At        time.Time
	Failed    bool   // a wrong answer to the identity question
	FailedFor *int64 // the debtor it was about, if any
}

func (s *Service) turn(ctx context.Context, in Inbound, sess conversations.Session) ([]Reply, conversations.Session, []storedMessage, error) {
	now := s.Ledger.Now()
	payload := map[string]any{}
	if in.Kind != conversations.EventText {
		payload["kind"] = in.Kind
		if in.MediaKind != "" {
			payload["media_kind"] = in.MediaKind
		}
		if in.Phone != "" {
			payload["phone"] = in.Phone
		}
	}
	pj, _ := json.Marshal(payload)
	row := &inboundRow{Text: storedText(in.Text), Payload: pj, At: in.At}
	if in.MessageID != "" {
		row.MessageID = &in.MessageID
	}
	phone := ""
	if in.Channel == ChannelWhatsApp || in.Channel == ChannelWebchat {
		phone, _ = payments.NormalizePhone(in.Chat)
	}
	c, err := s.conversationFor(ctx, in.Channel, in.Chat, sess.DebtorID, phone)
	if err != nil {
		return nil, sess, nil, err
	}
	sess.Status = c.Status
	// The durable count, not the session's, says how many guesses are left.
	sess.VerifyFailures = max(sess.VerifyFailures, c.ChatFailures)
	if c.Locked || c.ChatFailures >= conversations.MaxVerifyFailures || !sess.Verified && c.DebtorFailures >= maxDebtorFailures {
		sess.Locked, sess.Verified = true, false
	}
	facts, err := s.facts(ctx, &sess, c, in)
	if err != nil {
		return nil, sess, nil, err
	}
	facts.KnownChat = c.HadMessages
	facts.ChatWrongNumber = c.WrongNumber
	facts.ChatThirdParty = c.ThirdParty
	next, actions := s.Engine.Step(sess, in.Event, facts, now)
	if len(actions) == 1 && actions[0].Kind == conversations.ActNeedAmounts && facts.Debtor != nil {
		if err := s.amounts(ctx, &facts, facts.Debtor.ID, now); err != nil {
			return nil, sess, nil, err
		}
		next, actions = s.Engine.Step(sess, in.Event, facts, now)
	}
	replies, done, err := s.perform(ctx, c, in, &next, actions, facts)
	if err != nil {
		return nil, sess, nil, err
	}
	if next.VerifyFailures > sess.VerifyFailures {
		// A wrong answer: kept with the debtor the chat was about then.
		row.Failed = true
		if facts.Debtor != nil {
			row.FailedFor = &facts.Debtor.ID
		}
	}
	msgs, err := s.record(ctx, c, row, next, done, replies, "bot", now)
	if err != nil {
		return nil, sess, nil, err
	}
	return replies, next, msgs, nil
}

// storedText keeps what a person wrote, bounded and valid UTF-8.
func storedText(t string) string {
	t = strings.ToValidUTF8(t, "\uFFFD")
	if len(t) > 4096 {
		t = t[:4096]
		t = strings.ToValidUTF8(t, "")
	}
	return t
}

// record stores a turn in one statement (one commit): the inbound message
// with what it caused, the replies, and the conversation's new state. It
// returns the stored replies for the event streams. Redis de-duplicates
// inbound messages first; PostgreSQL is the backstop (only needed after
// Redis lost its de-duplication keys): a message it already holds stores
// nothing and is ErrDuplicate. The check is a NOT EXISTS rather than ON
// CONFLICT DO NOTHING, whose speculative insertion cost a quarter of the
// statement; two turns of one conversation never run at once, and if they
// did the unique index would refuse the second.
func (s *Service) record(ctx context.Context, c *conv, in *inboundRow, sess conversations.Session, done []string, replies []Reply, sender string, now time.Time) ([]storedMessage, error) {
	texts := make([]string, len(replies))
	payloads := make([][]byte, len(replies))
	msgs := make([]storedMessage, len(replies))
	for i, r := range replies {
		p := map[string]any{}
		if len(r.Options) > 0 {
			p["options"] = r.Options
		}
		if r.Pix != nil {
			p["pix"] = r.Pix
		}
		texts[i] = r.Text
		payloads[i], _ = json.Marshal(p)
		msgs[i] = storedMessage{Direction: "out", Sender: sender, Text: r.Text, Options: r.Options, Pix: r.Pix, At: now}
	}
	if done == nil {
		done = []string{}
	}
	aj, _ := json.Marshal(done)
	var debtor *int64
	if sess.DebtorID != 0 {
		debtor = &sess.DebtorID
	}
	status := sess.Status
	if status == "" {
		status = conversations.StatusBot
	}
	hasIn := in != nil
	if in == nil {
		in = &inboundRow{Payload: []byte("{}")}
	}
	var stored bool
	var ids []int64
	var inID *int64
	err := s.Rows.QueryRow(ctx, `
		WITH inb AS (
			INSERT INTO messages (conversation_id, direction, sender, channel_message_id, text, payload, actions, created_at)
			SELECT $1, 'in', 'debtor', $2, $3, $4, $5, $6 WHERE $7 AND ($2::text IS NULL OR NOT EXISTS (
				SELECT 1 FROM messages m WHERE m.conversation_id = $1 AND m.channel_message_id = $2 AND m.direction = 'in'))
			RETURNING id
		),
		ok AS (SELECT NOT $7 OR EXISTS (SELECT 1 FROM inb) AS go),
		conv AS (
			UPDATE conversations SET debtor_id = coalesce($8, debtor_id), status = $9, last_message_at = $10, updated_at = now(),
				verify_locked_at = CASE WHEN $11 THEN coalesce(verify_locked_at, $10) ELSE verify_locked_at END
			WHERE id = $1 AND (SELECT go FROM ok)
		),
		outs AS (
			INSERT INTO messages (conversation_id, direction, sender, text, payload, created_at, reply_to)
			SELECT $1, 'out', $12, x.t, x.p, $10, (SELECT id FROM inb) FROM unnest($13::text[], $14::jsonb[]) WITH ORDINALITY AS x(t, p, n), ok
			WHERE ok.go ORDER BY x.n
			RETURNING id
		),
		failed AS (
			INSERT INTO verification_failures (conversation_id, debtor_id, at)
			SELECT $1, $16, $10 FROM ok WHERE ok.go AND $15
		)
		SELECT (SELECT go FROM ok), coalesce((SELECT array_agg(id ORDER BY id) FROM outs), '{}'), (SELECT id FROM inb)`,
		c.ID, in.MessageID, in.Text, in.Payload, aj, in.At, hasIn,
		debtor, status, now, sess.Locked, sender, texts, payloads, in.Failed, in.FailedFor).Scan(&stored, &ids, &inID)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "messages_inbound_once" {
		stored, err = false, nil // stored by a turn that raced this one
	}
	if err != nil {
		return nil, fmt.Errorf("bot: record turn: %w", err)
	}
	if !stored {
		return nil, ErrDuplicate
	}
	for i := range msgs {
		if i < len(ids) {
			msgs[i].ID = ids[i]
		}
	}
	if inID != nil {
		// The person's message is announced too (the console's live
		// transcript shows it even when the bot stays silent).
		msgs = append([]storedMessage{{ID: *inID, Direction: "in", Sender: "debtor", Text: in.Text, At: in.At}}, msgs...)
	}
	return msgs, nil
}

type storedMessage struct {
	ID        int64                  `json:"id"`
	Direction string                 `json:"direction"`
	Sender    string                 `json:"sender"`
	Text      string                 `json:"text"`
	Options   []conversations.Option `json:"options,omitempty"`
	Pix       *Pix                   `json:"pix,omitempty"`
	At        time.Time              `json:"at"`
}

func eventPayloads(msgs []storedMessage) [][]byte {
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i], _ = json.Marshal(m)
	}
	return out
}
