package conversations

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// Golden transcripts: testdata/transcripts/*.txt, one conversation each.
//
//	# a comment (kept by -update)
//	@ debtor=maria channel=whatsapp now=2026-11-23T10:00 known=false other=cartão_na_loja
//	> what the person writes
//	> [media image] optional caption
//	> [media audio]
//	> [contact +5511988880001]
//	> [text "Go-quoted text, for \xff bytes or \n"]
//	> [repeat 2500 "abc "]
//	< first line of a reply
//	| next line of the same reply (or of the action above)
//	- 1. an option of the reply above
//	! send_pix charge=101        (an action other than a reply; its text follows as | lines)
//	= verified=true state=menu status=bot   (assertions on the session after the step)
//
// Directives (@), applied in order, before the next event:
//
//	debtor=NAME|none   the fixture the service loads (fixtures_test.go); default none
//	channel=C          whatsapp (default), telegram, webchat
//	now=YYYY-MM-DDTHH:MM  São Paulo time; default 2026-11-23T10:00 (a Monday)
//	wait=DURATION      advance the clock (Go duration: 45m, 48h)
//	known=BOOL         Facts.KnownChat (it turns true by itself after a reply)
//	session=lost       Redis lost the session: it starts empty again
//	status=S           staff changed the conversation's status
//
// Between steps the test plays the service: a contact links the chat to
// the fixture with that phone; opt_out/opt_in and wrong_number change the
// debtor's flags in the next steps' facts, and wrong_number unlinks the
// chat for good (Facts.ChatWrongNumber).
//
// Run with -update to rewrite the expected lines (<, |, -, !) from what the
// engine says now; everything else in the file is kept. Review the diff.
//
// Every step of every transcript is also checked for the properties that
// must always hold (checkStep): nothing disclosed before verification, a
// message back whenever the bot holds the chat, silence with an agent, at
// most one emoji per message.

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/transcripts")

const transcriptDir = "testdata/transcripts"

func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(transcriptDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("want at least 30 transcripts in %s, found %d", transcriptDir, len(files))
	}
	eng := NewEngine()
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := runTranscript(t, eng, path, string(src))
			if *update && got != string(src) {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// player is the test's stand-in for the service around the engine.
type player struct {
	debtor   string
	channel  string
	now      time.Time
	known    bool
	optedOut bool
	wrongNum bool
	// chatWrong: the chat said "não sou eu"; the service then links it to
	// nobody and says so in the facts.
	chatWrong bool
	// chatThird: someone said they are not the debtor; the service
	// records it on the conversation and says so in the facts.
	chatThird bool
	// other: the business's other ways of paying (REGUA_OTHER_PAY_METHODS).
	other string
	s     Session
}

func newPlayer() *player {
	return &player{debtor: "none", channel: "whatsapp", now: fxToday,
		s: Session{Channel: "whatsapp", Chat: "+5511900000000"}}
}

func (p *player) facts() Facts {
	f := fxFacts(p.debtor, p.now)
	if f.Debtor != nil {
		f.Debtor.OptedOut = p.optedOut
		f.Debtor.WrongNumber = p.wrongNum
	}
	f.OtherPayMethods = p.other
	f.KnownChat = p.known
	f.ChatThirdParty = p.chatThird
	if p.chatWrong {
		f.Debtor, f.ChatWrongNumber = nil, true
		f.Charges, f.Total, f.Offers = nil, 0, nil
	}
	return f
}

func (p *player) directive(arg string) error {
	for _, kv := range strings.Fields(arg) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("directive %q: want key=value", kv)
		}
		switch k {
		case "debtor":
			if _, ok := fixtures[v]; !ok && v != "none" {
				return fmt.Errorf("no fixture %q", v)
			}
			p.debtor = v
		case "other":
			p.other = strings.ReplaceAll(v, "_", " ") // "other=cartão_na_loja"
		case "channel":
			p.channel = v
			p.s.Channel = v
		case "now":
			at, err := time.ParseInLocation("2006-01-02T15:04", v, brt)
			if err != nil {
				return err
			}
			p.now = at
		case "wait":
			d, err := time.ParseDuration(v)
			if err != nil {
				return err
			}
			p.now = p.now.Add(d)
		case "known":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return err
			}
			p.known = b
		case "session":
			if v != "lost" {
				return fmt.Errorf("session=%s: only lost", v)
			}
			p.s = Session{Channel: p.channel, Chat: p.s.Chat}
			p.known = true
		case "status":
			p.s.Status = v
		default:
			return fmt.Errorf("unknown directive %q", k)
		}
	}
	return nil
}

