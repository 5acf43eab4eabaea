package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
)

// perform carries out the engine's actions in order and returns the replies
// and a short record of what was done (stored with the inbound message).
func (s *Service) perform(ctx context.Context, c *conv, in Inbound, sess *conversations.Session, actions []conversations.Action, f conversations.Facts) ([]Reply, []string, error) {
	var replies []Reply
	var done []string
	for _, a := range actions {
		switch a.Kind {
		case conversations.ActReply:
			replies = append(replies, Reply{Text: a.Text, Options: a.Options})
			continue
		case conversations.ActSendPix:
			rs, ds, err := s.sendPix(ctx, in, sess, a, f)
			if err != nil {
				return nil, nil, err
			}
			replies, done = append(replies, rs...), append(done, ds...)
			continue
		case conversations.ActSendPayoff:
			rs, ds, err := s.sendPayoff(ctx, in, a, f)
			if err != nil {
				return nil, nil, err
			}
			replies, done = append(replies, rs...), append(done, ds...)
			continue
		case conversations.ActAcceptOffer:
			if s.Plans == nil {
				return nil, nil, fmt.Errorf("bot: accept offer without plans")
			}
			code, err := s.Plans.Accept(ctx, sess.DebtorID, a.OfferID, in.Channel, in.Chat)
			if err != nil {
				if code := payments.ErrorCode(err); code == payments.ECONFLICT || code == payments.EINVALID {
					sess.State, sess.OfferChoices, sess.ChosenOffer = "", nil, ""
					replies = append(replies, Reply{Text: "Os valores mudaram desde a proposta. Digite 3 para ver as opções atualizadas."})
					continue
				}
				return nil, nil, err
			}
			replies = append(replies, Reply{Text: a.Text, Pix: s.pix(code)})
			done = append(done, fmt.Sprintf("accept_offer %s txid=%s", a.OfferID, code.TxID))
			continue
		}
		if err := s.apply(ctx, c, in, sess, a, f); err != nil {
			return nil, nil, err
		}
		done = append(done, describe(a))
	}
	return replies, done, nil
}

