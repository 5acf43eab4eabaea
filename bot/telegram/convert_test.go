package telegram

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/regua/regua/conversations"
)

// update reads an update as the Bot API sends it.
func update(t *testing.T, raw string) *models.Update {
	t.Helper()
	var u models.Update
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		t.Fatalf("update %s: %v", raw, err)
	}
	return &u
}

const (
	from    = `"from":{"id":42,"is_bot":false,"first_name":"Ana"}`
	private = `"chat":{"id":42,"type":"private","first_name":"Ana"}`
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	at := time.Unix(1795000000, 0)
	msg := func(fields string) string {
		return `{"update_id":1,"message":{"message_id":7,` + from + `,` + private + `,"date":1795000000,` + fields + `}}`
	}
	cases := []struct {
		name  string
		raw   string
		kind  Kind
		chat  int64
		event conversations.Event
		ref   string
		token string
	}{
		{"text", msg(`"text":"quero pagar"`), Message, 42,
			conversations.Event{Kind: conversations.EventText, MessageID: "7", Text: "quero pagar", At: at}, "", ""},
		{"start", msg(`"text":"/start"`), Message, 42,
			conversations.Event{Kind: conversations.EventText, MessageID: "7", Text: "/start", At: at}, "", ""},
		{"deep link", msg(`"text":"/start Ab3_-x9"`), Message, 42,
			conversations.Event{Kind: conversations.EventText, MessageID: "7", Text: "/start", At: at}, "", "Ab3_-x9"},
		{"start with junk is plain text", msg(`"text":"/start <b>"`), Message, 42,
			conversations.Event{Kind: conversations.EventText, MessageID: "7", Text: "/start <b>", At: at}, "", ""},
		{"own contact", msg(`"contact":{"phone_number":"5511999000003","first_name":"Ana","user_id":42}`), Message, 42,
			conversations.Event{Kind: conversations.EventContact, MessageID: "7", Phone: "+5511999000003", At: at}, "", ""},
		{"own contact, foreign number", msg(`"contact":{"phone_number":"+351912345678","first_name":"Ana","user_id":42}`), Message, 42,
			conversations.Event{Kind: conversations.EventContact, MessageID: "7", At: at}, "", ""},
		{"someone else's contact", msg(`"contact":{"phone_number":"5511999000003","first_name":"Ana","user_id":43}`), OthersContact, 42,
			conversations.Event{}, "", ""},
		{"a contact card without an account", msg(`"contact":{"phone_number":"5511999000003","first_name":"Ana"}`), OthersContact, 42,
			conversations.Event{}, "", ""},
		{"photo: the largest size", msg(`"photo":[{"file_id":"s","file_unique_id":"1","width":90,"height":90},{"file_id":"L","file_unique_id":"2","width":1280,"height":720},{"file_id":"m","file_unique_id":"3","width":320,"height":320}],"caption":"comprovante"`),
			Message, 42, conversations.Event{Kind: conversations.EventMedia, MessageID: "7", MediaKind: "image", Text: "comprovante", At: at}, "L", ""},
		{"document", msg(`"document":{"file_id":"D","file_unique_id":"d","file_name":"pix.pdf","mime_type":"application/pdf"}`),
			Message, 42, conversations.Event{Kind: conversations.EventMedia, MessageID: "7", MediaKind: "document", At: at}, "D", ""},
		{"voice", msg(`"voice":{"file_id":"V","file_unique_id":"v","duration":3}`),
			Message, 42, conversations.Event{Kind: conversations.EventMedia, MessageID: "7", MediaKind: "voice", At: at}, "V", ""},
		{"sticker", msg(`"sticker":{"file_id":"S","file_unique_id":"s","type":"regular","width":512,"height":512,"is_animated":false,"is_video":false}`),
			Message, 42, conversations.Event{Kind: conversations.EventMedia, MessageID: "7", MediaKind: "sticker", At: at}, "S", ""},
		{"location: unreadable, an empty message", msg(`"location":{"latitude":-23.5,"longitude":-46.6}`),
			Message, 42, conversations.Event{Kind: conversations.EventText, MessageID: "7", At: at}, "", ""},
		{"service message", msg(`"pinned_message":{"message_id":3,"date":0,"chat":{"id":42,"type":"private"}}`), Ignore, 0, conversations.Event{}, "", ""},
		{"edited message", `{"update_id":1,"edited_message":{"message_id":7,` + from + `,` + private + `,"date":1,"edit_date":2,"text":"x"}}`,
			Ignore, 0, conversations.Event{}, "", ""},
		{"channel post", `{"update_id":1,"channel_post":{"message_id":7,"chat":{"id":-100,"type":"channel","title":"c"},"date":1,"text":"x"}}`,
			Ignore, 0, conversations.Event{}, "", ""},
		{"a bot", `{"update_id":1,"message":{"message_id":7,"from":{"id":9,"is_bot":true,"first_name":"b"},` + private + `,"date":1,"text":"x"}}`,
			Ignore, 0, conversations.Event{}, "", ""},
		{"group command", `{"update_id":1,"message":{"message_id":7,` + from + `,"chat":{"id":-5,"type":"group","title":"g"},"date":1,"text":"/start"}}`,
			GroupChat, -5, conversations.Event{}, "", ""},
		{"group chatter", `{"update_id":1,"message":{"message_id":7,` + from + `,"chat":{"id":-5,"type":"supergroup","title":"g"},"date":1,"text":"bom dia"}}`,
			Ignore, 0, conversations.Event{}, "", ""},
		{"blocked", `{"update_id":1,"my_chat_member":{` + private + `,` + from + `,"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"r"},"status":"member"},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"r"},"status":"kicked","until_date":0}}}`,
			Blocked, 42, conversations.Event{}, "", ""},
		{"unblocked", `{"update_id":1,"my_chat_member":{` + private + `,` + from + `,"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"r"},"status":"kicked","until_date":0},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"r"},"status":"member"}}}`,
			Unblocked, 42, conversations.Event{}, "", ""},
		{"added to a group", `{"update_id":1,"my_chat_member":{"chat":{"id":-5,"type":"group","title":"g"},` + from + `,"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"r"},"status":"left"},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"r"},"status":"member"}}}`,
			GroupChat, -5, conversations.Event{}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := Translate(update(t, tc.raw))
			if up.Kind != tc.kind || up.ChatID != tc.chat {
				t.Fatalf("kind %s chat %d, want %s %d", up.Kind, up.ChatID, tc.kind, tc.chat)
			}
			if tc.kind != Message {
				return
			}
			in := up.Inbound
			if in.Channel != "telegram" || in.Chat != "42" {
				t.Fatalf("inbound on %s/%s", in.Channel, in.Chat)
			}
			if in.Event != tc.event || in.MediaRef != tc.ref || up.StartToken != tc.token {
				t.Fatalf("got %+v ref %q token %q\nwant %+v ref %q token %q", in.Event, in.MediaRef, up.StartToken, tc.event, tc.ref, tc.token)
			}
		})
	}
}

