package payments_test

import (
	"fmt"
	"time"

	"github.com/regua/regua/payments"
)

// A debtor owes R$ 1.000,00 that fell due ten days ago. Under the default
// policy the debt has grown by the 2% fine and ten days of 1% a month
// interest, and a 3x plan finances it at 1.99% a month, the first
// installment due in three days.
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
	// 1. 02/04/2026  R$ 354,78 (interest R$ 20,36, principal R$ 334,42)
	// 2. 02/05/2026  R$ 354,78 (interest R$ 13,71, principal R$ 341,07)
	// 3. 02/06/2026  R$ 354,76 (interest R$ 6,92, principal R$ 347,84)
	// total R$ 1.064,32, of which R$ 40,99 plan interest
}

// PayoffAmount settles the rest of a plan early: the installments not yet
// paid, discounted at the plan's rate to the day of payment.
func ExamplePayoffAmount() {
	plan := []payments.Installment{
		{Number: 1, DueDate: payments.CivilDate(2026, time.April, 10), Amount: 10000},
		{Number: 2, DueDate: payments.CivilDate(2026, time.May, 10), Amount: 10000},
		{Number: 3, DueDate: payments.CivilDate(2026, time.June, 10), Amount: 10000},
	}
	// The first is paid; on 10 April the other two are one and two months away.
	amount, err := payments.PayoffAmount(plan, 1, payments.CivilDate(2026, time.April, 10), 199)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(amount)
	// Output:
	// R$ 194,18
}
