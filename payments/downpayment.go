package payments

import (
	"strconv"
	"strings"
	"time"
)

// DownPaymentOffers returns the plans with a down payment of down that the
// policy offers for d at the instant now ("entrada de R$ 500 e o resto
// parcelado"): for each count n from 2 up to the limit of the counts and
// tiers, the down payment as installment 1, due today, and the rest of the
// balance in n−1 monthly installments at PlanMonthlyRateBP, the first a
// month after today (a classic Price table: each period is a month),
// stopping before the first count whose smallest later installment would
// be below MinInstallment. As with Offers, Principal + Fees = Financed
// (plans get no discount) and the installments sum to Total.
//
// down must be at least DownPaymentMinBP of the balance and less than all
// of it; otherwise, or when the policy offers no down payment plans, the
// error is an *Error with code EINVALID and field "down_payment" saying
// why. An empty list with no error means no count fits.
//
// The offers' ids carry the down payment, so that Plans.Accept can find
// the offer again.
func (p Policy) DownPaymentOffers(d Debt, down Cents, now time.Time, loc *time.Location) ([]Offer, error) {
	if loc == nil {
		return nil, Errorf(EINTERNAL, "payments: offers: no time zone")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	today := Date(now, loc)
	st, err := p.assess(d, today)
	if err != nil {
		return nil, err
	}
	balance := st.balance()
	least := p.DownPaymentLeast(balance)
	switch {
	case p.DownPaymentMinBP == 0:
		return nil, Invalid("down_payment", "the policy offers no plans with a down payment")
	case down < least:
		return nil, Invalid("down_payment", "%s is below the least down payment, %s", down, least)
	case down >= balance:
		return nil, Invalid("down_payment", "%s covers the whole debt of %s: that is a cash payment", down, balance)
	}
	limit, _ := p.maxInstallments(balance, st.daysOverdue)
	expires := now.Add(time.Duration(p.OfferValidHours) * time.Hour)
	if p.OfferValidHours == 0 {
		y, m, dd := now.In(loc).Date()
		expires = time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	}
	snap := p.snapshot(d, today)
	rest := balance - down
	first := AddMonthsClamped(today, 1)
	var offers []Offer
	for n := 2; n <= limit; n++ {
		later := priceSchedule(rest, n-1, p.PlanMonthlyRateBP, today, first)
		if smallestInstallment(later) < p.MinInstallment {
			break
		}
		ins := make([]Installment, 0, n)
		ins = append(ins, Installment{Number: 1, DueDate: today, Amount: down, Amortization: down})
		for _, in := range later {
			in.Number++
			ins = append(ins, in)
		}
		o := Offer{
			Kind: OfferInstallments, Count: n, PolicyVersion: p.Version,
			Principal: st.principal, Fees: st.fees, Financed: balance,
			MonthlyRateBP: p.PlanMonthlyRateBP, ExpiresAt: expires, DownPayment: down, Installments: ins,
		}
		for _, in := range ins {
			o.Total += in.Amount
		}
		o.Interest = o.Total - o.Financed
		o.ID = offerID(snap, o) + downSuffix + strconv.FormatInt(int64(down), 10)
		offers = append(offers, o)
	}
	return offers, nil
}

// DownPaymentLeast is the least down payment the policy takes for a
// balance (0 when it offers no down payment plans).
func (p Policy) DownPaymentLeast(balance Cents) Cents {
	if p.DownPaymentMinBP == 0 {
		return 0
	}
	return max(balance.MulRate(p.DownPaymentMinBP, 10000), 1)
}

// downSuffix separates an offer id from the down payment it was made for.
const downSuffix = "-e"

// downPaymentOf returns the down payment an offer id was made for.
func downPaymentOf(offerID string) (Cents, bool) {
	i := strings.LastIndex(offerID, downSuffix)
	if i < 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(offerID[i+len(downSuffix):], 10, 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	return Cents(v), true
}
