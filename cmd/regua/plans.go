package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/regua/regua/payments"
)

const plansUsage = `usage: regua plans simulate --amount 1500.00 --overdue-days 40 [--json]

Prints the offers the current negotiation policy would make today for one
debt of --amount (principal) that fell due --overdue-days days ago.
`

// maxSimulatedOverdueDays keeps the simulated due date in a sane range.
const maxSimulatedOverdueDays = 36500

// plansCommand runs "regua plans …"; args are the words after "plans". It
// returns the exit status: 0 on success, 2 for bad arguments, 1 when the
// policy itself cannot make offers.
func plansCommand(args []string, policy payments.Policy, now time.Time, loc *time.Location, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "regua plans: missing subcommand (want simulate)")
		return 2
	}
	switch args[0] {
	case "simulate":
		return plansSimulate(args[1:], policy, now, loc, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, plansUsage)
		return 0
	default:
		fmt.Fprintf(stderr, "regua plans: unknown subcommand %q (want simulate)\n", args[0])
		return 2
	}
}

func plansSimulate(args []string, policy payments.Policy, now time.Time, loc *time.Location, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("regua plans simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, on one line
	var amount payments.Cents
	fs.Func("amount", "principal owed, e.g. 1500.00 or 1.500,00", func(s string) error {
		v, err := payments.ParseCents(s)
		if err != nil {
			return err
		}
		if v <= 0 {
			return errors.New("must be more than zero")
		}
		amount = v
		return nil
	})
	overdue := fs.Int("overdue-days", 0, "days since the due date")
	asJSON := fs.Bool("json", false, "print the offers as JSON")
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "regua plans simulate: "+format+"\n", args...)
		return 2
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, plansUsage)
		return 0
	case err != nil:
		return fail("%v", err)
	case fs.NArg() > 0:
		return fail("unexpected argument %q", fs.Arg(0))
	case amount == 0:
		return fail("--amount is required")
	case *overdue < 0:
		return fail("--overdue-days must not be negative, not %d", *overdue)
	case *overdue > maxSimulatedOverdueDays:
		return fail("--overdue-days must be at most %d, not %d", maxSimulatedOverdueDays, *overdue)
	}

	today := payments.Date(now, loc)
	debt := payments.Debt{
		DebtorExternalID: "simulation",
		Charges: []payments.DebtCharge{{
			ExternalID: "simulation",
			Principal:  amount,
			DueDate:    today.AddDate(0, 0, -*overdue),
		}},
	}
	offers, err := policy.Offers(debt, now, loc)
	if err != nil {
		// The debt is ours and well formed: the fault is the policy's.
		fmt.Fprintf(stderr, "regua plans simulate: policy: %v\n", err)
		return 1
	}
	if *asJSON {
		if err := writeOffersJSON(stdout, offers); err != nil {
			fmt.Fprintf(stderr, "regua plans simulate: %v\n", err)
			return 1
		}
		return 0
	}
	writeOffersTable(stdout, offers, *overdue, policy.CheckInstallments(debt, now, loc), loc)
	return 0
}

// simulatedOffers is the --json form, fixed by SPEC.
type simulatedOffers struct {
	Offers []simulatedOffer `json:"offers"`
}

type simulatedOffer struct {
	ID           string                 `json:"id"`
	Kind         string                 `json:"kind"`
	Count        int                    `json:"count"`
	Total        payments.Cents         `json:"total"`
	Discount     payments.Cents         `json:"discount"`
	Installments []simulatedInstallment `json:"installments"`
}

type simulatedInstallment struct {
	Number  int            `json:"number"`
	DueDate string         `json:"due_date"`
	Amount  payments.Cents `json:"amount"`
}

func writeOffersJSON(w io.Writer, offers []payments.Offer) error {
	out := simulatedOffers{Offers: make([]simulatedOffer, 0, len(offers))}
	for _, o := range offers {
		so := simulatedOffer{ID: o.ID, Kind: o.Kind, Count: o.Count, Total: o.Total, Discount: o.Discount}
		for _, in := range o.Installments {
			so.Installments = append(so.Installments, simulatedInstallment{
				Number:  in.Number,
				DueDate: in.DueDate.Format(time.DateOnly),
				Amount:  in.Amount,
			})
		}
		out.Offers = append(out.Offers, so)
	}
	return json.NewEncoder(w).Encode(out)
}

// writeOffersTable prints the offers for a person: a line about the debt,
// one row per offer, and why there are no plans when there are none.
func writeOffersTable(w io.Writer, offers []payments.Offer, overdueDays int, cashOnly error, loc *time.Location) {
	cash := offers[0]
	fmt.Fprintf(w, "Debt %s, %d days overdue: fine and interest %s, balance %s\n",
		cash.Principal, overdueDays, cash.Fees, cash.Principal+cash.Fees)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFER\tPAYMENTS\tTOTAL\tDISCOUNT\tFIRST DUE\tID")
	for _, o := range offers {
		name := "cash"
		if o.Kind == payments.OfferInstallments {
			name = fmt.Sprintf("%dx", o.Count)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, paymentsColumn(o.Installments), o.Total, o.Discount,
			o.Installments[0].DueDate.Format(time.DateOnly), o.ID)
	}
	tw.Flush()
	if len(offers) > 1 {
		fmt.Fprintf(w, "Plans: %s a month (Price), no cash discount.\n", pctBR(offers[1].MonthlyRateBP))
	}
	if cashOnly != nil {
		fmt.Fprintf(w, "Cash only: %v\n", cashOnly)
	}
	fmt.Fprintf(w, "Offers expire at %s.\n", cash.ExpiresAt.In(loc).Format("2006-01-02 15:04 MST"))
}

// paymentsColumn reads "12 × R$ 141,75", or "11 × R$ 141,75 + R$ 141,78"
// when the last installment absorbed some rounding.
func paymentsColumn(ins []payments.Installment) string {
	n, first, last := len(ins), ins[0].Amount, ins[len(ins)-1].Amount
	if first == last {
		return fmt.Sprintf("%d × %s", n, first)
	}
	return fmt.Sprintf("%d × %s + %s", n-1, first, last)
}

// pctBR formats basis points the Brazilian way: 199 → "1,99%", 100 → "1%".
func pctBR(bp int64) string {
	s := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d,%02d", bp/100, bp%100), "0"), ",")
	return s + "%"
}
