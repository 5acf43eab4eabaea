package whatsapp

import (
	"testing"
	"unicode/utf8"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/regua/regua/bot"
)

// FuzzTranslate: any message a phone can send (as its protobuf bytes) is
// translated without a panic into something Régua handles, and whatever
// text it carries renders into valid, bounded WhatsApp messages.
func FuzzTranslate(f *testing.F) {
	for _, m := range []*waE2E.Message{
		text("oi"),
		{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("quanto devo?")}},
		{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("comprovante"), FileLength: proto.Uint64(1 << 40)}},
		{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("a.pdf")}},
		{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("X")}}},
		{EphemeralMessage: &waE2E.FutureProofMessage{Message: text("efêmera")}},
	} {
		b, _ := proto.Marshal(m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := &waE2E.Message{}
		if proto.Unmarshal(data, m) != nil {
			return
		}
		up := Translate(msg(phoneJID, phoneJID, m))
		switch up.Kind {
		case Ignore:
			if up.Reason == "" {
				t.Fatal("ignored without a reason")
			}
			return
		case Message:
			if up.Inbound.Channel != bot.ChannelWhatsApp || up.Inbound.MessageID == "" {
				t.Fatalf("inbound %+v", up.Inbound)
			}
		}
		outs, err := Render(bot.Reply{Text: up.Inbound.Text + up.Text})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if !utf8.ValidString(o.Text) || utf8.RuneCountInString(o.Text) > maxText {
				t.Fatalf("rendered %d runes, valid %v", utf8.RuneCountInString(o.Text), utf8.ValidString(o.Text))
			}
		}
	})
}
