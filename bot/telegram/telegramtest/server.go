package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // sendPhoto uploads are checked to be images
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// Config tunes a fake server; the zero value works.
type Config struct {
	Token    string           // default "7000000001:AAFakeTokenForTests_0123456789abcdef"
	Username string           // the bot's username; default "regua_test_bot"
	Now      func() time.Time // the clock messages are stamped with; default time.Now
}

// User is a Telegram user the test plays. Their private chat with the bot
// has the user's id.
type User struct {
	ID        int64
	FirstName string
	Username  string
}

// Message is a message the bot sent, as the server received it.
type Message struct {
	ID        int
	Chat      int64
	Method    string // sendMessage or sendPhoto
	Text      string // the text, or the photo's caption, as sent
	ParseMode string
	Markup    Markup
	Photo     []byte // sendPhoto: the uploaded file
	At        time.Time

	result map[string]any // the message object answered
}

// Markup is a message's reply_markup.
type Markup struct {
	Inline   [][]Button    // inline_keyboard
	Keyboard [][]KeyButton // keyboard (a reply keyboard)
	Remove   bool          // remove_keyboard
	OneTime  bool
}

// Button is an inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	CopyText     string
	URL          string
}

// KeyButton is a reply keyboard button.
type KeyButton struct {
	Text           string
	RequestContact bool
}

// Buttons lists the inline buttons' texts, row by row.
func (m Markup) Buttons() []string {
	var out []string
	for _, row := range m.Inline {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// Request is one API call the server answered.
type Request struct {
	Method string
	Chat   int64 // 0 when the call names no chat
	At     time.Time
	Status int // 200, or the error_code answered
}

// Answer is an answerCallbackQuery the bot made.
type Answer struct {
	ID   string
	Text string
}

// Server is a running fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	URL      string // the API root, as REGUA_TELEGRAM_API_URL
	Token    string
	Username string
	BotID    int64

	now func() time.Time
	hs  *httptest.Server

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change
	updates    []pending     // not yet confirmed
	updateSeq  int64
	msgSeq     map[int64]int
	messages   []Message
	requests   []Request
	violations []string
	callbacks  map[string]bool // pending callback queries: answered?
	answers    []Answer
	cbSeq      int
	fileSeq    int
	blocked    map[int64]bool
	fail429    map[int64][]int // chat → retry_after of the next sends to refuse
	every429   struct{ n, retryAfter, count int }
	allowed    []string
	webhook    webhook
	closed     bool
}

type pending struct {
	id   int64
	kind string // "message", "callback_query", ...
	body map[string]any
}

type webhook struct {
	url, secret string
	stop        chan struct{}
}

// New starts a fake server, closed when the test ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if cfg.Token == "" {
		cfg.Token = "7000000001:AAFakeTokenForTests_0123456789abcdef"
	}
	if cfg.Username == "" {
		cfg.Username = "regua_test_bot"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	id, _ := strconv.ParseInt(strings.Split(cfg.Token, ":")[0], 10, 64)
	s := &Server{Token: cfg.Token, Username: cfg.Username, BotID: id, now: cfg.Now, changed: make(chan struct{}),
		msgSeq: map[int64]int{}, callbacks: map[string]bool{}, blocked: map[int64]bool{}, fail429: map[int64][]int{}}
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if s.webhook.stop != nil {
		close(s.webhook.stop)
	}
	s.notify()
	s.mu.Unlock()
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// notify wakes waiters (under s.mu).
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// ServeHTTP answers POST /bot<token>/<method>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := s.now()
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeError(w, 404, "Not Found", 0)
		return
	}
	if token != s.Token {
		writeError(w, 401, "Unauthorized", 0)
		return
	}
	form, err := s.readForm(r)
	if err != nil {
		s.violation("%s: %v", method, err)
		writeError(w, 400, "Bad Request: "+err.Error(), 0)
		return
	}
	c := &call{s: s, method: method, form: form, at: at}
	status, result, desc, retry := c.serve(r.Context())
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: method, Chat: c.chat, At: at, Status: status})
	s.notify()
	s.mu.Unlock()
	if status != 200 {
		writeError(w, status, desc, retry)
		return
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "result": result})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// readForm reads the multipart body every call must have (getMe's is
// empty, with a multipart content type all the same).
func (s *Server) readForm(r *http.Request) (*multipart.Form, error) {
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s, want POST", r.Method)
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, fmt.Errorf("content type %q is not multipart/form-data", r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 50<<20))
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return &multipart.Form{Value: map[string][]string{}, File: map[string][]*multipart.FileHeader{}}, nil
	}
	return multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(50 << 20)
}

