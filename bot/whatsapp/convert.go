package whatsapp

import (
	"strings"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
)

// Kind says what an event asks of Régua.
type Kind int

// Update kinds.
const (
	// Ignore: nothing to do; Reason says why (counted in /metrics).
	Ignore Kind = iota
	// Message: a person's message for the conversation.
	Message
	// FromMe: a message sent from the linked number itself: by Régua (its
	// own id) or typed on the phone by a person at the business.
	FromMe
	// Edited: the person edited an earlier message (recorded, not re-run).
	Edited
	// Deleted: the person deleted an earlier message for everyone.
	Deleted
)

func (k Kind) String() string {
	switch k {
	case Message:
		return "message"
	case FromMe:
		return "from_me"
	case Edited:
		return "edited"
	case Deleted:
		return "deleted"
	}
	return "ignore"
}

// Reasons an event is ignored (the label of regua_whatsapp_ignored_total).
const (
	IgnoreGroup      = "group"
	IgnoreBroadcast  = "broadcast"
	IgnoreStatus     = "status"
	IgnoreNewsletter = "newsletter"
	IgnoreOther      = "other_chat" // bots, hosted accounts, anything not a person's direct chat
	IgnoreEmpty      = "no_content" // reactions, protocol messages, polls' votes...
)

// Media is a file a person sent that Régua may keep (images and documents,
// as receipts).
type Media struct {
	Kind     string // "image" or "document"
	Mimetype string
	FileName string
	Size     uint64 // as announced by the sender
	Message  *waE2E.Message
}

// Update is a whatsmeow event translated.
type Update struct {
	Kind   Kind
	Reason string // Ignore: why

	// Peer is the other person in the direct chat as WhatsApp named it
	// (a phone JID or a LID); Phone is their phone JID when known (empty:
	// resolve Peer through the LID store).
	Peer  types.JID
	Phone types.JID
	// Sender is who wrote it (for read receipts).
	Sender types.JID

	MessageID string
	// Inbound is the conversation's event (Message); its Chat is filled
	// once the phone is known (ChatID).
	Inbound bot.Inbound
	Media   *Media

	// Target is the message an edit or delete is about; Text is an edit's
	// new text.
	Target string
	Text   string
}

// Translate reads a message event. It never fails: what it cannot use is
// Ignore with a reason.
func Translate(evt *events.Message) Update {
	if evt == nil || evt.Message == nil {
		return Update{Reason: IgnoreEmpty}
	}
	info := evt.Info
	if r := chatReason(info.Chat, info.IsGroup); r != "" {
		return Update{Reason: r}
	}
	up := Update{MessageID: info.ID, Sender: info.Sender}
	// In a direct chat, the chat is the other person, whoever wrote.
	up.Peer = info.Chat.ToNonAD()
	switch {
	case up.Peer.Server == types.DefaultUserServer:
		up.Phone = up.Peer
	case info.IsFromMe && info.RecipientAlt.Server == types.DefaultUserServer:
		up.Phone = info.RecipientAlt.ToNonAD()
	case !info.IsFromMe && info.SenderAlt.Server == types.DefaultUserServer:
		up.Phone = info.SenderAlt.ToNonAD()
	}
	m := evt.Message
	if pm := m.GetProtocolMessage(); pm != nil {
		switch pm.GetType() {
		case waE2E.ProtocolMessage_REVOKE:
			up.Kind, up.Target = Deleted, pm.GetKey().GetID()
		case waE2E.ProtocolMessage_MESSAGE_EDIT:
			up.Kind, up.Target, up.Text = Edited, pm.GetKey().GetID(), textOf(pm.GetEditedMessage())
		default:
			return Update{Reason: IgnoreEmpty}
		}
		if info.IsFromMe {
			return Update{Reason: IgnoreEmpty} // the business edited its own message
		}
		return up
	}
	if evt.IsEdit {
		up.Kind, up.Target, up.Text = Edited, info.ID, textOf(m)
		if info.IsFromMe {
			return Update{Reason: IgnoreEmpty}
		}
		return up
	}
	if info.IsFromMe {
		up.Kind = FromMe
		up.Text = textOf(m)
		return up
	}
	ev := conversations.Event{Kind: conversations.EventText, MessageID: info.ID, At: info.Timestamp}
	switch {
	case m.GetConversation() != "" || m.GetExtendedTextMessage() != nil:
		ev.Text = textOf(m)
	case m.GetImageMessage() != nil:
		im := m.GetImageMessage()
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "image", im.GetCaption()
		up.Media = &Media{Kind: "image", Mimetype: im.GetMimetype(), Size: im.GetFileLength(), Message: m}
	case m.GetDocumentMessage() != nil:
		dm := m.GetDocumentMessage()
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "document", dm.GetCaption()
		up.Media = &Media{Kind: "document", Mimetype: dm.GetMimetype(), FileName: dm.GetFileName(), Size: dm.GetFileLength(), Message: m}
	case m.GetAudioMessage() != nil:
		ev.Kind, ev.MediaKind = conversations.EventMedia, "audio"
		if m.GetAudioMessage().GetPTT() {
			ev.MediaKind = "voice"
		}
	case m.GetStickerMessage() != nil:
		ev.Kind, ev.MediaKind = conversations.EventMedia, "sticker"
	case m.GetVideoMessage() != nil:
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "video", m.GetVideoMessage().GetCaption()
	case m.GetPtvMessage() != nil:
		ev.Kind, ev.MediaKind = conversations.EventMedia, "video"
	case m.GetContactMessage() != nil, m.GetContactsArrayMessage() != nil,
		m.GetLocationMessage() != nil, m.GetLiveLocationMessage() != nil,
		m.GetPollCreationMessage() != nil, m.GetPollCreationMessageV3() != nil, m.GetEventMessage() != nil:
		// Something the bot cannot read: an empty message gets the engine's
		// "could not read that" with the options. A contact card links
		// nothing: the chat already is the person's phone.
	case m.GetReactionMessage() != nil, m.GetPollUpdateMessage() != nil, m.GetSenderKeyDistributionMessage() != nil,
		m.GetKeepInChatMessage() != nil, m.GetPinInChatMessage() != nil, m.GetEncReactionMessage() != nil:
		return Update{Reason: IgnoreEmpty}
	default:
		// A kind of message this version does not know: answered like
		// one it cannot read, never dropped in silence.
	}
	up.Kind = Message
	up.Inbound = bot.Inbound{Channel: bot.ChannelWhatsApp, Event: ev}
	return up
}

