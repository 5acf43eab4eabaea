package whatsapp

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments/pix"
)

// Limits on what one message carries. WhatsApp takes longer texts, but a
// wall of text on a phone is unreadable: long texts are cut at line breaks.
const (
	maxText    = 4000 // runes in one text message
	maxCaption = 1000 // runes in an image's caption
	qrSize     = 512
)

// Out is one WhatsApp message that delivers (part of) a reply.
type Out struct {
	Text string // the text, or the image's caption
	PNG  []byte // an image (the Pix QR code); nil for a text message
}

// Image reports whether o is an image.
func (o Out) Image() bool { return o.PNG != nil }

// Render turns one reply into the messages that deliver it, in order.
//
// Options become a numbered list under the text ("1. Ver saldo"): typing
// the number works on every phone, where buttons and list messages do not
// reliably render for recipients of an unofficial client. Options only a
// Telegram button can answer (share my phone) are left out: a WhatsApp
// chat already is the phone. A Pix goes as the QR code image with the text
// as caption, then the copia-e-cola alone in its own message so that a long
// press copies exactly the code, then the menu, if any.
func Render(r bot.Reply) ([]Out, error) {
	text := strings.TrimSpace(strings.ToValidUTF8(r.Text, "\uFFFD"))
	menu := optionList(r.Options)
	var out []Out
	if r.Pix != nil {
		if r.Pix.Payload == "" {
			return nil, fmt.Errorf("whatsapp: render: a Pix without a code")
		}
		png, err := pix.QRPNG(r.Pix.Payload, qrSize)
		if err != nil {
			return nil, fmt.Errorf("whatsapp: render pix: %w", err)
		}
		caption := text
		if utf8.RuneCountInString(text) > maxCaption {
			for _, t := range split(text, maxText) {
				out = append(out, Out{Text: t})
			}
			caption = ""
		}
		out = append(out, Out{Text: caption, PNG: png}, Out{Text: r.Pix.Payload})
		if menu != "" {
			out = append(out, Out{Text: menu})
		}
		return out, nil
	}
	if menu != "" {
		if text == "" {
			text = txtChoose
		}
		text += "\n\n" + menu
	}
	for _, t := range split(text, maxText) {
		out = append(out, Out{Text: t})
	}
	return out, nil
}

// optionList writes options as a numbered list, one a line.
func optionList(opts []conversations.Option) string {
	var lines []string
	for _, o := range opts {
		if o.RequestContact {
			continue
		}
		if o.Key != "" && digits(o.Key) {
			lines = append(lines, o.Key+". "+o.Label)
		} else {
			lines = append(lines, "• "+o.Label)
		}
	}
	return strings.Join(lines, "\n")
}

// split cuts a text into messages of at most max runes, at line breaks
// where it can, else at spaces, else anywhere. An empty text gives none.
func split(s string, max int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for s != "" {
		if utf8.RuneCountInString(s) <= max {
			out = append(out, s)
			break
		}
		end, n := 0, 0
		for i := range s {
			if n == max {
				end = i
				break
			}
			n++
		}
		cut := end
		if i := strings.LastIndex(s[:end], "\n"); i > end/2 {
			cut = i
		} else if i := strings.LastIndex(s[:end], " "); i > end/2 {
			cut = i
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return out
}

// TextMessage is the protocol message for a text.
func TextMessage(text string) *waE2E.Message {
	return &waE2E.Message{Conversation: proto.String(text)}
}

// Uploaded is what WhatsApp's media server answered to an upload (the
// fields of whatsmeow.UploadResponse a message needs).
type Uploaded struct {
	URL, DirectPath                     string
	MediaKey, FileEncSHA256, FileSHA256 []byte
	FileLength                          uint64
}

// ImageMessage is the protocol message for an uploaded PNG with a caption.
func ImageMessage(up Uploaded, caption string) *waE2E.Message {
	im := &waE2E.ImageMessage{
		URL:           proto.String(up.URL),
		DirectPath:    proto.String(up.DirectPath),
		MediaKey:      up.MediaKey,
		Mimetype:      proto.String("image/png"),
		FileEncSHA256: up.FileEncSHA256,
		FileSHA256:    up.FileSHA256,
		FileLength:    proto.Uint64(up.FileLength),
	}
	if caption != "" {
		im.Caption = proto.String(caption)
	}
	return &waE2E.Message{ImageMessage: im}
}

// Vary picks the phrasing of a message the business starts: the n-th of
// its text and variants, in turn, so that the number does not send the
// same words to everyone (a pattern WhatsApp flags). Without variants the
// greeting at the start is rotated among equivalent ones.
func Vary(r bot.Reply, n int) bot.Reply {
	if n < 0 {
		n = -n
	}
	all := []string{r.Text}
	for _, v := range r.Variants {
		if strings.TrimSpace(v) != "" {
			all = append(all, v)
		}
	}
	if len(all) > 1 {
		r.Text = all[n%len(all)]
		r.Variants = nil
		return r
	}
	r.Text = rotateGreeting(r.Text, n)
	return r
}

// greetings are groups of interchangeable openings.
var greetings = [][]string{{"Olá, tudo bem?", "Oi, tudo bem?", "Olá, como vai?"}, {"Olá", "Oi"}}

// rotateGreeting swaps a leading greeting for the n-th one of its group; a
// text that starts otherwise is kept.
func rotateGreeting(text string, n int) string {
	for _, group := range greetings {
		for _, g := range group {
			rest, ok := strings.CutPrefix(text, g)
			if !ok || rest != "" && !strings.ContainsRune(" ,!.", rune(rest[0])) {
				continue
			}
			return group[n%len(group)] + rest
		}
	}
	return text
}
