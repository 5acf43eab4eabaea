package whatsapp

import (
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/regua/regua/conversations"
)

var (
	phoneJID = types.NewJID("5511999000001", types.DefaultUserServer)
	lidJID   = types.NewJID("123456789012345", types.HiddenUserServer)
	at       = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
)

// msg builds a message event as whatsmeow delivers it.
func msg(chat, sender types.JID, m *waE2E.Message, mut ...func(*types.MessageInfo)) *events.Message {
	info := types.MessageInfo{MessageSource: types.MessageSource{Chat: chat, Sender: sender}, ID: "3EB0ABCDEF", Timestamp: at, PushName: "Maria"}
	for _, f := range mut {
		f(&info)
	}
	return &events.Message{Info: info, Message: m, RawMessage: m}
}

func text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }

func TestTranslatePhoneSender(t *testing.T) {
	up := Translate(msg(phoneJID, phoneJID, text("quanto devo?")))
	if up.Kind != Message || up.Inbound.Text != "quanto devo?" || up.Inbound.MessageID != "3EB0ABCDEF" || !up.Inbound.At.Equal(at) {
		t.Fatalf("got %+v", up)
	}
	if got := ChatID(up.Phone, up.Peer); got != "+5511999000001" {
		t.Fatalf("chat = %q", got)
	}
	if up.Inbound.Channel != "whatsapp" || up.Inbound.Kind != conversations.EventText {
		t.Fatalf("inbound %+v", up.Inbound)
	}
}

func TestTranslateLIDSender(t *testing.T) {
	// The phone comes as the alternate JID: the debtor is known by phone.
	up := Translate(msg(lidJID, lidJID, text("oi"), func(i *types.MessageInfo) {
		i.SenderAlt = types.NewJID("5511999000001", types.DefaultUserServer)
		i.AddressingMode = types.AddressingModeLID
	}))
	if got := ChatID(up.Phone, up.Peer); got != "+5511999000001" {
		t.Fatalf("LID with alt: chat = %q", got)
	}
	// No alternate JID: the phone must come from the LID store; until
	// then the chat is the LID, which matches no debtor.
	up = Translate(msg(lidJID, lidJID, text("oi")))
	if !up.Phone.IsEmpty() || up.Peer != lidJID {
		t.Fatalf("LID without alt: %+v", up)
	}
	if got := ChatID(up.Phone, up.Peer); got != "lid:123456789012345" {
		t.Fatalf("unresolved chat = %q", got)
	}
	if j, ok := JIDForChat("lid:123456789012345"); !ok || j != lidJID {
		t.Fatalf("JIDForChat(lid) = %v %v", j, ok)
	}
	if j, ok := JIDForChat("+5511999000001"); !ok || j != phoneJID {
		t.Fatalf("JIDForChat(phone) = %v %v", j, ok)
	}
	for _, bad := range []string{"", "5511999000001", "+55", "lid:", "lid:12a", "+55119990000011111"} {
		if _, ok := JIDForChat(bad); ok {
			t.Errorf("JIDForChat(%q) accepted", bad)
		}
	}
}

func TestTranslateIgnoresOtherChats(t *testing.T) {
	group := types.NewJID("120363000000000000", types.GroupServer)
	tests := []struct {
		name string
		evt  *events.Message
		want string
	}{
		{"group", msg(group, phoneJID, text("oi"), func(i *types.MessageInfo) { i.IsGroup = true }), IgnoreGroup},
		{"status", msg(types.StatusBroadcastJID, phoneJID, text("oi")), IgnoreStatus},
		{"broadcast list", msg(types.NewJID("1234", types.BroadcastServer), phoneJID, text("oi")), IgnoreBroadcast},
		{"newsletter", msg(types.NewJID("1203630000", types.NewsletterServer), phoneJID, text("oi")), IgnoreNewsletter},
		{"bot", msg(types.NewJID("867051314767696", types.BotServer), phoneJID, text("oi")), IgnoreOther},
		{"reaction", msg(phoneJID, phoneJID, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}}), IgnoreEmpty},
		{"nil message", &events.Message{}, IgnoreEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := Translate(tt.evt)
			if up.Kind != Ignore || up.Reason != tt.want {
				t.Fatalf("got %v %q, want ignore %q", up.Kind, up.Reason, tt.want)
			}
		})
	}
}

func TestTranslateKinds(t *testing.T) {
	tests := []struct {
		name      string
		m         *waE2E.Message
		kind      conversations.EventKind
		mediaKind string
		text      string
		media     bool
	}{
		{"extended text", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("veja https://x.com")}}, conversations.EventText, "", "veja https://x.com", false},
		{"image", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("comprovante"), Mimetype: proto.String("image/jpeg"), FileLength: proto.Uint64(2048)}}, conversations.EventMedia, "image", "comprovante", true},
		{"document", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("pix.pdf"), Mimetype: proto.String("application/pdf"), FileLength: proto.Uint64(4096)}}, conversations.EventMedia, "document", "", true},
		{"voice", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true)}}, conversations.EventMedia, "voice", "", false},
		{"audio", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{}}, conversations.EventMedia, "audio", "", false},
		{"sticker", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}, conversations.EventMedia, "sticker", "", false},
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-23.5)}}, conversations.EventText, "", "", false},
		{"contact card", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("João")}}, conversations.EventText, "", "", false},
		{"unknown type", &waE2E.Message{}, conversations.EventText, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := Translate(msg(phoneJID, phoneJID, tt.m))
			if up.Kind != Message {
				t.Fatalf("kind %v (%s)", up.Kind, up.Reason)
			}
			ev := up.Inbound.Event
			if ev.Kind != tt.kind || ev.MediaKind != tt.mediaKind || ev.Text != tt.text || (up.Media != nil) != tt.media {
				t.Fatalf("got %+v media=%v", ev, up.Media)
			}
		})
	}
	up := Translate(msg(phoneJID, phoneJID, &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("big.pdf"), FileLength: proto.Uint64(50 << 20)}}))
	if up.Media == nil || up.Media.Size != 50<<20 || up.Media.FileName != "big.pdf" {
		t.Fatalf("document media %+v", up.Media)
	}
}