// parseEvent reads what follows "> ".
func parseEvent(s string, at time.Time) (Event, error) {
	ev := Event{Kind: EventText, Text: s, At: at}
	if !strings.HasPrefix(s, "[") {
		return ev, nil
	}
	end := strings.Index(s, "]")
	if end < 0 {
		return ev, fmt.Errorf("unclosed [")
	}
	verb, arg, _ := strings.Cut(s[1:end], " ")
	rest := strings.TrimPrefix(s[end+1:], " ")
	switch verb {
	case "media":
		return Event{Kind: EventMedia, MediaKind: arg, Text: rest, At: at}, nil
	case "contact":
		return Event{Kind: EventContact, Phone: arg, At: at}, nil
	case "text":
		txt, err := strconv.Unquote(arg)
		if err != nil {
			return ev, fmt.Errorf("[text]: %w", err)
		}
		ev.Text = txt
		return ev, nil
	case "repeat":
		ns, q, _ := strings.Cut(arg, " ")
		n, err := strconv.Atoi(ns)
		if err != nil {
			return ev, err
		}
		txt, err := strconv.Unquote(q)
		if err != nil {
			return ev, fmt.Errorf("[repeat]: %w", err)
		}
		ev.Text = strings.Repeat(txt, n)
		return ev, nil
	}
	return ev, fmt.Errorf("unknown [%s]", verb)
}

func isOutputLine(l string) bool {
	for _, p := range []string{"<", "|", "- ", "! "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// runTranscript plays one transcript, reports every difference and broken
// property, and returns the file as it would be with today's output.
func runTranscript(t *testing.T, eng *Engine, path, src string) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	p := newPlayer()
	var out []string
	steps := 0
	for i := 0; i < len(lines); {
		l := strings.TrimRight(lines[i], " \t")
		where := fmt.Sprintf("%s:%d", path, i+1)
		switch {
		case strings.HasPrefix(l, "@"):
			if err := p.directive(strings.TrimSpace(l[1:])); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			out = append(out, l)
			i++
		case strings.HasPrefix(l, ">"):
			ev, err := parseEvent(strings.TrimPrefix(strings.TrimPrefix(l, ">"), " "), p.now)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			j := i + 1
			var want []string
			for j < len(lines) && isOutputLine(lines[j]) {
				want = append(want, strings.TrimRight(lines[j], " \t"))
				j++
			}
			got := p.step(t, eng, where, ev)
			if !*update && strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: %s\n--- want\n%s\n--- got\n%s", where, l, strings.Join(want, "\n"), strings.Join(got, "\n"))
			}
			out = append(out, l)
			out = append(out, got...)
			steps++
			i = j
		case strings.HasPrefix(l, "="):
			if err := checkSession(p.s, strings.TrimSpace(l[1:])); err != nil {
				t.Errorf("%s: %v", where, err)
			}
			out = append(out, l)
			i++
		case isOutputLine(l):
			t.Fatalf("%s: output line with no event before it", where)
		default:
			out = append(out, l)
			i++
		}
	}
	if steps == 0 {
		t.Fatalf("%s: no events", path)
	}
	return strings.Join(out, "\n") + "\n"
}

// step plays one event as the service would and renders the actions.
func (p *player) step(t *testing.T, eng *Engine, where string, ev Event) []string {
	t.Helper()
	if ev.Kind == EventContact {
		// The service links the chat to whoever has that phone.
		p.debtor = "none"
		for name, fx := range fixtures {
			if fx.phone == ev.Phone {
				p.debtor = name
			}
		}
	}
	f := p.facts()
	before := p.s
	after, acts := eng.Step(before, ev, f, p.now)
	checkStep(t, where, before, after, f, ev, acts, p.now)
	checkPendingAmounts(t, eng, where, before, ev, f, after, acts, p.now)
	for _, a := range acts {
		switch a.Kind {
		case ActOptOut:
			p.optedOut = true
		case ActOptIn:
			p.optedOut = false
		case ActWrongNumber:
			p.wrongNum, p.chatWrong = true, true
		case ActThirdParty:
			p.chatThird = true
		}
	}
	if len(acts) > 0 {
		p.known = true
	}
	p.s = after
	return renderActions(acts)
}

