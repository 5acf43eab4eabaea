package telegram

import (
	"bytes"
	"encoding/json"
	"image/png"
	"reflect"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
)

var mainMenu = []conversations.Option{{Key: "1", Label: "Ver saldo"}, {Key: "2", Label: "Pagar com Pix"}, {Key: "3", Label: "Parcelar"}}

const payload = "00020126360014br.gov.bcb.pix0114+5511999999999520400005303986540545.005802BR5913REGUA & CIA<>6009SAO PAULO62070503***6304ABCD"

func TestRenderMenu(t *testing.T) {
	t.Parallel()
	calls, st, err := Render(bot.Reply{Text: "Como posso ajudar?", Options: mainMenu}, ChatState{}, "N1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Call{{Method: methodSendMessage, Text: "Como posso ajudar?", Markup: &InlineKeyboard{InlineKeyboard: [][]InlineButton{
		{{Text: "1. Ver saldo", CallbackData: "m:N1:1"}},
		{{Text: "2. Pagar com Pix", CallbackData: "m:N1:2"}},
		{{Text: "3. Parcelar", CallbackData: "m:N1:3"}},
	}}}}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("calls\n%+v\nwant\n%+v", calls, want)
	}
	if st.Nonce != "N1" || !reflect.DeepEqual(st.Menu.Options, mainMenu) || st.ReplyKeyboard {
		t.Fatalf("state %+v", st)
	}
	// What goes on the wire: no copy_text beside a callback (the Bot API
	// refuses an empty one), unlike the library's own button type.
	b, _ := json.Marshal(calls[0].Markup)
	if strings.Contains(string(b), "copy_text") {
		t.Fatalf("markup %s", b)
	}
	lib, _ := json.Marshal(models.InlineKeyboardButton{Text: "x", CallbackData: "y"})
	if !strings.Contains(string(lib), `"copy_text":{"text":""}`) {
		t.Logf("the library's button no longer sends an empty copy_text (%s): InlineKeyboard could go", lib)
	}
}

func TestRenderLongLabelsAreWrittenOut(t *testing.T) {
	t.Parallel()
	offers := []conversations.Option{{Key: "1", Label: "À vista: R$ 1.220,80 (desconto de R$ 20,80)"}, {Key: "2", Label: "2x de R$ 639,39 (total R$ 1.278,79)"}}
	calls, _, err := Render(bot.Reply{Text: "Tenho estas opções:", Options: offers}, ChatState{}, "N")
	if err != nil {
		t.Fatal(err)
	}
	want := "Tenho estas opções:\n\n1. À vista: R$ 1.220,80 (desconto de R$ 20,80)\n2. 2x de R$ 639,39 (total R$ 1.278,79)"
	if len(calls) != 1 || calls[0].Text != want {
		t.Fatalf("%q", calls[0].Text)
	}
}

func TestRenderContactButton(t *testing.T) {
	t.Parallel()
	share := conversations.Option{Key: "contato", Label: "Compartilhar meu telefone", RequestContact: true}
	calls, st, err := Render(bot.Reply{Text: "Toque no botão abaixo.", Options: []conversations.Option{share}}, ChatState{Nonce: "old", Menu: Menu{Options: mainMenu}}, "N")
	if err != nil {
		t.Fatal(err)
	}
	kb, ok := calls[0].Markup.(*models.ReplyKeyboardMarkup)
	if !ok || len(kb.Keyboard) != 1 || !kb.Keyboard[0][0].RequestContact || kb.Keyboard[0][0].Text != "Compartilhar meu telefone" || !kb.OneTimeKeyboard {
		t.Fatalf("markup %#v", calls[0].Markup)
	}
	if !st.ReplyKeyboard || st.Nonce != "" || len(st.Menu.Options) != 0 {
		t.Fatalf("state %+v: the old menu is no longer current", st)
	}

	// The next message without buttons takes the keyboard away...
	calls, st, _ = Render(bot.Reply{Text: "Obrigado!"}, st, "N2")
	if _, ok := calls[0].Markup.(*models.ReplyKeyboardRemove); !ok || st.ReplyKeyboard {
		t.Fatalf("%#v %+v", calls[0].Markup, st)
	}
	// ...but a menu keeps its inline buttons, and the removal waits.
	calls, st, _ = Render(bot.Reply{Text: "Menu", Options: mainMenu}, ChatState{ReplyKeyboard: true}, "N3")
	if _, ok := calls[0].Markup.(*InlineKeyboard); !ok || !st.ReplyKeyboard {
		t.Fatalf("%#v %+v", calls[0].Markup, st)
	}
}

