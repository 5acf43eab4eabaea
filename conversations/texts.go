package conversations

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// Every word the bot says to a debtor lives in this file, so that the texts
// can be reviewed in one place. Rules for anyone editing them:
//
//   - pt-BR, warm and short: a message must fit a phone screen;
//   - at most one emoji per message;
//   - no markdown (no tables, no *bold*): the same text goes to WhatsApp,
//     Telegram and the web chat;
//   - before the person is verified, never a name, an amount, a charge or
//     even a hint that there is a debt (the property test in
//     transcript_test.go checks every golden transcript for this);
//   - amounts only through payments.Cents.String ("R$ 1.234,56").
//
// Reasons (Action.Reason) are for staff, also in pt-BR.

// Identity and verification.

const (
	txtVerifyAsk      = "Para sua segurança, antes de continuar preciso confirmar sua identidade. Quais são os 3 primeiros números do seu CPF ou CNPJ?"
	txtVerifyRestart  = "Vamos recomeçar: por segurança, preciso confirmar sua identidade de novo. Quais são os 3 primeiros números do seu CPF ou CNPJ?"
	txtVerifyAgain    = "Para continuar, me envie os 3 primeiros números do seu CPF ou CNPJ, por favor."
	txtHelloVerify    = "Olá! " + txtVerifyAsk
	txtVerifyRemember = "Claro, já te ajudo com isso! Antes, por segurança, preciso confirmar sua identidade. Quais são os 3 primeiros números do seu CPF ou CNPJ?"
	txtVerifyFirst    = "Por segurança, antes preciso confirmar sua identidade. Quais são os 3 primeiros números do seu CPF ou CNPJ?"
	txtVerifyShort    = "Preciso dos 3 primeiros números do seu CPF ou CNPJ. Pode enviar de novo?"
	txtVerifyPerson   = "Ainda não consegui entender. 😕 Para continuar, me envie os 3 primeiros números do seu CPF ou CNPJ. Se preferir, fale com uma pessoa da nossa equipe:"
	txtVerifyLocked   = "Não consegui confirmar sua identidade. Por segurança, não posso seguir com o atendimento automático por aqui. Uma pessoa da nossa equipe pode te ajudar."
	txtLocked         = "Por segurança, não posso mostrar informações por aqui. Se quiser, uma pessoa da nossa equipe pode te ajudar."
	txtNoPrefix       = "Não consigo confirmar sua identidade por aqui. Uma pessoa da nossa equipe pode te ajudar."

	txtAudioPrefix   = "Ainda não consigo ouvir áudios. "
	txtContactThanks = "Obrigado! "
)

// txtIntro opens a conversation: who is talking, as the law requires.
func txtIntro(business string) string {
	if business == "" {
		return "Olá! "
	}
	return "Olá! Aqui é o atendimento " + business + ". "
}

func txtVerifyWrong(left int) string {
	tries := "mais 1 tentativa"
	if left != 1 {
		tries = "mais " + strconv.Itoa(left) + " tentativas"
	}
	return "Esses números não conferem. Você tem " + tries + ". Quais são os 3 primeiros números do seu CPF ou CNPJ?"
}

// txtWelcome greets a debtor who has just been verified.
func txtWelcome(first string, optedOut bool) string {
	var b strings.Builder
	b.WriteString("Obrigado")
	if first != "" {
		b.WriteString(", ")
		b.WriteString(first)
	}
	b.WriteString("! Identidade confirmada. ✅\n")
	if optedOut {
		b.WriteString("Você está sem receber nossos lembretes; para voltar a recebê-los, envie VOLTAR.\n")
	} else {
		b.WriteString("Se não quiser mais receber nossas mensagens, é só enviar SAIR.\n")
	}
	b.WriteString("\nComo posso ajudar?")
	return b.String()
}

// txtVerified confirms the identity before answering what was asked.
func txtVerified(first string, optedOut bool) string {
	var b strings.Builder
	b.WriteString("Obrigado")
	if first != "" {
		b.WriteString(", ")
		b.WriteString(first)
	}
	b.WriteString("! Identidade confirmada. ✅")
	if optedOut {
		b.WriteString("\nVocê está sem receber nossos lembretes; para voltar a recebê-los, envie VOLTAR.")
	} else {
		b.WriteString("\nSe não quiser mais receber nossas mensagens, é só enviar SAIR.")
	}
	return b.String()
}

