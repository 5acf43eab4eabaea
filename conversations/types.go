package conversations

import (
	"time"

	"github.com/regua/regua/payments"
)

// Conversation statuses (SPEC: GET /api/v1/conversations?status=).
const (
	StatusBot          = "bot"           // the bot answers
	StatusWaitingAgent = "waiting_agent" // handed off; the bot only acknowledges
	StatusWithAgent    = "with_agent"    // an agent holds it; the bot is silent
	StatusClosed       = "closed"
)

// Session is the state of one conversation, one per (channel, chat). It is
// stored in Redis with a TTL; losing it must only cost a polite restart.
type Session struct {
	Channel string `json:"channel"` // "whatsapp", "telegram", "webchat"
	Chat    string `json:"chat"`    // E.164 phone (whatsapp, webchat) or Telegram chat id

	// DebtorID is who the chat is linked to (by phone, shared contact or
	// deep link), 0 when unknown. Linking is not verification.
	DebtorID       int64 `json:"debtor_id,omitempty"`
	Verified       bool  `json:"verified,omitempty"`
	VerifyFailures int   `json:"verify_failures,omitempty"`
	Locked         bool  `json:"locked,omitempty"` // three wrong answers: nothing is disclosed

	State         string `json:"state,omitempty"` // the question the bot is waiting on; "" = none
	Misunderstood int    `json:"misunderstood,omitempty"`

	// What the last menu showed, so that "2" means what the debtor saw.
	ChargeChoices []int64  `json:"charge_choices,omitempty"`
	OfferChoices  []string `json:"offer_choices,omitempty"`
	ChosenOffer   string   `json:"chosen_offer,omitempty"`
	// DownPayment is the down payment the offers shown were made for.
	DownPayment payments.Cents `json:"down_payment,omitempty"`

	// ThirdParty: someone said, before verification or after it, that
	// they are not the debtor ("sou a mãe dela"). Nothing is disclosed in
	// this chat any more, even to the right digits; a person can help.
	ThirdParty bool `json:"third_party,omitempty"`
	// Pending is the first request made before verification ("quanto
	// devo?", "pago dia 15"), answered right after it.
	Pending *Pending `json:"pending,omitempty"`

	Status   string    `json:"status,omitempty"` // StatusBot when empty
	Started  bool      `json:"started,omitempty"`
	LastSeen time.Time `json:"last_seen"`
}

// Pending is a request remembered across verification: the parts of an
// Intent the engine acts on.
type Pending struct {
	Kind   IntentKind     `json:"kind"`
	Number int            `json:"number,omitempty"`
	Date   time.Time      `json:"date,omitzero"`
	Budget payments.Cents `json:"budget,omitempty"`
	Down   payments.Cents `json:"down,omitempty"`
	// AboutPlan: the request was about the plan ("quanto falta do acordo").
	AboutPlan bool `json:"about_plan,omitempty"`
}

// EventKind says what came in.
type EventKind string

// Event kinds.
const (
	EventText    EventKind = "text"    // typed text, or a button's data
	EventContact EventKind = "contact" // the user shared their own contact (Telegram)
	EventMedia   EventKind = "media"   // an image, document, audio, sticker...
)

// Event is one inbound message, already translated by a channel adapter.
type Event struct {
	Kind      EventKind
	MessageID string    // channel's id, for de-duplication
	Text      string    // text, caption, or a button's callback data
	Phone     string    // EventContact: the shared phone, E.164
	MediaKind string    // EventMedia: "image", "document", "audio", "video", "sticker"
	At        time.Time // when the person sent it
}

// Debtor is what the engine may know about the person a chat is linked to.
type Debtor struct {
	ID             int64
	FirstName      string
	Name           string
	DocumentPrefix string // the first three characters of the CPF/CNPJ: the verification answer
	OptedOut       bool   // opted out on this channel
	WrongNumber    bool
}

// Charge is an open charge with today's amount.
type Charge struct {
	ID          int64
	ExternalID  string
	Description string
	DueDate     time.Time // civil date
	Original    payments.Cents
	Total       payments.Cents // with fine and interest to today
	DaysLate    int
}

