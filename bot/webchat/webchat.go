// Package webchat is the web chat simulator: a page that looks like a phone
// chat where anyone can talk to Régua as the holder of a phone number (a
// debtor's or a stranger's), exactly as that person would on WhatsApp, plus
// its JSON endpoints and an event stream (SSE) of new messages.
//
// It only translates HTTP to bot.Inbound and stored messages back; it never
// decides what to say. It is served in demo mode only.
package webchat

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/internal/redisstore"
	"github.com/regua/regua/payments"
)

//go:embed static
var static embed.FS

// JSON reads request bodies and writes answers and errors in the API's
// JSON shape. internal/httpapi provides it (httpapi.JSON): an adapter
// never imports the API package.
type JSON interface {
	Decode(r *http.Request, v any) error
	Write(w http.ResponseWriter, status int, v any)
	Error(w http.ResponseWriter, r *http.Request, err error)
}

// Chat serves the simulator.
type Chat struct {
	json  JSON
	svc   *bot.Service
	redis *redisstore.Store
	pool  *pgxpool.Pool
	log   *slog.Logger
	now   func() time.Time
}

// New builds the simulator.
func New(svc *bot.Service, redis *redisstore.Store, pool *pgxpool.Pool, log *slog.Logger, now func() time.Time, json JSON) *Chat {
	return &Chat{json: json, svc: svc, redis: redis, pool: pool, log: log, now: now}
}

// DemoNotice is what every web chat page and the picker's list say: the
// simulator runs only with REGUA_DEMO=true and shows debtors to anyone.
const DemoNotice = "DEMONSTRAÇÃO — Régua em modo de demonstração (REGUA_DEMO=true): esta página mostra a qualquer pessoa os devedores cadastrados e deixa conversar como qualquer um deles. Não é um atendimento de verdade."

// Register mounts /chat and /chat/api/... on mux.
func (c *Chat) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /chat", func(w http.ResponseWriter, r *http.Request) {
		b, _ := static.ReadFile("static/index.html")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	})
	mux.HandleFunc("GET /chat/api/people", c.people)
	mux.HandleFunc("POST /chat/api/{phone}/messages", c.post)
	mux.HandleFunc("GET /chat/api/{phone}/messages", c.history)
	mux.HandleFunc("GET /chat/api/{phone}/events", c.events)
}

// Sender delivers to the web chat: nothing to push (the page reads the
// stored messages and the event stream), so it only accepts.
type Sender struct{}

// Send implements bot.Sender.
func (Sender) Send(context.Context, string, bot.Reply) error { return nil }

var _ bot.Sender = Sender{}

func (c *Chat) phone(w http.ResponseWriter, r *http.Request) (string, bool) {
	p, err := payments.NormalizePhone(r.PathValue("phone"))
	if err != nil {
		c.json.Error(w, r, payments.Invalid("phone", "%s", err.Error()))
		return "", false
	}
	return p, true
}

// maxText bounds one message; longer ones are cut by the engine anyway.
const maxText = 64 << 10

type postBody struct {
	Text      string `json:"text"`
	Media     string `json:"media,omitempty"` // simulate a photo or document: "image", "document", "audio", "sticker"
	MessageID string `json:"message_id,omitempty"`
}

func (c *Chat) post(w http.ResponseWriter, r *http.Request) {
	phone, ok := c.phone(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxText+1024)
	var in postBody
	if err := c.json.Decode(r, &in); err != nil {
		c.json.Error(w, r, err)
		return
	}
	switch in.Media {
	case "", "image", "document", "audio", "video", "sticker":
	default:
		c.json.Error(w, r, payments.Invalid("media", "must be image, document, audio, video or sticker"))
		return
	}
	// A message_id makes a resent message count once, as a channel's own
	// message ids do; without one every post is a new message.
	ev := conversations.Event{Kind: conversations.EventText, MessageID: in.MessageID, Text: in.Text, At: c.now()}
	ref := ""
	if in.Media != "" {
		ev.Kind, ev.MediaKind = conversations.EventMedia, in.Media
		id := in.MessageID
		if id == "" {
			id = randomID()
		}
		ref = "webchat:" + id
	}
	replies, err := c.svc.Handle(r.Context(), bot.Inbound{Channel: bot.ChannelWebchat, Chat: phone, Event: ev, MediaRef: ref})
	if errors.Is(err, bot.ErrDuplicate) {
		// Sent again (the client lost the answer): the first replies.
		if replies == nil {
			replies = []bot.Reply{}
		}
		c.json.Write(w, http.StatusOK, map[string]any{"replies": replies, "duplicate": true})
		return
	}
	if err != nil {
		c.json.Error(w, r, err)
		return
	}
	if replies == nil {
		replies = []bot.Reply{}
	}
	c.json.Write(w, http.StatusOK, map[string]any{"replies": replies})
}