func TestTranslateCallback(t *testing.T) {
	t.Parallel()
	sent := `{"message_id":9,"from":{"id":1,"is_bot":true,"first_name":"r"},` + private + `,"date":1795000000,"text":"Como posso ajudar?",
		"reply_markup":{"inline_keyboard":[[{"text":"1. Ver saldo","callback_data":"m:n0nce:1"}],[{"text":"2. Pagar com Pix","callback_data":"m:n0nce:2"}]]}}`
	up := Translate(update(t, `{"update_id":3,"callback_query":{"id":"cb1",`+from+`,"message":`+sent+`,"chat_instance":"x","data":"m:n0nce:2"}}`))
	if up.Kind != Callback || up.ChatID != 42 || up.CallbackID != "cb1" || up.Nonce != "n0nce" || up.Key != "2" || up.Button != "2. Pagar com Pix" {
		t.Fatalf("%+v", up)
	}
	if up.Inbound.MessageID != "cb:cb1" || up.Inbound.Text != "2" || up.Inbound.Chat != "42" {
		t.Fatalf("inbound %+v", up.Inbound)
	}

	// A message older than 48 hours comes inaccessible: no button text.
	up = Translate(update(t, `{"update_id":4,"callback_query":{"id":"cb2",`+from+`,"message":{"message_id":9,`+private+`,"date":0},"chat_instance":"x","data":"m:old:1"}}`))
	if up.Kind != Callback || up.ChatID != 42 || up.Nonce != "old" || up.Key != "1" || up.Button != "" {
		t.Fatalf("inaccessible: %+v", up)
	}

	// Data that is not ours still gets its query answered.
	up = Translate(update(t, `{"update_id":5,"callback_query":{"id":"cb3",`+from+`,"message":`+sent+`,"chat_instance":"x","data":"whatever"}}`))
	if up.Kind != Callback || up.Key != "" || up.Nonce != "" {
		t.Fatalf("foreign data: %+v", up)
	}

	// A button in a group: answered, nothing else.
	group := `{"message_id":9,"chat":{"id":-5,"type":"group","title":"g"},"date":1795000000,"text":"x"}`
	up = Translate(update(t, `{"update_id":6,"callback_query":{"id":"cb4",`+from+`,"message":`+group+`,"chat_instance":"x","data":"m:a:1"}}`))
	if up.Kind != Callback || up.ChatID != 0 {
		t.Fatalf("group: %+v", up)
	}
}

func TestCallbackData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		data       string
		nonce, key string
		ok         bool
	}{
		{"m:abc:1", "abc", "1", true},
		{"m:abc:contato", "abc", "contato", true},
		{"m:abc:", "", "", false},
		{"m::1", "", "", false},
		{"x:abc:1", "", "", false},
		{"", "", "", false},
	} {
		n, k, ok := parseCallbackData(tc.data)
		if n != tc.nonce || k != tc.key || ok != tc.ok {
			t.Errorf("%q: %q %q %v", tc.data, n, k, ok)
		}
	}
	if d := callbackData("AbCdEfGh", "12"); len(d) > maxCallbackData {
		t.Fatalf("%q is too long", d)
	}
}

func FuzzTranslate(f *testing.F) {
	f.Add(`{"update_id":1,"message":{"message_id":7,` + from + `,` + private + `,"date":1,"text":"/start abc"}}`)
	f.Add(`{"update_id":1,"callback_query":{"id":"c",` + from + `,"message":{"message_id":1,"date":0,` + private + `},"data":"m:a:b"}}`)
	f.Add(`{"update_id":1,"message":{"message_id":7,` + from + `,` + private + `,"date":1,"contact":{"phone_number":"x","first_name":"a","user_id":42}}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var u models.Update
		if json.Unmarshal([]byte(raw), &u) != nil {
			return
		}
		up := Translate(&u)
		if up.Kind == Message && (up.Inbound.Chat == "" || up.Inbound.Channel != "telegram") {
			t.Fatalf("message without a chat: %+v", up)
		}
	})
}
