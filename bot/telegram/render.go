package telegram

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments/pix"
)

// Bot API limits on what one message may carry.
const (
	maxText         = 4096 // a message's text, in UTF-16 code units
	maxCaption      = 1024 // a photo's caption
	maxCallbackData = 64   // bytes
	maxCopyText     = 256  // a copy_text button's text
	// longLabel: buttons longer than this are cut on a phone screen, so the
	// options are also written out in the message.
	longLabel = 28
	qrSize    = 512
)

// Method names of the calls a reply becomes.
const (
	methodSendMessage = "sendMessage"
	methodSendPhoto   = "sendPhoto"
)

// Call is one Bot API request that delivers (part of) a reply.
type Call struct {
	Method string // sendMessage or sendPhoto
	Text   string // the message's text, or the photo's caption
	HTML   bool   // Text is HTML (parse_mode)
	Photo  []byte // sendPhoto: the PNG to upload
	// Markup is an *InlineKeyboard, a *models.ReplyKeyboardMarkup, a
	// *models.ReplyKeyboardRemove or nil.
	Markup any
}

// Menu is an inline menu as sent: its options.
type Menu struct {
	Options []conversations.Option `json:"options,omitempty"`
}

// ChatState is what a chat shows now, as far as later messages care.
type ChatState struct {
	// Nonce marks the buttons of the current inline menu ("" when the
	// latest message had none); a button carrying another nonce is stale.
	Nonce string
	Menu  Menu
	// ReplyKeyboard: a "share my phone" keyboard is showing.
	ReplyKeyboard bool
}

// InlineKeyboard is the Bot API's inline_keyboard markup. The library's own
// type sends an empty copy_text object with every button, which the Bot API
// refuses (BUTTON_COPY_TEXT_INVALID), so buttons are ours.
type InlineKeyboard struct {
	InlineKeyboard [][]InlineButton `json:"inline_keyboard"`
}

// InlineButton is a callback button or a copy-to-clipboard button.
type InlineButton struct {
	Text         string    `json:"text"`
	CallbackData string    `json:"callback_data,omitempty"`
	CopyText     *CopyText `json:"copy_text,omitempty"`
}

// CopyText copies Text to the clipboard when its button is tapped.
type CopyText struct {
	Text string `json:"text"`
}

// Render turns one reply into the calls that deliver it, in order, given
// what the chat shows (st), and returns what it shows after them. nonce
// marks the reply's inline menu, if it has one.
//
// Options become inline buttons under the reply's last message (a reply
// keyboard with a request_contact button for a "share my phone" option). A
// Pix goes as a QR code photo, with the reply's text as caption, followed by
// the copia-e-cola alone in a monospace block, which Telegram copies with
// one tap, and a button that copies it too.
func Render(r bot.Reply, st ChatState, nonce string) ([]Call, ChatState, error) {
	var contact, inline []conversations.Option
	for _, o := range r.Options {
		if o.RequestContact {
			contact = append(contact, o)
		} else {
			inline = append(inline, o)
		}
	}
	var next ChatState
	var markup any
	switch {
	case len(contact) > 0:
		kb := &models.ReplyKeyboardMarkup{ResizeKeyboard: true, OneTimeKeyboard: true}
		for _, o := range contact {
			kb.Keyboard = append(kb.Keyboard, []models.KeyboardButton{{Text: o.Label, RequestContact: true}})
		}
		for _, o := range inline { // not expected beside a contact button: typed answers
			kb.Keyboard = append(kb.Keyboard, []models.KeyboardButton{{Text: o.Label}})
		}
		markup, next.ReplyKeyboard = kb, true
	case len(inline) > 0:
		kb, err := inlineMenu(inline, nonce)
		if err != nil {
			return nil, st, err
		}
		markup = kb
		next.Nonce, next.Menu = nonce, Menu{Options: r.Options}
	}

	text := r.Text
	if len(inline) > 0 && len(contact) == 0 && anyLong(inline) {
		text = strings.TrimRight(text, "\n") + "\n\n" + optionList(inline)
	}
	var calls []Call
	if r.Pix != nil {
		png, err := pix.QRPNG(r.Pix.Payload, qrSize)
		if err != nil {
			return nil, st, fmt.Errorf("telegram: render pix: %w", err)
		}
		caption := ""
		if textLen(text) <= maxCaption {
			caption = text
		} else {
			for _, t := range split(text, maxText) {
				calls = append(calls, Call{Method: methodSendMessage, Text: t})
			}
		}
		calls = append(calls, Call{Method: methodSendPhoto, Text: caption, Photo: png})
		code := Call{Method: methodSendMessage, Text: "<code>" + html.EscapeString(r.Pix.Payload) + "</code>", HTML: true}
		if utf8.RuneCountInString(r.Pix.Payload) <= maxCopyText {
			kb, _ := markup.(*InlineKeyboard)
			if kb == nil && markup == nil {
				kb = &InlineKeyboard{}
				markup = kb
			}
			if kb != nil {
				copyRow := []InlineButton{{Text: lblCopyPix, CopyText: &CopyText{Text: r.Pix.Payload}}}
				kb.InlineKeyboard = append([][]InlineButton{copyRow}, kb.InlineKeyboard...)
			}
		}
		calls = append(calls, code)
	} else {
		for _, t := range split(text, maxText) {
			calls = append(calls, Call{Method: methodSendMessage, Text: t})
		}
	}
	if len(calls) == 0 {
		if markup == nil {
			return nil, st, nil // nothing to say
		}
		calls = append(calls, Call{Method: methodSendMessage, Text: txtChoose})
	}
	calls[len(calls)-1].Markup = markup
	if st.ReplyKeyboard && len(contact) == 0 {
		// The contact keyboard has done its job: the first message without
		// a keyboard of its own takes it away.
		next.ReplyKeyboard = true
		for i := range calls {
			if calls[i].Markup == nil {
				calls[i].Markup = &models.ReplyKeyboardRemove{RemoveKeyboard: true}
				next.ReplyKeyboard = false
				break
			}
		}
	}
	return calls, next, nil
}

