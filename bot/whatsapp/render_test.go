package whatsapp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments/pix"
)

func TestRenderMenu(t *testing.T) {
	outs, err := Render(bot.Reply{Text: "Como posso ajudar?", Options: []conversations.Option{
		{Key: "1", Label: "Ver saldo"}, {Key: "2", Label: "Pix"}, {Key: "contato", Label: "Compartilhar", RequestContact: true}}})
	if err != nil || len(outs) != 1 {
		t.Fatalf("%v %v", outs, err)
	}
	want := "Como posso ajudar?\n\n1. Ver saldo\n2. Pix"
	if outs[0].Text != want || outs[0].Image() {
		t.Fatalf("got %q", outs[0].Text)
	}
	outs, _ = Render(bot.Reply{Options: []conversations.Option{{Key: "1", Label: "Sim"}}})
	if len(outs) != 1 || !strings.HasPrefix(outs[0].Text, txtChoose) {
		t.Fatalf("menu alone: %q", outs)
	}
	if outs, _ := Render(bot.Reply{}); len(outs) != 0 {
		t.Fatalf("empty reply gave %v", outs)
	}
}

func TestRenderPix(t *testing.T) {
	payload, err := pix.Encode(pix.Payload{Key: "cobranca@regua.example", MerchantName: "Regua", MerchantCity: "SAO PAULO", Amount: 12345, TxID: "ABC123"})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := Render(bot.Reply{Text: "Aqui está o Pix de R$ 123,45.", Pix: &bot.Pix{Payload: payload, Amount: 12345},
		Options: []conversations.Option{{Key: "1", Label: "Menu"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || !outs[0].Image() || outs[0].Text != "Aqui está o Pix de R$ 123,45." {
		t.Fatalf("first must be the QR with the caption: %+v", outs)
	}
	if outs[1].Text != payload || outs[1].Image() {
		t.Fatalf("second must be the code alone: %q", outs[1].Text)
	}
	if outs[2].Text != "1. Menu" {
		t.Fatalf("third is the menu: %q", outs[2].Text)
	}
	if !strings.HasPrefix(string(outs[0].PNG), "\x89PNG") {
		t.Fatal("the QR is not a PNG")
	}
	// A caption too long for an image goes before it as text.
	long := strings.Repeat("palavra ", 200)
	outs, _ = Render(bot.Reply{Text: long, Pix: &bot.Pix{Payload: payload}})
	if len(outs) != 3 || outs[0].Image() || !outs[1].Image() || outs[1].Text != "" || outs[2].Text != payload {
		t.Fatalf("long caption: %d messages", len(outs))
	}
}

func TestRenderSplitsLongAndInvalidText(t *testing.T) {
	outs, err := Render(bot.Reply{Text: strings.Repeat("linha de texto\n", 5000) + "ol\xffá"})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, o := range outs {
		if n := utf8.RuneCountInString(o.Text); n > maxText || !utf8.ValidString(o.Text) {
			t.Fatalf("message of %d runes, valid %v", n, utf8.ValidString(o.Text))
		}
		total += len(o.Text)
	}
	if len(outs) < 18 || total < 70000 {
		t.Fatalf("%d messages, %d bytes", len(outs), total)
	}
}

func TestVary(t *testing.T) {
	r := bot.Reply{Text: "Olá, Maria! Há uma mensagem para você.", Variants: []string{"Oi, Maria! Temos um recado para você.", ""}}
	seen := map[string]bool{}
	for n := 1; n <= 4; n++ {
		seen[Vary(r, n).Text] = true
	}
	if len(seen) != 2 {
		t.Fatalf("variants: %v", seen)
	}
	// No variants: the greeting rotates, the rest stays.
	r = bot.Reply{Text: "Olá, Maria! Há uma mensagem para você."}
	if a, b := Vary(r, 0).Text, Vary(r, 1).Text; a == b || !strings.HasSuffix(b, ", Maria! Há uma mensagem para você.") {
		t.Fatalf("greeting rotation: %q %q", a, b)
	}
	if got := Vary(bot.Reply{Text: "Oiapoque fica no Amapá"}, 1).Text; got != "Oiapoque fica no Amapá" {
		t.Fatalf("not a greeting: %q", got)
	}
}

func TestImageMessage(t *testing.T) {
	m := ImageMessage(Uploaded{URL: "https://mmg.whatsapp.net/x", DirectPath: "/x", MediaKey: []byte{1}, FileLength: 10}, "Pix")
	im := m.GetImageMessage()
	if im.GetCaption() != "Pix" || im.GetMimetype() != "image/png" || im.GetFileLength() != 10 || im.GetDirectPath() != "/x" {
		t.Fatalf("%v", im)
	}
	if TextMessage("oi").GetConversation() != "oi" {
		t.Fatal("text")
	}
}
