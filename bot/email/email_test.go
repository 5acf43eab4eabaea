package email

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/regua/regua/bot"
)

// server is a real SMTP server on loopback that keeps what it receives and
// answers RCPT with fail (when set) instead of accepting.
type server struct {
	mu    sync.Mutex
	got   [][]byte
	rcpts []string
	fail  *smtp.SMTPError
	addr  string
}

func (s *server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct{ s *server }

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(string, *smtp.MailOptions) error {
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.fail != nil {
		return x.s.fail
	}
	x.s.rcpts = append(x.s.rcpts, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.got = append(x.s.got, b)
	x.s.mu.Unlock()
	return err
}

func startServer(t *testing.T) *server {
	t.Helper()
	s := &server{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func newSender(t *testing.T, s *server) *Sender {
	t.Helper()
	snd, err := New(Config{URL: "smtp://" + s.addr, From: "cobranca@loja.example", BusinessName: "Loja Exemplo",
		BusinessDocument: "12.345.678/0001-95", PublicURL: "https://regua.example", Secret: "s3cret", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return snd
}

func TestDeliverHeadersAndBothParts(t *testing.T) {
	s := startServer(t)
	snd := newSender(t, s)
	err := snd.Deliver(context.Background(), Message{To: "ana@example.com", DebtorID: 42, Text: "Oi, Ana! Temos uma mensagem para você.",
		Link: "https://t.me/regua_bot?start=abc", Key: "reminder:7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 1 || len(s.rcpts) != 1 || s.rcpts[0] != "ana@example.com" {
		t.Fatalf("server got %d messages for %v", len(s.got), s.rcpts)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(s.got[0]))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	from, _ := mail.ParseAddress(h.Get("From"))
	if from == nil || from.Name != "Loja Exemplo" || from.Address != "cobranca@loja.example" {
		t.Fatalf("From %q", h.Get("From"))
	}
	if h.Get("To") != "<ana@example.com>" && h.Get("To") != "ana@example.com" {
		t.Fatalf("To %q", h.Get("To"))
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if subj != "Mensagem de Loja Exemplo" {
		t.Fatalf("Subject %q", subj)
	}
	unsub := snd.UnsubscribeURL(42)
	if h.Get("List-Unsubscribe") != "<"+unsub+">" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q / %q", h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post"))
	}
	if !strings.HasPrefix(h.Get("Message-Id"), "<regua.") {
		t.Fatalf("Message-ID %q", h.Get("Message-Id"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q", h.Get("Content-Type"))
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body, _ := io.ReadAll(p) // multipart.Part decodes quoted-printable
		parts[ct] = string(body)
	}
	for _, ct := range []string{"text/plain", "text/html"} {
		body := parts[ct]
		for _, want := range []string{"Oi, Ana!", "https://t.me/regua_bot?start=abc", "12.345.678/0001-95", unsub} {
			if !strings.Contains(body, want) {
				t.Errorf("%s part lacks %q:\n%s", ct, want, body)
			}
		}
	}
	if !strings.Contains(parts["text/html"], "<a href=") {
		t.Errorf("html part has no link")
	}
}

func TestPermanentAndTemporaryFailures(t *testing.T) {
	s := startServer(t)
	snd := newSender(t, s)
	s.fail = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	err := snd.Deliver(context.Background(), Message{To: "gone@example.com", DebtorID: 1, Text: "x"})
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("5xx: %v, want ErrUnreachable (move to the next channel)", err)
	}
	s.fail = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	err = snd.Deliver(context.Background(), Message{To: "ana@example.com", DebtorID: 1, Text: "x"})
	if err == nil || errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("4xx: %v, want a temporary error", err)
	}
	s.fail = nil // the retry goes through
	if err := snd.Deliver(context.Background(), Message{To: "ana@example.com", DebtorID: 1, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 1 {
		t.Fatalf("delivered %d", len(s.got))
	}
	// Nothing listening: temporary too.
	dead, _ := New(Config{URL: "smtp://127.0.0.1:1", From: "a@b.c", BusinessName: "X", Timeout: time.Second})
	if err := dead.Deliver(context.Background(), Message{To: "ana@example.com", Text: "x"}); err == nil || errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("connection refused: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	for _, bad := range []string{"", "http://x", "smtp://", "smtp://host:99999", "smtp://host:abc"} {
		if _, _, err := ParseURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"smtp://user:pass@mail.example:587", "smtps://u:p@mail.example:465", "smtp://127.0.0.1:2525"} {
		if _, _, err := ParseURL(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}
	if _, err := New(Config{URL: "smtp://127.0.0.1:25", From: "not-an-address"}); err == nil {
		t.Error("bad From accepted")
	}
}

func TestUnsubscribeOneClick(t *testing.T) {
	var got []int64
	h := Handler("s3cret", func(_ context.Context, id int64) error { got = append(got, id); return nil })
	mux := http.NewServeMux()
	mux.Handle("/unsubscribe/{token}", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tok := Token("s3cret", 42)
	// A link scanner's GET unsubscribes no one.
	res, err := http.Get(srv.URL + "/unsubscribe/" + tok)
	if err != nil || res.StatusCode != 200 || len(got) != 0 {
		t.Fatalf("GET: %v %v %v", err, res.StatusCode, got)
	}
	// RFC 8058: the mail client POSTs List-Unsubscribe=One-Click.
	res, err = http.Post(srv.URL+"/unsubscribe/"+tok, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil || res.StatusCode != 200 || len(got) != 1 || got[0] != 42 {
		t.Fatalf("POST: %v %v %v", err, res.StatusCode, got)
	}
	// Forged or altered tokens.
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	raw[7] = 43 // another debtor with 42's signature
	altered := base64.RawURLEncoding.EncodeToString(raw)
	for _, bad := range []string{Token("other", 42), altered, "abc"} {
		res, _ = http.Post(srv.URL+"/unsubscribe/"+bad, "text/plain", nil)
		if res.StatusCode != 404 {
			t.Errorf("token %q: %d", bad, res.StatusCode)
		}
	}
	if len(got) != 1 {
		t.Fatalf("forged tokens unsubscribed: %v", got)
	}
	if id, ok := ParseToken("s3cret", tok); !ok || id != 42 {
		t.Fatal(id, ok)
	}
}
