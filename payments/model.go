package payments

import "time"

// Channels a debtor can be reached on.
const (
	ChannelWhatsApp = "whatsapp"
	ChannelTelegram = "telegram"
	ChannelEmail    = "email" // the régua's outbound-only channel
)

// Charge statuses.
const (
	ChargeOpen       = "open"        // something is still owed
	ChargePaid       = "paid"        // settled by payments (and discounts)
	ChargeInPlan     = "in_plan"     // settled into an installment plan
	ChargeWrittenOff = "written_off" // given up on; the remainder was written off
	ChargeCancelled  = "cancelled"   // billed in error: what it still owed was reversed
)

// Debtor is a person or company that owes the business money.
type Debtor struct {
	ID               int64     `json:"-"`
	ExternalID       string    `json:"external_id"`
	Name             string    `json:"name"`
	Document         string    `json:"document"`      // CPF or CNPJ, canonical (no punctuation)
	DocumentKind     string    `json:"document_kind"` // DocCPF or DocCNPJ
	Phones           []string  `json:"phones"`        // E.164
	Email            string    `json:"email,omitempty"`
	PreferredChannel string    `json:"preferred_channel,omitempty"` // "", ChannelWhatsApp, ChannelTelegram or ChannelEmail
	State            string    `json:"state,omitempty"`             // UF (e.g. "RJ"), or "": the phone's area code places the debtor
	OptOutWhatsApp   bool      `json:"opt_out_whatsapp"`
	OptOutTelegram   bool      `json:"opt_out_telegram"`
	WrongNumber      bool      `json:"wrong_number"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Charge is one amount a debtor owes, due on a date.
type Charge struct {
	ID               int64     `json:"-"`
	ExternalID       string    `json:"external_id"`
	DebtorID         int64     `json:"-"`
	DebtorExternalID string    `json:"debtor_external_id"`
	Description      string    `json:"description"`
	Amount           Cents     `json:"amount"`   // original principal
	DueDate          time.Time `json:"due_date"` // civil date, midnight UTC
	Status           string    `json:"status"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}