// renderActions writes actions in the transcript format.
func renderActions(acts []Action) []string {
	var out []string
	for _, a := range acts {
		text := a.Text
		if a.Kind == ActReply {
			first, rest, _ := strings.Cut(text, "\n")
			out = append(out, strings.TrimRight("< "+first, " "))
			text = rest
			if rest == "" {
				text = ""
			}
		} else {
			h := "! " + string(a.Kind)
			switch a.Kind {
			case ActSendPix:
				h += " charge=" + strconv.FormatInt(a.ChargeID, 10)
			case ActAcceptOffer:
				h += " offer=" + a.OfferID
			case ActPromise:
				h += " date=" + a.Date.Format(time.DateOnly)
			}
			if a.Reason != "" {
				h += " (" + a.Reason + ")"
			}
			out = append(out, h)
		}
		if text != "" {
			for l := range strings.SplitSeq(text, "\n") {
				out = append(out, strings.TrimRight("| "+l, " "))
			}
		}
		for _, o := range a.Options {
			l := "- " + o.Key + ". " + o.Label
			if o.RequestContact {
				l += " [pede o contato]"
			}
			out = append(out, l)
		}
	}
	return out
}

// checkSession checks "key=value" assertions against s.
func checkSession(s Session, spec string) error {
	for _, kv := range strings.Fields(spec) {
		k, want, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("assertion %q: want key=value", kv)
		}
		var got string
		switch k {
		case "verified":
			got = strconv.FormatBool(s.Verified)
		case "locked":
			got = strconv.FormatBool(s.Locked)
		case "started":
			got = strconv.FormatBool(s.Started)
		case "state":
			got = s.State
			if got == "" {
				got = "none"
			}
		case "status":
			got = s.Status
		case "failures":
			got = strconv.Itoa(s.VerifyFailures)
		case "misunderstood":
			got = strconv.Itoa(s.Misunderstood)
		case "debtor":
			got = strconv.FormatInt(s.DebtorID, 10)
		case "chosen":
			got = s.ChosenOffer
		case "charges":
			var ids []string
			for _, id := range s.ChargeChoices {
				ids = append(ids, strconv.FormatInt(id, 10))
			}
			got = strings.Join(ids, ",")
		case "offers":
			got = strings.Join(s.OfferChoices, ",")
		default:
			return fmt.Errorf("unknown assertion %q", k)
		}
		if got != want {
			return fmt.Errorf("session %s = %q, want %q", k, got, want)
		}
	}
	return nil
}

// visible are the actions that put a message in front of the person.
func visible(a Action) bool {
	switch a.Kind {
	case ActReply, ActSendPix, ActAcceptOffer, ActSendPayoff:
		return a.Text != ""
	}
	return false
}

