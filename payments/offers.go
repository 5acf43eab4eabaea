package payments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Offer kinds.
const (
	OfferCash         = "cash"         // à vista, with the ladder's discount
	OfferInstallments = "installments" // parcelado, Price amortisation
)

// Debt is what one debtor owes: the open charges the offers settle together.
type Debt struct {
	DebtorExternalID string       `json:"debtor_external_id"`
	Charges          []DebtCharge `json:"charges"`
}

// DebtCharge is one open charge of a Debt as the ledger sees it.
type DebtCharge struct {
	ExternalID string `json:"external_id"`
	// Principal is the principal still owed.
	Principal Cents `json:"principal"`
	// DueDate is the civil date (midnight UTC) the charge fell due.
	DueDate time.Time `json:"due_date"`
	// Fine and Interest are late charges already assessed and still owed,
	// up to and including the civil date AssessedThrough (say, by a partial
	// payment). A fine assessed after the due date is not charged again,
	// and interest on Principal accrues again from the day after
	// AssessedThrough. Leave all three zero when nothing has been assessed:
	// the policy then computes the fine and interest from the due date.
	Fine            Cents     `json:"fine"`
	Interest        Cents     `json:"interest"`
	AssessedThrough time.Time `json:"assessed_through,omitzero"`
}

// Offer is one way to settle a Debt: in cash today, or in Count monthly
// installments. For every offer Principal + Fees − Discount = Financed and
// Financed + Interest = Total = the sum of the installments' amounts.
type Offer struct {
	// ID is derived from the debt as assessed today, the policy version and
	// the offer's terms: the same state yields the same id, a payment, a
	// new charge or a new day (interest accrues daily) yields another.
	ID            string `json:"id"`
	Kind          string `json:"kind"`  // OfferCash or OfferInstallments
	Count         int    `json:"count"` // 1 for cash
	PolicyVersion int64  `json:"policy_version"`
	// Principal and Fees (fine and interest to today) are what is owed.
	Principal Cents `json:"principal"`
	Fees      Cents `json:"fees"`
	// Discount is the cash discount from the ladder; plans get none.
	Discount Cents `json:"discount"`
	// Financed is what the offer settles after the discount.
	Financed Cents `json:"financed"`
	// Interest is the plan's interest (0 for cash and 0% plans).
	Interest      Cents `json:"interest"`
	Total         Cents `json:"total"`
	MonthlyRateBP int64 `json:"monthly_rate_bp"`
	// DownPayment is the down payment of a plan that has one: its first
	// installment, due the day it is made (DownPaymentOffers).
	DownPayment  Cents         `json:"down_payment,omitempty"`
	ExpiresAt    time.Time     `json:"expires_at"` // first instant the offer no longer holds
	Installments []Installment `json:"installments"`
}

// Installment is one payment of an offer. A cash offer has one, due today.
type Installment struct {
	Number       int       `json:"number"` // from 1
	DueDate      time.Time `json:"due_date"`
	Amount       Cents     `json:"amount"`
	Interest     Cents     `json:"interest"`
	Amortization Cents     `json:"amortization"`
}

