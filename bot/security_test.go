package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
)

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.ledger.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// "Não sou eu" is recorded, not only acknowledged: the debtor's number is
// flagged, staff are alerted, the chat is unlinked for good, and the right
// digits typed next on that chat verify nothing — even after Redis loses
// the session.
func TestWrongNumberRecorded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.say(t, maria, "oi")
	out := joined(f.say(t, maria, "não sou eu, vocês mandaram pro número errado"))
	if !strings.Contains(out, "registrar") {
		t.Fatalf("wrong number: %s", out)
	}
	if n := f.count(t, "SELECT count(*) FROM debtors WHERE external_id = 'cli-001' AND wrong_number"); n != 1 {
		t.Fatal("debtors.wrong_number not set")
	}
	if n := f.count(t, "SELECT count(*) FROM staff_alerts a JOIN debtors d ON d.id = a.debtor_id WHERE a.kind = 'wrong_number' AND d.external_id = 'cli-001'"); n != 1 {
		t.Fatalf("%d wrong-number alerts, want 1", n)
	}
	if n := f.count(t, "SELECT count(*) FROM conversations WHERE chat = $1 AND debtor_id IS NULL AND wrong_number_at IS NOT NULL", maria); n != 1 {
		t.Fatal("the chat is still linked")
	}
	for round := 0; round < 2; round++ {
		for _, text := range []string{"123", "oi", "123.456.789-09", "quanto eu devo?"} {
			out := joined(f.say(t, maria, text))
			if strings.Contains(out, "Maria") || strings.Contains(out, "R$") || strings.Contains(strings.ToLower(out), "cpf") {
				t.Fatalf("round %d, %q after wrong number: %s", round, text, out)
			}
		}
		flush(f.rdb, f.prefix)
	}
	if n := f.count(t, "SELECT count(*) FROM conversations WHERE chat = $1 AND debtor_id IS NOT NULL", maria); n != 0 {
		t.Fatal("the chat was linked again")
	}
	if hold, err := f.svc.Start(context.Background(), bot.ChannelWebchat, maria, 0, bot.Reply{Text: "lembrete"}); hold != bot.HoldWrongNumber || !errors.Is(err, bot.ErrHeld) {
		t.Fatalf("a message the business starts to that chat: hold %q, err %v", hold, err)
	}
}

// A third party ("é o marido dela") is recorded on the conversation: after
// Redis loses the session (a flush, the 24-hour TTL) the right digits still
// verify nothing and disclose nothing, while a chat where no third party
// spoke verifies with them after the same flush.
func TestThirdPartyRecorded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.say(t, maria, "oi")
	out := joined(f.say(t, maria, "é o marido dela, ela ta trabalhando"))
	if !strings.Contains(out, "Número errado") || strings.Contains(out, "Maria") || strings.Contains(out, "R$") {
		t.Fatalf("third party: %s", out)
	}
	if n := f.count(t, "SELECT count(*) FROM conversations WHERE chat = $1 AND third_party_at IS NOT NULL AND debtor_id IS NOT NULL", maria); n != 1 {
		t.Fatal("conversations.third_party_at not set (or the chat was unlinked)")
	}
	for round := 0; round < 3; round++ {
		flush(f.rdb, f.prefix)
		for _, text := range []string{"123", "oi", "quanto ela deve?", "123.456.789-09", "sou eu mesma, pode falar"} {
			out := joined(f.say(t, maria, text))
			if strings.Contains(out, "Maria") || strings.Contains(out, "R$") || strings.Contains(strings.ToLower(out), "cpf") {
				t.Fatalf("round %d, %q after a third party and a flush: %s", round, text, out)
			}
		}
	}
	if n := f.count(t, "SELECT count(*) FROM staff_alerts WHERE kind = 'third_party'"); n != 1 {
		t.Fatalf("%d third-party alerts, want 1", n)
	}
	// The contrast: the same flush on a chat where nobody else spoke.
	g := setup(t)
	g.say(t, maria, "oi")
	flush(g.rdb, g.prefix)
	g.say(t, maria, "123")
	if out := joined(g.say(t, maria, "1")); !strings.Contains(out, "R$") {
		t.Fatalf("the debtor's own chat after a flush: %s", out)
	}
}