const txtAlreadyVerified = "Sua identidade já está confirmada. Como posso ajudar?"

// No debtor linked to the chat.

const (
	txtUnlinked         = "Não encontrei pendências para este número. 🙂 Se precisar de algo, posso te passar para uma pessoa da nossa equipe."
	txtUnlinkedAgain    = "Não encontrei pendências para este número. Se precisar de algo, posso te passar para uma pessoa da nossa equipe."
	txtAskContact       = "Para eu encontrar seu cadastro, toque no botão abaixo e compartilhe seu número de telefone."
	txtAskContactReturn = "Vamos recomeçar: por segurança, preciso identificar você de novo. Toque no botão abaixo e compartilhe seu número de telefone."
	txtAskContactAgain  = "Para continuar, toque no botão “Compartilhar meu telefone” abaixo, por favor."
	txtWrongUnlinked    = "Tudo bem, obrigado por avisar! Não há nada pendente para este número."
	// A chat that said it is not the person we look for: nothing about
	// anyone is said there, and it is never asked for a document again.
	txtThirdParty      = "Este número está registrado como não sendo da pessoa que procuramos, então não trato de nenhum assunto dela por aqui. 🙂 Se precisar de algo, posso te passar para uma pessoa da nossa equipe."
	txtThirdPartyAgain = "Por aqui não trato de assuntos de outra pessoa. Se precisar de algo, posso te passar para uma pessoa da nossa equipe."
)

// Menus and small talk.

const (
	txtMenu            = "Como posso ajudar? Escolha uma opção:"
	txtMenuBack        = "Certo! Como posso ajudar?"
	txtThanks          = "De nada! 😊 Se precisar, é só chamar."
	txtNoAnswer        = "Tudo bem! Se precisar de algo, é só chamar."
	txtMisunderstood   = "Desculpe, não entendi. 🤔 Escolha uma das opções abaixo ou escreva o que precisa:"
	txtEmpty           = "Não consegui ler sua mensagem. Pode escrever de novo? Estas são as opções:"
	txtOfferPerson     = "Ainda não consegui entender. 😕 Quer falar com uma pessoa da nossa equipe?"
	txtContactVerified = "Obrigado! Seu número já está confirmado. Como posso ajudar?"
	txtSticker         = "Recebi sua figurinha! 😄 Mas por aqui só entendo texto. Como posso ajudar?"
	txtAudio           = "Ainda não consigo ouvir áudios. 🙏 Pode escrever, por favor? Estas são as opções:"
)

func txtHello(first string) string {
	if first == "" {
		return "Olá! Como posso ajudar?"
	}
	return "Olá, " + first + "! Como posso ajudar?"
}

func txtGoodbye(first string) string {
	if first == "" {
		return "Até mais! Se precisar, é só mandar uma mensagem."
	}
	return "Até mais, " + first + "! Se precisar, é só mandar uma mensagem."
}

func txtNoSuchOption(n int) string {
	return "Não tenho a opção " + strconv.Itoa(n) + ". Escolha um dos números abaixo:"
}

// Option labels.

const (
	lblBalance     = "Ver saldo"
	lblPix         = "Pagar com Pix"
	lblInstall     = "Parcelar"
	lblPaid        = "Já paguei"
	lblPerson      = "Falar com uma pessoa"
	lblMenu        = "Ver o menu"
	lblBackMenu    = "Voltar ao menu"
	lblYesPix      = "Sim, quero o Pix"
	lblNoThanks    = "Não, obrigado"
	lblYesDeal     = "Sim, fechar acordo"
	lblNo          = "Não"
	lblYesReceipt  = "Sim, é um comprovante"
	lblShareMyCell = "Compartilhar meu telefone"
)

// Balance.

const (
	txtNothingOwed = "Você não tem nenhuma pendência em aberto: está tudo pago! 🎉 Obrigado por manter tudo em dia."
	txtAfterBal    = "O que deseja fazer?"
)