func (c *Chat) history(w http.ResponseWriter, r *http.Request) {
	phone, ok := c.phone(w, r)
	if !ok {
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	msgs, err := c.svc.Messages(r.Context(), bot.ChannelWebchat, phone, after, 1000)
	if err != nil {
		c.json.Error(w, r, err)
		return
	}
	c.json.Write(w, http.StatusOK, map[string]any{"messages": msgs})
}

// events streams the conversation's new messages as server-sent events
// ("message" events carrying the stored message as JSON).
func (c *Chat) events(w http.ResponseWriter, r *http.Request) {
	phone, ok := c.phone(w, r)
	if !ok {
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		c.json.Error(w, r, fmt.Errorf("webchat: streaming unsupported"))
		return
	}
	ctx := r.Context()
	sub := c.redis.Subscribe(ctx, bot.ChannelWebchat, phone)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		c.json.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, ": connected\n\n")
	fl.Flush()
	ch := sub.Channel()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			io.WriteString(w, ": ping\n\n")
			fl.Flush()
		case m, ok := <-ch:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: message\ndata: %s\n\n", m.Payload)
			fl.Flush()
		}
	}
}

// Person is someone the page offers to play.
type Person struct {
	Name       string         `json:"name"`
	Phone      string         `json:"phone"`
	ExternalID string         `json:"external_id"`
	Situation  string         `json:"situation"`
	Owed       payments.Cents `json:"owed"`
	// Verify is what to answer to the bot's identity question (the first
	// three digits of the CPF/CNPJ): the page shows it, so that a newcomer
	// can play the debtor. Demo data only ever reaches this page.
	Verify string `json:"verify"`
}

// people lists debtors to play (demo data only ever reaches this page).
func (c *Chat) people(w http.ResponseWriter, r *http.Request) {
	rows, err := c.pool.Query(r.Context(), `
		SELECT d.name, d.phones[1], d.external_id, left(d.document, 3),
		       coalesce((SELECT min(due_date) FROM charges WHERE debtor_id = d.id AND status = 'open'), NULL)::text,
		       coalesce((SELECT sum(amount) FROM charges WHERE debtor_id = d.id AND status = 'open'), 0)::bigint,
		       EXISTS (SELECT 1 FROM plans p WHERE p.debtor_id = d.id AND p.status = 'active')
		FROM debtors d WHERE cardinality(d.phones) > 0 ORDER BY d.external_id LIMIT 50`)
	if err != nil {
		c.json.Error(w, r, err)
		return
	}
	defer rows.Close()
	today := payments.Date(c.now(), c.svc.Ledger.Location()) // REGUA_TIMEZONE
	out := []Person{}
	for rows.Next() {
		var p Person
		var due *string
		var inPlan bool
		if err := rows.Scan(&p.Name, &p.Phone, &p.ExternalID, &p.Verify, &due, &p.Owed, &inPlan); err != nil {
			c.json.Error(w, r, err)
			return
		}
		p.Situation = "em dia"
		if inPlan {
			p.Situation = "em acordo de parcelamento"
		}
		if due != nil {
			d, _ := time.Parse(time.DateOnly, *due)
			switch n := payments.DaysBetween(d, today); {
			case n == -1:
				p.Situation = "vence amanhã"
			case n < 0:
				p.Situation = fmt.Sprintf("vence em %d dias", -n)
			case n == 0:
				p.Situation = "vence hoje"
			case n == 1:
				p.Situation = "1 dia em atraso"
			default:
				p.Situation = fmt.Sprintf("%d dias em atraso", n)
			}
		}
		out = append(out, p)
	}
	c.json.Write(w, http.StatusOK, map[string]any{"demo": true, "notice": DemoNotice, "people": out})
}

func randomID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return "wc-" + hex.EncodeToString(b)
}
