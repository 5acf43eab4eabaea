package conversations

import (
	"slices"

	"github.com/regua/regua/payments"
)

// States added by issue 14.
const (
	StateThirdParty = "third_party" // someone else holds the phone: 1 wrong number, 2 leave a note, 3 a person
	StateHardship   = "hardship"    // offered the longest plan: 1 see it, 2 a person
	StatePlan       = "plan"        // showed the active plan: 1 payoff Pix, 2 menu
)

// remembered are the requests worth answering right after verification.
func remembered(k IntentKind) bool {
	switch k {
	case IntentBalance, IntentPayPix, IntentBoleto, IntentInstallments, IntentPromise, IntentAlreadyPaid,
		IntentCash, IntentHardship, IntentDueDate, IntentNoInterest, IntentWhyInterest, IntentNegativation,
		IntentPayMethods:
		return true
	}
	return false
}

// remember keeps the first request made before verification.
func (t *turn) remember() {
	if t.s.Pending != nil || !remembered(t.in.Kind) {
		return
	}
	t.s.Pending = &Pending{Kind: t.in.Kind, Number: t.in.Number, Date: t.in.Date, Budget: t.in.Budget, Down: t.in.Down,
		AboutPlan: t.aboutPlan()}
}

// answerPending answers the request remembered before verification, if
// any, and reports whether there was one.
func (t *turn) answerPending() bool {
	p := t.s.Pending
	t.s.Pending = nil
	if p == nil {
		return false
	}
	t.in = Intent{Kind: p.Kind, Number: p.Number, Date: p.Date, Budget: p.Budget, Down: p.Down}
	t.planAsked = p.AboutPlan
	t.s.State = StateNone
	t.byIntent()
	return true
}

// beforeVerification answers what anyone may ask or say before the
// person is verified, and reports whether it did. Nothing here names the
// debtor or hints at a debt.
func (t *turn) beforeVerification() bool {
	switch t.in.Kind {
	case IntentThirdParty:
		t.thirdParty()
	case IntentIdentityWhy:
		t.s.Misunderstood = 0
		t.reply(txtIdentityWhy, numbered(lblPerson)...)
		t.to(StateVerifyPerson)
	case IntentWho:
		t.verifyAfter(txtWho(t.f.Business, t.f.BusinessDocument) + " ")
	case IntentScamCheck:
		t.verifyAfter(txtWho(t.f.Business, t.f.BusinessDocument) + " " + txtScamPlain + "\n\n")
	case IntentHours:
		t.verifyAfter(txtHours(t.f.Hours) + "\n\n")
	case IntentComplaint:
		t.complaint()
	case IntentAbuse:
		t.reply(txtAbuse, numbered(lblPerson)...)
		t.to(StateVerifyPerson)
	default:
		return false
	}
	return true
}

// verifyAfter answers and then asks the verification question.
func (t *turn) verifyAfter(answer string) {
	t.s.Misunderstood = 0
	if !t.s.Started {
		answer = "Olá! " + answer
	}
	if t.d == nil || t.s.Locked {
		t.reply(answer+txtUnlinkedAgainShort, numbered(lblPerson)...)
		t.to(StateUnlinked)
		return
	}
	t.askVerify(answer + txtVerifyAgain)
}

const txtUnlinkedAgainShort = "Se precisar de algo, uma pessoa da nossa equipe pode te ajudar."

// thirdParty answers someone who says they are not the debtor.
func (t *turn) thirdParty() {
	if !t.f.ChatThirdParty {
		t.act(Action{Kind: ActThirdParty})
	}
	if hasWord(t.ev.Text, "faleceu", "morreu", "falecido", "falecida", "obito", "falecimento") {
		t.act(Action{Kind: ActHandoff, Reason: rsnDeceased})
		t.reply(txtDeceased)
		t.s.ThirdParty = true
		t.s.Verified = false
		t.s.Pending = nil
		t.toAgent()
		return
	}
	wasVerified := t.s.Verified
	t.s.ThirdParty = true
	t.s.Verified = false
	t.s.Pending = nil
	t.clearChoices()
	text := txtOtherPerson
	if wasVerified {
		text = txtOtherPersonEnded
	}
	t.reply(text, numbered(lblWrongNumber, lblLeaveNote, lblPerson)...)
	t.to(StateThirdParty)
}

// asThirdParty answers a chat where a third party spoke: whatever comes,
// the right digits included, nothing is disclosed.
func (t *turn) asThirdParty() {
	k, n := t.in.Kind, t.in.Number
	switch {
	case k == IntentWrongPerson || k == IntentNumber && n == 1 && t.s.State == StateThirdParty:
		t.wrongPerson()
	case k == IntentNumber && n == 2 && t.s.State == StateThirdParty:
		t.reply(txtOtherPersonNote)
		t.to(StateNone)
	case k == IntentHuman || k == IntentNumber && n == 3 && t.s.State == StateThirdParty:
		t.handoff(rsnThirdParty)
	case k == IntentComplaint:
		t.complaint()
	case k == IntentThanks:
		t.reply(txtThanksPlain)
	case k == IntentGoodbye:
		t.reply(txtGoodbyePlain)
	case k == IntentWho:
		t.reply(txtWho(t.f.Business, t.f.BusinessDocument)+" "+txtOtherPersonAgain, numbered(lblWrongNumber, lblLeaveNote, lblPerson)...)
		t.to(StateThirdParty)
	default:
		t.reply(txtOtherPersonAgain, numbered(lblWrongNumber, lblLeaveNote, lblPerson)...)
		t.to(StateThirdParty)
	}
}

