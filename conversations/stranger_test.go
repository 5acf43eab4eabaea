package conversations

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
)

// Nobody can learn from the bot's answers whether a phone belongs to a
// debtor (SPEC: identity before disclosure): until the right answer to the
// identity question, a number linked to nobody and a debtor's number get the
// same replies, message for message, for whatever is written. Each message
// of the recogniser table is tried as the opening, as an answer and after a
// wrong guess, on WhatsApp and the web chat.
func TestStrangerIndistinguishableFromDebtor(t *testing.T) {
	msgs := recogniserMessages(t)
	msgs = append(msgs, "", "oi", "123", "000", "999.999", "não sei", "quem é?", "1", "2", "falar com uma pessoa")
	// Debtors with a numeric document (every CPF, and CNPJs before 2026).
	// An alphanumeric CNPJ's holder may answer with letters, so a short
	// message with a digit ("opção 2") counts as an answer there and not
	// for a stranger: that difference stays.
	debtors := []string{"maria", "joao", "pedro"}
	compared := 0
	for _, channel := range []string{"whatsapp", "webchat"} {
		for _, m := range msgs {
			seqs := [][]string{{m}, {"oi", m}, {"oi", "999", m, m}, {m, "888", "777", m}}
			for _, seq := range seqs {
				strangerReplies := playReplies(channel, "none", seq)
				for _, who := range debtors {
					if answersRight(who, seq) {
						continue
					}
					got := playReplies(channel, who, seq)
					if !reflect.DeepEqual(got, strangerReplies) {
						t.Fatalf("%s %q: a stranger gets\n%q\nbut %s's number gets\n%q", channel, seq, strangerReplies, who, got)
					}
					compared++
				}
			}
		}
	}
	if compared < 1000 {
		t.Fatalf("only %d sequences compared", compared)
	}
}

// answersRight reports whether a message of seq could verify the fixture
// debtor who (then the two sides may rightly differ).
func answersRight(who string, seq []string) bool {
	p := documentPrefix(fixtures[who].debtor.DocumentPrefix)
	for _, m := range seq {
		in := NewRecognizer().Recognize(m, fxToday)
		if in.Kind == IntentDigits && strings.HasPrefix(in.Digits, p) {
			return true
		}
		if strings.Contains(strings.ToUpper(Normalize(m)), p) {
			return true
		}
	}
	return false
}

// playReplies runs seq on a fresh chat linked to fixture who ("none": no
// debtor) and returns every reply with its options, in order.
func playReplies(channel, who string, seq []string) []string {
	s := Session{Channel: channel, Chat: "+5511900000000"}
	var out []string
	now := fxToday
	for _, m := range seq {
		f := fxFacts(who, now)
		var acts []Action
		s, acts = Step(s, Event{Kind: EventText, Text: m, MessageID: "x"}, f, now)
		for _, a := range acts {
			if a.Kind != ActReply {
				continue // what the service records is not what the writer sees
			}
			r := a.Text
			for _, o := range a.Options {
				r += " | " + o.Key + ". " + o.Label
			}
			out = append(out, r)
		}
	}
	return out
}

func recogniserMessages(t *testing.T) []string {
	f, err := os.Open("testdata/intents.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, msg, ok := strings.Cut(line, "|"); ok {
			out = append(out, strings.TrimSpace(msg))
		}
	}
	return out
}
