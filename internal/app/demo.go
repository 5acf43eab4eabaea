package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/regua/regua/payments"
)

// demoDebtors are the people of the demo. Their documents are valid but
// made up; their phones are in São Paulo's 11 area with a 9990 prefix.
var demoDebtors = []struct {
	ext, name, doc, phone, channel string
}{
	{"cli-001", "Maria da Silva", "12345678909", "+5511999000001", "whatsapp"},
	{"cli-002", "João Souza", "98765432100", "+5511999000002", "whatsapp"},
	{"cli-003", "Ana Oliveira", "11144477735", "+5511999000003", "telegram"},
	{"cli-004", "Carlos Pereira", "52998224725", "+5511999000004", "whatsapp"},
	{"cli-005", "Fernanda Lima", "34698712300", "+5511999000005", ""},
	{"cli-006", "Pedro Santos", "71428563946", "+5511999000006", "whatsapp"},
	{"cli-007", "Juliana Costa", "20536798168", "+5511999000007", "telegram"},
	{"cli-008", "Rafael Almeida", "86421357946", "+5511999000008", "whatsapp"},
	{"cli-009", "Beatriz Rocha", "39017462507", "+5511999000009", ""},
	{"cli-010", "Lucas Martins", "47851236991", "+5511999000010", "whatsapp"},
	{"cli-011", "Camila Ribeiro", "63214589709", "+5511999000011", "whatsapp"},
	{"cli-012", "Padaria Pão Quente Ltda", "11222333000181", "+5511999000012", "whatsapp"},
}

// demoCharges put the debtors in every situation a collections team meets,
// relative to today: days is the due date's offset from today.
var demoCharges = []struct {
	ext, debtor, desc string
	amount            payments.Cents
	days              int
	paid              bool
}{
	{"fat-1001", "cli-001", "Mensalidade novembro", 18990, 3, false},
	{"fat-1002", "cli-002", "Mensalidade novembro", 24950, 0, false},
	{"fat-1003", "cli-003", "Parcela do notebook", 45000, -1, false},
	{"fat-1004", "cli-004", "Conta de internet", 12990, -5, false},
	{"fat-1005", "cli-005", "Mensalidade escolar", 89000, -10, false},
	{"fat-1006", "cli-006", "Plano de saúde", 152000, -20, false},
	{"fat-1007", "cli-007", "Financiamento da moto", 230000, -40, false},
	{"fat-1008", "cli-008", "Mensalidade outubro", 15990, -15, true},
	{"fat-1009", "cli-009", "Material de construção", 310000, -12, false},
	{"fat-1010", "cli-009", "Frete", 8500, -12, false},
	{"fat-1011", "cli-010", "Curso de inglês", 67000, -25, false},
	{"fat-1012", "cli-011", "Academia", 9990, -2, false},
	{"fat-1013", "cli-012", "Fornecimento de farinha", 485000, -30, false},
	{"fat-1014", "cli-001", "Mensalidade dezembro", 18990, 33, false},
}

// demoPlanDebtor is the demo debtor who already agreed to a plan.
const demoPlanDebtor = "cli-010"

// SeedDemo loads the demo debtors and charges into an empty database. It
// does nothing when any debtor exists, so it never touches real data. With
// plans, one debtor is put in a 3-installment plan through the real offer
// acceptance.
func SeedDemo(ctx context.Context, store *payments.Store, ledger *payments.Ledger, plans *payments.Plans, log *slog.Logger) error {
	var n int
	if err := store.Pool().QueryRow(ctx, "SELECT count(*) FROM debtors").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	ds := make([]payments.Debtor, len(demoDebtors))
	for i, d := range demoDebtors {
		doc, kind, err := payments.NormalizeDocument(d.doc)
		if err != nil {
			return fmt.Errorf("demo debtor %s: %w", d.ext, err)
		}
		ds[i] = payments.Debtor{ExternalID: d.ext, Name: d.name, Document: doc, DocumentKind: kind, Phones: []string{d.phone},
			Email: "", PreferredChannel: d.channel}
	}
	if _, err := store.ImportDebtors(ctx, ds, "demo", "demo"); err != nil {
		return err
	}
	today := payments.Date(ledger.Now(), ledger.Location())
	cs := make([]payments.Charge, len(demoCharges))
	for i, c := range demoCharges {
		cs[i] = payments.Charge{ExternalID: c.ext, DebtorExternalID: c.debtor, Description: c.desc, Amount: c.amount, DueDate: today.AddDate(0, 0, c.days)}
	}
	if _, err := store.ImportCharges(ctx, cs, "demo", "demo"); err != nil {
		return err
	}
	for _, c := range demoCharges {
		if !c.paid {
			continue
		}
		ch, err := store.Charge(ctx, c.ext)
		if err != nil {
			return err
		}
		b, err := ledger.ChargeBalance(ctx, ch.ID, ledger.Now())
		if err != nil {
			return err
		}
		_, err = ledger.RecordPayment(ctx, payments.PaymentInput{EndToEndID: "demo-" + c.ext, TxID: "demo", Amount: b.Total,
			ChargeID: ch.ID, PaidAt: ledger.Now(), Source: "demo"})
		if err != nil {
			return err
		}
	}
	if plans != nil {
		d, err := store.Debtor(ctx, demoPlanDebtor)
		if err != nil {
			return err
		}
		q, err := plans.Quote(ctx, d.ID)
		if err != nil {
			return err
		}
		for _, o := range q.Offers {
			if o.Kind == payments.OfferInstallments && o.Count == 3 {
				if _, _, err := plans.Accept(ctx, d.ID, o.ID, "demo"); err != nil {
					return fmt.Errorf("demo plan: %w", err)
				}
			}
		}
	}
	log.Info("demo data loaded", "debtors", len(demoDebtors), "charges", len(demoCharges))
	return nil
}
