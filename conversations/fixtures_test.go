package conversations

import (
	"fmt"
	"math/big"
	"time"

	"github.com/regua/regua/payments"
)

// The people, charges and offers the engine tests talk about. They are
// written out by hand (not computed by payments.Policy) so that a change of
// the default policy does not change what the transcripts say.

// brt is São Paulo time without a tzdata dependency (no DST since 2019).
var brt = time.FixedZone("BRT", -3*60*60)

// fxToday is the transcripts' default "now": Monday 23 November 2026, 10:00.
var fxToday = time.Date(2026, time.November, 23, 10, 0, 0, 0, brt)

const fxBusiness = "Loja Exemplo"

type fixture struct {
	name    string
	phone   string
	debtor  Debtor
	charges []Charge
	credit  payments.Cents
	offers  func(now time.Time) []payments.Offer
	plan    *PlanFacts
}

var fixtures = map[string]*fixture{
	// One overdue charge, the full range of offers.
	"maria": {
		name:  "maria",
		phone: "+5511988880001",
		debtor: Debtor{ID: 1, FirstName: "Maria", Name: "Maria Aparecida Santos",
			DocumentPrefix: "123"},
		charges: []Charge{{ID: 101, ExternalID: "fat-101", Description: "Mensalidade de outubro",
			DueDate: payments.CivilDate(2026, 10, 10), Original: 120000, Total: 124160, DaysLate: 44}},
		offers: func(now time.Time) []payments.Offer {
			return fxOffers("maria", 120000, 4160, 2080, 12, now)
		},
	},
	// Three charges (one not yet late), a credit, offers up to 12x.
	"joao": {
		name:  "joao",
		phone: "+5521977770002",
		debtor: Debtor{ID: 2, FirstName: "João", Name: "João Batista Pereira",
			DocumentPrefix: "987.654"},
		charges: []Charge{
			{ID: 201, ExternalID: "carne-7", Description: "Carnê parcela 7/10",
				DueDate: payments.CivilDate(2026, 9, 15), Original: 32000, Total: 33376, DaysLate: 69},
			{ID: 202, ExternalID: "carne-8", Description: "Carnê parcela 8/10",
				DueDate: payments.CivilDate(2026, 10, 15), Original: 32000, Total: 33056, DaysLate: 39},
			{ID: 203, ExternalID: "carne-9", Description: "Carnê parcela 9/10",
				DueDate: payments.CivilDate(2026, 11, 30), Original: 32000, Total: 32000, DaysLate: 0},
		},
		credit: 1500,
		offers: func(now time.Time) []payments.Offer {
			return fxOffers("joao", 96000, 2432, 1216, 12, now)
		},
	},
	// Everything paid.
	"ana": {
		name:   "ana",
		phone:  "+5531966660003",
		debtor: Debtor{ID: 3, FirstName: "Ana", Name: "Ana Beatriz Costa", DocumentPrefix: "456"},
	},
	// One charge due today, and the policy offers nothing for it.
	"pedro": {
		name:   "pedro",
		phone:  "+5541955550004",
		debtor: Debtor{ID: 4, FirstName: "Pedro", Name: "Pedro Henrique Alves", DocumentPrefix: "741"},
		charges: []Charge{{ID: 401, ExternalID: "fat-401", Description: "Mensalidade de novembro",
			DueDate: payments.CivilDate(2026, 11, 23), Original: 8990, Total: 8990}},
	},
	// Everything is in an active plan: 4 of 6 installments left.
	"lucas": {
		name:   "lucas",
		phone:  "+5561933330006",
		debtor: Debtor{ID: 6, FirstName: "Lucas", Name: "Lucas Moreira Lima", DocumentPrefix: "258"},
		// The service lists a plan's next installment as a charge with a
		// negative id.
		charges: []Charge{{ID: -611, Description: "Parcela 3/6 do acordo",
			DueDate: payments.CivilDate(2026, 12, 5), Original: 21000, Total: 21000}},
		plan: &PlanFacts{ID: 61, Count: 6, Open: 4, Remaining: 84000, Payoff: 81234,
			NextDue: payments.CivilDate(2026, 12, 5), NextAmount: 21000},
	},
	// A company with an alphanumeric CNPJ (2026) and a small debt: cash or 2x.
	"padaria": {
		name:  "padaria",
		phone: "+5551944440005",
		debtor: Debtor{ID: 5, FirstName: "Rosana", Name: "Padaria Trigo Dourado Ltda",
			DocumentPrefix: "A1B"},
		charges: []Charge{{ID: 501, ExternalID: "nf-501", Description: "Nota fiscal 501 (farinha)",
			DueDate: payments.CivilDate(2026, 11, 3), Original: 15000, Total: 15400, DaysLate: 20}},
		offers: func(now time.Time) []payments.Offer {
			return fxOffers("padaria", 15000, 400, 0, 2, now)
		},
	},
}

// facts builds what the service would load for fixture name ("none": no
// debtor linked).
func fxFacts(name string, now time.Time) Facts {
	f := Facts{Business: fxBusiness, BusinessDocument: "12345678000190", Hours: "de segunda a sexta, das 9h às 18h",
		FineBP: 200, InterestMonthlyBP: 100}
	fx, ok := fixtures[name]
	if !ok {
		return f
	}
	d := fx.debtor
	f.Debtor = &d
	f.Charges = append([]Charge(nil), fx.charges...)
	for _, c := range f.Charges {
		f.Total += c.Total
	}
	f.Credit = fx.credit
	f.Plan = fx.plan
	if fx.offers != nil && len(f.Charges) > 0 {
		f.Offers = fx.offers(now)
		balance := f.Offers[0].Principal + f.Offers[0].Fees
		f.LoadDownOffers = func(down payments.Cents) ([]payments.Offer, payments.Cents) {
			return fxDownOffers(fx.name, balance, down, now), balance / 10
		}
	}
	return f
}