func (t *turn) complaint() {
	t.act(Action{Kind: ActComplaint, Reason: rsnComplaint})
	t.act(Action{Kind: ActHandoff, Reason: rsnComplaintShort})
	t.reply(txtComplaint)
	t.toAgent()
}

// After verification.

// plansByCount are the live installment offers, fewest installments first.
func (t *turn) plansByCount() []payments.Offer {
	var plans []payments.Offer
	for _, o := range t.liveOffers() {
		if o.Kind == payments.OfferInstallments && len(o.Installments) > 0 {
			plans = append(plans, o)
		}
	}
	slices.SortStableFunc(plans, func(a, b payments.Offer) int { return a.Count - b.Count })
	return plans
}

func (t *turn) cashOffer() (payments.Offer, bool) {
	for _, o := range t.liveOffers() {
		if o.Kind == payments.OfferCash {
			return o, true
		}
	}
	return payments.Offer{}, false
}

func maxInstallment(o payments.Offer) payments.Cents {
	var m payments.Cents
	for _, in := range o.Installments {
		m = max(m, in.Amount)
	}
	return m
}

// negotiate answers an installments request: by budget, with a down
// payment, or by count.
func (t *turn) negotiate() {
	in := t.in
	switch {
	case in.Down > 0:
		t.downPayment(in.Down)
	case in.Budget > 0:
		t.byBudget(in.Budget)
	default:
		t.offers(in.Number)
	}
}

// byBudget offers the shortest plan whose every installment fits the
// monthly budget, or says none does and offers a person.
func (t *turn) byBudget(budget payments.Cents) {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	plans := t.plansByCount()
	if len(plans) == 0 {
		t.offers(0)
		return
	}
	for _, o := range plans {
		if maxInstallment(o) <= budget {
			t.s.OfferChoices = []string{o.ID}
			t.s.ChosenOffer = o.ID
			t.reply(txtBudgetFits(budget)+txtOfferSummary(o, t.today), numbered(lblYesDeal, lblNo)...)
			t.to(StateOfferConfirm)
			return
		}
	}
	t.clearChoices()
	t.reply(txtBudgetNone(budget, plans[len(plans)-1]), personMenu()...)
	t.to(StatePerson)
}

// downOffers are the policy's plans with a down payment of down, and the
// least down payment it takes (0: none offered).
func (t *turn) downOffers(down payments.Cents) ([]payments.Offer, payments.Cents) {
	t.touchAmounts()
	if t.f.LoadDownOffers == nil || down <= 0 {
		return nil, 0
	}
	offers, least := t.f.LoadDownOffers(down)
	live := offers[:0:0]
	for _, o := range offers {
		if t.holds(o) {
			live = append(live, o)
		}
	}
	return live, least
}

// downPayment answers "entrada de 500 e o resto parcelado": the policy's
// plans with that down payment, or why there are none and a person.
func (t *turn) downPayment(down payments.Cents) {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	withDown, least := t.downOffers(down)
	switch {
	case len(withDown) > 0:
		shown := shownOffers(withDown)
		ids := make([]string, len(shown))
		labels := make([]string, len(shown))
		for i, o := range shown {
			ids[i] = o.ID
			labels[i] = lblOffer(o)
		}
		t.s.OfferChoices = ids
		t.s.ChosenOffer = ""
		t.s.DownPayment = down
		t.reply(txtDownMenu(down), numbered(labels...)...)
		t.to(StateOfferChoice)
		return
	case least > 0 && down < least:
		t.clearChoices()
		t.reply(txtDownTooSmall(least), personMenu()...)
		t.to(StatePerson)
		return
	case least > 0 && down >= t.total():
		t.offers(1) // the whole debt: the cash offer
		return
	}
	plans := t.plansByCount()
	var longest payments.Offer
	if len(plans) > 0 {
		longest = plans[len(plans)-1]
	}
	t.clearChoices()
	t.reply(txtDownPayment(down, longest, len(plans) > 0), personMenu()...)
	t.to(StatePerson)
}

// cash offers to settle everything at once with the cash discount; a
// debtor in a plan hears what settles the plan.
func (t *turn) cash() {
	if t.inPlanOnly() {
		t.planStatus()
		return
	}
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	if _, ok := t.cashOffer(); !ok {
		t.pix()
		return
	}
	t.offers(1)
}

