package reminders

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/regua/regua/bot/email"
)

// smtpServer is a real SMTP server on loopback; RCPT answers fail when set.
type smtpServer struct {
	mu   sync.Mutex
	got  []string
	fail *smtp.SMTPError
	addr string
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s}, nil }

type smtpSession struct{ s *smtpServer }

func (x *smtpSession) Reset()                               {}
func (x *smtpSession) Logout() error                        { return nil }
func (x *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *smtpSession) Rcpt(string, *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.fail != nil {
		return x.s.fail
	}
	return nil
}
func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.got = append(x.s.got, string(b))
	x.s.mu.Unlock()
	return err
}

func (s *smtpServer) setFail(e *smtp.SMTPError) { s.mu.Lock(); s.fail = e; s.mu.Unlock() }
func (s *smtpServer) count() int                { s.mu.Lock(); defer s.mu.Unlock(); return len(s.got) }

func startSMTP(t *testing.T) *smtpServer {
	s := &smtpServer{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func withMail(t *testing.T, f *fixture, s *smtpServer) {
	snd, err := email.New(email.Config{URL: "smtp://" + s.addr, From: "cobranca@loja.example", BusinessName: "Loja Exemplo",
		BusinessDocument: "12.345.678/0001-95", PublicURL: "http://localhost:8080", Secret: "s3cret", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.d.Mail = snd
}

func events(t *testing.T, f *fixture, id int64) string {
	rows, _ := f.pool.Query(context.Background(), "SELECT status || ':' || channel || ':' || reason FROM reminder_events WHERE reminder_id = $1 ORDER BY id", id)
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	rows.Close()
	return strings.Join(out, " ")
}

func TestEmailFirstThen5xxFallsBack(t *testing.T) {
	f := setup(t)
	s := startSMTP(t)
	withMail(t, f, s)
	f.debtor(t, "d1", "Ana Souza", "+5511987650001", "ana@example.com", "email", "")
	f.charge(t, "d1", "c1", tuesday, 15000)
	ids := f.plan(t)
	s.setFail(&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"})
	if err := f.d.Send(context.Background(), ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	r := f.reminder(t, ids[0])
	if r.status != "sent" || r.channel != "webchat" {
		t.Fatalf("after a 5xx: %+v", r)
	}
	if ev := events(t, f, ids[0]); !strings.Contains(ev, "sending:email: failed:email:unreachable sending:webchat:") && !strings.Contains(ev, "failed:email:unreachable") {
		t.Fatalf("events %s", ev)
	}
	if n := len(f.chat(t, "+5511987650001")); n != 1 {
		t.Fatalf("web chat got %d", n)
	}
}

func TestEmail4xxRetries(t *testing.T) {
	f := setup(t)
	s := startSMTP(t)
	withMail(t, f, s)
	f.debtor(t, "d1", "Ana Souza", "", "ana@example.com", "email", "")
	f.charge(t, "d1", "c1", tuesday, 15000)
	ids := f.plan(t)
	s.setFail(&smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"})
	if err := f.d.Send(context.Background(), ids[0], noJob); err == nil {
		t.Fatal("a 4xx must be retried (an error for River's back-off)")
	}
	if r := f.reminder(t, ids[0]); r.status != "planned" {
		t.Fatalf("after a 4xx: %+v", r)
	}
	s.setFail(nil)
	if err := f.d.Send(context.Background(), ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "sent" || r.channel != "email" {
		t.Fatalf("retry: %+v", r)
	}
	if s.count() != 1 || !strings.Contains(s.got[0], "List-Unsubscribe") {
		t.Fatalf("server got %d", s.count())
	}
}

func TestEmailUnsubscribeIsHonoured(t *testing.T) {
	f := setup(t)
	s := startSMTP(t)
	withMail(t, f, s)
	id := f.debtor(t, "d1", "Ana Souza", "", "ana@example.com", "email", "")
	f.charge(t, "d1", "c1", tuesday, 15000)
	ids := f.plan(t)
	if err := OptOutEmail(context.Background(), f.pool, id); err != nil {
		t.Fatal(err)
	}
	if err := f.d.Send(context.Background(), ids[0], noJob); err != nil {
		t.Fatal(err)
	}
	if r := f.reminder(t, ids[0]); r.status != "held" || r.reason != "opted_out" {
		t.Fatalf("%+v", r)
	}
	if s.count() != 0 {
		t.Fatal("mail sent after unsubscribe")
	}
}