// txtBalance lists the open charges with today's amounts and the total.
func txtBalance(charges []Charge, total, credit payments.Cents, today time.Time) string {
	var b strings.Builder
	b.WriteString("Seu saldo hoje, ")
	b.WriteString(fmtDate(today))
	b.WriteString(":\n")
	for _, c := range charges {
		b.WriteString("\n• ")
		b.WriteString(chargeName(c))
		b.WriteString(": ")
		b.WriteString(c.Original.String())
		switch {
		case c.DaysLate > 0:
			b.WriteString(", venceu em ")
			b.WriteString(fmtDate(c.DueDate))
			b.WriteString(" (")
			b.WriteString(plural(c.DaysLate, "dia", "dias"))
			b.WriteString(" de atraso)")
		case sameDay(c.DueDate, today):
			b.WriteString(", vence hoje")
		case c.DueDate.Before(today):
			b.WriteString(", venceu em ")
			b.WriteString(fmtDate(c.DueDate))
		default:
			b.WriteString(", vence em ")
			b.WriteString(fmtDate(c.DueDate))
		}
		if c.Total != c.Original {
			b.WriteString("\n  Hoje, com multa e juros: ")
			b.WriteString(c.Total.String())
		}
	}
	b.WriteString("\n\nTotal hoje: ")
	b.WriteString(total.String())
	if credit > 0 {
		b.WriteString("\nVocê também tem ")
		b.WriteString(credit.String())
		b.WriteString(" de crédito conosco.")
	}
	b.WriteString("\n\n")
	b.WriteString(txtAfterBal)
	return b.String()
}

// Pix.

const (
	txtPixHow  = " Copie o código abaixo (Pix copia e cola) ou leia o QR Code no app do seu banco. Assim que o pagamento for confirmado, eu te aviso por aqui."
	txtBoleto  = "Por aqui o pagamento é feito por Pix: cai na hora e não tem custo. Quer que eu envie o código Pix?"
	txtPixGone = "Essa cobrança não está mais em aberto. Veja as que estão:"
)

func txtPixMenu(n int) string {
	return "Você tem " + strconv.Itoa(n) + " cobranças em aberto. Qual delas quer pagar com Pix? Responda com o número:"
}

func lblPixCharge(c Charge) string { return chargeName(c) + ": " + c.Total.String() }

func lblPixAll(total payments.Cents) string { return "Tudo: " + total.String() }

func txtPixCharge(c Charge) string {
	return "Aqui está o Pix de " + c.Total.String() + " (" + chargeName(c) + ")." + txtPixHow
}

func txtPixTotal(total payments.Cents, n int) string {
	if n == 1 {
		return "Aqui está o Pix de " + total.String() + "." + txtPixHow
	}
	return "Aqui está o Pix de " + total.String() + ", o total das suas " + strconv.Itoa(n) + " cobranças." + txtPixHow
}

// Installments.

const (
	txtNoOffers      = "Para o seu caso, o parcelamento é feito por uma pessoa da nossa equipe. Quer que eu te passe para ela?"
	txtOfferDeclined = "Tudo bem, não fechei nenhum acordo. Como posso ajudar?"
	txtOffersChanged = "As condições foram atualizadas. Veja as opções de hoje:"
	txtOfferConfirm  = "Posso fechar o acordo?"
)

func txtOfferMenu(owed payments.Cents, n int) string {
	if n == 1 {
		return "Para quitar " + owed.String() + ", tenho esta opção (responda com o número):"
	}
	return "Para quitar " + owed.String() + ", tenho estas opções (responda com o número):"
}

func txtNoSuchCount(n int) string {
	return "Não tenho parcelamento em " + strconv.Itoa(n) + "x para o seu caso. Veja as opções:"
}

func lblOffer(o payments.Offer) string {
	if o.DownPayment > 0 && len(o.Installments) > 1 {
		s := "Entrada de " + o.DownPayment.String() + " + " + strconv.Itoa(o.Count-1) + "x de " + o.Installments[1].Amount.String()
		if o.Interest == 0 {
			return s + " sem juros"
		}
		return s + " (total " + o.Total.String() + ")"
	}
	if o.Kind == payments.OfferCash {
		if o.Discount > 0 {
			return "À vista: " + o.Total.String() + " (desconto de " + o.Discount.String() + ")"
		}
		return "À vista: " + o.Total.String()
	}
	first := payments.Cents(0)
	if len(o.Installments) > 0 {
		first = o.Installments[0].Amount
	}
	s := strconv.Itoa(o.Count) + "x de " + first.String()
	if o.Interest == 0 {
		return s + " sem juros"
	}
	return s + " (total " + o.Total.String() + ")"
}