// noInterest answers "sem juros?" with what the offers really charge.
func (t *turn) noInterest() {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	var free, paid payments.Offer
	hasFree, hasPaid := false, false
	for _, o := range t.plansByCount() {
		if o.Interest == 0 {
			free, hasFree = o, true
		} else if !hasPaid {
			paid, hasPaid = o, true
		}
	}
	cash, hasCash := t.cashOffer()
	if !hasFree && !hasPaid && !hasCash {
		t.offers(0)
		return
	}
	t.offerMenu(txtNoInterest(free, paid, hasFree, hasPaid, cash, hasCash))
}

// hardship answers "tô desempregado": the plan with the smallest
// installment and a person, never pressure.
func (t *turn) hardship() {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	plans := t.plansByCount()
	t.clearChoices()
	if len(plans) == 0 {
		t.reply(txtHardshipNone, personMenu()...)
		t.to(StatePerson)
		return
	}
	longest := plans[len(plans)-1]
	t.s.OfferChoices = []string{longest.ID}
	t.reply(txtHardship(longest), numbered(lblSeePlan, lblPerson)...)
	t.to(StateHardship)
}

func (t *turn) dueDates() {
	if t.inPlanOnly() {
		t.planStatus()
		return
	}
	if len(t.charges()) == 0 {
		t.reply(txtNoDueDates)
		t.to(StateNone)
		return
	}
	t.reply(txtDueDates(t.charges(), t.today)+"\n\n"+txtAfterBal, numbered(lblPix, lblInstall, lblBackMenu)...)
	t.to(StateBalance)
}

func (t *turn) negativation() {
	if t.f.BureauAfterDays > 0 {
		t.reply(txtBureau(t.f.BureauAfterDays), numbered(lblSeeOptions, lblPerson)...)
	} else {
		t.reply(txtBureauUnknown, numbered(lblSeeOptions, lblPerson)...)
	}
	t.to(StateHardship) // the same choice: 1 options, 2 a person
	t.s.OfferChoices = nil
}

func (t *turn) whyInterest() {
	t.touchAmounts() // the rules come with the amounts
	t.reply(txtWhyInterest(t.f.FineBP, t.f.InterestMonthlyBP), numbered(lblBalance, lblBackMenu)...)
	t.to(StateWhy)
}

// StateWhy follows the interest explanation: 1 balance, 2 menu.
const StateWhy = "why"

func (t *turn) payMethods() {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	t.reply(txtPayMethods(t.f.OtherPayMethods), numbered(lblYesPix, lblNoThanks)...)
	t.to(StateBoleto)
}

// aboutPlan reports a message about the plan: what is left of it.
func (t *turn) aboutPlan() bool {
	return t.planAsked || hasWord(t.ev.Text, "falta", "faltam", "resta", "restam", "acordo", "parcelamento")
}

// inPlanOnly reports a debtor whose only debt is an active plan: the
// charges the service lists are its installments (negative ids).
func (t *turn) inPlanOnly() bool {
	p := t.plan()
	if p == nil || p.Open == 0 {
		return false
	}
	for _, c := range t.charges() {
		if c.ID > 0 {
			return false
		}
	}
	return true
}

// plan is the active plan, read with the amounts.
func (t *turn) plan() *PlanFacts { t.touchAmounts(); return t.f.Plan }

// planStatus tells a debtor in a plan what is left and what settles it
// today, and offers the payoff Pix.
func (t *turn) planStatus() {
	p := t.plan()
	if p == nil || p.Open == 0 {
		t.balance()
		return
	}
	t.reply(txtPlanStatus(p), numbered(lblPayoff, lblBackMenu)...)
	t.to(StatePlan)
}

func (t *turn) sendPayoff() {
	p := t.plan()
	if p == nil || p.Open == 0 || p.Payoff <= 0 {
		t.balance()
		return
	}
	t.act(Action{Kind: ActSendPayoff, Text: txtPayoffPix(p)})
	t.clearChoices()
	t.to(StateNone)
}

// byStateMore reads answers to the questions of the states above.
func (t *turn) byStateMore() (handled bool) {
	k, n := t.in.Kind, t.in.Number
	yes := k == IntentYes || k == IntentNumber && n == 1
	no := k == IntentNo || k == IntentNumber && n == 2
	switch t.s.State {
	case StateHardship:
		switch {
		case yes:
			if len(t.s.OfferChoices) == 1 {
				if o, ok := t.findOffer(t.s.OfferChoices[0]); ok {
					t.confirmOffer(o)
					return true
				}
			}
			t.offers(0)
			return true
		case k == IntentNumber && n == 2:
			if len(t.s.OfferChoices) == 0 {
				t.handoff(rsnAsked)
			} else {
				t.handoff(rsnHardship)
			}
			return true
		case k == IntentNo:
			t.reply(txtNoAnswer)
			t.clearChoices()
			t.to(StateNone)
			return true
		}
	case StateWhy:
		switch {
		case yes:
			t.balance()
			return true
		case no:
			t.menu(txtMenu)
			return true
		}
	case StatePlan:
		switch {
		case yes, k == IntentCash, k == IntentPayPix:
			t.sendPayoff()
			return true
		case no:
			t.menu(txtMenu)
			return true
		}
	}
	return false
}