// Facts are what the service loaded for this step. The engine never loads
// anything itself.
type Facts struct {
	Business string // who is collecting (shown as the law requires)
	// BusinessDocument is the collector's CNPJ (or CPF), as configured: it
	// is told to anyone who asks who is collecting, before verification too.
	BusinessDocument string
	// Hours says when the team answers ("segunda a sexta, das 9h às
	// 18h"); empty: the bot only says it answers at any time.
	Hours string
	// OtherPayMethods names the ways to pay besides Pix, when the business
	// offers any ("boleto, pedindo a uma pessoa da equipe"); empty: Pix only.
	OtherPayMethods string
	// BureauAfterDays is how many days late an open charge may be reported
	// to a credit bureau (Serasa, SPC) after notice; 0: the business did
	// not say, and the bot says a person can answer that.
	BureauAfterDays int
	// FineBP and InterestMonthlyBP are the late-payment rules (basis
	// points: a 2% fine, 1% interest a month), for "why is there interest".
	FineBP            int64
	InterestMonthlyBP int64
	// Plan is the debtor's active installment plan, nil when none.
	Plan    *PlanFacts
	Debtor  *Debtor // nil: no debtor is linked to this chat
	Charges []Charge
	Total   payments.Cents // sum of Charges' totals
	Credit  payments.Cents
	Offers  []payments.Offer // the policy's offers for the open charges (empty when none)
	// LoadOffers, when set and Offers is nil, computes Offers the first
	// time the step needs them, so that the many turns that show no offers
	// do not pay for quoting. It must be pure (no I/O): the service gives a
	// computation over what it already read.
	LoadOffers func() []payments.Offer
	// LoadDownOffers, when set, computes the policy's plans with a down
	// payment of down ("entrada de 500 e o resto parcelado"), and the least
	// down payment the policy takes (0: it offers no such plans). Pure,
	// like LoadOffers.
	LoadDownOffers func(down payments.Cents) (offers []payments.Offer, least payments.Cents)
	// AmountsPending says Charges, Total, Credit and Offers were not
	// loaded, to spare the reads on the many turns that show no amounts
	// (a menu, thanks, a verification). A step that needs them (to show
	// them, or for an action performed with them: a Pix, a promise, a plan)
	// then returns
	// the session unchanged and the single action ActNeedAmounts, and the
	// service steps again with them.
	AmountsPending bool
	// KnownChat is true when this chat has talked before (stored messages):
	// an empty session then means Redis lost it, and the bot restarts politely.
	KnownChat bool
	// ChatWrongNumber is true when this chat said it is not the person we
	// look for ("não sou eu"): it is linked to nobody, never asked for a
	// document, and told nothing.
	ChatWrongNumber bool
	// ChatThirdParty is true when someone on this chat once said they are
	// not the debtor ("sou a mãe dela", recorded by ActThirdParty): the
	// chat stays a third party's whatever the session says (Redis may have
	// lost it), never verifies and is told nothing; a person can help.
	ChatThirdParty bool
}

// PlanFacts is a debtor's active plan as the bot may tell it: what is
// left, and what settles it today (never more: CDC art. 52 §2).
type PlanFacts struct {
	ID         int64
	Count      int // installments in the plan
	Open       int // of them still to pay
	Remaining  payments.Cents
	Payoff     payments.Cents
	NextDue    time.Time
	NextAmount payments.Cents
}

// ActionKind says what the service must do.
type ActionKind string

// Action kinds. Replies are sent in order; the other actions are performed
// by the service (ledger, Pix, plans, handoff, preferences) before the
// replies that follow them.
const (
	ActReply          ActionKind = "reply"           // send Text with Options
	ActNeedAmounts    ActionKind = "need_amounts"    // alone: step again with the amounts loaded (Facts.AmountsPending)
	ActSendPix        ActionKind = "send_pix"        // issue a Pix code for ChargeID (0 = the total) and send it with Text as caption
	ActAcceptOffer    ActionKind = "accept_offer"    // create the plan for OfferID, then send its first installment's Pix with Text
	ActPromise        ActionKind = "promise"         // record a promise to pay on Date; schedule a follow-up
	ActHandoff        ActionKind = "handoff"         // status → waiting_agent; Reason tells staff why
	ActOptOut         ActionKind = "opt_out"         // stop reminders on this channel
	ActOptIn          ActionKind = "opt_in"          // resume them
	ActWrongNumber    ActionKind = "wrong_number"    // this number is not the debtor's: stop contacting it
	ActDispute        ActionKind = "dispute"         // the debtor disputes the debt: hold reminders, alert staff
	ActForwardReceipt ActionKind = "forward_receipt" // the inbound media is a payment receipt: to staff
	ActAlertStaff     ActionKind = "alert_staff"     // Reason, e.g. verification locked
	ActComplaint      ActionKind = "complaint"       // a complaint (procon, lawyer...): record it for staff (not a dispute)
	ActSendPayoff     ActionKind = "send_payoff"     // issue the payoff Pix of the active plan (Facts.Plan) and send it with Text
	ActThirdParty     ActionKind = "third_party"     // someone other than the debtor holds this chat: record it (Facts.ChatThirdParty)
)

// Option is one numbered choice of a menu. Channels with buttons show
// Label on a button that sends Key; others show "Key. Label".
type Option struct {
	Key            string `json:"key"`
	Label          string `json:"label"`
	RequestContact bool   `json:"request_contact,omitempty"` // Telegram: a "share my phone" button
}

// Action is one thing the service must do after a step.
type Action struct {
	Kind     ActionKind
	Text     string
	Options  []Option
	ChargeID int64
	OfferID  string
	Date     time.Time
	Reason   string
}