// sendPix issues the Pix codes for what the debtor chose: a charge, a
// plan's installment (a negative id), or everything. Everything owed in
// charges is one code; each installment due has its own, since a payment
// must reach the installment it is for.
func (s *Service) sendPix(ctx context.Context, in Inbound, sess *conversations.Session, a conversations.Action, f conversations.Facts) ([]Reply, []string, error) {
	type item struct {
		code    *billing.Code
		caption string
	}
	var items []item
	issue := func(code *billing.Code, err error, caption string) error {
		if err != nil {
			if payments.ErrorCode(err) == payments.ECONFLICT {
				return nil // nothing left to pay on it
			}
			return err
		}
		items = append(items, item{code, caption})
		return nil
	}
	var err error
	switch {
	case a.ChargeID > 0:
		code, e := s.Billing.IssueForCharge(ctx, a.ChargeID, in.Channel, in.Chat)
		err = issue(code, e, a.Text)
	case a.ChargeID < 0:
		code, e := s.Billing.IssueForInstallment(ctx, -a.ChargeID, in.Channel, in.Chat)
		err = issue(code, e, a.Text)
	default:
		var installments []conversations.Charge
		var charges payments.Cents
		for _, c := range f.Charges {
			if c.ID < 0 {
				installments = append(installments, c)
			} else {
				charges += c.Total
			}
		}
		if len(installments) == 0 {
			code, e := s.Billing.IssueForDebtor(ctx, sess.DebtorID, in.Channel, in.Chat)
			err = issue(code, e, a.Text)
			break
		}
		if charges > 0 {
			code, e := s.Billing.IssueForDebtor(ctx, sess.DebtorID, in.Channel, in.Chat)
			if err = issue(code, e, fmt.Sprintf("Pix das contas em aberto: %s.", charges)); err != nil {
				break
			}
		}
		for _, c := range installments {
			code, e := s.Billing.IssueForInstallment(ctx, -c.ID, in.Channel, in.Chat)
			if err = issue(code, e, fmt.Sprintf("Pix da %s: %s.", strings.ToLower(c.Description[:1])+c.Description[1:], c.Total)); err != nil {
				break
			}
		}
		if len(items) > 1 {
			lead := Reply{Text: fmt.Sprintf("São %d Pix, um para cada pagamento, para que cada valor caia no lugar certo:", len(items))}
			var out []Reply
			var done []string
			out = append(out, lead)
			for _, it := range items {
				out = append(out, Reply{Text: it.caption, Pix: s.pix(it.code)})
				done = append(done, fmt.Sprintf("send_pix txid=%s amount=%s", it.code.TxID, it.code.Amount.Decimal()))
			}
			return out, done, nil
		}
		if len(items) == 1 {
			items[0].caption = a.Text
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if len(items) == 0 {
		return []Reply{{Text: "Não há valor em aberto para gerar um Pix agora. 😊"}}, nil, nil
	}
	var out []Reply
	var done []string
	for _, it := range items {
		out = append(out, Reply{Text: it.caption, Pix: s.pix(it.code)})
		done = append(done, fmt.Sprintf("send_pix txid=%s amount=%s", it.code.TxID, it.code.Amount.Decimal()))
	}
	return out, done, nil
}

func (s *Service) pix(c *billing.Code) *Pix {
	return &Pix{Payload: c.Payload, QRPNGURL: s.PublicURL + "/pix/qr/" + c.URLToken + ".png", Amount: c.Amount}
}

func describe(a conversations.Action) string {
	switch {
	case a.Reason != "":
		return fmt.Sprintf("%s reason=%q", a.Kind, a.Reason)
	case !a.Date.IsZero():
		return fmt.Sprintf("%s date=%s", a.Kind, a.Date.Format(time.DateOnly))
	}
	return string(a.Kind)
}

// apply performs the actions that change state in PostgreSQL.
func (s *Service) apply(ctx context.Context, c *conv, in Inbound, sess *conversations.Session, a conversations.Action, f conversations.Facts) error {
	// The debtor the turn was about: the engine's session may already have
	// forgotten them ("não sou eu" unlinks the chat in the same step).
	var debtor *int64
	switch {
	case sess.DebtorID != 0:
		debtor = &sess.DebtorID
	case f.Debtor != nil && f.Debtor.ID != 0:
		id := f.Debtor.ID
		debtor = &id
	}
	alert := func(tx pgx.Tx, kind, msg string) error {
		_, err := tx.Exec(ctx, "INSERT INTO staff_alerts (kind, debtor_id, message) VALUES ($1, $2, $3)", kind, debtor, msg)
		return err
	}
	optColumn := "opt_out_whatsapp"
	if in.Channel == ChannelTelegram {
		optColumn = "opt_out_telegram"
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		switch a.Kind {
		case conversations.ActHandoff:
			sess.Status = conversations.StatusWaitingAgent
			if _, err := tx.Exec(ctx, "UPDATE conversations SET status = 'waiting_agent', status_reason = $2, updated_at = now() WHERE id = $1", c.ID, a.Reason); err != nil {
				return err
			}
			return alert(tx, "handoff", "Conversa aguardando atendente: "+a.Reason)
		case conversations.ActOptOut, conversations.ActOptIn:
			if debtor == nil {
				return nil
			}
			_, err := tx.Exec(ctx, "UPDATE debtors SET "+optColumn+" = $2, updated_at = now() WHERE id = $1", *debtor, a.Kind == conversations.ActOptOut)
			return err
		case conversations.ActWrongNumber:
			// The chat is linked to nobody from now on, and never again
			// by its phone; the debtor's number is known to be wrong.
			if _, err := tx.Exec(ctx, "UPDATE conversations SET debtor_id = NULL, wrong_number_at = coalesce(wrong_number_at, now()), updated_at = now() WHERE id = $1", c.ID); err != nil {
				return err
			}
			sess.DebtorID, sess.Verified = 0, false
			if debtor == nil {
				return nil // a number linked to nobody: nothing more to record
			}
			if _, err := tx.Exec(ctx, "UPDATE debtors SET wrong_number = true, updated_at = now() WHERE id = $1", *debtor); err != nil {
				return err
			}
			return alert(tx, "wrong_number", "Quem respondeu neste número diz não ser o devedor: contato suspenso")
		case conversations.ActThirdParty:
			// Durable: the session may be lost, this chat stays a third
			// party's (Facts.ChatThirdParty) until staff clear it.
			sess.ThirdParty, sess.Verified = true, false
			if _, err := tx.Exec(ctx, "UPDATE conversations SET third_party_at = coalesce(third_party_at, now()), updated_at = now() WHERE id = $1", c.ID); err != nil {
				return err
			}
			return alert(tx, "third_party", "Outra pessoa (não o titular) respondeu nesta conversa: nada é mostrado por aqui")
		case conversations.ActDispute:
			if debtor == nil {
				return nil
			}
			if _, err := tx.Exec(ctx, "UPDATE charges SET disputed_at = now(), updated_at = now() WHERE debtor_id = $1 AND status = 'open' AND disputed_at IS NULL", *debtor); err != nil {
				return err
			}
			return alert(tx, "dispute", "Devedor contesta a dívida: "+a.Reason)
		case conversations.ActPromise:
			if debtor == nil {
				return nil
			}
			if _, err := tx.Exec(ctx, "UPDATE promises SET status = 'replaced' WHERE debtor_id = $1 AND status = 'open'", *debtor); err != nil {
				return err
			}
			var id int64
			err := tx.QueryRow(ctx, "INSERT INTO promises (debtor_id, conversation_id, promised_for, amount) VALUES ($1, $2, $3, $4) RETURNING id",
				*debtor, c.ID, a.Date, f.Total).Scan(&id)
			if err != nil || s.Scheduler == nil {
				return err
			}
			return s.Scheduler.SchedulePromiseFollowUpTx(ctx, tx, id, a.Date, s.Ledger.Location())
		case conversations.ActForwardReceipt:
			_, err := tx.Exec(ctx, "INSERT INTO receipts (conversation_id, debtor_id, media_kind, media_ref, caption) VALUES ($1, $2, $3, $4, $5)",
				c.ID, debtor, in.MediaKind, in.MediaRef, storedText(in.Text))
			if err != nil {
				return err
			}
			return alert(tx, "receipt", "Comprovante enviado pelo devedor para conferência")
		case conversations.ActAlertStaff:
			return alert(tx, "conversation", a.Reason)
		case conversations.ActComplaint:
			return alert(tx, "complaint", "Reclamação do devedor: "+a.Reason)
		}
		return fmt.Errorf("bot: unknown action %q", a.Kind)
	})
}
