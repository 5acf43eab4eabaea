package console

import (
	"context"
	"net/http"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
)

type billingCode = billing.Code

func (c *Console) issueTotal(ctx context.Context, v *ConversationView) (*billing.Code, error) {
	return c.Billing.IssueForDebtor(ctx, v.DebtorID, v.Channel, v.Chat)
}

func (c *Console) issueCharge(ctx context.Context, v *ConversationView, chargeID int64) (*billing.Code, error) {
	ch, err := c.Store.ChargeByID(ctx, chargeID)
	if err != nil {
		return nil, err
	}
	if ch.DebtorID != v.DebtorID {
		return nil, payments.Errorf(payments.ENOTFOUND, "cobrança não encontrada para este devedor")
	}
	return c.Billing.IssueForCharge(ctx, chargeID, v.Channel, v.Chat)
}

// MediaFetcher fetches a file a debtor sent (a receipt's image) from its
// channel by the channel's reference. Channels that can do it register one
// in Deps.Media by the reference's prefix.
type MediaFetcher interface {
	FetchMedia(ctx context.Context, ref string) (contentType string, body []byte, err error)
}

func (c *Console) media(ref string) MediaFetcher {
	for prefix, f := range c.Media {
		if len(ref) > len(prefix) && ref[:len(prefix)] == prefix {
			return f
		}
	}
	return nil
}

// receiptGet serves a receipt's image through the channel that holds it.
func (c *Console) receiptGet(w http.ResponseWriter, r *http.Request) {
	var ref, kind string
	var debtor *int64
	err := c.pool.QueryRow(r.Context(), "SELECT media_ref, media_kind, debtor_id FROM receipts WHERE id = $1", r.PathValue("id")).Scan(&ref, &kind, &debtor)
	if err != nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "comprovante não encontrado"))
		return
	}
	f := c.media(ref)
	if f == nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "o canal deste comprovante não permite baixar o arquivo"))
		return
	}
	ct, body, err := f.FetchMedia(r.Context(), ref)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var d int64
	if debtor != nil {
		d = *debtor
	}
	c.audit(r.Context(), userOf(r).Email, "receipt.view", r.PathValue("id"), d, nil)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(body)
}
