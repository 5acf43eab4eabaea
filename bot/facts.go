package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// facts loads what the engine may need for this turn and links the session
// to a debtor when it can: by the chat's phone (WhatsApp, web chat), by a
// Telegram link stored on the conversation, or by a shared contact.
func (s *Service) facts(ctx context.Context, sess *conversations.Session, c *conv, in Inbound) (conversations.Facts, error) {
	f := conversations.Facts{Business: s.Business}
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
	// Amounts are loaded only for a verified person: nothing to disclose
	// otherwise, and a stranger's messages cost less.
	if !sess.Verified {
		return f, nil
	}
	now := s.Ledger.Now()
	bal, err := s.Ledger.DebtorBalance(ctx, d.ID, now)
	if err != nil {
		return f, err
	}
	if len(bal.Charges) > 0 {
		desc := map[int64]string{}
		rows, err := s.Pool.Query(ctx, "SELECT id, description FROM charges WHERE debtor_id = $1 AND status = 'open'", d.ID)
		if err != nil {
			return f, err
		}
		for rows.Next() {
			var id int64
			var t string
			rows.Scan(&id, &t)
			desc[id] = t
		}
		rows.Close()
		for _, b := range bal.Charges {
			f.Charges = append(f.Charges, conversations.Charge{ID: b.ChargeID, ExternalID: b.ExternalID, Description: desc[b.ChargeID],
				DueDate: b.DueDate, Original: b.Original, Total: b.Total, DaysLate: b.DaysLate})
		}
	}
	f.Total, f.Credit = bal.Total, bal.Credit
	// A plan's next installment is owed like a charge. It travels as a
	// negative id, so that its Pix is the installment's own.
	if s.Plans != nil {
		ins, err := s.Plans.NextInstallments(ctx, d.ID)
		if err != nil {
			return f, err
		}
		today := payments.Date(now, s.Ledger.Location())
		for _, in := range ins {
			late := payments.DaysBetween(in.DueDate, today)
			if late < 0 {
				late = 0
			}
			f.Charges = append(f.Charges, conversations.Charge{ID: -in.ID, Description: fmt.Sprintf("Parcela %d/%d do acordo", in.Number, in.Count),
				DueDate: in.DueDate, Original: in.Outstanding, Total: in.Outstanding, DaysLate: late})
			f.Total += in.Outstanding
		}
	}
	if s.Plans != nil && bal.Total > 0 {
		if f.Offers, err = s.Plans.Offers(ctx, d.ID, now); err != nil {
			return f, err
		}
	}
	return f, nil
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