// txtOfferSummary states the plan before the debtor says yes.
func txtOfferSummary(o payments.Offer, today time.Time) string {
	var b strings.Builder
	b.WriteString("Confira o acordo:\n")
	due, first := offerFirst(o)
	if o.Kind == payments.OfferCash {
		b.WriteString("• Pagamento à vista de ")
		b.WriteString(o.Total.String())
		if o.Discount > 0 {
			b.WriteString(", com desconto de ")
			b.WriteString(o.Discount.String())
		}
		b.WriteString("\n• Para pagar até ")
		b.WriteString(fmtDueDay(due, today))
	} else if o.DownPayment > 0 && len(o.Installments) > 1 {
		b.WriteString("• Entrada de ")
		b.WriteString(o.DownPayment.String())
		b.WriteString(" para pagar até ")
		b.WriteString(fmtDueDay(due, today))
		b.WriteString("\n• Mais ")
		b.WriteString(strconv.Itoa(o.Count - 1))
		b.WriteString(" parcelas mensais, a 1ª de ")
		b.WriteString(o.Installments[1].Amount.String())
		b.WriteString(" com vencimento em ")
		b.WriteString(fmtDate(o.Installments[1].DueDate))
		if o.MonthlyRateBP > 0 {
			b.WriteString("\n• Juros de ")
			b.WriteString(fmtRate(o.MonthlyRateBP))
			b.WriteString(" ao mês")
		} else {
			b.WriteString("\n• Sem juros")
		}
		b.WriteString("\n• Total: ")
		b.WriteString(o.Total.String())
	} else {
		b.WriteString("• ")
		b.WriteString(strconv.Itoa(o.Count))
		b.WriteString(" parcelas mensais, a 1ª de ")
		b.WriteString(first.String())
		b.WriteString(" com vencimento em ")
		b.WriteString(fmtDate(due))
		if o.MonthlyRateBP > 0 {
			b.WriteString("\n• Juros de ")
			b.WriteString(fmtRate(o.MonthlyRateBP))
			b.WriteString(" ao mês")
		} else {
			b.WriteString("\n• Sem juros")
		}
		b.WriteString("\n• Total: ")
		b.WriteString(o.Total.String())
	}
	b.WriteString("\n\n")
	b.WriteString(txtOfferConfirm)
	return b.String()
}

// txtOfferAccepted is the caption of the first installment's Pix.
func txtOfferAccepted(o payments.Offer, today time.Time) string {
	due, first := offerFirst(o)
	if o.Kind == payments.OfferCash {
		return "Acordo fechado! ✅ Aqui está o Pix de " + o.Total.String() + ", à vista, para pagar até " + fmtDueDay(due, today) + "." + txtPixHow
	}
	if o.DownPayment > 0 {
		return "Acordo fechado! ✅ Aqui está o Pix da entrada, de " + o.DownPayment.String() + ", para pagar até " + fmtDueDay(due, today) + "." + txtPixHow
	}
	return "Acordo fechado! ✅ Aqui está o Pix da 1ª parcela, de " + first.String() + ", com vencimento em " + fmtDate(due) + "." + txtPixHow
}

// Promise to pay.

const (
	txtPromiseAsk  = "Qual dia você consegue pagar? Pode escrever, por exemplo, “dia 10”, “sexta” ou “amanhã”."
	txtPromisePast = "Essa data já passou. Qual dia você consegue pagar?"
	txtPromiseBad  = "Não entendi a data. Pode escrever, por exemplo, “dia 10”, “sexta” ou “15/12”?"
)

func txtPromiseTooFar(limit time.Time) string {
	return "Consigo anotar uma data até " + fmtDayMonth(limit) + ". Qual dia você consegue pagar? Se precisar de mais prazo, escreva PARCELAR para ver as opções de parcelamento."
}

func txtPromiseOK(d, today time.Time) string {
	return "Combinado! Anotei seu pagamento para " + fmtPromiseDay(d, today) + ". 👍 Se quiser, já te mando o Pix: é só escrever PIX."
}

// Already paid and files.