// MarshalJSON writes the due date as YYYY-MM-DD, the API's date form.
func (in Installment) MarshalJSON() ([]byte, error) {
	type plain Installment
	return json.Marshal(struct {
		plain
		DueDate string `json:"due_date"`
	}{plain(in), in.DueDate.Format(time.DateOnly)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (in *Installment) UnmarshalJSON(b []byte) error {
	type plain Installment
	var v struct {
		plain
		DueDate string `json:"due_date"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d, err := time.Parse(time.DateOnly, v.DueDate)
	if err != nil {
		return fmt.Errorf("installment due_date: %w", err)
	}
	*in = Installment(v.plain)
	in.DueDate = d
	return nil
}

// Offers returns what the policy offers to settle d at the instant now, in
// the business's time zone loc: first the cash offer, then one installment
// plan for each count from 2 up to the limit set by MaxInstallments and the
// tiers, stopping before the first count whose smallest installment would
// be below MinInstallment. When no plan fits, the cash offer comes alone;
// CheckInstallments says why.
//
// Plans finance the whole balance, principal plus fine and interest to
// today, at PlanMonthlyRateBP: the cash discount is what paying at once
// earns. The first installment is due FirstDueWithinDays after today and
// the k-th on the same day of the month k-1 months later, clamped to the
// month's last day (a plan started on the 31st pays on the 30th in April
// and on the 31st again in May).
func (p Policy) Offers(d Debt, now time.Time, loc *time.Location) ([]Offer, error) {
	offers, _, err := p.quote(d, now, loc)
	return offers, err
}

// CheckInstallments returns nil when Offers would include at least one
// installment plan for d at now, and otherwise an *Error with code EINVALID
// naming why there is only the cash offer: a field of the debt when the
// debt itself is bad, "min_installment" when the debt cannot be split into
// two or more installments that reach the minimum, "max_installments" or
// "installment_tiers" when the limits allow a single payment.
func (p Policy) CheckInstallments(d Debt, now time.Time, loc *time.Location) error {
	_, cashOnly, err := p.quote(d, now, loc)
	if err != nil {
		return err
	}
	if cashOnly != nil {
		return cashOnly
	}
	return nil
}

// debtState is a Debt assessed on one day.
type debtState struct {
	today       time.Time
	principal   Cents
	fees        Cents
	daysOverdue int // of the oldest charge with something owed; 0 if none is overdue
}

func (s debtState) balance() Cents { return s.principal + s.fees }

// assess adds the late charges due today to every charge of d.
func (p Policy) assess(d Debt, today time.Time) (debtState, error) {
	st := debtState{today: today}
	if len(d.Charges) == 0 {
		return st, Invalid("charges", "there are no charges to settle")
	}
	for i, c := range d.Charges {
		f := fmt.Sprintf("charges[%d]", i)
		switch {
		case c.ExternalID == "":
			return st, Invalid(f+".external_id", "is required")
		case c.Principal < 0:
			return st, Invalid(f+".principal", "must not be negative")
		case c.Fine < 0:
			return st, Invalid(f+".fine", "must not be negative")
		case c.Interest < 0:
			return st, Invalid(f+".interest", "must not be negative")
		case c.DueDate.IsZero():
			return st, Invalid(f+".due_date", "is required")
		case c.AssessedThrough.IsZero() && (c.Fine != 0 || c.Interest != 0):
			return st, Invalid(f+".assessed_through", "is required when a fine or interest was already assessed")
		case !c.AssessedThrough.IsZero() && DaysBetween(c.AssessedThrough, today) < 0:
			return st, Invalid(f+".assessed_through", "%s is after today, %s", c.AssessedThrough.Format(time.DateOnly), today.Format(time.DateOnly))
		}
		for _, o := range d.Charges[:i] {
			if o.ExternalID == c.ExternalID {
				return st, Invalid(f+".external_id", "%q appears twice", c.ExternalID)
			}
		}
		fine, interest := c.Fine, c.Interest
		if !c.AssessedThrough.IsZero() && DaysBetween(c.DueDate, c.AssessedThrough) > 0 {
			// The fine fell due when these charges were assessed; only
			// interest has accrued since.
			interest += p.LateFees.Compute(c.Principal, c.AssessedThrough, today).Interest
		} else {
			lc := p.LateFees.Compute(c.Principal, c.DueDate, today)
			fine += lc.Fine
			interest += lc.Interest
		}
		st.principal += c.Principal
		st.fees += fine + interest
		if c.Principal+fine+interest > 0 {
			st.daysOverdue = max(st.daysOverdue, DaysBetween(c.DueDate, today))
		}
	}
	if st.balance() <= 0 {
		return st, Invalid("charges", "nothing is owed")
	}
	return st, nil
}

// quote computes the offers for d, and when they are cash only, why.
func (p Policy) quote(d Debt, now time.Time, loc *time.Location) (offers []Offer, cashOnly, err error) {
	if loc == nil {
		return nil, nil, Errorf(EINTERNAL, "payments: offers: no time zone")
	}
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	today := Date(now, loc)
	st, err := p.assess(d, today)
	if err != nil {
		return nil, nil, err
	}
	expires := now.Add(time.Duration(p.OfferValidHours) * time.Hour)
	if p.OfferValidHours == 0 {
		y, m, dd := now.In(loc).Date()
		expires = time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	}
	snap := p.snapshot(d, today)
	base := Offer{
		PolicyVersion: p.Version,
		Principal:     st.principal,
		Fees:          st.fees,
		ExpiresAt:     expires,
	}

	step := p.cashDiscount(st.daysOverdue)
	cash := base
	cash.Kind, cash.Count = OfferCash, 1
	cash.Discount = st.fees.MulRate(step.FeesDiscountBP, 10000) + st.principal.MulRate(step.PrincipalDiscountBP, 10000)
	cash.Financed = st.balance() - cash.Discount
	cash.Total = cash.Financed
	cash.Installments = []Installment{{Number: 1, DueDate: today, Amount: cash.Total, Amortization: cash.Total}}
	cash.ID = offerID(snap, cash)
	offers = append(offers, cash)

	limit, field := p.maxInstallments(st.balance(), st.daysOverdue)
	if limit < 2 {
		if field == "installment_tiers" {
			return offers, Invalid(field, "no tier allows installments for a debt of %s, %d days overdue", st.balance(), st.daysOverdue), nil
		}
		return offers, Invalid(field, "is %d: only cash settlement is offered", p.MaxInstallments), nil
	}
	first := today.AddDate(0, 0, p.FirstDueWithinDays)
	for n := 2; n <= limit; n++ {
		ins := priceSchedule(st.balance(), n, p.PlanMonthlyRateBP, today, first)
		if smallestInstallment(ins) < p.MinInstallment {
			break
		}
		o := base
		o.Kind, o.Count = OfferInstallments, n
		o.Financed = st.balance()
		o.MonthlyRateBP = p.PlanMonthlyRateBP
		o.Installments = ins
		for _, in := range ins {
			o.Total += in.Amount
		}
		o.Interest = o.Total - o.Financed
		o.ID = offerID(snap, o)
		offers = append(offers, o)
	}
	if len(offers) == 1 {
		return offers, Invalid("min_installment", "a debt of %s cannot be split into 2 or more installments of at least %s: only cash settlement is offered", st.balance(), p.MinInstallment), nil
	}
	return offers, nil, nil
}

func smallestInstallment(ins []Installment) Cents {
	low := ins[0].Amount
	for _, in := range ins[1:] {
		low = min(low, in.Amount)
	}
	return low
}

// priceSchedule splits financed into n monthly installments at rateBP a
// month with Price (French) amortisation, priced from the day the plan is
// made (start): the first installment is due on first and the k-th on
// AddMonthsClamped(first, k-1). The first installment's interest is for the
// real days from the agreement to its due date, so that one due in 3 days
// carries 3 days of interest, not a month's; every later period is one
// month of the schedule and carries a month's.
//
// The first period, m whole months and r more days, grows a balance by
// g₁ = (1+i)^m · (1 + i·r/30): compound by the month, simple for the days
// left over (the "convenção linear"); the others by g = 1+i. The payment is
// the one that amortises financed exactly over those periods,
//
//	PMT = F / Σ_k 1/G_k,  G_k = g_1 · … · g_k,
//
// computed exactly and rounded half up to the centavo. Each period's
// interest is the open balance times (g_k − 1), rounded half up; the last
// installment pays off whatever balance is left, so the amortisations sum
// to financed exactly and the installments to the plan's total. When the
// first due date is a month after the agreement this is the classic Price
// table. At 0% the
// installments are financed/n rounded down, the last taking the remainder.
func priceSchedule(financed Cents, n int, rateBP int64, start, first time.Time) []Installment {
	due := make([]time.Time, n)
	for k := range n {
		due[k] = AddMonthsClamped(first, k)
	}
	var pmt Cents
	num := make([]*big.Int, n) // g_k = num[k] / den[k]
	den := make([]*big.Int, n)
	if rateBP != 0 {
		// The first period runs from the agreement to the first due date,
		// its real days; every later one is one month of the schedule.
		num[0], den[0] = periodFactor(start, due[0], rateBP)
		for k := 1; k < n; k++ {
			num[k], den[k] = big.NewInt(10000+rateBP), big.NewInt(10000)
		}
		// Σ_k 1/G_k = Σ_k D_k/N_k over the common denominator N_n:
		// Σ_k D_k · Π_{j>k} num_j. PMT = F · N_n / that sum.
		total := new(big.Int)
		dk := big.NewInt(1)
		for k := range n {
			dk = new(big.Int).Mul(dk, den[k])
			term := new(big.Int).Set(dk)
			for j := k + 1; j < n; j++ {
				term.Mul(term, num[j])
			}
			total.Add(total, term)
		}
		nn := big.NewInt(int64(financed))
		for k := range n {
			nn.Mul(nn, num[k])
		}
		pmt = Cents(roundHalfUp(nn, total))
	} else {
		pmt = financed / Cents(n)
	}
	ins := make([]Installment, n)
	balance := financed
	for k := range n {
		var interest Cents
		if rateBP != 0 {
			// balance · (num − den) / den, rounded half up
			x := new(big.Int).Mul(big.NewInt(int64(balance)), new(big.Int).Sub(num[k], den[k]))
			interest = Cents(roundHalfUp(x, den[k]))
		}
		// A first period longer than a month (a first due date late in a
		// short month) may owe more interest than the payment: it then
		// amortises nothing, and the last installment takes the rest.
		amort := max(pmt-interest, 0)
		if k == n-1 || amort > balance {
			amort = balance
		}
		balance -= amort
		ins[k] = Installment{
			Number:       k + 1,
			DueDate:      due[k],
			Amount:       amort + interest,
			Interest:     interest,
			Amortization: amort,
		}
	}
	return ins
}

// periodFactor is the growth of a balance from the civil date a to b at
// rateBP a month: (1+i)^m · (1 + i·r/30) for m whole months and r days,
// as the fraction num/den.
func periodFactor(a, b time.Time, rateBP int64) (num, den *big.Int) {
	m := 0
	for !AddMonthsClamped(a, m+1).After(b) {
		m++
	}
	r := int64(max(DaysBetween(AddMonthsClamped(a, m), b), 0))
	num = new(big.Int).Exp(big.NewInt(10000+rateBP), big.NewInt(int64(m)), nil)
	num.Mul(num, big.NewInt(300000+rateBP*r))
	den = new(big.Int).Exp(big.NewInt(10000), big.NewInt(int64(m)), nil)
	den.Mul(den, big.NewInt(300000))
	return num, den
}

// roundHalfUp returns num/den rounded half up, for num ≥ 0 and den > 0.
func roundHalfUp(num, den *big.Int) int64 {
	q := new(big.Int).Lsh(num, 1)
	q.Add(q, den)
	q.Quo(q, new(big.Int).Lsh(den, 1))
	return q.Int64()
}

// PayoffAmount is what settles the rest of a plan early on the civil date
// on (CDC art. 52 §2): the principal still owed plus the interest accrued
// to that day, never more. The plan's schedule carries each installment's
// interest for its own period (priceSchedule); start is the day the plan
// was made, where the first period begins (the k-th begins on the
// (k−1)-th due date). Of the installments after the first paidCount:
//
//   - one already due on or before on counts at face value (Amount), with
//     no late charges (those are the ledger's business);
//   - the one whose period is running counts its amortisation plus its
//     interest pro rata of the real days run (rounded down);
//   - one whose period has not begun counts its amortisation only.
//
// Amount is what is still owed on an installment (a partly paid one counts
// for its rest, its unearned interest taken off that, never below zero).
// So on the day the plan is made the payoff is what was financed, and it
// grows day by day up to the sum of the installments after the last due
// date. At 0% it is the sum of what is left.
func PayoffAmount(installments []Installment, paidCount int, start, on time.Time) (Cents, error) {
	if paidCount < 0 || paidCount > len(installments) {
		return 0, Invalid("paid_count", "must be between 0 and %d, not %d", len(installments), paidCount)
	}
	var total Cents
	for k := paidCount; k < len(installments); k++ {
		in := installments[k]
		if in.Amount <= 0 {
			continue
		}
		if in.Interest < 0 {
			return 0, Invalid(fmt.Sprintf("installments[%d].interest", k), "must not be negative")
		}
		from := start
		if k > 0 {
			from = installments[k-1].DueDate
		}
		owed := in.Amount
		switch days, run := DaysBetween(from, in.DueDate), DaysBetween(from, on); {
		case DaysBetween(on, in.DueDate) <= 0:
			// due: face value
		case run <= 0 || days <= 0:
			owed -= in.Interest // its period has not begun
		default:
			accrued := Cents(int64(in.Interest) * int64(run) / int64(days))
			owed -= in.Interest - accrued
		}
		total += max(owed, 0)
	}
	return total, nil
}

// snapshot is the canonical text of a debt as assessed on today, the part
// of an offer id shared by all offers of one quote. Charges are sorted so
// that their order in the debt does not matter.
func (p Policy) snapshot(d Debt, today time.Time) []byte {
	cs := slices.Clone(d.Charges)
	slices.SortFunc(cs, func(a, b DebtCharge) int { return strings.Compare(a.ExternalID, b.ExternalID) })
	b := make([]byte, 0, 128+64*len(cs))
	b = append(b, "regua-offer-v1\x00"...)
	b = strconv.AppendInt(b, p.Version, 10)
	b = append(b, 0)
	b = strconv.AppendQuote(b, d.DebtorExternalID)
	b = append(b, 0)
	b = today.AppendFormat(b, time.DateOnly)
	for _, c := range cs {
		b = append(b, '\n')
		b = strconv.AppendQuote(b, c.ExternalID)
		for _, v := range []Cents{c.Principal, c.Fine, c.Interest} {
			b = append(b, 0)
			b = strconv.AppendInt(b, int64(v), 10)
		}
		b = append(b, 0)
		b = c.DueDate.AppendFormat(b, time.DateOnly)
		b = append(b, 0)
		if !c.AssessedThrough.IsZero() {
			b = c.AssessedThrough.AppendFormat(b, time.DateOnly)
		}
	}
	return b
}

// offerID hashes the debt snapshot with the offer's terms. Putting the
// amounts in as well as kind and count means that an edited policy saved
// without a new version still cannot give two different offers one id.
func offerID(snap []byte, o Offer) string {
	b := slices.Clip(snap)
	b = append(b, "\n"+o.Kind+"\x00"...)
	for _, v := range []int64{int64(o.Count), int64(o.Discount), int64(o.Total), o.MonthlyRateBP, int64(o.Installments[0].Amount)} {
		b = strconv.AppendInt(b, v, 10)
		b = append(b, 0)
	}
	b = o.Installments[0].DueDate.AppendFormat(b, time.DateOnly)
	sum := sha256.Sum256(b)
	return "of_" + hex.EncodeToString(sum[:12])
}