// checkStep checks what must hold after every step, whatever was said.
func checkStep(t testing.TB, where string, before, after Session, f Facts, ev Event, acts []Action, now time.Time) {
	t.Helper()
	if !after.LastSeen.Equal(now) {
		t.Errorf("%s: LastSeen = %v, want now", where, after.LastSeen)
	}
	status := before.Status
	if status != StatusWaitingAgent && status != StatusWithAgent {
		status = StatusBot
	}
	nVisible := 0
	for _, a := range acts {
		if visible(a) {
			nVisible++
		}
	}
	switch status {
	case StatusBot:
		if nVisible == 0 {
			t.Errorf("%s: the bot holds the chat but said nothing (%d actions)", where, len(acts))
		}
		if !after.Started {
			t.Errorf("%s: replied but Started is false", where)
		}
	case StatusWithAgent:
		for _, a := range acts {
			if a.Kind != ActOptOut && a.Kind != ActOptIn && a.Kind != ActReply {
				t.Errorf("%s: with an agent the bot did %s", where, a.Kind)
			}
		}
		if len(acts) > 0 && acts[0].Kind != ActOptOut && acts[0].Kind != ActOptIn {
			t.Errorf("%s: with an agent the bot spoke without an opt-out/in command", where)
		}
	case StatusWaitingAgent:
		for _, a := range acts {
			if a.Kind != ActOptOut && a.Kind != ActOptIn && a.Kind != ActReply {
				t.Errorf("%s: waiting for an agent the bot did %s", where, a.Kind)
			}
		}
	}
	if after.Verified && (f.Debtor == nil || after.DebtorID != f.Debtor.ID) {
		t.Errorf("%s: verified but not linked to the facts' debtor", where)
	}
	if after.Locked && after.Verified {
		t.Errorf("%s: locked and verified", where)
	}
	if !after.Verified {
		secrets := fxSecrets()
		if f.Debtor != nil {
			secrets = append(secrets, f.Debtor.FirstName, f.Debtor.Name)
			for _, c := range f.Charges {
				secrets = append(secrets, c.Description, c.Total.String())
			}
		}
		for _, a := range acts {
			switch a.Kind {
			case ActSendPix, ActAcceptOffer, ActPromise, ActForwardReceipt, ActDispute, ActSendPayoff:
				t.Errorf("%s: %s before verification", where, a.Kind)
			}
			for _, txt := range actionTexts(a) {
				for _, sec := range secrets {
					if sec != "" && strings.Contains(txt, sec) {
						t.Errorf("%s: disclosed %q before verification in %q", where, sec, txt)
					}
				}
				if f.Debtor == nil || f.Debtor.WrongNumber {
					continue // "no pending items for this number" is the answer there
				}
				low := strings.ToLower(txt)
				for _, w := range debtWords {
					if strings.Contains(low, w) {
						t.Errorf("%s: hinted at a debt (%q) before verification in %q", where, w, txt)
					}
				}
			}
		}
	}
	for _, a := range acts {
		if !visible(a) {
			continue
		}
		if !utf8.ValidString(a.Text) {
			t.Errorf("%s: invalid UTF-8 in %q", where, a.Text)
		}
		if n := countEmoji(a.Text); n > 1 {
			t.Errorf("%s: %d emoji in one message: %q", where, n, a.Text)
		}
		if strings.ContainsAny(a.Text, "*_`") {
			t.Errorf("%s: markdown in %q", where, a.Text)
		}
		if n := utf8.RuneCountInString(a.Text); n > 1000 {
			t.Errorf("%s: a %d-character message", where, n)
		}
	}
}

// debtWords hint that there is a debt; none may reach a linked chat before
// verification (a stranger may hold the phone).
var debtWords = []string{"cobrança", "dívida", "débito", "pendência", "parcela", "pix", "saldo",
	"acordo", "vencid", "vence ", "atraso", "pagamento", "pagar", "boleto", "comprovante", "r$"}

// actionTexts are the texts a person sees.
func actionTexts(a Action) []string {
	out := []string{a.Text}
	for _, o := range a.Options {
		out = append(out, o.Label, o.Key)
	}
	return out
}

func countEmoji(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.So, r) || r >= 0x1F000 && r <= 0x1FAFF {
			n++
		}
	}
	return n
}

// checkPendingAmounts plays the step as the service does when it spares the
// amounts: first without them; if the engine asks for them, it must have
// changed nothing, and the step is played again with them. Either way the
// outcome must be the one the step had with every fact given.
func checkPendingAmounts(t *testing.T, eng *Engine, where string, before Session, ev Event, full Facts, wantS Session, wantActs []Action, now time.Time) {
	t.Helper()
	lean := full
	lean.Charges, lean.Total, lean.Credit, lean.Offers, lean.LoadOffers, lean.LoadDownOffers = nil, 0, 0, nil, nil, nil
	lean.AmountsPending = true
	s, acts := eng.Step(before, ev, lean, now)
	if len(acts) == 1 && acts[0].Kind == ActNeedAmounts {
		if !reflect.DeepEqual(s, before) {
			t.Errorf("%s: asking for the amounts changed the session:\n%+v\n%+v", where, before, s)
		}
		s, acts = eng.Step(before, ev, full, now)
	}
	for _, a := range acts {
		if a.Kind == ActNeedAmounts {
			t.Errorf("%s: ActNeedAmounts among other actions or with amounts loaded", where)
		}
	}
	if !reflect.DeepEqual(s, wantS) || !reflect.DeepEqual(acts, wantActs) {
		t.Errorf("%s: without amounts loaded the step went otherwise:\n%+v\n%+v\nwant\n%+v\n%+v", where, s, acts, wantS, wantActs)
	}
}