// fxOffers builds a cash offer (with discount) and plans of 2..maxCount
// installments at 1.99% a month, Price amortisation, first due in 3 days.
func fxOffers(who string, principal, fees, discount payments.Cents, maxCount int, now time.Time) []payments.Offer {
	today := payments.Date(now, brt)
	y, m, d := now.In(brt).Date()
	expires := time.Date(y, m, d+1, 0, 0, 0, 0, brt)
	base := payments.Offer{Principal: principal, Fees: fees, ExpiresAt: expires, PolicyVersion: 1}
	cash := base
	cash.ID = who + "-avista"
	cash.Kind, cash.Count = payments.OfferCash, 1
	cash.Discount = discount
	cash.Financed = principal + fees - discount
	cash.Total = cash.Financed
	cash.Installments = []payments.Installment{{Number: 1, DueDate: today, Amount: cash.Total, Amortization: cash.Total}}
	out := []payments.Offer{cash}
	first := today.AddDate(0, 0, 3)
	for n := 2; n <= maxCount; n++ {
		o := base
		o.ID = fmt.Sprintf("%s-%dx", who, n)
		o.Kind, o.Count = payments.OfferInstallments, n
		o.Financed = principal + fees
		o.MonthlyRateBP = 199
		o.Installments = fxPrice(o.Financed, n, 199, first)
		for _, in := range o.Installments {
			o.Total += in.Amount
		}
		o.Interest = o.Total - o.Financed
		out = append(out, o)
	}
	return out
}

// fxDownOffers are plans with a down payment, as a policy taking at least
// 10% down makes them: the down payment today, the rest at 1.99% a month
// from a month later, 2 to 6 installments in all, at least R$ 50,00 each.
func fxDownOffers(who string, balance, down payments.Cents, now time.Time) []payments.Offer {
	if down < balance/10 || down >= balance {
		return nil
	}
	today := payments.Date(now, brt)
	y, m, d := now.In(brt).Date()
	expires := time.Date(y, m, d+1, 0, 0, 0, 0, brt)
	var out []payments.Offer
	for n := 2; n <= 6; n++ {
		later := fxPrice(balance-down, n-1, 199, payments.AddMonthsClamped(today, 1))
		if later[len(later)-1].Amount < 5000 {
			break
		}
		o := payments.Offer{ID: fmt.Sprintf("%s-e%d-%dx", who, down, n), Kind: payments.OfferInstallments, Count: n,
			PolicyVersion: 1, Principal: balance, Financed: balance, MonthlyRateBP: 199, ExpiresAt: expires, DownPayment: down}
		o.Installments = append(o.Installments, payments.Installment{Number: 1, DueDate: today, Amount: down, Amortization: down})
		for _, in := range later {
			in.Number++
			o.Installments = append(o.Installments, in)
		}
		for _, in := range o.Installments {
			o.Total += in.Amount
		}
		o.Interest = o.Total - o.Financed
		out = append(out, o)
	}
	return out
}

// fxPrice is a Price schedule: equal payments, the last one taking the
// rounding remainder.
func fxPrice(financed payments.Cents, n int, bp int64, first time.Time) []payments.Installment {
	qn := new(big.Int).Exp(big.NewInt(10000+bp), big.NewInt(int64(n)), nil)
	tn := new(big.Int).Exp(big.NewInt(10000), big.NewInt(int64(n)), nil)
	num := new(big.Int).Mul(big.NewInt(int64(financed)), big.NewInt(bp))
	num.Mul(num, qn)
	den := new(big.Int).Sub(qn, tn)
	den.Mul(den, big.NewInt(10000))
	num.Lsh(num, 1).Add(num, den)
	pmt := payments.Cents(num.Quo(num, den.Lsh(den, 1)).Int64())
	ins := make([]payments.Installment, n)
	balance := financed
	for k := range n {
		interest := balance.MulRate(bp, 10000)
		amort := pmt - interest
		if k == n-1 {
			amort = balance
		}
		balance -= amort
		ins[k] = payments.Installment{Number: k + 1, DueDate: payments.AddMonthsClamped(first, k),
			Amount: amort + interest, Interest: interest, Amortization: amort}
	}
	return ins
}

// fxSecrets is everything that must never reach an unverified person: the
// debtors' names, the charges' descriptions and ids, and any amount.
func fxSecrets() []string {
	s := []string{"R$"}
	for _, fx := range fixtures {
		s = append(s, fx.debtor.FirstName, fx.debtor.Name)
		for _, w := range splitWords(fx.debtor.Name) {
			if len(w) >= 4 {
				s = append(s, w)
			}
		}
		if fx.plan != nil {
			s = append(s, fx.plan.Remaining.String(), fx.plan.Payoff.String(), fx.plan.NextAmount.String())
		}
		for _, c := range fx.charges {
			s = append(s, c.Description, c.ExternalID, c.Total.String(), c.Original.String())
		}
	}
	return s
}

func splitWords(s string) []string {
	var out []string
	w := ""
	for _, r := range s {
		if r == ' ' {
			if w != "" {
				out = append(out, w)
			}
			w = ""
			continue
		}
		w += string(r)
	}
	if w != "" {
		out = append(out, w)
	}
	return out
}