const (
	txtReceiptAsk     = "Que bom! Pode me enviar o comprovante aqui, em foto ou PDF? Vou encaminhar para a equipe conferir."
	txtReceiptGot     = "Recebi seu comprovante, obrigado! 🙏 Vamos conferir e te avisamos por aqui."
	txtReceiptWaiting = "Estou aguardando o comprovante: envie a foto ou o PDF aqui mesmo, por favor. Se não tiver agora, sem problemas, é só enviar depois."
	txtReceiptLater   = "Sem problemas. Quando tiver o comprovante, é só me enviar aqui."
	txtReceiptAudio   = "Ainda não consigo ouvir áudios. 🙏 Pode enviar o comprovante em foto ou PDF?"
	txtReceiptSticker = "Recebi uma figurinha. 🙂 Pode enviar o comprovante em foto ou PDF?"
	txtPaidNothing    = "Obrigado! Por aqui está tudo certo: você não tem pendências em aberto."
	txtFileWhat       = "Recebi seu arquivo. 📎 É um comprovante de pagamento?"
	txtFileResend     = "Certo! Para eu encaminhar para a equipe, me envie o comprovante de novo aqui, por favor."
)

// Handoff, dispute, wrong person, opt-out.

const (
	txtHandoff      = "Certo! Vou te passar para uma pessoa da nossa equipe. Ela vai responder por aqui assim que possível."
	txtDispute      = "Entendi. Vou pedir para uma pessoa da nossa equipe verificar, e as cobranças ficam pausadas enquanto isso. Ela vai responder por aqui."
	txtWaitingAck   = "Sua mensagem foi encaminhada. Um atendente responde em breve."
	txtWrongPerson  = "Desculpe o incômodo! Vou registrar que este número não é da pessoa que procuramos, e você não vai mais receber mensagens nossas."
	txtOptOut       = "Pronto: você não vai mais receber nossas mensagens por aqui. Se mudar de ideia, é só enviar VOLTAR."
	txtOptIn        = "Que bom! Você voltará a receber nossas mensagens por aqui. Para parar, é só enviar SAIR."
	txtThanksPlain  = "De nada! Se precisar, é só chamar."
	txtGoodbyePlain = "Até mais! Se precisar, é só mandar uma mensagem."
)

// Reasons for staff.

const (
	rsnVerifyLocked     = "verificação bloqueada: 3 respostas erradas para os primeiros dígitos do CPF/CNPJ"
	rsnAsked            = "pediu para falar com uma pessoa"
	rsnAskedUnverified  = "pediu para falar com uma pessoa; identidade não confirmada"
	rsnAskedLocked      = "pediu para falar com uma pessoa após verificação bloqueada"
	rsnAskedUnlinked    = "número sem cadastro pediu para falar com uma pessoa"
	rsnNoPrefix         = "sem CPF/CNPJ cadastrado para confirmar a identidade"
	rsnDispute          = "não reconhece a dívida"
	rsnDisputeHandoff   = "contestação: o devedor não reconhece a dívida"
	rsnDisputeUnverifed = "diz não reconhecer a dívida; identidade não confirmada"
)

// Formatting helpers.

var ptWeekdays = [...]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"}

// fmtDate writes a civil date as dd/mm/yyyy.
func fmtDate(d time.Time) string {
	var buf [10]byte
	y, m, day := d.Date()
	b := append(buf[:0], byte('0'+day/10), byte('0'+day%10), '/', byte('0'+int(m)/10), byte('0'+int(m)%10), '/')
	b = strconv.AppendInt(b, int64(y), 10)
	return string(b)
}

// fmtDayMonth writes a civil date as dd/mm.
func fmtDayMonth(d time.Time) string {
	_, m, day := d.Date()
	return string([]byte{byte('0' + day/10), byte('0' + day%10), '/', byte('0' + int(m)/10), byte('0' + int(m)%10)})
}

// fmtPromiseDay writes "sexta-feira, 27/11", "hoje, segunda-feira, 23/11"
// or "amanhã, terça-feira, 24/11".
func fmtPromiseDay(d, today time.Time) string {
	s := ptWeekdays[d.Weekday()] + ", " + fmtDayMonth(d)
	switch payments.DaysBetween(today, d) {
	case 0:
		return "hoje, " + s
	case 1:
		return "amanhã, " + s
	}
	return s
}

// fmtDueDay writes a due date, saying when it is today: "hoje, 23/11/2026".
func fmtDueDay(d, today time.Time) string {
	if sameDay(d, today) {
		return "hoje, " + fmtDate(d)
	}
	return fmtDate(d)
}

