package bot

import (
	"context"
	"fmt"

	"github.com/regua/regua/conversations"
	"github.com/regua/regua/payments"
)

// ChatInfo is what the bot tells a debtor who asks when the team answers,
// how else to pay, or about credit bureaus (config.ChatSettings).
type ChatInfo struct {
	SupportHours     string
	OtherPayMethods  string
	CreditBureauDays int
}

// baseFacts are the facts every turn has: who is collecting and what the
// business said about itself.
func (s *Service) baseFacts() conversations.Facts {
	return conversations.Facts{Business: s.Business, BusinessDocument: s.BusinessDocument,
		Hours: s.Chat.SupportHours, OtherPayMethods: s.Chat.OtherPayMethods, BureauAfterDays: s.Chat.CreditBureauDays}
}

// planFacts tells the engine about the debtor's active plan: what is left
// and what settles it today (CDC art. 52 §2), and the late-fee rules it
// explains when asked why there is interest. It reads only when the view
// shows an active plan.
func (s *Service) planFacts(ctx context.Context, f *conversations.Facts, v *payments.DebtorView) error {
	rules := v.LateFeeRules()
	f.FineBP, f.InterestMonthlyBP = rules.FineBP, rules.InterestMonthlyBP
	if v.Balance.Total > 0 && s.Plans != nil {
		f.LoadDownOffers = func(down payments.Cents) ([]payments.Offer, payments.Cents) {
			offers, least, err := v.DownPaymentOffers(down)
			if err != nil {
				s.Log.Error("quoting down payment offers", "err", err)
				return nil, 0
			}
			return offers, least
		}
	}
	if len(v.Next) == 0 {
		return nil
	}
	next := v.Next[0]
	q, err := s.Ledger.PlanPayoffQuote(ctx, next.PlanID)
	if err != nil {
		if payments.ErrorCode(err) == payments.ECONFLICT {
			return nil // paid or broken since the view was read
		}
		return err
	}
	f.Plan = &conversations.PlanFacts{ID: next.PlanID, Count: q.Count, Open: q.Open, Remaining: q.Remaining,
		Payoff: q.Payoff, NextDue: next.DueDate, NextAmount: next.Outstanding}
	return nil
}

// sendPayoff issues (or reuses today's) Pix code that settles the active
// plan, and sends it with the engine's caption.
func (s *Service) sendPayoff(ctx context.Context, in Inbound, a conversations.Action, f conversations.Facts) ([]Reply, []string, error) {
	if f.Plan == nil {
		return []Reply{{Text: "Não encontrei um acordo em andamento para quitar agora."}}, nil, nil
	}
	code, err := s.Billing.IssueForPlanPayoff(ctx, f.Plan.ID, in.Channel, in.Chat)
	if err != nil {
		if payments.ErrorCode(err) == payments.ECONFLICT {
			return []Reply{{Text: "Esse acordo não está mais em andamento: não há nada a quitar. 😊"}}, nil, nil
		}
		return nil, nil, err
	}
	return []Reply{{Text: a.Text, Pix: s.pix(code)}},
		[]string{fmt.Sprintf("send_payoff plan=%d txid=%s amount=%s", f.Plan.ID, code.TxID, code.Amount.Decimal())}, nil
}
