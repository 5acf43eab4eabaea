package app

import (
	"context"
	"net/http"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/webchat"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
)

// confirmer delivers payment confirmations through the bot service.
type confirmer struct{ svc *bot.Service }

func (c confirmer) Confirm(ctx context.Context, channel, chat, text string) error {
	return c.svc.Send(ctx, channel, chat, bot.Reply{Text: text}, "bot")
}

// starter sends messages the business starts through the bot service's
// gate.
type starter struct{ svc *bot.Service }

func (s starter) StartText(ctx context.Context, channel, chat string, debtorID int64, text string) (string, error) {
	hold, err := s.svc.Start(ctx, channel, chat, debtorID, bot.Reply{Text: text})
	if hold != bot.HoldNone {
		return string(hold), nil
	}
	return "", err
}

// registerChat mounts the conversation routes.
func (m *Main) registerChat(mux *http.ServeMux, api *httpapi.Server) {
	api.RegisterConversations(mux, m.Bot)
	if m.Config.Demo {
		webchat.New(m.Bot, m.Sessions, m.Pool, m.Log, m.Now, httpapi.JSON{Log: m.Log}).Register(mux)
	}
}

// chatPlans gives the conversation the policy's offers and turns an accepted
// offer into a plan with its first installment's Pix code.
type chatPlans struct {
	plans   *payments.Plans
	billing *billing.Service
}

func (p chatPlans) View(ctx context.Context, debtorID int64, now time.Time) (*payments.DebtorView, error) {
	return p.plans.View(ctx, debtorID, now)
}

func (p chatPlans) Accept(ctx context.Context, debtorID int64, offerID, channel, chat string) (*billing.Code, error) {
	plan, _, err := p.plans.Accept(ctx, debtorID, offerID, "chat:"+channel)
	if err != nil {
		return nil, err
	}
	for _, in := range plan.Installments {
		if in.Outstanding > 0 {
			return p.billing.IssueForInstallment(ctx, in.ID, channel, chat)
		}
	}
	return nil, payments.Errorf(payments.ECONFLICT, "plan %d has nothing left to pay", plan.ID)
}
