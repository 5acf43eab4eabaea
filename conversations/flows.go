package conversations

import (
	"slices"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// Before verification: nobody linked, locked, or not yet verified. Nothing
// said here may name the debtor or hint at a debt.

// unlinked answers a chat no debtor is linked to.
func (t *turn) unlinked() {
	k := t.in.Kind
	if t.ev.Kind == EventContact {
		// Shared, but the number is nobody we collect from.
		t.reply(txtContactThanks+txtUnlinkedAgain, numbered(lblPerson)...)
		t.to(StateUnlinked)
		return
	}
	if t.s.ThirdParty {
		t.asThirdParty()
		return
	}
	if t.s.Channel != "telegram" && t.beforeVerification() {
		// Telegram first asks for the shared contact, below.
		return
	}
	switch {
	case k == IntentHuman, k == IntentDispute,
		k == IntentNumber && t.in.Number == 1 && t.s.State == StateUnlinked:
		t.handoff(rsnAskedUnlinked)
		return
	case k == IntentGoodbye && t.s.Started:
		t.reply(txtGoodbyePlain)
		return
	case k == IntentThanks && t.s.Started:
		t.reply(txtThanksPlain)
		return
	}
	if t.s.Channel == "telegram" {
		share := Option{Key: "contato", Label: lblShareMyCell, RequestContact: true}
		switch {
		case t.lost():
			t.reply(txtIntro(t.f.Business)+txtAskContactReturn, share)
		case !t.s.Started:
			t.reply(txtIntro(t.f.Business)+txtAskContact, share)
		default:
			t.reply(txtAskContactAgain, share)
		}
		t.to(StateContact)
		return
	}
	// A chat that said it is not the person we look for.
	if !t.s.Started {
		t.reply(txtIntro(t.f.Business)+txtThirdParty, numbered(lblPerson)...)
	} else {
		t.reply(txtThirdPartyAgain, numbered(lblPerson)...)
	}
	t.to(StateUnlinked)
}

// stranger answers a web chat or WhatsApp number that no debtor is linked
// to exactly as a debtor's number is answered before verification: the
// same opening question, the same reply to any answer (always wrong), the
// same lock after three. Only staff can tell the two apart.
func (t *turn) stranger() {
	t.unknown = true
	t.d = &Debtor{}
	if t.s.Locked {
		t.locked()
		return
	}
	t.unverified()
}

// locked answers a chat whose verification failed three times: only a
// person can help now.
func (t *turn) locked() {
	k := t.in.Kind
	switch {
	case k == IntentComplaint:
		t.complaint()
	case k == IntentHuman, k == IntentDispute, k == IntentNumber && t.in.Number == 1:
		t.handoff(rsnAskedLocked)
	case k == IntentGoodbye:
		t.reply(txtGoodbyePlain)
	case k == IntentThanks:
		t.reply(txtThanksPlain)
	default:
		t.reply(txtLocked, numbered(lblPerson)...)
		t.to(StateNone)
	}
}

// unverified answers a linked debtor's chat before verification.
func (t *turn) unverified() {
	if t.ev.Kind == EventContact {
		t.askVerify(txtContactThanks + txtVerifyAsk)
		return
	}
	if t.ev.Kind == EventMedia {
		if isAudio(t.ev.MediaKind) {
			t.askVerify(txtAudioPrefix + txtVerifyAgain)
		} else {
			t.askVerify(txtVerifyAgain)
		}
		return
	}
	if t.s.ThirdParty {
		t.asThirdParty()
		return
	}
	if ans, ok := t.verificationAnswer(); ok {
		t.attempt(ans)
		return
	}
	if t.beforeVerification() {
		return
	}
	t.remember()
	k := t.in.Kind
	switch k {
	case IntentHuman:
		t.handoff(rsnAskedUnverified)
		return
	case IntentDispute:
		t.handoff(rsnDisputeUnverifed)
		return
	case IntentGoodbye:
		if t.s.Started {
			t.reply(txtGoodbyePlain)
			return
		}
	case IntentThanks:
		if t.s.Started {
			t.reply(txtThanksPlain)
			return
		}
	case IntentNumber:
		if t.in.Number == 1 && t.s.State == StateVerifyPerson {
			t.handoff(rsnAskedUnverified)
			return
		}
	}
	understood := k != IntentUnknown && k != IntentEmpty && k != IntentNumber &&
		k != IntentDigits && k != IntentYes && k != IntentNo
	switch {
	case !t.s.Started && remembered(k) && !t.lost():
		// A request: say it will be answered, then who we need to talk to.
		t.s.Misunderstood = 0
		t.askVerify(txtIntro(t.f.Business) + txtVerifyRemember)
	case !t.s.Started:
		t.s.Misunderstood = 0
		t.askVerify(txtIntro(t.f.Business) + t.openingQuestion())
	case understood:
		t.s.Misunderstood = 0
		switch {
		case k == IntentGreeting:
			t.askVerify(txtHelloVerify)
		case remembered(k):
			t.askVerify(txtVerifyRemember)
		default:
			t.askVerify(txtVerifyFirst)
		}
	default:
		t.s.Misunderstood++
		switch {
		case t.s.Misunderstood >= 2:
			t.reply(txtVerifyPerson, numbered(lblPerson)...)
			t.to(StateVerifyPerson)
		case k == IntentNumber:
			t.askVerify(txtVerifyShort)
		default:
			t.askVerify(txtVerifyAgain)
		}
	}
}

// openingQuestion asks for verification at the start of a conversation.
func (t *turn) openingQuestion() string {
	if t.lost() {
		return txtVerifyRestart
	}
	return txtVerifyAsk
}

func (t *turn) askVerify(text string) {
	t.reply(text)
	t.to(StateVerify)
}

// verificationAnswer returns the first three characters the debtor typed
// as an answer to the verification question, if the message is one.
//
// For a numeric document (every CPF, and every CNPJ before 2026) only a
// message the recogniser reads as digits counts: "123", "123.", "1 2 3",
// "123.456", "meu cpf é 123..."; a message that merely contains numbers
// ("tenho 2 filhos e 1 cachorro") does not spend an attempt. The
// alphanumeric CNPJ may start with letters: then a short message (up to
// three words) with at least one digit counts, read as its letters and
// digits in order.
func (t *turn) verificationAnswer() (string, bool) {
	if t.in.Kind == IntentDigits && len(t.in.Digits) >= 3 {
		return t.in.Digits[:3], true
	}
	prefix := documentPrefix(t.d.DocumentPrefix)
	if prefix == "" || isAllDigits(prefix) {
		return "", false
	}
	if t.in.Kind != IntentUnknown && t.in.Kind != IntentNumber {
		return "", false
	}
	norm := Normalize(t.ev.Text)
	if strings.Count(norm, " ") > 2 {
		return "", false
	}
	var cand []byte
	digit := false
	for i := 0; i < len(norm) && len(cand) < 3; i++ {
		c := norm[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
			cand = append(cand, c)
		case c >= 'a' && c <= 'z':
			cand = append(cand, c-'a'+'A')
		}
	}
	if len(cand) < 3 || !digit && !hasDigit(norm) {
		return "", false
	}
	return string(cand), true
}

// documentPrefix reduces the stored prefix to its first three letters or
// digits, upper case.
func documentPrefix(p string) string {
	var out []byte
	for i := 0; i < len(p) && len(out) < 3; i++ {
		c := p[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			out = append(out, c)
		case c >= 'a' && c <= 'z':
			out = append(out, c-'a'+'A')
		}
	}
	return string(out)
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// attempt checks one verification answer.
func (t *turn) attempt(ans string) {
	t.s.Misunderstood = 0
	prefix := documentPrefix(t.d.DocumentPrefix)
	if t.unknown {
		prefix = "" // nobody's: no answer matches, and it is said like any wrong one
	} else if len(prefix) < 3 {
		// Nothing to check against: a person has to do it.
		t.reply(txtNoPrefix, numbered(lblPerson)...)
		t.to(StateVerifyPerson)
		return
	}
	if ans == prefix {
		t.s.Verified = true
		t.s.VerifyFailures = 0
		if t.s.Pending != nil {
			// Answer what they asked before we asked who they were.
			t.reply(txtVerified(t.firstName(), t.d.OptedOut))
			t.answerPending()
			return
		}
		t.reply(txtWelcome(t.firstName(), t.d.OptedOut), mainMenu()...)
		t.to(StateMenu)
		return
	}
	t.s.VerifyFailures++
	if t.s.VerifyFailures >= maxVerifyFailures {
		t.s.Locked = true
		if !t.unknown {
			t.act(Action{Kind: ActAlertStaff, Reason: rsnVerifyLocked})
		}
		t.reply(txtVerifyLocked, numbered(lblPerson)...)
		t.to(StateNone)
		return
	}
	t.askVerify(txtVerifyWrong(maxVerifyFailures - t.s.VerifyFailures))
}

// After verification.

func (t *turn) verified() {
	t.misunderstood = t.s.Misunderstood
	t.s.Misunderstood = 0
	switch t.ev.Kind {
	case EventContact:
		t.menu(txtContactVerified)
		return
	case EventMedia:
		t.media()
		return
	}
	if t.in.Kind == IntentThirdParty {
		// "sou a mãe dela": whoever verified, someone else is typing now.
		t.thirdParty()
		return
	}
	if t.byStateMore() || t.byState() {
		return
	}
	t.byIntent()
}

// byState reads the message as an answer to the question of the current
// state. It reports false when the message is not such an answer, and the
// intent decides.
func (t *turn) byState() bool {
	k, n := t.in.Kind, t.in.Number
	yes := k == IntentYes || k == IntentNumber && n == 1
	no := k == IntentNo || k == IntentNumber && n == 2
	switch t.s.State {
	case StateMenu:
		if k != IntentNumber {
			return false
		}
		switch n {
		case 1:
			t.balance()
		case 2:
			t.pix()
		case 3:
			t.offers(0)
		case 4:
			t.alreadyPaid()
		case 5:
			t.handoff(rsnAsked)
		default:
			t.notUnderstood(txtNoSuchOption(n))
		}
		return true
	case StateBalance:
		if k != IntentNumber {
			return false
		}
		switch n {
		case 1:
			t.pix()
		case 2:
			t.offers(0)
		case 3:
			t.menu(txtMenu)
		default:
			t.notUnderstood(txtNoSuchOption(n))
		}
		return true
	case StatePixChoice:
		switch {
		case k == IntentNumber:
			t.pickCharge(n)
			return true
		case (k == IntentUnknown || k == IntentPayPix || k == IntentBalance || k == IntentYes || k == IntentCash) &&
			hasWord(t.ev.Text, "tudo", "total", "todas", "todos"):
			// "tudo", "o total", "pagar tudo"; not "tudo bem".
			t.pickCharge(len(t.s.ChargeChoices))
			return true
		}
	case StateBoleto:
		switch {
		case yes:
			t.pix()
			return true
		case no:
			t.reply(txtNoAnswer)
			t.to(StateNone)
			return true
		}
	case StateOfferChoice:
		switch {
		case k == IntentNumber:
			t.pickOffer(n)
			return true
		case k == IntentCash, k == IntentPayPix && hasWord(t.ev.Text, "vista", "avista"):
			t.offers(1)
			return true
		}
	case StateOfferConfirm:
		switch {
		case yes:
			t.acceptOffer()
			return true
		case no:
			t.clearChoices()
			t.menu(txtOfferDeclined)
			return true
		}
	case StatePromiseDate:
		switch {
		case !t.in.Date.IsZero() && k != IntentPayPix && k != IntentBoleto:
			t.promise(t.in.Date)
			return true
		case k == IntentNumber:
			if n < 1 || n > 31 {
				t.notUnderstood(txtPromiseBad)
			} else {
				t.promise(nextDayOfMonth(t.today, n))
			}
			return true
		case k == IntentPromise, k == IntentUnknown, k == IntentEmpty:
			if pastDateIn(t.ev.Text, t.today) {
				t.reply(txtPromisePast)
				t.to(StatePromiseDate)
				return true
			}
			if k == IntentPromise {
				t.reply(txtPromiseAsk)
				t.to(StatePromiseDate)
				return true
			}
			t.notUnderstood(txtPromiseBad)
			return true
		}
	case StateReceipt:
		switch k {
		case IntentNo:
			t.reply(txtReceiptLater)
			t.to(StateNone)
			return true
		case IntentYes, IntentAlreadyPaid:
			t.reply(txtReceiptWaiting)
			return true
		case IntentUnknown, IntentEmpty, IntentNumber, IntentDigits:
			t.notUnderstood(txtReceiptWaiting)
			return true
		}
	case StateFile:
		switch {
		case yes:
			t.reply(txtFileResend)
			t.to(StateReceipt)
			return true
		case no:
			t.menu(txtMenuBack)
			return true
		}
	case StatePerson:
		switch {
		case k == IntentNumber && n == 1, k == IntentYes:
			t.handoff(rsnAsked)
			return true
		case k == IntentNumber && n == 2, k == IntentNo:
			t.menu(txtMenu)
			return true
		}
	}
	return false
}

// byIntent handles a message by what it says, whatever the state.
func (t *turn) byIntent() {
	switch t.in.Kind {
	case IntentGreeting:
		t.menu(txtHello(t.firstName()))
	case IntentThanks:
		t.reply(txtThanks) // the pending question, if any, still stands
	case IntentGoodbye:
		t.reply(txtGoodbye(t.firstName()))
		t.clearChoices()
		t.to(StateNone)
	case IntentBalance:
		t.balance()
	case IntentPayPix:
		t.pix()
	case IntentBoleto:
		t.boleto()
	case IntentInstallments:
		t.negotiate()
	case IntentCash:
		t.cash()
	case IntentHardship:
		t.hardship()
	case IntentNoInterest:
		t.noInterest()
	case IntentWhyInterest:
		t.whyInterest()
	case IntentDueDate:
		t.dueDates()
	case IntentNegativation:
		t.negativation()
	case IntentPayMethods:
		t.payMethods()
	case IntentHours:
		t.reply(txtHours(t.f.Hours)) // the pending question, if any, still stands
	case IntentWho:
		t.reply(txtWho(t.f.Business, t.f.BusinessDocument) + " Como posso ajudar?")
	case IntentScamCheck:
		t.reply(txtWho(t.f.Business, t.f.BusinessDocument) + " " + txtScamPlain + txtScamPix)
	case IntentComplaint:
		t.complaint()
	case IntentAbuse:
		t.reply(txtAbuse, personMenu()...)
		t.to(StatePerson)
	case IntentThirdParty:
		t.thirdParty()
	case IntentIdentityWhy:
		t.menu(txtAlreadyVerified)
	case IntentPromise:
		t.promise(t.in.Date)
	case IntentAlreadyPaid:
		t.alreadyPaid()
	case IntentDispute:
		t.dispute()
	case IntentHuman:
		t.handoff(rsnAsked)
	case IntentMenu, IntentOptIn:
		t.menu(txtMenu)
	case IntentYes:
		t.menu(txtMenuBack)
	case IntentNo:
		t.reply(txtNoAnswer)
		t.clearChoices()
		t.to(StateNone)
	case IntentNumber:
		if hasMenu(t.s.State) {
			t.notUnderstood(txtNoSuchOption(t.in.Number))
		} else {
			t.notUnderstood(txtMisunderstood)
		}
	case IntentEmpty:
		t.notUnderstood(txtEmpty)
	default:
		if pastDateIn(t.ev.Text, t.today) {
			// "pago dia 20/11" when that has passed: the recogniser drops
			// the date, the debtor should hear why.
			t.promise(time.Time{})
			return
		}
		t.notUnderstood(txtMisunderstood)
	}
}

// hasMenu reports whether state showed numbered options.
func hasMenu(state string) bool {
	switch state {
	case StateMenu, StateBalance, StatePixChoice, StateBoleto, StateOfferChoice, StateOfferConfirm, StateFile, StatePerson:
		return true
	}
	return false
}

// notUnderstood answers a message the bot could not use: the question
// again with its options, or, the second time in a row, a person.
func (t *turn) notUnderstood(text string) {
	t.s.Misunderstood = t.misunderstood + 1
	if t.s.Misunderstood >= 2 {
		t.reply(txtOfferPerson, personMenu()...)
		t.to(StatePerson)
		return
	}
	switch t.s.State {
	case StateBalance:
		t.reply(text, numbered(lblPix, lblInstall, lblBackMenu)...)
	case StatePixChoice:
		t.pixMenu(text)
	case StateBoleto:
		t.reply(text, numbered(lblYesPix, lblNoThanks)...)
	case StateOfferChoice:
		t.offerMenu(text)
	case StateOfferConfirm:
		t.reply(text, numbered(lblYesDeal, lblNo)...)
	case StateFile:
		t.reply(text, numbered(lblYesReceipt, lblNo)...)
	case StatePerson:
		t.reply(text, personMenu()...)
	case StatePromiseDate, StateReceipt:
		t.reply(text)
	default:
		t.menu(text)
	}
}

func (t *turn) menu(text string) {
	t.reply(text, mainMenu()...)
	t.to(StateMenu)
}

// Flows.

func (t *turn) nothingOwed() {
	t.reply(txtNothingOwed)
	t.clearChoices()
	t.to(StateNone)
}

func (t *turn) balance() {
	if p := t.plan(); p != nil && p.Open > 0 && (len(t.charges()) == 0 || t.in.Kind == IntentBalance && t.aboutPlan()) {
		t.planStatus()
		return
	}
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	t.reply(txtBalance(t.charges(), t.total(), t.credit(), t.today), numbered(lblPix, lblInstall, lblBackMenu)...)
	t.to(StateBalance)
}

func (t *turn) pix() {
	switch len(t.charges()) {
	case 0:
		t.nothingOwed()
	case 1:
		c := t.charges()[0]
		t.sendPix(c.ID, txtPixCharge(c))
	default:
		t.pixMenu(txtPixMenu(len(t.charges())))
	}
}

// pixMenu lists the open charges and the total; ChargeChoices remembers
// them, 0 standing for the total.
func (t *turn) pixMenu(text string) {
	cs := t.charges()
	if len(cs) > maxPixChoices {
		cs = cs[:maxPixChoices]
	}
	choices := make([]int64, 0, len(cs)+1)
	labels := make([]string, 0, len(cs)+1)
	for _, c := range cs {
		choices = append(choices, c.ID)
		labels = append(labels, lblPixCharge(c))
	}
	choices = append(choices, 0)
	labels = append(labels, lblPixAll(t.total()))
	t.s.ChargeChoices = choices
	t.reply(text, numbered(labels...)...)
	t.to(StatePixChoice)
}

func (t *turn) pickCharge(n int) {
	if n < 1 || n > len(t.s.ChargeChoices) {
		t.notUnderstood(txtNoSuchOption(n))
		return
	}
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	id := t.s.ChargeChoices[n-1]
	if id == 0 {
		t.sendPix(0, txtPixTotal(t.total(), len(t.charges())))
		return
	}
	for _, c := range t.charges() {
		if c.ID == id {
			t.sendPix(c.ID, txtPixCharge(c))
			return
		}
	}
	// Paid (or cancelled) since the menu was shown.
	if len(t.charges()) == 1 {
		t.pix()
		return
	}
	t.pixMenu(txtPixGone)
}

func (t *turn) sendPix(chargeID int64, caption string) {
	t.act(Action{Kind: ActSendPix, ChargeID: chargeID, Text: caption})
	t.clearChoices()
	t.to(StateNone)
}

func (t *turn) boleto() {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	text := txtBoleto
	if t.f.OtherPayMethods != "" {
		// The business takes other ways too: say so, it is what was asked.
		text = txtPayMethods(t.f.OtherPayMethods)
	}
	t.reply(text, numbered(lblYesPix, lblNoThanks)...)
	t.to(StateBoleto)
}

// offers shows the policy's offers, or goes straight to the one with count
// installments when the debtor named it ("em 3x"; 1 is the cash offer).
func (t *turn) offers(count int) {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	if len(t.liveOffers()) == 0 {
		t.reply(txtNoOffers, personMenu()...)
		t.clearChoices()
		t.to(StatePerson)
		return
	}
	if count >= 1 {
		for _, o := range t.liveOffers() {
			if count == 1 && o.Kind == payments.OfferCash || count > 1 && o.Kind == payments.OfferInstallments && o.Count == count {
				t.s.OfferChoices = []string{o.ID}
				t.confirmOffer(o)
				return
			}
		}
		t.offerMenu(txtNoSuchCount(count))
		return
	}
	t.offerMenu("")
}

// charges, total and credit are the facts' amounts. They, and
// liveOffers, are the only readers of the amounts: a step that reads them
// while they are pending is redone by the service with them loaded.
func (t *turn) charges() []Charge      { t.touchAmounts(); return t.f.Charges }
func (t *turn) total() payments.Cents  { t.touchAmounts(); return t.f.Total }
func (t *turn) credit() payments.Cents { t.touchAmounts(); return t.f.Credit }
func (t *turn) touchAmounts()          { t.needAmounts = t.needAmounts || t.f.AmountsPending }

// liveOffers are the facts' offers that still hold now.
func (t *turn) liveOffers() []payments.Offer {
	t.touchAmounts()
	if t.f.Offers == nil && t.f.LoadOffers != nil {
		t.f.Offers = t.f.LoadOffers()
		t.f.LoadOffers = nil
	}
	live := t.f.Offers
	for i := range live {
		if t.holds(live[i]) {
			continue
		}
		// Rare: copy only when something expired.
		out := slices.Clone(live[:i])
		for _, o := range live[i+1:] {
			if t.holds(o) {
				out = append(out, o)
			}
		}
		return out
	}
	return live
}

func (t *turn) holds(o payments.Offer) bool {
	return o.ExpiresAt.IsZero() || t.now.Before(o.ExpiresAt)
}

// shownOffers picks what the menu lists: the cash offer first, then at most
// maxPlanChoices plans, always the longest one (the smallest installment)
// and the usual counts before the others.
func shownOffers(all []payments.Offer) []payments.Offer {
	var shown, plans []payments.Offer
	for _, o := range all {
		if o.Kind == payments.OfferInstallments {
			plans = append(plans, o)
		} else {
			shown = append(shown, o)
		}
	}
	slices.SortStableFunc(plans, func(a, b payments.Offer) int { return a.Count - b.Count })
	if len(plans) > maxPlanChoices {
		picked := make([]bool, len(plans))
		picked[len(plans)-1] = true
		n := 1
		for _, want := range [...]int{2, 3, 4, 6, 10, 12} {
			for i, o := range plans {
				if n < maxPlanChoices && !picked[i] && o.Count == want {
					picked[i] = true
					n++
				}
			}
		}
		for i := range plans {
			if n < maxPlanChoices && !picked[i] {
				picked[i] = true
				n++
			}
		}
		kept := plans[:0:0]
		for i, o := range plans {
			if picked[i] {
				kept = append(kept, o)
			}
		}
		plans = kept
	}
	return append(shown, plans...)
}

func (t *turn) offerMenu(text string) {
	shown := shownOffers(t.liveOffers())
	if text == "" {
		owed := t.total()
		if o := shown[0]; o.Principal+o.Fees > 0 {
			owed = o.Principal + o.Fees
		}
		text = txtOfferMenu(owed, len(shown))
	}
	ids := make([]string, len(shown))
	labels := make([]string, len(shown))
	for i, o := range shown {
		ids[i] = o.ID
		labels[i] = lblOffer(o)
	}
	t.s.OfferChoices = ids
	t.s.ChosenOffer = ""
	t.reply(text, numbered(labels...)...)
	t.to(StateOfferChoice)
}

func (t *turn) findOffer(id string) (payments.Offer, bool) {
	if id == "" {
		return payments.Offer{}, false
	}
	for _, o := range t.liveOffers() {
		if o.ID == id {
			return o, true
		}
	}
	if t.s.DownPayment > 0 {
		withDown, _ := t.downOffers(t.s.DownPayment)
		for _, o := range withDown {
			if o.ID == id {
				return o, true
			}
		}
	}
	return payments.Offer{}, false
}

func (t *turn) pickOffer(n int) {
	if n < 1 || n > len(t.s.OfferChoices) {
		t.notUnderstood(txtNoSuchOption(n))
		return
	}
	o, ok := t.findOffer(t.s.OfferChoices[n-1])
	if !ok {
		t.offerAgain()
		return
	}
	t.confirmOffer(o)
}

// offerAgain shows today's offers when the chosen one no longer holds.
func (t *turn) offerAgain() {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	if len(t.liveOffers()) == 0 {
		t.offers(0)
		return
	}
	t.offerMenu(txtOffersChanged)
}

func (t *turn) confirmOffer(o payments.Offer) {
	t.s.ChosenOffer = o.ID
	t.reply(txtOfferSummary(o, t.today), numbered(lblYesDeal, lblNo)...)
	t.to(StateOfferConfirm)
}

func (t *turn) acceptOffer() {
	o, ok := t.findOffer(t.s.ChosenOffer)
	if !ok {
		t.offerAgain()
		return
	}
	t.act(Action{Kind: ActAcceptOffer, OfferID: o.ID, Text: txtOfferAccepted(o, t.today)})
	t.clearChoices()
	t.to(StateNone)
}

// promise records the day the debtor says they will pay; a zero date asks
// for it.
func (t *turn) promise(date time.Time) {
	if len(t.charges()) == 0 {
		t.nothingOwed()
		return
	}
	if date.IsZero() {
		if pastDateIn(t.ev.Text, t.today) {
			t.reply(txtPromisePast)
		} else {
			t.reply(txtPromiseAsk)
		}
		t.to(StatePromiseDate)
		return
	}
	d := payments.CivilDate(date.Date())
	switch days := payments.DaysBetween(t.today, d); {
	case days < 0:
		t.reply(txtPromisePast)
		t.to(StatePromiseDate)
	case days > promiseWindowDays:
		t.reply(txtPromiseTooFar(t.today.AddDate(0, 0, promiseWindowDays)))
		t.to(StatePromiseDate)
	default:
		t.act(Action{Kind: ActPromise, Date: d})
		t.reply(txtPromiseOK(d, t.today))
		t.clearChoices()
		t.to(StateNone)
	}
}

// nextDayOfMonth is the next day numbered day (today included), skipping
// months too short to have it.
func nextDayOfMonth(today time.Time, day int) time.Time {
	y, m, d := today.Date()
	if day < d {
		m++
	}
	for range 3 {
		c := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
		if c.Day() == day {
			return c
		}
		m++
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// pastDateIn reports whether text states a full date (dd/mm/yyyy or
// dd/mm/yy) before today, or "ontem": the recogniser drops past dates, and
// the debtor deserves to hear why the date was not taken.
func pastDateIn(text string, today time.Time) bool {
	for _, w := range strings.Fields(Normalize(text)) {
		if w == "ontem" || w == "anteontem" {
			return true
		}
		parts := strings.Split(w, "/")
		if len(parts) != 3 {
			continue
		}
		day, ok1 := smallInt(parts[0])
		mon, ok2 := smallInt(parts[1])
		yr, ok3 := smallInt(parts[2])
		if !ok1 || !ok2 || !ok3 || len(parts[2]) != 2 && len(parts[2]) != 4 {
			continue
		}
		if yr < 100 {
			yr += 2000
		}
		d := time.Date(yr, time.Month(mon), day, 0, 0, 0, 0, time.UTC)
		if d.Day() != day || int(d.Month()) != mon {
			continue // impossible date
		}
		if d.Before(today) {
			return true
		}
	}
	return false
}

func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// hasWord reports whether the normalised text contains one of words.
func hasWord(text string, words ...string) bool {
	for _, w := range strings.Fields(Normalize(text)) {
		if slices.Contains(words, w) {
			return true
		}
	}
	return false
}

func (t *turn) alreadyPaid() {
	if len(t.charges()) == 0 {
		t.reply(txtPaidNothing)
		t.to(StateNone)
		return
	}
	t.reply(txtReceiptAsk)
	t.clearChoices()
	t.to(StateReceipt)
}

func isAudio(kind string) bool { return kind == "audio" || kind == "voice" }

// media handles a file from a verified debtor: a receipt when one was asked
// for (or the caption says so), a question otherwise.
func (t *turn) media() {
	kind := t.ev.MediaKind
	receipt := t.s.State == StateReceipt
	switch {
	case isAudio(kind):
		if receipt {
			t.reply(txtReceiptAudio)
			return
		}
		t.notUnderstood(txtAudio)
	case kind == "sticker":
		if receipt {
			t.reply(txtReceiptSticker)
			return
		}
		t.notUnderstood(txtSticker)
	case receipt || t.in.Kind == IntentAlreadyPaid:
		t.act(Action{Kind: ActForwardReceipt})
		t.reply(txtReceiptGot)
		t.clearChoices()
		t.to(StateNone)
	default:
		t.reply(txtFileWhat, numbered(lblYesReceipt, lblNo)...)
		t.to(StateFile)
	}
}

func (t *turn) dispute() {
	t.act(Action{Kind: ActDispute, Reason: rsnDispute})
	t.act(Action{Kind: ActHandoff, Reason: rsnDisputeHandoff})
	t.reply(txtDispute)
	t.toAgent()
}

func (t *turn) handoff(reason string) {
	t.act(Action{Kind: ActHandoff, Reason: reason})
	t.reply(txtHandoff)
	t.toAgent()
}

// toAgent records what ActHandoff asks the service to record, so that the
// session and the conversation agree even before the service writes it.
func (t *turn) toAgent() {
	t.s.Status = StatusWaitingAgent
	t.s.Misunderstood = 0
	t.clearChoices()
	t.to(StateNone)
}

func (t *turn) wrongPerson() {
	intro := ""
	if !t.s.Started {
		intro = txtIntro(t.f.Business)
	}
	if t.d == nil && (t.f.ChatWrongNumber || t.s.Channel == "telegram") {
		t.reply(intro + txtWrongUnlinked)
		t.forget()
		return
	}
	// A debtor's number or one linked to nobody: the same answer, and the
	// chat is recorded as not the debtor's either way.
	t.act(Action{Kind: ActWrongNumber})
	t.reply(intro + txtWrongPerson)
	t.forget()
}
