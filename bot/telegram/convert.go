package telegram

import (
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// Kind says what an update asks of Régua.
type Kind int

// Update kinds.
const (
	// Ignore: nothing to do (edits, channel posts, service messages, other
	// bots, group chatter).
	Ignore Kind = iota
	// Message: a person's message for the conversation (Inbound).
	Message
	// Callback: an inline button was tapped (CallbackID, Nonce, Key, Button).
	Callback
	// OthersContact: a shared contact that is not the sender's own. It links
	// nothing: anyone can share anyone's contact card.
	OthersContact
	// GroupChat: someone addressed the bot in a group; it serves private
	// chats only.
	GroupChat
	// Blocked: the person blocked the bot (or deleted the chat).
	Blocked
	// Unblocked: the person unblocked the bot.
	Unblocked
)

func (k Kind) String() string {
	switch k {
	case Message:
		return "message"
	case Callback:
		return "callback"
	case OthersContact:
		return "others_contact"
	case GroupChat:
		return "group_chat"
	case Blocked:
		return "blocked"
	case Unblocked:
		return "unblocked"
	}
	return "ignore"
}

// Update is a Bot API update translated.
type Update struct {
	Kind   Kind
	ChatID int64
	// Inbound is the message for the conversation service (Message), or
	// the tap as typed text before its key is checked (Callback).
	Inbound bot.Inbound
	// StartToken is the deep link's token of "/start <token>"; the
	// Inbound's text is then plain "/start".
	StartToken string

	CallbackID string
	Nonce      string // the tapped button's menu ("" when unreadable)
	Key        string // the tapped option's key
	Button     string // the tapped button's text, when the message is still readable
}

// Translate reads an update. It never fails: what it cannot use is Ignore.
func Translate(u *models.Update) Update {
	switch {
	case u == nil:
		return Update{}
	case u.Message != nil:
		return fromMessage(u.Message)
	case u.CallbackQuery != nil:
		return fromCallback(u.CallbackQuery)
	case u.MyChatMember != nil:
		return fromMembership(u.MyChatMember)
	}
	// Edits (the original was answered), channel posts, inline queries,
	// reactions, polls, payments: nothing for a collections conversation.
	return Update{}
}

func fromMessage(m *models.Message) Update {
	if m.From == nil || m.From.IsBot {
		return Update{}
	}
	switch m.Chat.Type {
	case models.ChatTypePrivate:
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		// Only when addressed (a command): chatter in a group is not ours.
		if strings.HasPrefix(m.Text, "/") {
			return Update{Kind: GroupChat, ChatID: m.Chat.ID}
		}
		return Update{}
	default:
		return Update{}
	}
	up := Update{Kind: Message, ChatID: m.Chat.ID}
	ev := conversations.Event{Kind: conversations.EventText, MessageID: strconv.Itoa(m.ID), At: time.Unix(int64(m.Date), 0)}
	ref := ""
	switch {
	case m.Contact != nil:
		if m.Contact.UserID == 0 || m.Contact.UserID != m.From.ID {
			return Update{Kind: OthersContact, ChatID: m.Chat.ID}
		}
		ev.Kind = conversations.EventContact
		// A number that is not Brazilian matches nobody: the engine then
		// says it found nothing for it.
		ev.Phone, _ = payments.NormalizePhone(m.Contact.PhoneNumber)
	case len(m.Photo) > 0:
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "image", m.Caption
		ref = largest(m.Photo).FileID
	case m.Document != nil:
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "document", m.Caption
		ref = m.Document.FileID
	case m.Voice != nil:
		ev.Kind, ev.MediaKind = conversations.EventMedia, "voice"
		ref = m.Voice.FileID
	case m.Audio != nil:
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "audio", m.Caption
		ref = m.Audio.FileID
	case m.Video != nil:
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "video", m.Caption
		ref = m.Video.FileID
	case m.VideoNote != nil:
		ev.Kind, ev.MediaKind = conversations.EventMedia, "video"
		ref = m.VideoNote.FileID
	case m.Animation != nil:
		ev.Kind, ev.MediaKind, ev.Text = conversations.EventMedia, "video", m.Caption
		ref = m.Animation.FileID
	case m.Sticker != nil:
		ev.Kind, ev.MediaKind = conversations.EventMedia, "sticker"
		ref = m.Sticker.FileID
	case m.Text != "":
		ev.Text = m.Text
		if tok, ok := startToken(m.Text); ok {
			ev.Text, up.StartToken = "/start", tok
		}
	case m.Location != nil, m.Venue != nil, m.Poll != nil, m.Dice != nil, m.Game != nil, m.Story != nil:
		// Something the bot cannot read: an empty message gets the
		// engine's "could not read that" with the options.
	default:
		return Update{} // a service message (pinned, chat photo changed, ...)
	}
	up.Inbound = bot.Inbound{Channel: bot.ChannelTelegram, Chat: chatString(m.Chat.ID), Event: ev, MediaRef: ref}
	return up
}

// startToken reads the payload of "/start <token>" (how a t.me deep link
// opens the chat): at most 64 of [A-Za-z0-9_-], as Telegram allows.
func startToken(text string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(text), "/start ")
	if !ok {
		return "", false
	}
	tok := strings.TrimSpace(rest)
	if tok == "" || len(tok) > 64 {
		return "", false
	}
	for _, r := range tok {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "", false
		}
	}
	return tok, true
}

func largest(ps []models.PhotoSize) models.PhotoSize {
	best := ps[0]
	for _, p := range ps[1:] {
		if p.Width*p.Height > best.Width*best.Height {
			best = p
		}
	}
	return best
}

func fromCallback(q *models.CallbackQuery) Update {
	up := Update{Kind: Callback, CallbackID: q.ID, ChatID: q.From.ID}
	var msg *models.Message
	switch {
	case q.Message.Message != nil:
		msg = q.Message.Message
		up.ChatID = msg.Chat.ID
		if msg.Chat.Type != models.ChatTypePrivate {
			up.ChatID = 0 // not a menu of ours; answered and dropped
		}
	case q.Message.InaccessibleMessage != nil:
		up.ChatID = q.Message.InaccessibleMessage.Chat.ID
	}
	up.Nonce, up.Key, _ = parseCallbackData(q.Data)
	if msg != nil && msg.ReplyMarkup != nil {
		for _, row := range msg.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == q.Data {
					up.Button = b.Text
				}
			}
		}
	}
	up.Inbound = bot.Inbound{Channel: bot.ChannelTelegram, Chat: chatString(up.ChatID), Event: conversations.Event{
		Kind: conversations.EventText, MessageID: "cb:" + q.ID, Text: up.Key}}
	return up
}

func fromMembership(m *models.ChatMemberUpdated) Update {
	switch m.Chat.Type {
	case models.ChatTypePrivate:
		switch m.NewChatMember.Type {
		case models.ChatMemberTypeBanned:
			return Update{Kind: Blocked, ChatID: m.Chat.ID}
		case models.ChatMemberTypeMember:
			return Update{Kind: Unblocked, ChatID: m.Chat.ID}
		}
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		// Added to a group: say once, there, where the bot can help.
		if m.NewChatMember.Type == models.ChatMemberTypeMember && m.OldChatMember.Type != models.ChatMemberTypeMember {
			return Update{Kind: GroupChat, ChatID: m.Chat.ID}
		}
	}
	return Update{}
}

func chatString(id int64) string { return strconv.FormatInt(id, 10) }