// chatReason says why a chat is not a person's direct chat ("" when it is).
func chatReason(chat types.JID, isGroup bool) string {
	switch {
	case chat == types.StatusBroadcastJID:
		return IgnoreStatus
	case chat.Server == types.BroadcastServer:
		return IgnoreBroadcast
	case chat.Server == types.NewsletterServer:
		return IgnoreNewsletter
	case isGroup || chat.Server == types.GroupServer:
		return IgnoreGroup
	case chat.Server == types.DefaultUserServer || chat.Server == types.HiddenUserServer:
		if chat.User == "" || chat.IsBot() || chat == types.PSAJID {
			return IgnoreOther
		}
		return ""
	}
	return IgnoreOther
}

// textOf is a message's text: plain, extended (with a link preview or a
// quote) or a caption.
func textOf(m *waE2E.Message) string {
	switch {
	case m == nil:
		return ""
	case m.GetConversation() != "":
		return m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		return m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetCaption()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage().GetCaption()
	}
	return ""
}

// ChatID is the conversation's chat for a person: their E.164 phone
// ("+5511…") when known, else "lid:<id>" — a chat that matches no debtor,
// so it is answered without disclosing anything until the phone is known.
func ChatID(phone, peer types.JID) string {
	if phone.Server == types.DefaultUserServer && phone.User != "" {
		return "+" + phone.User
	}
	return "lid:" + peer.User
}

// JIDForChat is where a conversation's messages go: the phone JID for an
// E.164 chat, the LID for a "lid:" chat; ok is false for anything else.
func JIDForChat(chat string) (types.JID, bool) {
	if rest, ok := strings.CutPrefix(chat, "lid:"); ok && digits(rest) {
		return types.NewJID(rest, types.HiddenUserServer), true
	}
	if rest, ok := strings.CutPrefix(chat, "+"); ok && digits(rest) && len(rest) >= 8 && len(rest) <= 15 {
		return types.NewJID(rest, types.DefaultUserServer), true
	}
	return types.JID{}, false
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ReceiptStatus maps a delivery receipt to an outbox status ("" for
// receipts that change nothing).
func ReceiptStatus(r *events.Receipt) string {
	if r == nil || r.IsFromMe || r.IsGroup {
		// Our own devices acknowledging, or a group: nothing about a person
		// reading Régua's message.
		return ""
	}
	switch r.Type {
	case types.ReceiptTypeDelivered:
		return StatusDelivered
	case types.ReceiptTypeRead, types.ReceiptTypePlayed:
		return StatusRead
	}
	return ""
}

// when returns t, or now when t is zero.
func when(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

func toValid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