func TestTranslateFromMeEditDelete(t *testing.T) {
	own := types.NewJID("5511888000000", types.DefaultUserServer)
	up := Translate(msg(phoneJID, own, text("Oi Maria, aqui é a Ana"), func(i *types.MessageInfo) { i.IsFromMe = true }))
	if up.Kind != FromMe || ChatID(up.Phone, up.Peer) != "+5511999000001" || up.MessageID != "3EB0ABCDEF" {
		t.Fatalf("from me: %+v", up)
	}
	// Typed on the phone in a LID chat: the recipient's phone comes as RecipientAlt.
	up = Translate(msg(lidJID, own, text("oi"), func(i *types.MessageInfo) { i.IsFromMe = true; i.RecipientAlt = phoneJID }))
	if up.Kind != FromMe || ChatID(up.Phone, up.Peer) != "+5511999000001" {
		t.Fatalf("from me, LID: %+v", up)
	}
	edit := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
		Key: &waCommon.MessageKey{ID: proto.String("ORIGINAL")}, EditedMessage: text("123, quer dizer")}}
	up = Translate(msg(phoneJID, phoneJID, edit))
	if up.Kind != Edited || up.Target != "ORIGINAL" || up.Text != "123, quer dizer" {
		t.Fatalf("edit: %+v", up)
	}
	revoke := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: &waCommon.MessageKey{ID: proto.String("ORIGINAL")}}}
	up = Translate(msg(phoneJID, phoneJID, revoke))
	if up.Kind != Deleted || up.Target != "ORIGINAL" {
		t.Fatalf("delete: %+v", up)
	}
	// An edit already unwrapped by whatsmeow.
	e := msg(phoneJID, phoneJID, text("novo"))
	e.IsEdit = true
	if up := Translate(e); up.Kind != Edited || up.Text != "novo" {
		t.Fatalf("unwrapped edit: %+v", up)
	}
}

func TestTranslateBadInput(t *testing.T) {
	long := strings.Repeat("a", 64<<10)
	up := Translate(msg(phoneJID, phoneJID, text(long)))
	if up.Kind != Message || len(up.Inbound.Text) != 64<<10 {
		t.Fatalf("64 KB text: %v %d", up.Kind, len(up.Inbound.Text))
	}
	up = Translate(msg(phoneJID, phoneJID, text("ol\xff\xfeá")))
	if up.Kind != Message {
		t.Fatalf("invalid UTF-8: %v", up.Kind)
	}
}

func TestReceiptStatus(t *testing.T) {
	r := &events.Receipt{MessageSource: types.MessageSource{Chat: phoneJID, Sender: phoneJID}, MessageIDs: []string{"A"}, Type: types.ReceiptTypeDelivered}
	if got := ReceiptStatus(r); got != StatusDelivered {
		t.Fatalf("delivered: %q", got)
	}
	r.Type = types.ReceiptTypeRead
	if got := ReceiptStatus(r); got != StatusRead {
		t.Fatalf("read: %q", got)
	}
	r.Type = types.ReceiptTypeRetry
	if got := ReceiptStatus(r); got != "" {
		t.Fatalf("retry: %q", got)
	}
	r.Type, r.IsFromMe = types.ReceiptTypeReadSelf, true
	if got := ReceiptStatus(r); got != "" {
		t.Fatalf("read-self: %q", got)
	}
}

func TestInterpret(t *testing.T) {
	tests := []struct {
		evt       any
		state     string
		usable    bool
		permanent bool
	}{
		{&events.Connected{}, StateConnected, true, false},
		{&events.Disconnected{}, StateDisconnected, true, false},
		{&events.LoggedOut{Reason: events.ConnectFailureLoggedOut}, StateLoggedOut, false, true},
		{&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 24 * time.Hour}, StateBanned, false, true},
		{&events.StreamReplaced{}, StateReplaced, false, true},
		{&events.ClientOutdated{}, StateOutdated, false, true},
		{&events.ConnectFailure{Reason: events.ConnectFailureUnknownLogout}, StateBanned, false, true},
		{&events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable}, StateDisconnected, true, false},
	}
	for _, tt := range tests {
		got, ok := Interpret(tt.evt)
		if !ok || got.State != tt.state || got.Usable != tt.usable || got.Permanent != tt.permanent {
			t.Errorf("%T: got %+v", tt.evt, got)
		}
		if tt.permanent && got.Detail == "" {
			t.Errorf("%T: no detail for staff", tt.evt)
		}
	}
	if _, ok := Interpret(&events.Message{}); ok {
		t.Error("a message is not a connection event")
	}
}
