package email

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"html"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/regua/regua/bot"
)

// Config is what the channel needs.
type Config struct {
	URL              string // REGUA_SMTP_URL: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465
	From             string // REGUA_MAIL_FROM
	BusinessName     string // REGUA_BUSINESS_NAME, the sender's display name
	BusinessDocument string // REGUA_BUSINESS_DOCUMENT (CNPJ/CPF), in every message
	PublicURL        string // REGUA_PUBLIC_URL: the unsubscribe link's base
	Secret           string // signs unsubscribe tokens (REGUA_WEBHOOK_SECRET)
	Timeout          time.Duration
}

// Sender sends reminders by email.
type Sender struct {
	cfg  Config
	host string
	opts []mail.Option
}

// ParseURL checks REGUA_SMTP_URL and returns the client options it means.
// smtp:// requires STARTTLS, except to a loopback relay (a local MTA or a
// test server), where it is used when offered.
func ParseURL(raw string) (host string, opts []mail.Option, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", nil, fmt.Errorf("must be like smtp://user:pass@host:587 or smtps://user:pass@host:465")
	}
	host = u.Hostname()
	port := 587
	switch u.Scheme {
	case "smtp":
		policy := mail.TLSMandatory
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			policy = mail.TLSOpportunistic
		}
		opts = append(opts, mail.WithTLSPortPolicy(policy))
	case "smtps":
		port = 465
		opts = append(opts, mail.WithSSL())
	default:
		return "", nil, fmt.Errorf("scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return "", nil, fmt.Errorf("bad port %q", p)
		}
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	return host, opts, nil
}

// New builds the Sender.
func New(cfg Config) (*Sender, error) {
	host, opts, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("REGUA_SMTP_URL: %w", err)
	}
	if err := mail.NewMsg().FromFormat(cfg.BusinessName, cfg.From); err != nil || !strings.Contains(cfg.From, "@") {
		return nil, fmt.Errorf("REGUA_MAIL_FROM: must be an email address")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	opts = append(opts, mail.WithTimeout(cfg.Timeout))
	return &Sender{cfg: cfg, host: host, opts: opts}, nil
}

// Message is one reminder.
type Message struct {
	To       string
	DebtorID int64  // for the unsubscribe link
	Subject  string // "" for a default naming the business
	Text     string // the reminder, plain text
	Link     string // opens the conversation ("" for none)
	Key      string // stable per reminder: the Message-ID, so a retry is recognisable
}

// Build makes the MIME message: plain text and HTML alternatives, the
// business as the sender, List-Unsubscribe with one-click POST.
func (s *Sender) Build(m Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.FromFormat(s.cfg.BusinessName, s.cfg.From); err != nil {
		return nil, fmt.Errorf("email: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("email: to: %w: %w", err, bot.ErrUnreachable)
	}
	subject := m.Subject
	if subject == "" {
		subject = "Mensagem de " + s.cfg.BusinessName
	}
	msg.Subject(subject)
	msg.SetDate()
	if m.Key != "" {
		msg.SetMessageIDWithValue(keyID(m.Key) + "@" + domainOf(s.cfg.From))
	}
	unsub := s.UnsubscribeURL(m.DebtorID)
	msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+unsub+">")
	msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	identity := fmt.Sprintf("%s — CNPJ/CPF %s", s.cfg.BusinessName, s.cfg.BusinessDocument)
	var text strings.Builder
	text.WriteString(m.Text)
	text.WriteString("\n\n")
	if m.Link != "" {
		text.WriteString("Para continuar a conversa: " + m.Link + "\n\n")
	}
	text.WriteString(identity + "\n")
	text.WriteString("Não quer mais receber estes emails? " + unsub + "\n")
	msg.SetBodyString(mail.TypeTextPlain, text.String())
	var h strings.Builder
	h.WriteString(`<!doctype html><html lang="pt-BR"><body style="font-family:sans-serif;max-width:560px">`)
	for _, p := range strings.Split(m.Text, "\n") {
		h.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	if m.Link != "" {
		h.WriteString(`<p><a href="` + html.EscapeString(m.Link) + `" style="display:inline-block;padding:10px 16px;background:#0a7;color:#fff;border-radius:6px;text-decoration:none">Continuar a conversa</a></p>`)
	}
	h.WriteString(`<hr><p style="color:#666;font-size:12px">` + html.EscapeString(identity) + `<br>`)
	h.WriteString(`<a href="` + html.EscapeString(unsub) + `">Não quero mais receber estes emails</a></p></body></html>`)
	msg.AddAlternativeString(mail.TypeTextHTML, h.String())
	return msg, nil
}

// Deliver sends one reminder. A 5xx answer wraps bot.ErrUnreachable
// (permanent: try another channel); anything else failing is temporary.
func (s *Sender) Deliver(ctx context.Context, m Message) error {
	msg, err := s.Build(m)
	if err != nil {
		return err
	}
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("email: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

// classify marks a 5xx as permanent.
func classify(err error) error {
	code := 0
	var se *mail.SendError
	if errors.As(err, &se) {
		code = se.ErrorCode()
	}
	var te *textproto.Error
	if code == 0 && errors.As(err, &te) {
		code = te.Code
	}
	if code >= 500 && code <= 599 {
		return fmt.Errorf("email: refused (%d): %w: %w", code, bot.ErrUnreachable, err)
	}
	return fmt.Errorf("email: temporary failure (%d): %w", code, err)
}

// Send implements bot.Sender for messages without a debtor (none today):
// chat is the address.
func (s *Sender) Send(ctx context.Context, chat string, r bot.Reply) error {
	return s.Deliver(ctx, Message{To: chat, Text: r.Text})
}

var _ bot.Sender = (*Sender)(nil)

func keyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "regua." + base64.RawURLEncoding.EncodeToString(sum[:12])
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.Trim(addr[i+1:], "> ")
	}
	return "regua.local"
}

// UnsubscribeURL is the one-click unsubscribe link of a debtor.
func (s *Sender) UnsubscribeURL(debtorID int64) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/unsubscribe/" + Token(s.cfg.Secret, debtorID)
}

// Token signs a debtor id for the unsubscribe link: the id and an HMAC, so
// the link works without a login and cannot be forged for someone else.
func Token(secret string, debtorID int64) string {
	b := make([]byte, 8, 8+16)
	binary.BigEndian.PutUint64(b, uint64(debtorID))
	return base64.RawURLEncoding.EncodeToString(append(b, sign(secret, b)...))
}

// ParseToken returns the debtor a token was made for; ok is false for a
// malformed or forged token.
func ParseToken(secret, tok string) (debtorID int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 24 {
		return 0, false
	}
	if !hmac.Equal(b[8:], sign(secret, b[:8])) {
		return 0, false
	}
	id := int64(binary.BigEndian.Uint64(b[:8]))
	return id, id > 0
}

func sign(secret string, b []byte) []byte {
	m := hmac.New(sha256.New, []byte("regua-unsubscribe:"+secret))
	m.Write(b)
	return m.Sum(nil)[:16]
}

// MaskAddress keeps an address recognisable in logs without disclosing it.
func MaskAddress(a string) string {
	at := strings.LastIndexByte(a, '@')
	if at < 1 {
		return "***"
	}
	return a[:1] + "***" + a[at:]
}
