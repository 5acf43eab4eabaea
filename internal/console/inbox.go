package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// hub fans PostgreSQL notifications (a conversation's status changed, on
// any replica) out to the console's event streams.
type hub struct {
	mu   sync.Mutex
	subs map[chan string]struct{}
}

func newHub() *hub { return &hub{subs: map[chan string]struct{}{}} }

func (h *hub) subscribe() chan string {
	ch := make(chan string, 16)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(ch chan string) {
	h.mu.Lock()
	delete(h.subs, ch)
	h.mu.Unlock()
}

func (h *hub) publish(payload string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- payload:
		default: // a slow stream misses a beat; it refreshes on the next
		}
	}
}

// listen holds one connection on LISTEN regua_console for as long as the
// console runs, reconnecting after a failure.
func (c *Console) listen() {
	for c.ctx.Err() == nil {
		err := func() error {
			conn, err := c.pool.Acquire(c.ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Exec(c.ctx, "LISTEN regua_console"); err != nil {
				return err
			}
			for {
				n, err := conn.Conn().WaitForNotification(c.ctx)
				if err != nil {
					conn.Conn().Close(context.Background()) // never give a LISTENing connection back
					return err
				}
				c.hub.publish(n.Payload)
			}
		}()
		if c.ctx.Err() != nil {
			return
		}
		c.log.Warn("console: listen", "err", err)
		select {
		case <-c.ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

func (c *Console) startListening() { c.once.Do(func() { go c.listen() }) }

// InboxRow is a conversation waiting for, or held by, a person.
type InboxRow struct {
	ID               int64
	Channel, Chat    string
	Status, Reason   string
	Category         string
	DebtorExternalID string
	DebtorName       string
	Owed             payments.Cents
	WaitingSince     time.Time
	LastMessageAt    *time.Time
	LastMessage      string
	ClaimedBy        string
	Linked           bool // the chat is linked to the debtor (else found by its phone)
}

// Reason categories for the inbox filter.
var categories = []struct{ Key, Label string }{
	{"dispute", "Contestação"}, {"receipt", "Comprovante"}, {"person", "Pediu uma pessoa"},
	{"misunderstood", "Não entendido"}, {"d30", "D+30"}, {"plan", "Acordo quebrado"},
	{"payment", "Pagamento não identificado"}, {"locked", "Verificação bloqueada"}, {"other", "Outros"},
}

func category(reason string) string {
	r := strings.ToLower(reason)
	switch {
	case strings.Contains(r, "contest") || strings.Contains(r, "reconhece"):
		return "dispute"
	case strings.Contains(r, "comprovante") || strings.Contains(r, "já paguei"):
		return "receipt"
	case strings.Contains(r, "não entend") || strings.Contains(r, "nao entend"):
		return "misunderstood"
	case strings.Contains(r, "d+30"):
		return "d30"
	case strings.Contains(r, "acordo") || strings.Contains(r, "parcela"):
		return "plan"
	case strings.Contains(r, "pagamento"):
		return "payment"
	case strings.Contains(r, "bloquead"):
		return "locked"
	case strings.Contains(r, "pessoa") || strings.Contains(r, "atendente"):
		return "person"
	}
	return "other"
}

// InboxFilter narrows the inbox.
type InboxFilter struct {
	Status   string // "" (waiting and held), waiting_agent, with_agent
	Channel  string
	Category string
	Query    string // name, phone or document
	Mine     bool
}

func filterOf(r *http.Request) InboxFilter {
	q := r.URL.Query()
	f := InboxFilter{Status: q.Get("status"), Channel: q.Get("channel"), Category: q.Get("reason"), Query: strings.TrimSpace(q.Get("q")), Mine: q.Get("mine") == "1"}
	if f.Status != conversations.StatusWaitingAgent && f.Status != conversations.StatusWithAgent {
		f.Status = ""
	}
	return f
}

func (f InboxFilter) Encode() string {
	v := make([]string, 0, 5)
	add := func(k, val string) {
		if val != "" {
			v = append(v, k+"="+urlQueryEscape(val))
		}
	}
	add("status", f.Status)
	add("channel", f.Channel)
	add("reason", f.Category)
	add("q", f.Query)
	if f.Mine {
		v = append(v, "mine=1")
	}
	return strings.Join(v, "&")
}

// inbox lists the conversations in people's hands or waiting for them,
// longest waiting first. Only those conversations are read (the status
// index), so its cost does not grow with the chat's history.
func (c *Console) inbox(ctx context.Context, f InboxFilter, userID int64) ([]InboxRow, error) {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, f.Query)
	rows, err := c.pool.Query(ctx, `
		SELECT c.id, c.channel, c.chat, c.status, c.status_reason, coalesce(d.external_id, ''), coalesce(d.name, ''),
		       coalesce((SELECT sum(p.amount) FROM ledger_postings p WHERE p.debtor_id = d.id
		                 AND p.account IN ('receivable_principal', 'receivable_fees', 'receivable_plan')), 0),
		       coalesce((SELECT l.at FROM conversation_status_log l WHERE l.conversation_id = c.id AND l.status = 'waiting_agent'
		                 ORDER BY l.id DESC LIMIT 1), c.updated_at),
		       c.last_message_at,
		       coalesce((SELECT m.text FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1), ''),
		       coalesce(u.email, ''), coalesce(cl.user_id, 0)
		       , c.debtor_id IS NOT NULL
		FROM conversations c
		-- The chat's debtor; for a chat not linked yet (a reminder's, a
		-- stranger's), the debtor with that phone, shown as not verified.
		LEFT JOIN LATERAL (
			SELECT * FROM debtors WHERE id = c.debtor_id
			UNION ALL
			(SELECT * FROM debtors WHERE c.debtor_id IS NULL AND c.wrong_number_at IS NULL AND c.channel IN ('whatsapp', 'webchat')
			 AND phones @> ARRAY[c.chat] ORDER BY id LIMIT 1)
			LIMIT 1) d ON true
		LEFT JOIN conversation_claims cl ON cl.conversation_id = c.id
		LEFT JOIN console_users u ON u.id = cl.user_id
		WHERE c.status IN ('waiting_agent', 'with_agent')
		  AND ($1 = '' OR c.status = $1)
		  AND ($2 = '' OR c.channel = $2)
		  AND ($3 = '' OR d.name ILIKE '%' || $3 || '%' OR d.external_id = $3
		       OR ($4 <> '' AND (d.document LIKE $4 || '%' OR c.chat LIKE '%' || $4 || '%' OR array_to_string(d.phones, ' ') LIKE '%' || $4 || '%')))
		  AND (NOT $5 OR cl.user_id = $6)
		ORDER BY 9 LIMIT 500`, f.Status, f.Channel, f.Query, digits, f.Mine, userID)
	if err != nil {
		return nil, fmt.Errorf("console: inbox: %w", err)
	}
	var out []InboxRow
	for rows.Next() {
		var r InboxRow
		var claimer int64
		if err := rows.Scan(&r.ID, &r.Channel, &r.Chat, &r.Status, &r.Reason, &r.DebtorExternalID, &r.DebtorName, &r.Owed,
			&r.WaitingSince, &r.LastMessageAt, &r.LastMessage, &r.ClaimedBy, &claimer, &r.Linked); err != nil {
			rows.Close()
			return nil, fmt.Errorf("console: inbox: %w", err)
		}
		r.Category = category(r.Reason)
		if f.Category != "" && r.Category != f.Category {
			continue
		}
		if len(r.LastMessage) > 140 {
			r.LastMessage = strings.ToValidUTF8(r.LastMessage[:140], "") + "…"
		}
		out = append(out, r)
	}
	rows.Close()
	return out, rows.Err()
}

func (c *Console) waitingCount(ctx context.Context) (int, error) {
	var n int
	err := c.pool.QueryRow(ctx, "SELECT count(*) FROM conversations WHERE status = 'waiting_agent'").Scan(&n)
	return n, err
}

func (c *Console) inboxPage(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r)
	rows, err := c.inbox(r.Context(), f, userOf(r).ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	n, _ := c.waitingCount(r.Context())
	alerts, err := c.alerts(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "inbox", http.StatusOK, map[string]any{"Title": "Atendimento", "Rows": rows, "Filter": f, "Waiting": n, "Alerts": alerts,
		"Categories": categories, "Flash": r.URL.Query().Get("ok")})
}

// inboxRows is the inbox's table body alone, fetched again when the event
// stream says something changed.
func (c *Console) inboxRows(w http.ResponseWriter, r *http.Request) {
	rows, err := c.inbox(r.Context(), filterOf(r), userOf(r).ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := c.pages["inbox"].ExecuteTemplate(w, "rows", map[string]any{"Rows": rows}); err != nil {
		c.log.Error("console: inbox rows", "err", err)
	}
}

func sseStart(w http.ResponseWriter) (http.Flusher, bool) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return nil, false
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	return fl, true
}

// inboxEvents streams "inbox" events with the number of conversations
// waiting, whenever a conversation's status changes anywhere.
func (c *Console) inboxEvents(w http.ResponseWriter, r *http.Request) {
	c.startListening()
	ch := c.hub.subscribe()
	defer c.hub.unsubscribe(ch)
	fl, ok := sseStart(w)
	if !ok {
		return
	}
	send := func() bool {
		n, err := c.waitingCount(r.Context())
		if err != nil {
			return false
		}
		_, err = fmt.Fprintf(w, "event: inbox\ndata: {\"waiting\":%d}\n\n", n)
		fl.Flush()
		return err == nil
	}
	if !send() {
		return
	}
	tick := time.NewTicker(25 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.ctx.Done():
			return
		case <-ch:
			// Coalesce a burst of changes into one event.
			time.Sleep(100 * time.Millisecond)
			for len(ch) > 0 {
				<-ch
			}
			if !send() {
				return
			}
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		}
	}
}

// ConversationView is the conversation page.
type ConversationView struct {
	ID               int64
	Channel, Chat    string
	Status, Reason   string
	DebtorID         int64
	DebtorExternalID string
	DebtorName       string
	Locked           bool
	ClaimedBy        string
	ClaimerID        int64
	ClaimedAt        *time.Time
	Messages         []bot.Message
	Receipts         []Receipt
	Notes            []Note
	Balance          *payments.DebtorBalance
}

// Receipt is a file the debtor sent as proof of payment.
type Receipt struct {
	ID        int64
	MediaKind string
	MediaRef  string
	Caption   string
	At        time.Time
	Image     bool // the console can show it (the channel can fetch it)
}

// Note is an internal note or a closing outcome.
type Note struct {
	Kind, Text, Author string
	At                 time.Time
}

func (c *Console) conversationID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, payments.Errorf(payments.ENOTFOUND, "conversa não encontrada")
	}
	return id, nil
}

