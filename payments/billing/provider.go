package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix"
	"github.com/regua/regua/payments/pix/apipix"
)

// IssueRequest is what a provider needs to make a Pix charge.
type IssueRequest struct {
	TxID        string
	Amount      payments.Cents // what to pay now (today's total when overdue)
	DueDate     time.Time      // civil date; zero for an immediate charge
	Principal   payments.Cents // with DueDate: the amount due then, before fine and interest
	Debtor      *payments.Debtor
	Description string
	Rules       payments.LateFeeRules
}

// Provider makes the copia-e-cola for a charge.
type Provider interface {
	// Name is "static" or "apipix".
	Name() string
	// TxID makes the provider's txid for a code id.
	TxID(codeID int64) (string, error)
	// Issue returns the BR Code the debtor pays.
	Issue(ctx context.Context, r IssueRequest) (string, error)
}

// Static generates BR Codes locally for the business's Pix key; the txid in
// the code ties the payment back to what was charged.
type Static struct {
	Key, MerchantName, MerchantCity string
}

// Name implements Provider.
func (Static) Name() string { return "static" }

// TxID implements Provider.
func (Static) TxID(codeID int64) (string, error) { return pix.NewTxID("PX", codeID) }

// Issue implements Provider.
func (s Static) Issue(_ context.Context, r IssueRequest) (string, error) {
	p := pix.Payload{Key: s.Key, Amount: r.Amount, MerchantName: s.MerchantName, MerchantCity: s.MerchantCity, TxID: r.TxID}
	p.Description = pix.NormalizeText(r.Description, pix.DescriptionRoom(p))
	return pix.Encode(p)
}

// API issues dynamic charges through a provider implementing the Banco
// Central "API Pix": cobv (with due date, fine and interest computed by the
// provider) while a charge is not yet late, cob (immediate, today's total)
// otherwise.
type API struct {
	Client *apipix.Client
	Key    string
	Now    func() time.Time
}

// Name implements Provider.
func (API) Name() string { return "apipix" }

// TxID implements Provider.
func (API) TxID(codeID int64) (string, error) { return pix.NewAPITxID("PX", codeID) }

// Issue implements Provider.
func (a API) Issue(ctx context.Context, r IssueRequest) (string, error) {
	dev := apipix.Devedor{Nome: r.Debtor.Name}
	if r.Debtor.DocumentKind == payments.DocCPF {
		dev.CPF = r.Debtor.Document
	} else {
		dev.CNPJ = r.Debtor.Document
	}
	if !r.DueDate.IsZero() {
		c, err := a.Client.PutCobV(ctx, r.TxID, apipix.CobVRequest{Vencimento: r.DueDate, ValidadeAposVencimento: 60, Devedor: dev,
			Valor: r.Principal, MultaBP: r.Rules.FineBP, JurosMensalBP: r.Rules.InterestMonthlyBP, Chave: a.Key,
			SolicitacaoPagador: truncate(r.Description, 140)})
		if err != nil {
			return "", fmt.Errorf("billing: cobv: %w", err)
		}
		return c.PixCopiaECola, nil
	}
	c, err := a.Client.PutCob(ctx, r.TxID, apipix.CobRequest{Expiracao: untilEndOfDay(a.Now()), Devedor: &dev, Valor: r.Amount,
		Chave: a.Key, SolicitacaoPagador: truncate(r.Description, 140)})
	if err != nil {
		return "", fmt.Errorf("billing: cob: %w", err)
	}
	return c.PixCopiaECola, nil
}

func untilEndOfDay(now time.Time) time.Duration {
	y, m, d := now.Date()
	end := time.Date(y, m, d, 23, 59, 59, 0, now.Location())
	if left := end.Sub(now); left > time.Hour {
		return left
	}
	return 24 * time.Hour
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