// Wrong answers are counted in PostgreSQL: losing the Redis session (a
// flush, a restart, the TTL) gives no fresh guesses. Twelve wrong answers
// across six flushes end locked, and the right answer then discloses
// nothing.
func TestVerificationFailuresSurviveRedisLoss(t *testing.T) {
	t.Parallel()
	f := setup(t)
	guesses := []string{"999", "888", "777", "666", "555", "444", "333", "222", "111", "000", "321", "213"}
	for i, g := range guesses {
		f.say(t, maria, g)
		if i%2 == 1 {
			flush(f.rdb, f.prefix)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM conversations WHERE chat = $1 AND verify_locked_at IS NOT NULL", maria); n != 1 {
		t.Fatal("not locked after 12 wrong answers")
	}
	if n := f.count(t, "SELECT count(*) FROM verification_failures"); n != conversations.MaxVerifyFailures {
		t.Fatalf("%d failures recorded, want %d (answers after the lock spend nothing)", n, conversations.MaxVerifyFailures)
	}
	flush(f.rdb, f.prefix)
	out := joined(f.say(t, maria, "123"))
	if strings.Contains(out, "Maria") || strings.Contains(out, "R$") {
		t.Fatalf("right answer after the lock: %s", out)
	}
	// The third wrong answer is the last even when each comes after a flush.
	g := setup(t)
	for _, guess := range []string{"999", "888"} {
		g.say(t, maria, guess)
		flush(g.rdb, g.prefix)
	}
	if out := joined(g.say(t, maria, "777")); !strings.Contains(out, "Não consegui confirmar") {
		t.Fatalf("third wrong answer across flushes: %s", out)
	}
}

// Someone trying a debtor's first digits from several numbers is stopped
// too: after five wrong answers about one debtor on any chats, a new chat
// about that debtor is locked from its first message.
func TestVerificationFailuresPerDebtor(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	pool := f.ledger.Pool()
	phones := []string{"+5511988770001", "+5511988770002", "+5511988770003"}
	if _, err := pool.Exec(ctx, "UPDATE debtors SET phones = phones || $1::text[] WHERE external_id = 'cli-001'", phones); err != nil {
		t.Fatal(err)
	}
	f.say(t, phones[0], "999")
	f.say(t, phones[0], "888")
	f.say(t, phones[1], "777")
	f.say(t, phones[1], "666")
	f.say(t, phones[2], "555") // the fifth wrong answer about Maria
	out := joined(f.say(t, maria, "123"))
	if strings.Contains(out, "Maria") || strings.Contains(out, "R$") {
		t.Fatalf("right answer on a fresh chat after 5 wrong ones elsewhere: %s", out)
	}
}

// Nobody learns from the answers whether a number belongs to a debtor: a
// stranger's number and a debtor's get the same first reply, the same reply
// to a wrong answer, and the same lock.
func TestStrangerAndDebtorGetTheSameAnswers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const stranger = "+5511977776666"
	for _, text := range []string{"oi", "quanto eu devo?", "205", "999", "manda o pix", "000", "123", "1"} {
		d, s := joined(f.say(t, maria, text)), joined(f.say(t, stranger, text))
		if text == "123" {
			// Maria's real digits, after the lock: still nothing.
			if strings.Contains(d, "Maria") {
				t.Fatal("disclosed after the lock")
			}
		}
		if d != s {
			t.Fatalf("%q: a debtor's number gets\n%s\na stranger's gets\n%s", text, d, s)
		}
	}
}

// A message sent again with the same id (the client lost the answer) runs
// nothing and gets the replies stored for its first delivery.
func TestRetriedMessageGetsFirstReplies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.say(t, maria, "oi")
	f.say(t, maria, "123")
	in := bot.Inbound{Channel: bot.ChannelWebchat, Chat: maria, Event: conversations.Event{Kind: conversations.EventText, MessageID: "retry-1", Text: "quero pagar com pix"}}
	first, err := f.svc.Handle(ctx, in)
	if err != nil || len(first) == 0 {
		t.Fatalf("first: %v %v", first, err)
	}
	codes := f.count(t, "SELECT count(*) FROM pix_codes")
	again, err := f.svc.Handle(ctx, in)
	if !errors.Is(err, bot.ErrDuplicate) || joined(again) != joined(first) || len(again) != len(first) {
		t.Fatalf("retry: %v %v, want %v", again, err, first)
	}
	for i := range first {
		if (first[i].Pix == nil) != (again[i].Pix == nil) || first[i].Pix != nil && first[i].Pix.Payload != again[i].Pix.Payload {
			t.Fatalf("retry's Pix differs: %+v vs %+v", again[i].Pix, first[i].Pix)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM pix_codes"); n != codes {
		t.Fatalf("the retry issued %d more Pix codes", n-codes)
	}
	if n := f.count(t, "SELECT count(*) FROM messages WHERE channel_message_id = 'retry-1'"); n != 1 {
		t.Fatalf("%d copies of the retried message stored", n)
	}
}