// fmtRate writes basis points as a percentage: 199 → "1,99%".
func fmtRate(bp int64) string {
	s := fmt.Sprintf("%d,%02d", bp/100, bp%100)
	s = strings.TrimSuffix(s, ",00")
	if strings.HasSuffix(s, "0") && strings.Contains(s, ",") {
		s = strings.TrimSuffix(s, "0")
	}
	return s + "%"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// chargeName is how a charge is called to the debtor.
func chargeName(c Charge) string {
	if d := strings.TrimSpace(c.Description); d != "" {
		return d
	}
	if c.ExternalID != "" {
		return "Cobrança " + c.ExternalID
	}
	return "Cobrança de " + fmtDate(c.DueDate)
}

func offerFirst(o payments.Offer) (time.Time, payments.Cents) {
	if len(o.Installments) == 0 {
		return o.ExpiresAt, o.Total
	}
	return o.Installments[0].DueDate, o.Installments[0].Amount
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// Third parties, identity questions, questions anyone may ask (issue 14).
// Before verification none of these may hint at a debt: no "pagamento",
// "pix", "cobrança", amounts or names.

const (
	txtOtherPerson      = "Obrigado por avisar! Por segurança, só trato do assunto com o próprio titular. Se este número não é da pessoa que procuramos, escolha 1 e não enviamos mais mensagens para cá. Se preferir, escolha 2 e peça para a pessoa nos chamar por aqui quando puder."
	txtOtherPersonAgain = "Por segurança, como outra pessoa está usando este número, não posso seguir o atendimento automático por aqui. Se este número não é da pessoa que procuramos, escolha 1. Uma pessoa da nossa equipe também pode ajudar:"
	txtOtherPersonNote  = "Combinado! Peça para a pessoa nos chamar por aqui quando puder. Obrigado pela ajuda! 🙏"
	txtOtherPersonEnded = "Entendi. Por segurança, encerrei o atendimento automático por aqui e não vou mostrar mais nenhuma informação. Se este número não é da pessoa que procuramos, escolha 1; se preferir, peça para a pessoa nos chamar quando puder."
	txtDeceased         = "Sinto muito pela sua perda. 🙏 Vou passar para uma pessoa da nossa equipe, que vai tratar disso com todo o cuidado e responder por aqui."

	txtIdentityWhy = "Para proteger seus dados, só falo do assunto com o titular. Por isso peço só os 3 primeiros números do CPF ou CNPJ: com eles confirmo que é você. Nunca peço senha nem o documento completo. Se preferir, fale com uma pessoa da nossa equipe:"

	txtScamPlain = "Faz bem em conferir! Nunca pedimos senha, código de verificação nem dados do cartão. Você pode confirmar quem somos pelo CNPJ e pelos canais oficiais da empresa, ou falar com uma pessoa da nossa equipe."
	txtScamPix   = " Qualquer Pix enviado por aqui sai sempre em nome da empresa: confira o nome antes de confirmar no app do banco."

	txtAbuse     = "Sinto muito pelo incômodo. Se não quiser mais receber nossas mensagens, é só enviar SAIR. Se preferir, uma pessoa da nossa equipe conversa com você:"
	txtComplaint = "Entendi, e sinto muito pelo transtorno. Registrei sua reclamação e vou passar para uma pessoa da nossa equipe, que vai responder por aqui."

	txtHoursAlways = "Por aqui eu respondo a qualquer hora, todos os dias. Se precisar de uma pessoa da nossa equipe, é só pedir."
)

// txtWho says who is collecting: the business and its CNPJ.
func txtWho(business, document string) string {
	var b strings.Builder
	if business == "" {
		b.WriteString("Aqui é o atendimento automático da empresa")
	} else {
		b.WriteString("Aqui é o atendimento automático da ")
		b.WriteString(business)
	}
	if document != "" {
		b.WriteString(" (")
		if len(onlyDigits(document)) == 11 {
			b.WriteString("CPF ")
		} else {
			b.WriteString("CNPJ ")
		}
		b.WriteString(fmtDocument(document))
		b.WriteString(")")
	}
	b.WriteString(".")
	return b.String()
}

func txtHours(hours string) string {
	if hours == "" {
		return txtHoursAlways
	}
	return "Por aqui eu respondo a qualquer hora. A nossa equipe atende " + hours + "."
}

func onlyDigits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// fmtDocument writes a CNPJ as 12.345.678/0001-90 and a CPF as
// 123.456.789-09; anything else as given.
// FormatDocument writes a CPF (123.456.789-09) or a numeric CNPJ
// (11.222.333/0001-81) as people read them; anything else as given.
func FormatDocument(doc string) string { return fmtDocument(doc) }

func fmtDocument(doc string) string {
	d := onlyDigits(doc)
	switch len(d) {
	case 14:
		return d[:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:]
	case 11:
		return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:]
	}
	return strings.TrimSpace(doc)
}

const (
	lblWrongNumber = "Número errado"
	lblLeaveNote   = "Pedir para a pessoa chamar"
	lblSeePlan     = "Ver esse parcelamento"
	lblSeeOptions  = "Ver as opções"
)

// After verification: questions about the debt, negotiation.

const (
	txtPayMethodsPix = "Por aqui o pagamento é por Pix: cai na hora, sem custo, e eu envio o código copia e cola aqui mesmo."
	txtBureauUnknown = "Sobre registro em órgãos de proteção ao crédito (como Serasa e SPC), uma pessoa da nossa equipe pode te explicar o seu caso. Se quiser regularizar, posso te mostrar as opções."
	txtNoDueDates    = "Você não tem nenhuma cobrança em aberto. 🙂"
	txtHardshipNone  = "Sinto muito pelo momento difícil, e obrigado por contar. Sem pressa: uma pessoa da nossa equipe pode conversar com você e buscar uma saída que caiba no seu bolso."
	txtPlanNone      = "Você não tem nenhum acordo em andamento. Quer ver o seu saldo?"
)

func txtPayMethods(other string) string {
	if other == "" {
		return txtPayMethodsPix + " Quer que eu envie o Pix?"
	}
	return txtPayMethodsPix + " Também aceitamos: " + other + ". Quer que eu envie o Pix?"
}

func txtBureau(days int) string {
	return "Quando uma conta fica mais de " + plural(days, "dia", "dias") + " em atraso, ela pode ser registrada em órgãos de proteção ao crédito (como Serasa e SPC), sempre com aviso antes, como manda a lei. Depois do pagamento, um registro feito é retirado em até 5 dias úteis. Quer ver as opções para regularizar?"
}

// txtWhyInterest explains the late-payment rules in plain words.
func txtWhyInterest(fineBP, interestBP int64) string {
	var b strings.Builder
	b.WriteString("Quando uma conta é paga depois do vencimento, o contrato prevê ")
	switch {
	case fineBP > 0 && interestBP > 0:
		b.WriteString("uma multa de " + fmtRate(fineBP) + " sobre o valor, uma vez só, e juros de " + fmtRate(interestBP) + " ao mês, contados por dia de atraso")
	case fineBP > 0:
		b.WriteString("uma multa de " + fmtRate(fineBP) + " sobre o valor, uma vez só")
	case interestBP > 0:
		b.WriteString("juros de " + fmtRate(interestBP) + " ao mês, contados por dia de atraso")
	default:
		b.WriteString("multa e juros de atraso")
	}
	b.WriteString(". Pagando hoje, os juros param de correr. Quer ver o seu saldo com o detalhe?")
	return b.String()
}

// txtNoInterest answers "sem juros?" honestly from the offers.
func txtNoInterest(free, paid payments.Offer, hasFree, hasPaid bool, cash payments.Offer, hasCash bool) string {
	var b strings.Builder
	switch {
	case hasFree && !hasPaid:
		b.WriteString("Sim: o parcelamento em até " + strconv.Itoa(free.Count) + "x é sem juros.")
	case hasFree:
		b.WriteString("Em até " + strconv.Itoa(free.Count) + "x é sem juros; acima disso há juros de " + fmtRate(paid.MonthlyRateBP) + " ao mês.")
	case hasPaid:
		b.WriteString("O parcelamento tem juros de " + fmtRate(paid.MonthlyRateBP) + " ao mês. O total de cada opção aparece antes de você fechar.")
	default:
		b.WriteString("Por aqui não tenho parcelamento para o seu caso.")
	}
	if hasCash && cash.Discount > 0 {
		b.WriteString(" À vista não tem juros e ainda tem desconto: " + cash.Total.String() + ".")
	}
	b.WriteString(" Veja as opções:")
	return b.String()
}

func txtHardship(o payments.Offer) string {
	first := payments.Cents(0)
	if len(o.Installments) > 0 {
		first = o.Installments[0].Amount
	}
	return "Sinto muito pelo momento difícil, e obrigado por contar. Sem pressa: a opção com a menor parcela é " +
		strconv.Itoa(o.Count) + "x de " + first.String() + ". Se não couber, uma pessoa da nossa equipe pode conversar com você sobre o seu caso."
}

func txtBudgetFits(budget payments.Cents) string {
	return "Com até " + budget.String() + " por mês, esta é a opção mais curta que cabe:\n"
}

func txtBudgetNone(budget payments.Cents, smallest payments.Offer) string {
	first := payments.Cents(0)
	if len(smallest.Installments) > 0 {
		first = smallest.Installments[0].Amount
	}
	return "Com até " + budget.String() + " por mês não tenho um parcelamento por aqui: a menor parcela que consigo é " +
		strconv.Itoa(smallest.Count) + "x de " + first.String() + ". Uma pessoa da nossa equipe pode avaliar o seu caso. Quer falar com ela?"
}

func txtDownMenu(down payments.Cents) string {
	return "Com entrada de " + down.String() + " hoje e o restante em parcelas mensais, tenho estas opções (responda com o número):"
}

func txtDownTooSmall(least payments.Cents) string {
	return "Para parcelar com entrada, a entrada mínima é " + least.String() + ". Se quiser, escreva de novo com outro valor, por exemplo “entrada de " + least.String() + "”, ou fale com uma pessoa da nossa equipe."
}

func txtDownPayment(down payments.Cents, longest payments.Offer, hasPlan bool) string {
	s := "Entrada de " + down.String() + " com o restante parcelado eu não consigo fechar por aqui, mas uma pessoa da nossa equipe pode combinar isso com você."
	if hasPlan {
		s += " Pelo atendimento automático, tenho parcelamento em até " + strconv.Itoa(longest.Count) + "x, sem entrada."
	}
	return s + " Quer falar com uma pessoa?"
}

func txtDueDates(charges []Charge, today time.Time) string {
	var b strings.Builder
	for i, c := range charges {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(chargeName(c))
		switch {
		case sameDay(c.DueDate, today):
			b.WriteString(": vence hoje, ")
		case c.DueDate.Before(today):
			b.WriteString(": venceu em ")
		default:
			b.WriteString(": vence em ")
		}
		b.WriteString(fmtDate(c.DueDate))
		b.WriteString(".")
	}
	return b.String()
}

func txtPlanStatus(p *PlanFacts) string {
	var b strings.Builder
	b.WriteString("Seu acordo: faltam ")
	b.WriteString(plural(p.Open, "parcela", "parcelas"))
	b.WriteString(" de ")
	b.WriteString(strconv.Itoa(p.Count))
	b.WriteString(", somando ")
	b.WriteString(p.Remaining.String())
	b.WriteString(".")
	if !p.NextDue.IsZero() {
		b.WriteString("\nPróxima parcela: ")
		b.WriteString(p.NextAmount.String())
		b.WriteString(", vence em ")
		b.WriteString(fmtDate(p.NextDue))
		b.WriteString(".")
	}
	if p.Payoff > 0 && p.Payoff < p.Remaining {
		b.WriteString("\nPara quitar tudo hoje: ")
		b.WriteString(p.Payoff.String())
		b.WriteString(" (os juros das parcelas que ainda não venceram saem do valor).")
	} else if p.Payoff > 0 {
		b.WriteString("\nPara quitar tudo hoje: ")
		b.WriteString(p.Payoff.String())
		b.WriteString(".")
	}
	b.WriteString("\n\nQuer quitar agora?")
	return b.String()
}

func txtPayoffPix(p *PlanFacts) string {
	return "Aqui está o Pix para quitar o acordo hoje: " + p.Payoff.String() + "." + txtPixHow
}

const (
	lblPayoff = "Sim, quitar o acordo"

	rsnComplaint      = "reclamação: o devedor fala em Procon, processo, advogado ou Reclame Aqui"
	rsnComplaintShort = "reclamação formal (Procon, processo, advogado, Reclame Aqui)"
	rsnDeceased       = "informaram que o titular faleceu"
	rsnThirdParty     = "outra pessoa (não o titular) pediu atendimento"
	rsnHardship       = "devedor em dificuldade financeira (desemprego, sem renda): conversar sem pressão"
)
