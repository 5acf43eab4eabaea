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

	Status   string    `json:"status,omitempty"` // StatusBot when empty
	Started  bool      `json:"started,omitempty"`
	LastSeen time.Time `json:"last_seen"`
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
	Business string  // who is collecting (shown as the law requires)
	Debtor   *Debtor // nil: no debtor is linked to this chat
	Charges  []Charge
	Total    payments.Cents // sum of Charges' totals
	Credit   payments.Cents
	Offers   []payments.Offer // the policy's offers for the open charges (empty when none)
	// LoadOffers, when set and Offers is nil, computes Offers the first
	// time the step needs them, so that the many turns that show no offers
	// do not pay for quoting. It must be pure (no I/O): the service gives a
	// computation over what it already read.
	LoadOffers func() []payments.Offer
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
