package conversations

import (
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// Session states: the question the bot is waiting on. A number the debtor
// types means what the menu of the current state showed.
const (
	StateNone         = ""              // no question pending
	StateVerify       = "verify"        // waiting for the first three characters of the CPF/CNPJ
	StateVerifyPerson = "verify_person" // the same, and "1" asks for a person
	StateContact      = "contact"       // Telegram: waiting for a shared contact
	StateUnlinked     = "unlinked"      // no debtor on this chat: 1 = a person
	StateMenu         = "menu"          // the main menu: 1 saldo, 2 Pix, 3 parcelar, 4 já paguei, 5 pessoa
	StateBalance      = "balance"       // after the balance: 1 Pix, 2 parcelar, 3 menu
	StatePixChoice    = "pix_choice"    // which charge to pay: Session.ChargeChoices (0 = all)
	StateBoleto       = "boleto"        // offered Pix instead of a boleto: 1 yes, 2 no
	StateOfferChoice  = "offer_choice"  // which offer: Session.OfferChoices
	StateOfferConfirm = "offer_confirm" // confirm Session.ChosenOffer: 1 yes, 2 no
	StatePromiseDate  = "promise_date"  // which day the debtor will pay
	StateReceipt      = "receipt"       // waiting for a receipt (image or document)
	StateFile         = "file"          // a file came unasked: is it a receipt? 1 yes, 2 no
	StatePerson       = "person"        // 1 = a person, 2 = the main menu
)

// MaxVerifyFailures wrong answers lock a chat (the service counts them
// durably, so losing the session gives no fresh attempts).
const MaxVerifyFailures = maxVerifyFailures

const (
	// maxVerifyFailures wrong answers lock the session.
	maxVerifyFailures = 3
	// ackEvery is how long a debtor waiting for an agent must be silent
	// before another message gets another acknowledgement.
	ackEvery = 30 * time.Minute
	// promiseWindowDays is how far ahead a promise to pay may be.
	promiseWindowDays = 30
	// maxPixChoices charges at most are listed (plus "Tudo").
	maxPixChoices = 8
	// maxPlanChoices installment plans at most are listed (plus cash).
	maxPlanChoices = 6
)

// Engine runs conversation steps. It holds only the recogniser, which is
// read-only, so one Engine serves any number of goroutines.
type Engine struct {
	rec Recognizer
}

// NewEngine returns an engine with the pt-BR rule recogniser.
func NewEngine() *Engine { return &Engine{rec: NewRecognizer()} }

// NewEngineWith returns an engine that reads messages with rec.
func NewEngineWith(rec Recognizer) *Engine { return &Engine{rec: rec} }

// defaultEngine backs Step. It is built once and never written: the
// recogniser is stateless.
var defaultEngine = NewEngine()

// Step is Engine.Step on an engine with the default recogniser.
func Step(s Session, ev Event, f Facts, now time.Time) (Session, []Action) {
	return defaultEngine.Step(s, ev, f, now)
}

// Step handles one inbound event: given the session as stored, the facts
// the service loaded for this chat and the current instant (in the
// business's time zone: "today" is now's civil date), it returns the
// session to store and the actions to perform, in order. It never does
// I/O, never reads the clock and never panics on any input.
//
// While Status is StatusBot (or empty, or closed) every event gets at least
// one message back (a reply, a Pix or a plan's first Pix). While an agent
// is waiting the bot only acknowledges, at most once per half hour of
// silence; while an agent holds the chat it says nothing. Opting out and
// back in work in every status.
func (e *Engine) Step(s Session, ev Event, f Facts, now time.Time) (Session, []Action) {
	t := turn{
		s:     s,
		ev:    ev,
		f:     f,
		now:   now,
		today: payments.Date(now, now.Location()),
	}
	prevSeen := s.LastSeen
	t.s.LastSeen = now
	switch t.s.Status {
	case StatusWaitingAgent, StatusWithAgent:
	default:
		// Empty, closed (the debtor writes again) or unknown: the bot's.
		t.s.Status = StatusBot
	}
	if t.s.Locked {
		t.s.Verified = false // a lock outweighs anything else the session says
	}
	t.d = f.Debtor
	if t.d != nil && t.d.WrongNumber {
		t.d = nil // the number is known not to be the debtor's
	}
	switch ev.Kind {
	case EventContact:
		t.in = Intent{Kind: IntentEmpty}
	default:
		switch {
		case ev.Text == "":
			t.in = Intent{Kind: IntentEmpty}
		case isTelegramStart(ev.Text):
			// Telegram's first message (and its deep links): a hello.
			t.in = Intent{Kind: IntentGreeting}
		default:
			t.in = e.rec.Recognize(ev.Text, t.today)
		}
	}
	if t.in.Kind == IntentOptIn && (t.d == nil && t.s.Channel != "telegram" && !f.ChatWrongNumber || t.d != nil && !t.d.OptedOut) {
		// Not opted out: "voltar" means back to the menu.
		t.in.Kind = IntentMenu
	}
	textual := ev.Kind != EventContact && ev.Kind != EventMedia

	// The link is the service's to make (by phone, shared contact or deep
	// link); verification holds only for the debtor it was made for.
	switch {
	case t.d == nil:
		if t.s.DebtorID != 0 || t.s.Verified {
			t.forget()
		}
	case t.s.DebtorID != t.d.ID:
		if t.s.DebtorID != 0 || t.s.Verified {
			t.forget()
		}
		t.s.DebtorID = t.d.ID
	}
	if f.ChatThirdParty && !f.ChatWrongNumber {
		// Recorded on the conversation: a lost session does not make the
		// chat a stranger who may verify.
		t.s.ThirdParty, t.s.Verified, t.s.Pending = true, false, nil
	}

	switch t.s.Status {
	case StatusWithAgent:
		if textual {
			t.stopCommands()
		}
	case StatusWaitingAgent:
		if textual && t.stopCommands() {
			break
		}
		if prevSeen.IsZero() || now.Sub(prevSeen) >= ackEvery {
			t.reply(txtWaitingAck)
		}
	default:
		if textual && t.stopCommands() {
			break
		}
		t.run()
	}
	if t.f.AmountsPending && actsOnAmounts(t.acts) {
		// The service performs these with the amounts (a promise's sum,
		// the total's Pix): they must be loaded even if no text showed them.
		t.needAmounts = true
	}
	if t.needAmounts {
		// Redo with the amounts: nothing of this attempt counts.
		return s, []Action{{Kind: ActNeedAmounts}}
	}
	if len(t.acts) > 0 {
		t.s.Started = true
	}
	return t.s, t.acts
}

// actsOnAmounts says whether the service needs the facts' amounts to
// perform acts.
func actsOnAmounts(acts []Action) bool {
	for _, a := range acts {
		switch a.Kind {
		case ActSendPix, ActPromise, ActAcceptOffer, ActSendPayoff:
			return true
		}
	}
	return false
}

func isTelegramStart(text string) bool {
	text = strings.TrimSpace(text)
	return text == "/start" || strings.HasPrefix(text, "/start ") || strings.HasPrefix(text, "/start@")
}

// turn is one step in progress.
type turn struct {
	s     Session
	ev    Event
	f     Facts
	d     *Debtor // the linked debtor; nil when none (or a wrong number)
	now   time.Time
	today time.Time // civil date, midnight UTC
	in    Intent

	// unknown is true while a chat linked to nobody is answered as if it
	// were a debtor's (t.d is then a stand-in no answer matches).
	unknown bool

	needAmounts bool // the step read amounts the facts left pending
	planAsked   bool // the request being answered was about the plan
	acts        []Action
	// misunderstood is the count before this step, kept while the step
	// decides whether it understood.
	misunderstood int
}

// stopCommands handles what works in every state and status: opting out and
// back in, and saying this is the wrong person (the latter only while the
// bot holds the conversation). It reports whether it handled the event.
func (t *turn) stopCommands() bool {
	// The first words of a conversation say who is talking.
	intro := ""
	if !t.s.Started && t.s.Status == StatusBot {
		intro = txtIntro(t.f.Business)
	}
	switch t.in.Kind {
	case IntentOptOut:
		t.act(Action{Kind: ActOptOut})
		t.reply(intro + txtOptOut)
		return true
	case IntentOptIn:
		t.act(Action{Kind: ActOptIn})
		t.reply(intro + txtOptIn)
		return true
	case IntentWrongPerson:
		if t.s.Status != StatusBot {
			return false
		}
		t.wrongPerson()
		return true
	}
	return false
}

// run handles an event while the bot holds the conversation.
func (t *turn) run() {
	switch {
	case t.d == nil && (t.f.ChatWrongNumber || t.s.Channel == "telegram"):
		// Telegram links by a shared contact first; a chat that said
		// "não sou eu" is a third party.
		t.unlinked()
	case t.d == nil:
		// A phone nobody we collect from is linked to gets exactly what a
		// debtor's phone gets, so that the answers never tell anyone
		// whether the number's owner owes money.
		t.stranger()
	case t.s.Locked:
		t.locked()
	case !t.s.Verified:
		t.unverified()
	default:
		t.verified()
	}
}

// forget drops the link and everything learnt through it. Failures and the
// lock stay: they protect the chat, not one debtor.
func (t *turn) forget() {
	t.s.DebtorID = 0
	t.s.Verified = false
	t.s.ThirdParty = false // superseded: the chat is no one's now
	t.s.Pending = nil
	t.s.State = StateNone
	t.clearChoices()
}

func (t *turn) clearChoices() {
	t.s.ChargeChoices = nil
	t.s.OfferChoices = nil
	t.s.ChosenOffer = ""
	t.s.DownPayment = 0
}

// lost reports whether Redis lost this chat's session: it talked before but
// the session is empty.
func (t *turn) lost() bool {
	return t.f.KnownChat && !t.s.Started && t.s.State == StateNone
}

func (t *turn) act(a Action) { t.acts = append(t.acts, a) }

func (t *turn) reply(text string, opts ...Option) {
	t.acts = append(t.acts, Action{Kind: ActReply, Text: text, Options: opts})
}

// to sets the state the bot now waits in.
func (t *turn) to(state string) { t.s.State = state }

func (t *turn) firstName() string {
	if t.d == nil {
		return ""
	}
	if t.d.FirstName != "" {
		return t.d.FirstName
	}
	if f := strings.Fields(t.d.Name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// numbered builds a menu whose keys are "1", "2", ...
func numbered(labels ...string) []Option {
	opts := make([]Option, len(labels))
	for i, l := range labels {
		opts[i] = Option{Key: itoa(i + 1), Label: l}
	}
	return opts
}

func mainMenu() []Option {
	return numbered(lblBalance, lblPix, lblInstall, lblPaid, lblPerson)
}

func personMenu() []Option { return numbered(lblPerson, lblMenu) }

func itoa(n int) string {
	if n >= 0 && n < 10 {
		return string(rune('0' + n))
	}
	var buf [20]byte
	i := len(buf)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
