package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// facts loads what the engine may need for this turn and links the session
// to a debtor when it can: by the chat's phone (WhatsApp, web chat), by a
// Telegram link stored on the conversation, or by a shared contact.
func (s *Service) facts(ctx context.Context, sess *conversations.Session, c *conv, in Inbound) (conversations.Facts, error) {
	f := s.baseFacts()
	var d *payments.Debtor
	var err error
	switch {
	case sess.DebtorID == 0 && c.DebtorID == 0 && in.Kind == conversations.EventContact && in.Phone != "":
		d, err = s.debtorByPhone(ctx, in.Phone)
	default:
		d = c.Debtor // loaded with the conversation: the session's, the link's or the phone's
	}
	if err != nil && payments.ErrorCode(err) != payments.ENOTFOUND {
		return f, err
	}
	if d == nil || d.ID == 0 {
		return f, nil
	}
	sess.DebtorID = d.ID
	f.Debtor = &conversations.Debtor{
		ID: d.ID, Name: d.Name, FirstName: greetingName(d), DocumentPrefix: prefix3(d.Document),
		OptedOut: optedOut(d, in.Channel), WrongNumber: d.WrongNumber,
	}
	// The amounts are read only when the step needs them (a verified
	// person asking for a balance, a Pix, the offers): the engine asks.
	f.AmountsPending = true
	return f, nil
}

// amounts reads what the debtor owes now into f: charges with today's
// amounts, plans' next installments, credit, and the offers (quoted when
// the step shows them).
func (s *Service) amounts(ctx context.Context, f *conversations.Facts, debtorID int64, now time.Time) error {
	v, err := s.view(ctx, debtorID, now)
	if err != nil {
		return err
	}
	f.AmountsPending = false
	for _, b := range v.Balance.Charges {
		f.Charges = append(f.Charges, conversations.Charge{ID: b.ChargeID, ExternalID: b.ExternalID, Description: v.Descriptions[b.ChargeID],
			DueDate: b.DueDate, Original: b.Original, Total: b.Total, DaysLate: b.DaysLate})
	}
	f.Total, f.Credit = v.Balance.Total, v.Balance.Credit
	if err := s.planFacts(ctx, f, v); err != nil {
		return err
	}
	// A plan's next installment is owed like a charge. It travels as a
	// negative id, so that its Pix is the installment's own.
	today := payments.Date(now, s.Ledger.Location())
	for _, in := range v.Next {
		late := max(payments.DaysBetween(in.DueDate, today), 0)
		f.Charges = append(f.Charges, conversations.Charge{ID: -in.ID, Description: fmt.Sprintf("Parcela %d/%d do acordo", in.Number, in.Count),
			DueDate: in.DueDate, Original: in.Outstanding, Total: in.Outstanding, DaysLate: late})
		f.Total += in.Outstanding
	}
	if v.Balance.Total > 0 {
		f.LoadOffers = func() []payments.Offer {
			q, err := v.Quote()
			if err != nil {
				// The debtor is told a person handles their plan; staff
				// must learn why.
				s.Log.Error("quoting offers", "debtor_id", debtorID, "err", err)
				return []payments.Offer{}
			}
			return q.Offers
		}
	}
	return nil
}

// view reads what the debtor may see: through Plans (one round trip, with
// plans and offers), or without Plans just the open charges.
func (s *Service) view(ctx context.Context, debtorID int64, now time.Time) (*payments.DebtorView, error) {
	if s.Plans != nil {
		return s.Plans.View(ctx, debtorID, now)
	}
	bal, err := s.Ledger.DebtorBalance(ctx, debtorID, now)
	if err != nil {
		return nil, err
	}
	v := &payments.DebtorView{Balance: bal, Descriptions: map[int64]string{}}
	rows, err := s.Pool.Query(ctx, "SELECT id, description FROM charges WHERE debtor_id = $1 AND status = 'open'", debtorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		v.Descriptions[id] = t
	}
	return v, rows.Err()
}

func (s *Service) debtorByPhone(ctx context.Context, phone string) (*payments.Debtor, error) {
	e164, err := payments.NormalizePhone(phone)
	if err != nil {
		return nil, nil
	}
	ds, err := s.Store.DebtorsByPhone(ctx, e164)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	// Several debtors may share a number (a family phone): the first
	// registered answers; verification still applies to them.
	return ds[0], nil
}

func optedOut(d *payments.Debtor, channel string) bool {
	if channel == ChannelTelegram {
		return d.OptOutTelegram
	}
	return d.OptOutWhatsApp // the web chat stands in for WhatsApp
}

// greetingName is how the bot greets a debtor: a person by first name, a
// company (CNPJ) by its name.
func greetingName(d *payments.Debtor) string {
	if len(d.Document) == 14 {
		return strings.TrimSpace(d.Name)
	}
	return firstName(d.Name)
}

func firstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return f
}

func prefix3(doc string) string {
	if len(doc) < 3 {
		return doc
	}
	return doc[:3]
}
