package payments_test

import (
	"fmt"
	"time"

	"github.com/regua/regua/payments"
)

// A debtor owes R$ 1.000,00 that fell due ten days ago. Under the default
// policy the debt has grown by the 2% fine and ten days of 1% a month
// interest, and a 3x plan finances it at 1.99% a month, the first
// installment due in three days: it carries three days of interest.
func ExamplePolicy_Offers() {
	loc := time.FixedZone("BRT", -3*60*60) // America/Sao_Paulo, which has no DST
	now := time.Date(2026, time.March, 30, 14, 0, 0, 0, loc)
	debt := payments.Debt{
		DebtorExternalID: "cliente-42",
		Charges: []payments.DebtCharge{{
			ExternalID: "boleto-2026-03",
			Principal:  100000,
			DueDate:    payments.CivilDate(2026, time.March, 20),
		}},
	}
	offers, err := payments.DefaultPolicy().Offers(debt, now, loc)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range offers {
		if o.Kind != payments.OfferInstallments || o.Count != 3 {
			continue
		}
		fmt.Printf("owed %s + fine and interest %s = financed %s\n", o.Principal, o.Fees, o.Financed)
		for _, in := range o.Installments {
			fmt.Printf("%d. %s  %s (interest %s, principal %s)\n",
				in.Number, in.DueDate.Format("02/01/2006"), in.Amount, in.Interest, in.Amortization)
		}
		fmt.Printf("total %s, of which %s plan interest\n", o.Total, o.Interest)
	}
	// Output:
	// owed R$ 1.000,00 + fine and interest R$ 23,33 = financed R$ 1.023,33
	// 1. 02/04/2026  R$ 348,55 (interest R$ 2,04, principal R$ 346,51)
	// 2. 02/05/2026  R$ 348,55 (interest R$ 13,47, principal R$ 335,08)
	// 3. 02/06/2026  R$ 348,54 (interest R$ 6,80, principal R$ 341,74)
	// total R$ 1.045,64, of which R$ 22,31 plan interest
}

// PayoffAmount settles the rest of a plan early: the principal still owed
// plus the interest accrued to the day, never more (CDC art. 52 §2).
func ExamplePayoffAmount() {
	made := payments.CivilDate(2026, time.March, 10)
	plan := []payments.Installment{
		{Number: 1, DueDate: payments.CivilDate(2026, time.April, 10), Amount: 10200, Interest: 200, Amortization: 10000},
		{Number: 2, DueDate: payments.CivilDate(2026, time.May, 10), Amount: 10100, Interest: 100, Amortization: 10000},
		{Number: 3, DueDate: payments.CivilDate(2026, time.June, 10), Amount: 10050, Interest: 50, Amortization: 10000},
	}
	// The first is paid; on 25 April, 15 of the 30 days of May's period have run.
	amount, err := payments.PayoffAmount(plan, 1, made, payments.CivilDate(2026, time.April, 25))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(amount)
	// Output:
	// R$ 200,50
}