func (c *Console) conversation(ctx context.Context, id int64) (*ConversationView, error) {
	v := &ConversationView{ID: id}
	var debtor *int64
	err := c.pool.QueryRow(ctx, `SELECT c.channel, c.chat, c.status, c.status_reason, c.debtor_id, coalesce(d.external_id, ''), coalesce(d.name, ''),
			c.verify_locked_at IS NOT NULL, coalesce(u.email, ''), coalesce(cl.user_id, 0), cl.claimed_at
		FROM conversations c LEFT JOIN debtors d ON d.id = c.debtor_id
		LEFT JOIN conversation_claims cl ON cl.conversation_id = c.id LEFT JOIN console_users u ON u.id = cl.user_id
		WHERE c.id = $1`, id).Scan(&v.Channel, &v.Chat, &v.Status, &v.Reason, &debtor, &v.DebtorExternalID, &v.DebtorName,
		&v.Locked, &v.ClaimedBy, &v.ClaimerID, &v.ClaimedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, payments.Errorf(payments.ENOTFOUND, "conversa %d não encontrada", id)
	}
	if err != nil {
		return nil, fmt.Errorf("console: conversation: %w", err)
	}
	if debtor != nil {
		v.DebtorID = *debtor
	}
	return v, nil
}

func (c *Console) conversationPage(w http.ResponseWriter, r *http.Request) {
	id, err := c.conversationID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ctx := r.Context()
	v, err := c.conversation(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if v.Messages, err = c.Bot.Messages(ctx, v.Channel, v.Chat, 0, 1000); err != nil {
		c.fail(w, r, err)
		return
	}
	rows, err := c.pool.Query(ctx, "SELECT id, media_kind, media_ref, caption, created_at FROM receipts WHERE conversation_id = $1 ORDER BY id", id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v.Receipts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Receipt, error) {
		var rc Receipt
		err := row.Scan(&rc.ID, &rc.MediaKind, &rc.MediaRef, &rc.Caption, &rc.At)
		rc.Image = rc.MediaKind == "image" && c.media(rc.MediaRef) != nil
		return rc, err
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows, err = c.pool.Query(ctx, `SELECT n.kind, n.text, u.email, n.created_at FROM conversation_notes n JOIN console_users u ON u.id = n.user_id
		WHERE n.conversation_id = $1 ORDER BY n.id`, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v.Notes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Note, error) {
		var n Note
		err := row.Scan(&n.Kind, &n.Text, &n.Author, &n.At)
		return n, err
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if v.DebtorID != 0 {
		b, err := c.Ledger.DebtorBalance(ctx, v.DebtorID, c.now())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		v.Balance = &b
	}
	u := userOf(r)
	c.render(w, r, "conversation", http.StatusOK, map[string]any{"Title": "Conversa · " + nameOr(v.DebtorName, maskPhone(v.Chat)), "C": v,
		"Mine": v.ClaimerID == u.ID, "Flash": r.URL.Query().Get("ok"), "Error": r.URL.Query().Get("err")})
}

func nameOr(name, fallback string) string {
	if name != "" {
		return name
	}
	return fallback
}

// conversationEvents streams the conversation's new messages (from Redis,
// as the web chat's stream does) and its status changes (from the hub).
func (c *Console) conversationEvents(w http.ResponseWriter, r *http.Request) {
	id, err := c.conversationID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ref, err := c.Bot.ConversationByID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.startListening()
	ch := c.hub.subscribe()
	defer c.hub.unsubscribe(ch)
	sub := c.Sessions.Subscribe(r.Context(), ref.Channel, ref.Chat)
	defer sub.Close()
	if _, err := sub.Receive(r.Context()); err != nil { // subscribed before the page can miss anything
		return
	}
	msgs := sub.Channel()
	fl, ok := sseStart(w)
	if !ok {
		return
	}
	tick := time.NewTicker(25 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.ctx.Done():
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: message\ndata: %s\n\n", m.Payload)
			fl.Flush()
		case p := <-ch:
			var n struct {
				ConversationID int64  `json:"conversation_id"`
				Status         string `json:"status"`
			}
			if json.Unmarshal([]byte(p), &n) == nil && n.ConversationID == id {
				fmt.Fprintf(w, "event: status\ndata: %s\n\n", p)
				fl.Flush()
			}
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
			fl.Flush()
		}
	}
}

// ErrClaimed is returned by Claim when another agent holds the conversation.
type ErrClaimed struct{ By string }

func (e *ErrClaimed) Error() string { return "conversation held by " + e.By }

// Claim gives the conversation to the user: one conditional INSERT decides
// between agents claiming at once (the loser gets ErrClaimed naming the
// holder), then the bot is silenced in the conversation's order. A claim
// already the user's is a no-op.
func (c *Console) Claim(ctx context.Context, u *User, id int64) error {
	ref, err := c.Bot.ConversationByID(ctx, id)
	if err != nil {
		return err
	}
	var holder int64
	var holderEmail string
	err = c.pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO conversation_claims (conversation_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id)
		SELECT coalesce((SELECT user_id FROM ins), (SELECT user_id FROM conversation_claims WHERE conversation_id = $1), 0)`, id, u.ID).Scan(&holder)
	if err != nil {
		return fmt.Errorf("console: claim: %w", err)
	}
	if holder == 0 {
		// Lost to a claim committed during this statement, which its
		// snapshot cannot see: read it now.
		c.pool.QueryRow(ctx, "SELECT user_id FROM conversation_claims WHERE conversation_id = $1", id).Scan(&holder)
	}
	if holder != u.ID {
		c.pool.QueryRow(ctx, "SELECT email FROM console_users WHERE id = $1", holder).Scan(&holderEmail)
		if holderEmail == "" {
			holderEmail = "outro atendente"
		}
		return &ErrClaimed{By: holderEmail}
	}
	if err := c.Bot.Takeover(ctx, id, "atendida por "+u.Email); err != nil {
		c.pool.Exec(context.WithoutCancel(ctx), "DELETE FROM conversation_claims WHERE conversation_id = $1 AND user_id = $2", id, u.ID)
		return err
	}
	c.audit(ctx, u.Email, "conversation.claim", fmt.Sprint(id), ref.DebtorID, map[string]any{"channel": ref.Channel})
	return nil
}

func (c *Console) claimPost(w http.ResponseWriter, r *http.Request) {
	id, err := c.conversationID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	err = c.Claim(r.Context(), userOf(r), id)
	var ec *ErrClaimed
	if errors.As(err, &ec) {
		http.Redirect(w, r, fmt.Sprintf("/console/conversations/%d?err=%s", id, urlQueryEscape("Esta conversa já está com "+ec.By+".")), http.StatusSeeOther)
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/console/conversations/%d", id), http.StatusSeeOther)
}

// conversationForm reads a posted conversation form's id and fields; on a
// bad id or form it answers the error and reports false.
func (c *Console) conversationForm(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := c.conversationID(r)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		c.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// formText reads the form's "text" (what names it in the error: "a
// mensagem", "a nota"), 1 to 4000 characters once trimmed; otherwise it
// answers the error and reports false.
func (c *Console) formText(w http.ResponseWriter, r *http.Request, what string) (string, bool) {
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" || len(text) > 4000 {
		c.fail(w, r, payments.Invalid("text", "%s precisa ter de 1 a 4000 caracteres", what))
		return "", false
	}
	return text, true
}

// held checks that the user holds the conversation (replies and quick
// actions need the claim).
func (c *Console) held(ctx context.Context, u *User, id int64) (*ConversationView, error) {
	v, err := c.conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case v.ClaimerID == u.ID:
		return v, nil
	case v.ClaimerID != 0:
		return nil, payments.Errorf(payments.ECONFLICT, "esta conversa está com %s", v.ClaimedBy)
	}
	return nil, payments.Errorf(payments.ECONFLICT, "assuma a conversa antes de responder")
}

func (c *Console) replyPost(w http.ResponseWriter, r *http.Request) {
	id, ok := c.conversationForm(w, r)
	if !ok {
		return
	}
	u := userOf(r)
	text, ok := c.formText(w, r, "a mensagem")
	if !ok {
		return
	}
	v, err := c.held(r.Context(), u, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.Bot.AgentReply(r.Context(), id, bot.Reply{Text: text}); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), u.Email, "conversation.reply", fmt.Sprint(id), v.DebtorID, map[string]any{"chars": len([]rune(text))})
	c.afterPost(w, r, id)
}

// afterPost answers a form posted by script with 204, and a plain form
// with the conversation page.
func (c *Console) afterPost(w http.ResponseWriter, r *http.Request, id int64) {
	if r.Header.Get("X-Requested-With") == "fetch" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/console/conversations/%d", id), http.StatusSeeOther)
}

// quickPost sends one of the reply box's ready answers: today's balance, a
// Pix for one charge or the total, the policy's offers.
func (c *Console) quickPost(w http.ResponseWriter, r *http.Request) {
	id, ok := c.conversationForm(w, r)
	if !ok {
		return
	}
	u := userOf(r)
	v, err := c.held(r.Context(), u, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if v.DebtorID == 0 {
		c.fail(w, r, payments.Errorf(payments.ECONFLICT, "esta conversa não está ligada a um devedor"))
		return
	}
	ctx := r.Context()
	action := r.PostFormValue("action")
	var replies []bot.Reply
	detail := map[string]any{"action": action}
	switch {
	case action == "balance":
		b, err := c.Ledger.DebtorBalance(ctx, v.DebtorID, c.now())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		replies = append(replies, bot.Reply{Text: balanceText(b)})
	case action == "pix_total" || strings.HasPrefix(action, "pix_charge:"):
		var code *billingCode
		if action == "pix_total" {
			code, err = c.issueTotal(ctx, v)
		} else {
			chargeID, perr := strconv.ParseInt(strings.TrimPrefix(action, "pix_charge:"), 10, 64)
			if perr != nil {
				c.fail(w, r, payments.Invalid("action", "cobrança inválida"))
				return
			}
			code, err = c.issueCharge(ctx, v, chargeID)
		}
		if err != nil {
			c.fail(w, r, err)
			return
		}
		detail["txid"], detail["amount"] = code.TxID, code.Amount.Decimal()
		replies = append(replies, bot.Reply{Text: "Segue o Pix de " + code.Amount.String() + ". É só copiar o código abaixo ou ler o QR Code no app do seu banco.",
			Pix: &bot.Pix{Payload: code.Payload, QRPNGURL: strings.TrimRight(c.PublicURL, "/") + "/pix/qr/" + code.URLToken + ".png", Amount: code.Amount}})
	case action == "offer":
		q, err := c.Plans.Quote(ctx, v.DebtorID)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		replies = append(replies, bot.Reply{Text: offersText(q)})
	default:
		c.fail(w, r, payments.Invalid("action", "ação rápida desconhecida"))
		return
	}
	for _, rep := range replies {
		if err := c.Bot.AgentReply(ctx, id, rep); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	c.audit(ctx, u.Email, "conversation.quick", fmt.Sprint(id), v.DebtorID, detail)
	c.afterPost(w, r, id)
}

func balanceText(b payments.DebtorBalance) string {
	if len(b.Charges) == 0 {
		return "Não há valores em aberto hoje. 😊"
	}
	var s strings.Builder
	s.WriteString("Seu saldo atualizado hoje:\n")
	for _, ch := range b.Charges {
		fmt.Fprintf(&s, "• %s, vencimento %s: %s\n", ch.ExternalID, ch.DueDate.Format("02/01/2006"), ch.Total)
	}
	fmt.Fprintf(&s, "Total: %s", b.Total)
	if b.Credit > 0 {
		fmt.Fprintf(&s, " (crédito a seu favor: %s)", b.Credit)
	}
	return s.String()
}

func offersText(q *payments.Quote) string {
	if q == nil || len(q.Offers) == 0 {
		return "No momento não há propostas de acordo disponíveis para o seu caso."
	}
	var s strings.Builder
	s.WriteString("Podemos fazer assim:\n")
	for i, o := range q.Offers {
		if o.Kind == payments.OfferCash {
			fmt.Fprintf(&s, "%d. À vista: %s", i+1, o.Total)
			if o.Discount > 0 {
				fmt.Fprintf(&s, " (desconto de %s)", o.Discount)
			}
		} else if len(o.Installments) > 0 {
			fmt.Fprintf(&s, "%d. %dx de %s (total %s)", i+1, o.Count, o.Installments[0].Amount, o.Total)
		}
		s.WriteString("\n")
	}
	s.WriteString("Qual prefere?")
	return s.String()
}

func (c *Console) notePost(w http.ResponseWriter, r *http.Request) {
	id, ok := c.conversationForm(w, r)
	if !ok {
		return
	}
	u := userOf(r)
	text, ok := c.formText(w, r, "a nota")
	if !ok {
		return
	}
	ref, err := c.Bot.ConversationByID(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if _, err := c.pool.Exec(r.Context(), "INSERT INTO conversation_notes (conversation_id, user_id, kind, text) VALUES ($1, $2, 'note', $3)", id, u.ID, text); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), u.Email, "conversation.note", fmt.Sprint(id), ref.DebtorID, nil)
	c.afterPost(w, r, id)
}

// releasePost hands the conversation back to the bot and drops the claim.
// The holder may, a supervisor may for anyone, and any agent may for a
// conversation nobody holds.
func (c *Console) releasePost(w http.ResponseWriter, r *http.Request) {
	id, err := c.conversationID(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	u := userOf(r)
	v, err := c.mayEnd(r.Context(), u, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.Bot.Release(r.Context(), id); err != nil {
		c.fail(w, r, err)
		return
	}
	c.pool.Exec(r.Context(), "DELETE FROM conversation_claims WHERE conversation_id = $1", id)
	c.audit(r.Context(), u.Email, "conversation.release", fmt.Sprint(id), v.DebtorID, nil)
	http.Redirect(w, r, "/console/?ok="+urlQueryEscape("Conversa devolvida ao robô."), http.StatusSeeOther)
}

func (c *Console) mayEnd(ctx context.Context, u *User, id int64) (*ConversationView, error) {
	v, err := c.conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.ClaimerID != 0 && v.ClaimerID != u.ID && !u.Can(RoleSupervisor) {
		return nil, payments.Errorf(payments.ECONFLICT, "esta conversa está com %s", v.ClaimedBy)
	}
	return v, nil
}

// Outcomes of a closed conversation.
var outcomes = []struct{ Key, Label string }{
	{"paid", "Pagou"}, {"promise", "Prometeu pagar"}, {"plan", "Fechou acordo"}, {"dispute", "Contestação registrada"},
	{"wrong_person", "Pessoa errada"}, {"no_answer", "Sem resposta"}, {"other", "Outro"},
}

func (c *Console) closePost(w http.ResponseWriter, r *http.Request) {
	id, ok := c.conversationForm(w, r)
	if !ok {
		return
	}
	u := userOf(r)
	outcome := r.PostFormValue("outcome")
	label := ""
	for _, o := range outcomes {
		if o.Key == outcome {
			label = o.Label
		}
	}
	if label == "" {
		c.fail(w, r, payments.Invalid("outcome", "escolha um resultado"))
		return
	}
	v, err := c.mayEnd(r.Context(), u, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	text := label
	if note := strings.TrimSpace(r.PostFormValue("note")); note != "" {
		text += ": " + note
	}
	if err := c.Bot.Close(r.Context(), id, "encerrada: "+label); err != nil {
		c.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if _, err := c.pool.Exec(ctx, `WITH n AS (INSERT INTO conversation_notes (conversation_id, user_id, kind, text) VALUES ($1, $2, 'outcome', $3))
		DELETE FROM conversation_claims WHERE conversation_id = $1`, id, u.ID, text); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(ctx, u.Email, "conversation.close", fmt.Sprint(id), v.DebtorID, map[string]any{"outcome": outcome})
	http.Redirect(w, r, "/console/?ok="+urlQueryEscape("Conversa encerrada."), http.StatusSeeOther)
}