func TestRenderPix(t *testing.T) {
	t.Parallel()
	r := bot.Reply{Text: "Aqui está o Pix de R$ 45,00.", Pix: &bot.Pix{Payload: payload, QRPNGURL: "http://x/pix/qr/t.png", Amount: 4500}}
	calls, st, err := Render(r, ChatState{ReplyKeyboard: true, Nonce: "old", Menu: Menu{Options: mainMenu}}, "N")
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	photo, code := calls[0], calls[1]
	if photo.Method != methodSendPhoto || photo.Text != r.Text || photo.HTML {
		t.Fatalf("photo %+v", photo)
	}
	img, err := png.Decode(bytes.NewReader(photo.Photo))
	if err != nil || img.Bounds().Dx() != qrSize {
		t.Fatalf("QR: %v %v", err, img.Bounds())
	}
	if _, ok := photo.Markup.(*models.ReplyKeyboardRemove); !ok {
		t.Fatalf("the photo should take the contact keyboard away: %#v", photo.Markup)
	}
	wantCode := "<code>00020126360014br.gov.bcb.pix0114+5511999999999520400005303986540545.005802BR5913REGUA &amp; CIA&lt;&gt;6009SAO PAULO62070503***6304ABCD</code>"
	if code.Method != methodSendMessage || !code.HTML || code.Text != wantCode {
		t.Fatalf("code %+v", code)
	}
	kb, ok := code.Markup.(*InlineKeyboard)
	if !ok || len(kb.InlineKeyboard) != 1 || kb.InlineKeyboard[0][0].CopyText == nil || kb.InlineKeyboard[0][0].CopyText.Text != payload {
		t.Fatalf("copy button %#v", code.Markup)
	}
	if st.Nonce != "" || st.ReplyKeyboard {
		t.Fatalf("state %+v", st)
	}
	p := code.params(42).(*tgbot.SendMessageParams)
	if p.ParseMode != models.ParseModeHTML || p.ChatID != int64(42) {
		t.Fatalf("params %+v", p)
	}
	if _, ok := photo.params(42).(*tgbot.SendPhotoParams).Photo.(*models.InputFileUpload); !ok {
		t.Fatal("the QR must be uploaded")
	}
}

func TestRenderPixWithOptionsAndLongCaption(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("texto longo ", 100) // 1200 characters: too long for a caption
	r := bot.Reply{Text: long, Options: mainMenu[:1], Pix: &bot.Pix{Payload: payload}}
	calls, st, err := Render(r, ChatState{}, "N")
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[0].Method != methodSendMessage || calls[1].Method != methodSendPhoto || calls[1].Text != "" {
		t.Fatalf("%+v", calls)
	}
	kb := calls[2].Markup.(*InlineKeyboard)
	if len(kb.InlineKeyboard) != 2 || kb.InlineKeyboard[0][0].CopyText == nil || kb.InlineKeyboard[1][0].CallbackData != "m:N:1" {
		t.Fatalf("%+v", kb)
	}
	if st.Nonce != "N" {
		t.Fatalf("state %+v", st)
	}
}

func TestRenderNothing(t *testing.T) {
	t.Parallel()
	calls, st, err := Render(bot.Reply{Text: "  "}, ChatState{Nonce: "x"}, "N")
	if err != nil || len(calls) != 0 || st.Nonce != "x" {
		t.Fatalf("%v %+v %+v", err, calls, st)
	}
	calls, _, _ = Render(bot.Reply{Options: mainMenu}, ChatState{}, "N")
	if len(calls) != 1 || calls[0].Text != txtChoose {
		t.Fatalf("%+v", calls)
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("a", 50)
	text := strings.Repeat(line+"\n", 200) // 10200 characters
	parts := split(text, maxText)
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	total := 0
	for _, p := range parts {
		if textLen(p) > maxText || strings.HasPrefix(p, "\n") {
			t.Fatalf("part of %d", textLen(p))
		}
		total += strings.Count(p, line)
	}
	if total != 200 {
		t.Fatalf("%d lines kept", total)
	}
	// Emoji outside the BMP count twice, as the Bot API counts them.
	emoji := strings.Repeat("🎉", 3000)
	for _, p := range split(emoji, maxText) {
		if textLen(p) > maxText {
			t.Fatalf("part of %d code units", textLen(p))
		}
	}
	if textLen("🎉a") != 3 {
		t.Fatal(textLen("🎉a"))
	}
}