func inlineMenu(opts []conversations.Option, nonce string) (*InlineKeyboard, error) {
	kb := &InlineKeyboard{}
	for _, o := range opts {
		data := callbackData(nonce, o.Key)
		if len(data) > maxCallbackData {
			return nil, fmt.Errorf("telegram: option key %q is too long for a button", o.Key)
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []InlineButton{{Text: ButtonText(o), CallbackData: data}})
	}
	return kb, nil
}

// ButtonText is what an option's button shows: numbered like the other
// channels' menus, so that typing the number works as well.
func ButtonText(o conversations.Option) string {
	if isNumber(o.Key) {
		return o.Key + ". " + o.Label
	}
	return o.Label
}

func optionList(opts []conversations.Option) string {
	lines := make([]string, len(opts))
	for i, o := range opts {
		lines[i] = ButtonText(o)
	}
	return strings.Join(lines, "\n")
}

func anyLong(opts []conversations.Option) bool {
	for _, o := range opts {
		if utf8.RuneCountInString(ButtonText(o)) > longLabel {
			return true
		}
	}
	return false
}

func isNumber(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// callbackData is what a button sends back: the menu's nonce and the key.
func callbackData(nonce, key string) string { return "m:" + nonce + ":" + key }

// parseCallbackData reads callbackData; ok is false for anything else.
func parseCallbackData(data string) (nonce, key string, ok bool) {
	rest, found := strings.CutPrefix(data, "m:")
	if !found {
		return "", "", false
	}
	nonce, key, found = strings.Cut(rest, ":")
	if !found || nonce == "" || key == "" {
		return "", "", false
	}
	return nonce, key, true
}

// textLen is a text's length as the Bot API counts it (UTF-16 code units).
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
		if utf16.RuneLen(r) < 0 {
			n += 2 // invalid rune: counted as the replacement character and more
		}
	}
	return n
}

// split cuts a text into messages of at most max code units, at line
// breaks where it can, else at spaces, else anywhere. An empty text gives
// no message.
func split(s string, max int) []string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	var out []string
	for s != "" {
		if textLen(s) <= max {
			out = append(out, s)
			break
		}
		// The longest prefix that fits.
		n, end := 0, 0
		for i, r := range s {
			n += utf16.RuneLen(r)
			if n > max {
				break
			}
			end = i + utf8.RuneLen(r)
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

// params builds the library's parameters for a call to chat. A photo's
// reader is fresh each time, so a retried call uploads it again.
func (c Call) params(chat int64) any {
	switch c.Method {
	case methodSendPhoto:
		p := &tgbot.SendPhotoParams{ChatID: chat, Caption: c.Text, ReplyMarkup: c.Markup,
			Photo: &models.InputFileUpload{Filename: "pix-qr.png", Data: bytes.NewReader(c.Photo)}}
		if c.HTML {
			p.ParseMode = models.ParseModeHTML
		}
		return p
	default:
		p := &tgbot.SendMessageParams{ChatID: chat, Text: c.Text, ReplyMarkup: c.Markup}
		if c.HTML {
			p.ParseMode = models.ParseModeHTML
		}
		return p
	}
}