func writeError(w http.ResponseWriter, code int, desc string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

func (s *Server) violation(format string, args ...any) {
	s.mu.Lock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// call is one request being served.
type call struct {
	s      *Server
	method string
	form   *multipart.Form
	at     time.Time
	chat   int64
}

func (c *call) get(k string) string {
	if v := c.form.Value[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// bad records a wire-format violation and answers 400 as Telegram would.
func (c *call) bad(desc string) (int, any, string, int) {
	c.s.violation("%s: %s", c.method, desc)
	return 400, nil, "Bad Request: " + desc, 0
}

func (c *call) serve(ctx context.Context) (status int, result any, desc string, retryAfter int) {
	switch c.method {
	case "getMe":
		return 200, c.s.botUser(), "", 0
	case "getUpdates":
		return c.getUpdates(ctx)
	case "setWebhook":
		return c.setWebhook()
	case "deleteWebhook":
		c.s.mu.Lock()
		c.s.stopWebhook()
		c.s.mu.Unlock()
		return 200, true, "", 0
	case "getWebhookInfo":
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		return 200, map[string]any{"url": c.s.webhook.url, "pending_update_count": len(c.s.updates)}, "", 0
	case "sendMessage", "sendPhoto":
		return c.send()
	case "answerCallbackQuery":
		id := c.get("callback_query_id")
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		answered, ok := c.s.callbacks[id]
		if !ok || answered {
			c.s.violations = append(c.s.violations, "answerCallbackQuery: unknown or already answered query "+id)
			return 400, nil, "Bad Request: query is too old and response timeout expired or query ID is invalid", 0
		}
		if len([]rune(c.get("text"))) > 200 {
			c.s.violations = append(c.s.violations, "answerCallbackQuery: text longer than 200 characters")
			return 400, nil, "Bad Request: MESSAGE_TOO_LONG", 0
		}
		c.s.callbacks[id] = true
		c.s.answers = append(c.s.answers, Answer{ID: id, Text: c.get("text")})
		return 200, true, "", 0
	}
	return 404, nil, "Not Found: method not found", 0
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.BotID, "is_bot": true, "first_name": "Régua", "username": s.Username,
		"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}
}

func (c *call) getUpdates(ctx context.Context) (int, any, string, int) {
	offset, _ := strconv.ParseInt(c.get("offset"), 10, 64)
	timeout, _ := strconv.Atoi(c.get("timeout"))
	limit, _ := strconv.Atoi(c.get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	var allowed []string
	if a := c.get("allowed_updates"); a != "" {
		if err := json.Unmarshal([]byte(a), &allowed); err != nil {
			return c.bad("allowed_updates is not a JSON array")
		}
	}
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	s := c.s
	for {
		s.mu.Lock()
		if s.webhook.url != "" {
			s.mu.Unlock()
			return 409, nil, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0
		}
		if allowed != nil {
			s.allowed = allowed
		}
		// An update is confirmed by asking for an offset past it.
		if offset > 0 {
			s.updates = slices.DeleteFunc(s.updates, func(p pending) bool { return p.id < offset })
		}
		s.dropDisallowed()
		var out []map[string]any
		for _, p := range s.updates {
			if p.id >= offset && len(out) < limit {
				out = append(out, p.body)
			}
		}
		changed, closed := s.changed, s.closed
		s.mu.Unlock()
		if len(out) > 0 || closed || time.Now().After(deadline) {
			if out == nil {
				out = []map[string]any{}
			}
			return 200, out, "", 0
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 200, []map[string]any{}, "", 0
		case <-time.After(time.Until(deadline)):
		}
	}
}

// dropDisallowed removes updates of kinds the bot did not ask for (under s.mu).
func (s *Server) dropDisallowed() {
	allowed := s.allowed
	if len(allowed) == 0 {
		allowed = []string{"message", "edited_message", "channel_post", "edited_channel_post", "callback_query", "my_chat_member",
			"inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query", "poll", "poll_answer", "chat_join_request"}
	}
	s.updates = slices.DeleteFunc(s.updates, func(p pending) bool { return !slices.Contains(allowed, p.kind) })
}

func (c *call) setWebhook() (int, any, string, int) {
	url, secret := c.get("url"), c.get("secret_token")
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return c.bad("bad webhook: an HTTP URL must be provided for webhook")
	}
	if len(secret) > 256 || strings.IndexFunc(secret, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) >= 0 {
		return c.bad("secret token contains unallowed characters")
	}
	var allowed []string
	if a := c.get("allowed_updates"); a != "" {
		if err := json.Unmarshal([]byte(a), &allowed); err != nil {
			return c.bad("allowed_updates is not a JSON array")
		}
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopWebhook()
	s.allowed = allowed
	s.webhook = webhook{url: url, secret: secret, stop: make(chan struct{})}
	go s.deliverWebhook(s.webhook)
	s.notify()
	return 200, true, "", 0
}

func (s *Server) stopWebhook() {
	if s.webhook.stop != nil {
		close(s.webhook.stop)
	}
	s.webhook = webhook{}
}

// deliverWebhook posts pending updates to the webhook one at a time, as
// Telegram does, with the secret header; an answer other than 2xx is
// retried shortly after.
func (s *Server) deliverWebhook(wh webhook) {
	client := &http.Client{Timeout: 30 * time.Second}
	for {
		s.mu.Lock()
		s.dropDisallowed()
		var next *pending
		if len(s.updates) > 0 {
			p := s.updates[0]
			next = &p
		}
		changed := s.changed
		s.mu.Unlock()
		if next == nil {
			select {
			case <-changed:
				continue
			case <-wh.stop:
				return
			}
		}
		body, _ := json.Marshal(next.body)
		req, _ := http.NewRequest(http.MethodPost, wh.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if wh.secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", wh.secret)
		}
		res, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		if err == nil && res.StatusCode/100 == 2 {
			s.mu.Lock()
			s.updates = slices.DeleteFunc(s.updates, func(p pending) bool { return p.id == next.id })
			s.mu.Unlock()
			continue
		}
		select {
		case <-wh.stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *call) send() (int, any, string, int) {
	chat, err := strconv.ParseInt(c.get("chat_id"), 10, 64)
	if err != nil || chat == 0 {
		return c.bad("chat_id is not an integer")
	}
	c.chat = chat
	msg := Message{Chat: chat, Method: c.method, ParseMode: c.get("parse_mode"), At: c.at}
	limit := 4096
	if c.method == "sendMessage" {
		msg.Text = c.get("text")
	} else {
		msg.Text = c.get("caption")
		limit = 1024
		photo, err := c.photo()
		if err != nil {
			return c.bad(err.Error())
		}
		msg.Photo = photo
	}
	plain := msg.Text
	switch msg.ParseMode {
	case "":
	case "HTML":
		if plain, err = parseHTML(msg.Text); err != nil {
			return c.bad("can't parse entities: " + err.Error())
		}
	case "MarkdownV2", "Markdown":
	default:
		return c.bad("unsupported parse_mode")
	}
	if n := utf16Len(plain); n > limit {
		if c.method == "sendMessage" {
			return c.bad("message is too long")
		}
		return c.bad("message caption is too long")
	} else if n == 0 && c.method == "sendMessage" {
		return c.bad("message text is empty")
	}
	if m := c.get("reply_markup"); m != "" {
		mk, err := parseMarkup(m)
		if err != nil {
			return c.bad(err.Error())
		}
		msg.Markup = mk
	}

	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chat] {
		return 403, nil, "Forbidden: bot was blocked by the user", 0
	}
	if q := s.fail429[chat]; len(q) > 0 {
		s.fail429[chat] = q[1:]
		return 429, nil, fmt.Sprintf("Too Many Requests: retry after %d", q[0]), q[0]
	}
	if e := &s.every429; e.n > 0 {
		e.count++
		if e.count%e.n == 0 {
			return 429, nil, fmt.Sprintf("Too Many Requests: retry after %d", e.retryAfter), e.retryAfter
		}
	}
	s.msgSeq[chat]++
	msg.ID = s.msgSeq[chat]
	msg.result = s.messageObject(msg)
	s.messages = append(s.messages, msg)
	return 200, msg.result, "", 0
}

func (c *call) photo() ([]byte, error) {
	files := c.form.File["photo"]
	if len(files) == 0 {
		if c.get("photo") != "" {
			return nil, fmt.Errorf("this fake only takes uploaded photos")
		}
		return nil, fmt.Errorf("there is no photo in the request")
	}
	f, err := files[0].Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("IMAGE_PROCESS_FAILED")
	}
	return b, nil
}

// messageObject is the Message the API answers (under s.mu).
func (s *Server) messageObject(m Message) map[string]any {
	s.fileSeq++
	obj := map[string]any{"message_id": m.ID, "from": s.botUser(), "chat": chatObject(m.Chat, nil), "date": m.At.Unix()}
	if m.Method == "sendPhoto" {
		obj["photo"] = []map[string]any{{"file_id": fmt.Sprintf("bot-photo-%d", s.fileSeq), "file_unique_id": fmt.Sprintf("u%d", s.fileSeq),
			"width": 512, "height": 512, "file_size": len(m.Photo)}}
		if m.Text != "" {
			obj["caption"] = m.Text
		}
	} else {
		obj["text"] = m.Text
	}
	if len(m.Markup.Inline) > 0 {
		var rows [][]map[string]any
		for _, row := range m.Markup.Inline {
			var r []map[string]any
			for _, b := range row {
				bo := map[string]any{"text": b.Text}
				switch {
				case b.CallbackData != "":
					bo["callback_data"] = b.CallbackData
				case b.CopyText != "":
					bo["copy_text"] = map[string]any{"text": b.CopyText}
				case b.URL != "":
					bo["url"] = b.URL
				}
				r = append(r, bo)
			}
			rows = append(rows, r)
		}
		obj["reply_markup"] = map[string]any{"inline_keyboard": rows}
	}
	return obj
}

func chatObject(id int64, u *User) map[string]any {
	if id < 0 {
		return map[string]any{"id": id, "type": "group", "title": "Grupo"}
	}
	c := map[string]any{"id": id, "type": "private", "first_name": "Pessoa"}
	if u != nil {
		c["first_name"] = u.FirstName
		if u.Username != "" {
			c["username"] = u.Username
		}
	}
	return c
}

// inlineActions are the fields of which an inline button has exactly one.
var inlineActions = []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"}

func parseMarkup(raw string) (Markup, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return Markup{}, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	var mk Markup
	switch {
	case m["inline_keyboard"] != nil:
		var rows [][]map[string]json.RawMessage
		if err := json.Unmarshal(m["inline_keyboard"], &rows); err != nil {
			return mk, fmt.Errorf("can't parse inline keyboard")
		}
		for _, row := range rows {
			var out []Button
			for _, b := range row {
				var btn Button
				json.Unmarshal(b["text"], &btn.Text)
				if strings.TrimSpace(btn.Text) == "" {
					return mk, fmt.Errorf("BUTTON_TEXT_INVALID")
				}
				if ct, ok := b["copy_text"]; ok {
					var v struct{ Text string }
					json.Unmarshal(ct, &v)
					if n := len([]rune(v.Text)); n == 0 || n > 256 {
						return mk, fmt.Errorf("BUTTON_COPY_TEXT_INVALID")
					}
					btn.CopyText = v.Text
				}
				actions := 0
				for _, a := range inlineActions {
					if v, ok := b[a]; ok && string(v) != "false" {
						actions++
					}
				}
				if actions == 0 {
					return mk, fmt.Errorf("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
				}
				if actions > 1 {
					return mk, fmt.Errorf("can't parse inline keyboard button: a button must have exactly one action")
				}
				if cd, ok := b["callback_data"]; ok {
					json.Unmarshal(cd, &btn.CallbackData)
					if n := len(btn.CallbackData); n == 0 || n > 64 {
						return mk, fmt.Errorf("BUTTON_DATA_INVALID")
					}
				}
				if u, ok := b["url"]; ok {
					json.Unmarshal(u, &btn.URL)
				}
				out = append(out, btn)
			}
			mk.Inline = append(mk.Inline, out)
		}
	case m["keyboard"] != nil:
		var v struct {
			Keyboard [][]struct {
				Text           string `json:"text"`
				RequestContact bool   `json:"request_contact"`
			} `json:"keyboard"`
			OneTime bool `json:"one_time_keyboard"`
		}
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return mk, fmt.Errorf("can't parse reply keyboard")
		}
		for _, row := range v.Keyboard {
			var out []KeyButton
			for _, b := range row {
				if strings.TrimSpace(b.Text) == "" {
					return mk, fmt.Errorf("keyboard button text is empty")
				}
				out = append(out, KeyButton{Text: b.Text, RequestContact: b.RequestContact})
			}
			mk.Keyboard = append(mk.Keyboard, out)
		}
		mk.OneTime = v.OneTime
	case m["remove_keyboard"] != nil:
		if string(m["remove_keyboard"]) != "true" {
			return mk, fmt.Errorf("remove_keyboard must be true")
		}
		mk.Remove = true
	case m["force_reply"] != nil:
	default:
		return mk, fmt.Errorf("can't find field \"inline_keyboard\"")
	}
	return mk, nil
}

// htmlTags are the tags Telegram's HTML parse mode accepts.
var htmlTags = []string{"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"}

// parseHTML checks text as Telegram's HTML parse mode reads it and returns
// the plain text it shows.
func parseHTML(text string) (string, error) {
	var plain strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			i += end + 1
			if name, closing := strings.CutPrefix(tag, "/"); closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("unmatched end tag %q", name)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, _, _ := strings.Cut(tag, " ")
			if !slices.Contains(htmlTags, name) {
				return "", fmt.Errorf("unsupported start tag %q", name)
			}
			stack = append(stack, name)
		case '&':
			end := strings.IndexByte(text[i:], ';')
			ent := ""
			if end > 0 {
				ent = text[i : i+end+1]
			}
			switch {
			case ent == "&lt;":
				plain.WriteByte('<')
			case ent == "&gt;":
				plain.WriteByte('>')
			case ent == "&amp;":
				plain.WriteByte('&')
			case ent == "&quot;":
				plain.WriteByte('"')
			case strings.HasPrefix(ent, "&#"):
				num, base := strings.TrimSuffix(ent[2:], ";"), 10
				if h, ok := strings.CutPrefix(num, "x"); ok {
					num, base = h, 16
				}
				n, err := strconv.ParseInt(num, base, 32)
				if err != nil {
					return "", fmt.Errorf("bad character reference %q", ent)
				}
				plain.WriteRune(rune(n))
			default:
				return "", fmt.Errorf("character entity at byte offset %d is not escaped", i)
			}
			i += end + 1
		default:
			plain.WriteByte(text[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return plain.String(), nil
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// Updates the test pushes, as the people it plays.

// push queues an update for getUpdates or the webhook.
func (s *Server) push(kind string, obj map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updateSeq++
	body := map[string]any{"update_id": s.updateSeq, kind: obj}
	s.updates = append(s.updates, pending{id: s.updateSeq, kind: kind, body: body})
	s.notify()
}

func userObject(u User) map[string]any {
	o := map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName, "language_code": "pt-br"}
	if u.Username != "" {
		o["username"] = u.Username
	}
	return o
}

// message builds a message from u in their private chat (under no lock).
func (s *Server) message(u User, chat int64, fields map[string]any) (map[string]any, int) {
	s.mu.Lock()
	s.msgSeq[chat]++
	id := s.msgSeq[chat]
	s.mu.Unlock()
	m := map[string]any{"message_id": id, "from": userObject(u), "chat": chatObject(chat, &u), "date": s.now().Unix()}
	for k, v := range fields {
		m[k] = v
	}
	return m, id
}

// Text sends text as u in their private chat and returns the message id.
func (s *Server) Text(u User, text string) int {
	fields := map[string]any{"text": text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		fields["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": utf16Len(cmd)}}
	}
	m, id := s.message(u, u.ID, fields)
	s.push("message", m)
	return id
}

// Contact shares a contact card as u: owner is the Telegram user the card
// belongs to (u.ID for their own number, via the request_contact button; 0
// for a card without a Telegram account).
func (s *Server) Contact(u User, phone string, owner int64) int {
	c := map[string]any{"phone_number": phone, "first_name": u.FirstName}
	if owner != 0 {
		c["user_id"] = owner
	}
	m, id := s.message(u, u.ID, map[string]any{"contact": c})
	s.push("message", m)
	return id
}

// Photo sends a photo as u and returns its file_id (the largest size's).
func (s *Server) Photo(u User, caption string) string {
	s.mu.Lock()
	s.fileSeq++
	n := s.fileSeq
	s.mu.Unlock()
	big := fmt.Sprintf("user-photo-%d", n)
	fields := map[string]any{"photo": []map[string]any{
		{"file_id": big + "-small", "file_unique_id": fmt.Sprintf("us%d", n), "width": 90, "height": 160, "file_size": 1500},
		{"file_id": big, "file_unique_id": fmt.Sprintf("ub%d", n), "width": 720, "height": 1280, "file_size": 98000},
	}}
	if caption != "" {
		fields["caption"] = caption
	}
	m, _ := s.message(u, u.ID, fields)
	s.push("message", m)
	return big
}

// Document sends a document (say, a PDF receipt) as u and returns its file_id.
func (s *Server) Document(u User, name, caption string) string {
	s.mu.Lock()
	s.fileSeq++
	id := fmt.Sprintf("user-doc-%d", s.fileSeq)
	s.mu.Unlock()
	fields := map[string]any{"document": map[string]any{"file_id": id, "file_unique_id": "ud" + id, "file_name": name, "mime_type": "application/pdf", "file_size": 40000}}
	if caption != "" {
		fields["caption"] = caption
	}
	m, _ := s.message(u, u.ID, fields)
	s.push("message", m)
	return id
}

// Sticker sends a sticker as u.
func (s *Server) Sticker(u User) {
	m, _ := s.message(u, u.ID, map[string]any{"sticker": map[string]any{"file_id": "sticker-1", "file_unique_id": "st1",
		"type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍"}})
	s.push("message", m)
}

// Voice sends a voice note as u.
func (s *Server) Voice(u User) {
	m, _ := s.message(u, u.ID, map[string]any{"voice": map[string]any{"file_id": "voice-1", "file_unique_id": "vo1", "duration": 4, "mime_type": "audio/ogg"}})
	s.push("message", m)
}

// Edit sends an edited_message update: u changed message id to text.
func (s *Server) Edit(u User, id int, text string) {
	m := map[string]any{"message_id": id, "from": userObject(u), "chat": chatObject(u.ID, &u), "date": s.now().Unix() - 5,
		"edit_date": s.now().Unix(), "text": text}
	s.push("edited_message", m)
}

// GroupText sends text as u in a group chat (group < 0).
func (s *Server) GroupText(u User, group int64, text string) {
	m, _ := s.message(u, group, map[string]any{"text": text})
	s.push("message", m)
}

// Tap taps the inline button showing label under message m, as u, and
// returns the callback query's id.
func (s *Server) Tap(u User, m Message, label string) (string, error) {
	for _, row := range m.Markup.Inline {
		for _, b := range row {
			if b.Text == label && b.CallbackData != "" {
				return s.TapData(u, m, b.CallbackData), nil
			}
		}
	}
	return "", fmt.Errorf("telegramtest: no button %q under message %d (buttons: %q)", label, m.ID, m.Markup.Buttons())
}

// TapData sends a callback query with data from message m, as u.
func (s *Server) TapData(u User, m Message, data string) string {
	s.mu.Lock()
	s.cbSeq++
	id := fmt.Sprintf("%d%06d", u.ID, s.cbSeq)
	s.callbacks[id] = false
	s.mu.Unlock()
	s.push("callback_query", map[string]any{"id": id, "from": userObject(u), "message": m.result,
		"chat_instance": fmt.Sprintf("ci%d", u.ID), "data": data})
	return id
}

// Block makes u block the bot: sends to their chat answer 403 and a
// my_chat_member update says so, as Telegram does.
func (s *Server) Block(u User) {
	s.SetBlocked(u.ID, true)
	s.push("my_chat_member", s.membership(u, "member", "kicked"))
}

// Unblock undoes Block.
func (s *Server) Unblock(u User) {
	s.SetBlocked(u.ID, false)
	s.push("my_chat_member", s.membership(u, "kicked", "member"))
}

func (s *Server) membership(u User, from, to string) map[string]any {
	member := func(status string) map[string]any {
		m := map[string]any{"user": s.botUser(), "status": status}
		if status == "kicked" {
			m["until_date"] = 0
		}
		return m
	}
	return map[string]any{"chat": chatObject(u.ID, &u), "from": userObject(u), "date": s.now().Unix(),
		"old_chat_member": member(from), "new_chat_member": member(to)}
}

// SetBlocked makes sends to chat answer 403 (or not) without an update.
func (s *Server) SetBlocked(chat int64, blocked bool) {
	s.mu.Lock()
	s.blocked[chat] = blocked
	s.mu.Unlock()
}

// Fail429 makes the next sends to chat answer 429 with these retry_after
// values, one per send.
func (s *Server) Fail429(chat int64, retryAfter ...int) {
	s.mu.Lock()
	s.fail429[chat] = append(s.fail429[chat], retryAfter...)
	s.mu.Unlock()
}

// Fail429Every makes every n-th send (over all chats) answer 429 with
// retryAfter; n = 0 stops it.
func (s *Server) Fail429Every(n, retryAfter int) {
	s.mu.Lock()
	s.every429.n, s.every429.retryAfter, s.every429.count = n, retryAfter, 0
	s.mu.Unlock()
}

// What the server saw.

// Messages returns the messages delivered to chat, oldest first.
func (s *Server) Messages(chat int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

// All returns every delivered message, in arrival order.
func (s *Server) All() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Requests returns every call answered, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Answers returns the callback queries answered.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.answers)
}

// Violations returns what the bot sent that the real API would refuse.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Pending is how many updates were not yet confirmed (or delivered to the
// webhook).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Webhook returns the webhook set, "" when none.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// Wait waits until cond holds (checked on every change) or timeout, and
// reports whether it held.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-changed:
		case <-deadline:
			return cond()
		}
	}
}

// WaitMessages waits until chat holds at least n messages and returns them
// all; it fails the test on timeout.
func (s *Server) WaitMessages(tb testing.TB, chat int64, n int, timeout time.Duration) []Message {
	tb.Helper()
	if !s.Wait(timeout, func() bool { return len(s.Messages(chat)) >= n }) {
		var got []string
		for _, m := range s.Messages(chat) {
			got = append(got, m.Text)
		}
		tb.Fatalf("telegramtest: chat %d: %d messages after %s, want %d: %q (violations: %q)", chat, len(got), timeout, n, got, s.Violations())
	}
	return s.Messages(chat)
}