// The gate holds every message the business starts for each reason, and
// lets it go otherwise; a held message is neither sent nor stored.
func TestGateHolds(t *testing.T) {
	t.Parallel()
	const carlos = "+5511999000004" // cli-004, CPF 529...
	cases := []struct {
		want  bot.Hold
		setup func(t *testing.T, f *fixture)
	}{
		{bot.HoldNone, func(t *testing.T, f *fixture) {}},
		{bot.HoldOptedOut, func(t *testing.T, f *fixture) { f.say(t, carlos, "SAIR") }},
		{bot.HoldWrongNumber, func(t *testing.T, f *fixture) { f.say(t, carlos, "não sou eu") }},
		// A relative answering is a third party: nothing the business starts goes there either.
		{bot.HoldWrongNumber, func(t *testing.T, f *fixture) { f.say(t, carlos, "sou a mae dele, ele nao esta") }},
		{bot.HoldDispute, func(t *testing.T, f *fixture) {
			f.say(t, carlos, "529")
			f.say(t, carlos, "não reconheço essa dívida")
		}},
		{bot.HoldWithAgent, func(t *testing.T, f *fixture) {
			var id int64
			f.ledger.Pool().QueryRow(context.Background(), "SELECT id FROM conversations WHERE chat = $1", carlos).Scan(&id)
			if err := f.svc.Takeover(context.Background(), id, "test"); err != nil {
				t.Fatal(err)
			}
		}},
		{bot.HoldPaused, func(t *testing.T, f *fixture) {
			f.ledger.Pool().Exec(context.Background(), "UPDATE debtors SET regua_paused_at = now() WHERE external_id = 'cli-004'")
		}},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.want), func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.say(t, carlos, "oi")
			c.setup(t, f)
			var debtor int64
			f.ledger.Pool().QueryRow(context.Background(), "SELECT id FROM debtors WHERE external_id = 'cli-004'").Scan(&debtor)
			before := f.count(t, "SELECT count(*) FROM messages")
			hold, err := f.svc.Start(context.Background(), bot.ChannelWebchat, carlos, debtor, bot.Reply{Text: "Oi! Temos uma mensagem para você."})
			if hold != c.want {
				t.Fatalf("hold %q, want %q (err %v)", hold, c.want, err)
			}
			after := f.count(t, "SELECT count(*) FROM messages")
			switch {
			case c.want == bot.HoldNone && (err != nil || after != before+1):
				t.Fatalf("not sent: %v, %d messages stored", err, after-before)
			case c.want != bot.HoldNone && (!errors.Is(err, bot.ErrHeld) || after != before):
				t.Fatalf("held message: err %v, %d messages stored", err, after-before)
			}
		})
	}
}

// The gate's rule, for every channel.
func TestDecide(t *testing.T) {
	t.Parallel()
	cases := []struct {
		channel string
		f       bot.GateFacts
		want    bot.Hold
	}{
		{bot.ChannelWhatsApp, bot.GateFacts{}, bot.HoldNone},
		{bot.ChannelWhatsApp, bot.GateFacts{OptOutWhatsApp: true}, bot.HoldOptedOut},
		{bot.ChannelWebchat, bot.GateFacts{OptOutWhatsApp: true}, bot.HoldOptedOut},
		{bot.ChannelTelegram, bot.GateFacts{OptOutWhatsApp: true}, bot.HoldNone},
		{bot.ChannelTelegram, bot.GateFacts{OptOutTelegram: true}, bot.HoldOptedOut},
		{bot.ChannelEmail, bot.GateFacts{OptOutTelegram: true, OptOutWhatsApp: true}, bot.HoldNone},
		{bot.ChannelEmail, bot.GateFacts{OptOutEmail: true}, bot.HoldOptedOut},
		{bot.ChannelWhatsApp, bot.GateFacts{WrongNumber: true}, bot.HoldWrongNumber},
		{bot.ChannelEmail, bot.GateFacts{WrongNumber: true}, bot.HoldNone}, // the address is not the wrong number
		{bot.ChannelEmail, bot.GateFacts{ChatWrongNumber: true}, bot.HoldWrongNumber},
		{bot.ChannelEmail, bot.GateFacts{Disputed: true}, bot.HoldDispute},
		{bot.ChannelTelegram, bot.GateFacts{WithAgent: true}, bot.HoldWithAgent},
		{bot.ChannelWhatsApp, bot.GateFacts{Paused: true}, bot.HoldPaused},
		{bot.ChannelWhatsApp, bot.GateFacts{Paused: true, WrongNumber: true, Disputed: true}, bot.HoldWrongNumber},
	}
	for _, c := range cases {
		if got := bot.Decide(c.channel, c.f); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.channel, c.f, got, c.want)
		}
	}
}
