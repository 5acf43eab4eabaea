package conversations

import (
	"sort"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// IntentKind names what a debtor's chat message asks for.
type IntentKind string

// The kinds a Recognizer returns. Every Intent has exactly one of them.
const (
	IntentGreeting     IntentKind = "greeting"     // "oi", "bom dia"
	IntentThanks       IntentKind = "thanks"       // "obrigado", "valeu"
	IntentGoodbye      IntentKind = "goodbye"      // "tchau", "até mais"
	IntentBalance      IntentKind = "balance"      // "quanto devo?", "meu saldo"
	IntentPayPix       IntentKind = "pay_pix"      // "manda o pix", "quero pagar"
	IntentBoleto       IntentKind = "boleto"       // asks for a boleto (or card): the answer is Pix
	IntentInstallments IntentKind = "installments" // "quero parcelar em 3x"; Number = count when stated
	IntentPromise      IntentKind = "promise"      // "pago dia 10"; Date when one is stated
	IntentAlreadyPaid  IntentKind = "already_paid" // "já paguei", "comprovante"
	IntentDispute      IntentKind = "dispute"      // "não reconheço", "isso é golpe"
	IntentWrongPerson  IntentKind = "wrong_person" // "não sou eu", "número errado"
	IntentOptOut       IntentKind = "opt_out"      // "SAIR", "PARAR"
	IntentOptIn        IntentKind = "opt_in"       // "voltar", "quero voltar a receber"
	IntentHuman        IntentKind = "human"        // "atendente", "falar com uma pessoa"
	IntentMenu         IntentKind = "menu"         // "menu", "ajuda", "0"
	IntentYes          IntentKind = "yes"          // "sim", "ok", "👍"
	IntentNo           IntentKind = "no"           // "não", "agora não"
	IntentNumber       IntentKind = "number"       // a menu choice: "2", "dois", "opção 2"; Number = choice
	IntentDigits       IntentKind = "digits"       // 3–14 digits: Digits = the digits (verification answer)
	IntentUnknown      IntentKind = "unknown"      // text with nothing recognised
	IntentEmpty        IntentKind = "empty"        // nothing left after Normalize (emoji, spaces)

	IntentPayMethods   IntentKind = "pay_methods"  // "quais as formas de pagamento?"
	IntentNoInterest   IntentKind = "no_interest"  // "sem juros?", "tem juros?"
	IntentCash         IntentKind = "cash"         // "quero quitar", "à vista", "pagar tudo hoje"
	IntentHardship     IntentKind = "hardship"     // "tô desempregado", "não tenho dinheiro"
	IntentScamCheck    IntentKind = "scam_check"   // "isso é golpe?"
	IntentWho          IntentKind = "who"          // "quem é?", "que empresa é essa?"
	IntentDueDate      IntentKind = "due_date"     // "quando vence?"
	IntentWhyInterest  IntentKind = "why_interest" // "por que tem juros?", "que multa é essa?"
	IntentNegativation IntentKind = "negativation" // "vou ser negativado?", "vai pro serasa?"
	IntentHours        IntentKind = "hours"        // "qual o horário de atendimento?"
	IntentThirdParty   IntentKind = "third_party"  // "sou a mãe dela", "ela não está"
	IntentIdentityWhy  IntentKind = "identity_why" // "pra que meu cpf?", "não vou passar"
	IntentComplaint    IntentKind = "complaint"    // "vou no procon", "advogado", "reclame aqui"
	IntentAbuse        IntentKind = "abuse"        // profanity, "isso é assédio"
)

var allKinds = [...]IntentKind{
	IntentGreeting, IntentThanks, IntentGoodbye, IntentBalance, IntentPayPix,
	IntentBoleto, IntentInstallments, IntentPromise, IntentAlreadyPaid,
	IntentDispute, IntentWrongPerson, IntentOptOut, IntentOptIn, IntentHuman,
	IntentMenu, IntentYes, IntentNo, IntentNumber, IntentDigits, IntentUnknown,
	IntentEmpty, IntentPayMethods, IntentNoInterest, IntentCash, IntentHardship,
	IntentScamCheck, IntentWho, IntentDueDate, IntentWhyInterest, IntentNegativation,
	IntentHours, IntentThirdParty, IntentIdentityWhy, IntentComplaint, IntentAbuse,
}

// IntentKinds returns every kind, in declaration order.
func IntentKinds() []IntentKind {
	return append([]IntentKind(nil), allKinds[:]...)
}

// Valid reports whether k is one of the declared kinds.
func (k IntentKind) Valid() bool {
	for _, c := range allKinds {
		if c == k {
			return true
		}
	}
	return false
}

// Intent is what a message means, as far as words can tell without context.
// The conversation engine decides what it means in the current state (a
// "sim" answers the last question; a "2" picks from the last menu).
type Intent struct {
	Kind IntentKind
	// Number is the chosen option for IntentNumber (1–99) and the stated
	// count for IntentInstallments ("em 3x" → 3); 0 when none was stated.
	Number int
	// Date is the promised day for IntentPromise (a civil date at midnight
	// UTC), or for IntentPayPix/IntentBoleto when the debtor said "hoje".
	// Zero when no usable date was stated ("vou pagar" → ask which day).
	Date time.Time
	// Digits holds the digits of IntentDigits, punctuation removed.
	Digits string
	// Budget is the most the debtor says they can pay a month ("só
	// consigo 200 por mês"), and Down the down payment they offer
	// ("entrada de 500"), both for IntentInstallments; 0 when not stated.
	Budget payments.Cents
	Down   payments.Cents
}

// Recognizer turns a debtor's message into an Intent. today is the civil
// date in the business's time zone; only its year, month and day are used.
type Recognizer interface {
	Recognize(text string, today time.Time) Intent
}

// NewRecognizer returns the rule-based pt-BR recogniser. It is deterministic,
// allocation-light and safe for concurrent use; its tables are built once at
// package initialisation and never modified.
//
// How a message is read:
//
//  1. Normalize (see there). Nothing left → empty.
//  2. Whole-message shapes: only digits (with filler such as "meu cpf é")
//     → digits when 3–14 digits, number when 1–2 digits ("0" → menu); a lone
//     choice with filler ("opção 2", "quero a 3", "dois", "a segunda") →
//     number; a lone "para", "chega", "sai" → opt_out; a lone "tá" → yes;
//     "até amanhã" → goodbye.
//  3. Keyword phrases, longest match first, left to right. A negation
//     ("não", "nunca", "nem") up to three words before a keyword in the same
//     clause flips or drops it: "não quero parcelar" is not installments,
//     "não quero receber" is opt_out, "não pode ser" is no, "não vou pagar"
//     cancels a promise, "não quero falar com robô" still wants a person.
//     Phrases that are themselves negative ("não sou eu", "não reconheço",
//     "não consigo pagar") are keywords of their own. A yes-word counts only
//     among the first three words ("amanhã eu vejo isso" is not a yes).
//     A short phrase of chit-chat or a bare answer gives way to a longer
//     keyword that starts inside it ("agora não conheço essa pessoa" is
//     not "agora não"); "nem" reads as "não" where no phrase starts with
//     it; a "não" closing a clause denies a wrong number said just before
//     it ("número errado não, …").
//     Token patterns phrases cannot list add signals: a new owner of the
//     line ("comprei esse chip", "esse número agora é meu", "tenho esse
//     número faz 3 anos") is wrong_person; a relative of the writer said
//     to be away ("meu marido tá dormindo"), when nothing else in the
//     message is the debtor's own business, or "o dono desse celular", is
//     third_party; a plea to stop in any person ("pararem de mandar", "me
//     tirem da lista") is opt_out; income lost ("sem salário", "perdeu o
//     emprego") is hardship; "quem" beside a verb of speaking is who; a
//     short message led by one run of digits is a verification answer.
//  4. A promise date anywhere in the message (see ParsePromiseDate), unless
//     negated ("hoje não", "não consigo pagar dia 10"). It makes a promise
//     when the message has a verb of paying ("pago", "consigo", "vou
//     pagar"), states hardship, or is only the date with keywords and
//     filler around it ("dia 10", "ok, amanhã então"); a date inside other
//     talk ("amanhã eu vejo isso") is ignored.
//  5. The first kind found in this priority order wins:
//     wrong_person > opt_out > already_paid > dispute > human >
//     installments > promise (with a date, then without) > boleto >
//     pay_pix > balance > opt_in > menu > no > number (a lone 1–2 digit
//     number beside chit-chat: "ok, 2") > yes > goodbye > thanks >
//     greeting > no (a bare negation in up to six words) > unknown.
//
// Why this order: stopping contact (wrong person, opt-out) must never be
// missed, whatever else the message says ("número errado, parem de mandar"
// is wrong_person, which also stops contact); a claim of payment or a
// dispute changes what may be said next ("não devo nada, já paguei" is
// already_paid: the receipt settles it); asking for a person is honoured
// before any self-service flow; a stated count or date is more specific
// than a bare wish to pay; chit-chat only wins when nothing else is there
// ("oi, quanto devo?" is balance); yes beats thanks because "sim,
// obrigado" answers a question. Hardship ("não consigo pagar", "tô
// desempregado") is installments unless a date is also given ("não
// consigo hoje, só dia 20" is a promise). A date of today beside a Pix or
// boleto request without a verb of promising ("pix hoje") is that request,
// with Date set. The Date of an installments intent is not filled: the
// plan's first due date comes from the policy.
func NewRecognizer() Recognizer {
	return ruleRecognizer{}
}

type ruleRecognizer struct{}

// maxTokens bounds the words looked at; the input cap already bounds them,
// this keeps the token array on the stack.
const maxTokens = 128

func (ruleRecognizer) Recognize(text string, today time.Time) Intent {
	var stack [512]byte
	norm := appendNormalized(stack[:0], text, true)
	if len(norm) == 0 {
		return Intent{Kind: IntentEmpty}
	}
	s := string(norm)
	var arr [maxTokens]string
	toks := tokenize(arr[:0], s)
	return recognizeTokens(toks, civil(today))
}

// tokenize splits a normalised string on single spaces into dst.
func tokenize(dst []string, s string) []string {
	for len(s) > 0 && len(dst) < cap(dst) {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			dst = append(dst, s)
			break
		}
		if i > 0 {
			dst = append(dst, s[:i])
		}
		s = s[i+1:]
	}
	return dst
}

// signal is what a phrase says; several signals can map to one kind.
type signal uint8

const (
	sigNone signal = iota
	sigWrongPerson
	sigOptOut
	sigAlreadyPaid
	sigDispute
	sigHuman
	sigInstallments
	sigHardship   // "não consigo pagar": installments unless a date is given
	sigPromise    // a promise even without a date ("vou pagar")
	sigPromiseCue // a promise only with a date ("pago", "consigo")
	sigNegPromise // a negated promise ("não vou pagar")
	sigBoleto
	sigPayPix
	sigBalance
	sigOptIn
	sigMenu
	sigNo
	sigYes
	sigGoodbye
	sigThanks
	sigGreeting
	sigDrop // a negated keyword that means nothing

	sigThirdParty  // "sou a mãe dela", "ela não está"
	sigComplaint   // "procon", "advogado"
	sigAbuse       // profanity, "assédio"
	sigScam        // "é golpe?"
	sigIdentityWhy // "pra que meu cpf?", "não vou passar"
	sigWhy         // "por que", "pq", "da onde" (a question of why)
	sigInterest    // "juros", "multa", "aumentou"
	sigNoInterest  // "sem juros", "tem juros"
	sigWhyInterest // "por que esse valor", "de onde saiu"
	sigDueDate     // "vencimento", "quando vence"
	sigNegativ     // "negativado", "serasa"
	sigHours       // "horário", "que horas"
	sigWho         // "quem é", "que empresa"
	sigPayMethods  // "formas de pagamento"
	sigCash        // "à vista", "quitar"
	sigRemaining   // "quanto falta"
	sigPixAsk      // "manda o pix": a request for the code itself
	sigCorrection  // "na verdade", "aliás": a promise restated
	sigWrongWeak   // "engano": a wrong number unless the debt is disputed
	sigPartial     // "não tenho tudo": hardship, or the reason for a plan asked for
	sigWhatDebt    // "que dívida?": a dispute, or a question of who collects
)

type signals uint64

func (s signals) has(x signal) bool { return s&(1<<x) != 0 }

func (s signals) any(xs ...signal) bool {
	for _, x := range xs {
		if s.has(x) {
			return true
		}
	}
	return false
}

// phraseSpec lists phrases ("|"-separated, words separated by spaces) with
// the signal they give and the one they give when negated (sigNone: the
// phrase ignores negation).
type phraseSpec struct {
	sig, neg signal
	list     string
}

var phraseSpecs = []phraseSpec{
	{sigWrongPerson, sigNone, "o chip e novo|chip e novo|dono antigo|antigo dono|dona antiga|antiga dona|nunca teve nenhuma|nunca teve nenhum|nunca teve ninguem|o numero e meu|esse numero e meu|numero e meu|errou de contato|se enganaram de|enganaram de numero|enganaram de telefone|enganou de numero|nao sou eu|nao sou ele|nao sou ela|nao sou essa pessoa|nao sou o|nao sou a|" +
		"numero errado|numero trocado|numero esta errado|pessoa errada|" +
		"nao conheco|nao conheco essa pessoa|nao conheco ninguem|desconheco essa pessoa|desconheco esse nome|" +
		"nao e dele|nao e dela|nao mora aqui|nao e aqui|nao e esse numero|nao e meu numero|esse numero nao e meu|" +
		"mudou de numero|trocou de numero|nao me chamo|meu nome nao e|nao tenho nada a ver|conheco nao|" +
		"nao e o meu nome|nao e meu nome|ligou errado|mandou errado|mensagem errada|esse numero nao e|" +
		"este numero nao e|nao e a pessoa|nao e da pessoa|nao e dessa pessoa|nao conheco esse nome|" +
		"nao conheco ele|nao conheco ela|nao tem ninguem com esse nome|nao usa mais esse numero|nao usa mais|" +
		"nao tenho mais esse celular|nao tenho mais esse numero|esse numero agora e meu|esse celular agora e meu|" +
		"numero novo|agora e meu|nunca ouvi falar|nunca ouvi falar dessa pessoa|nao sei quem e essa pessoa|" +
		"nao sei quem e|dessa pessoa|nao conheco nenhuma|nao conheco nenhum|quem e essa pessoa que voces procuram|" +
		"nao tem nenhuma|nao tem nenhum|nao tem ninguem|aqui nao tem|numero reciclado|chip novo|mudou de dono|trocou de dono|outro dono|novo dono|" +
		"nova dona|outra dona|errou o numero|errou de numero|voce errou|" +
		"voces erraram|erraram o numero|erraram de numero|numero errou|nao pertence|numero nao pertence|" +
		"nao e mais dela|nao e mais dele|nao pertence a essa pessoa"},
	// "engano" alone is a wrong number, but beside a dispute ("nunca
	// comprei nada, isso é engano") it is the debt that is a mistake.
	{sigWrongWeak, sigNone, "engano|foi engano|por engano|e engano|um engano|enganado|enganada|enganados|" +
		"enganadas|outra pessoa|e outra pessoa|sou outra pessoa"},
	// "que dívida?" disputes, unless it asks who is collecting.
	{sigWhatDebt, sigNone, "que divida|que cobranca|que divida e essa|que cobranca e essa|que conta e essa"},
	{sigOptOut, sigDrop, "exclusao|exclusao do meu numero|excluir meu numero|remocao do meu numero|retirem meu numero|retire meu numero|cancela essas mensagem|cancela essa mensagem|sair|cancela essas mensagens|cancela as mensagens|cancela mensagens|cancelar essas mensagens|cancela os avisos|cancela as notificacoes|cancelar os lembretes|cancela os lembretes|quero sair|sair da lista|parar|pare|parem|para de|para com isso|pode parar|" +
		"chega de|vaza|vaza daqui|cancelar mensagens|cancelar as mensagens|cancelar mensagem|cancelar notificacoes|cancelar envio|" +
		"cancelar inscricao|cancelar cadastro|descadastrar|descadastra|descadastre|me descadastra|" +
		"remover meu numero|remova meu numero|me remove da lista|me tira da lista|tira meu numero|" +
		"tirar meu numero|stop|unsubscribe|bloquear|vou bloquear|spam|nao quero mais receber|" +
		"nao quero mais mensagens|nao quero mais mensagem|nao me mande|nao me mande mais|nao mande|nao mande mais|" +
		"nao manda mais|nao me manda|nao me manda mais|nao envie|nao me envie|nao me liga|nao me ligue|" +
		"nao me liga mais|nunca mais me mande|nunca mais mande|nunca mais me manda|nunca mais me mandem|" +
		"nao me mande nada|me tirem da lista|me tirem|tirem meu numero|me removam|removam meu numero|me excluam|" +
		"excluam meu numero|me exclua|me remova|me tire|me esquece|esquece meu numero|sai fora|some daqui|para de me mandar|" +
		"para de mandar|me tira dessa lista|me tire da lista|me tire dessa lista|nao quero receber|nao quero receber mensagens|nao quero mensagens|nao me perturbe|nao me incomode|me deixa em paz|para de encher|nao me mandem"},
	{sigAlreadyPaid, sigDrop, "pagamento que eu fiz|dar baixa|dar baixa no pagamento|baixa no pagamento|nao deram baixa|nao baixou|print do pix|print do comprovante|o print|segue o print|esta ai o print|foto do comprovante|pagou pra mim|pagou para mim|pagaram pra mim|pagou semana passada|paguei semana passada|pagou ontem|pagou mes passado|paguei mes passado|foi por pix|foi pelo pix|foi no pix|foi via pix|foi por transferencia|foi no boleto|ja paguei|paguei|ja pago|ja foi pago|ja foi paga|foi pago|foi paga|esta pago|" +
		"esta paga|ja esta pago|ja esta paga|ja quitei|quitei|ja transferi|transferi|ja fiz o pix|fiz o pix|" +
		"ja fiz o pagamento|fiz o pagamento|ja efetuei|efetuei o pagamento|efetuei|depositei|ja depositei|" +
		"comprovante|comprovantes|pagamento feito|pagamento realizado|pagamento efetuado|ja mandei o pix|" +
		"mandei o pix|ja caiu|esta quitado|esta quitada|ja quitado|quitado|quitada|ja acertei|acertei|ja foi|" +
		"pago ontem|pix feito|pix enviado|ja foi feito|ja paguei tudo|ja esta tudo pago|ja fiz a transferencia|" +
		"fiz a transferencia|ja fiz o deposito|fiz o deposito|ja mandei o comprovante|mandei o comprovante|" +
		"ja foi pago|ja foi quitado|ja foi quitada|paguei tudo|pago ok|ok pago|ja tinha pago|tinha pago|ja tinha pagado|" +
		"ja havia pago|ja tinha quitado|tinha quitado|ja tinha feito o pix|ja tinha pagado tudo|ja fiz o pagamento|ja paguei ontem|paguei hoje|" +
		"ja pagamos|pagamos|ja quitamos|ja fiz pix|ja pixei"},
	{sigDispute, sigNone, "nome dele|nome dela|no nome dele|no nome dela|nao esta no meu nome|nao no meu nome|do meu ex|da minha ex|nunca pisei|nunca fui nessa loja|nunca estive|nunca comprei nessa loja|nunca estudei|nunca fui cliente dessa|nao pago isso|nao vou pagar isso|ficou sem funcionar|sem funcionar|nao funcionou|nunca funcionou|parou de funcionar|servico nao funcionou|nunca devi|nao devi|nunca devi nada|nao devia nada|nao reconheco|desconheco|desconheco essa divida|desconheco essa cobranca|" +
		"nao reconheco essa divida|nao devo|nao devo nada|devo nada|nao estou devendo|nao estou devendo nada|" +
		"nunca comprei|nunca contratei|nunca tive|nunca fiz|nunca pedi|nao comprei|" +
		"nao contratei|nao pedi|nao fiz essa compra|nao fiz compra|cobranca indevida|indevida|indevido|" +
		"indevidamente|nao e minha|nao e meu|nao fui eu|ja cancelei|cancelei|" +
		"valor errado|cobranca errada|errado|errada|contestar|" +
		"contesto|nao fiz|esta errado|nao pedi isso|nao assinei|nunca assinei|nao e minha divida|" +
		"nao reconheco essa cobranca|cancelei o contrato|cancelei esse contrato|ja cancelei o contrato|" +
		"nao conheco essa divida|nao conheco essa cobranca|nao conheco esse debito|nao conheco essa conta|" +
		"nao conheco esse valor|desconheco esse debito|nao sei que divida|nao sei de divida|nao tenho divida|" +
		"nao tenho nenhuma divida|nao tenho conta|nunca tive conta|nao tenho nada com voces|nao tenho debito|" +
		"nunca fui cliente|nao sou cliente|nunca fui cliente de voces"},
	{sigHuman, sigDrop, "falar com a|falar com o|falar com um|falar com uma|falar com voces|atendente|atendimento|atendimento humano|humano|humana|pessoa|uma pessoa|" +
		"pessoa de verdade|pessoa real|alguem|falar com alguem|quero falar com|preciso falar com|falar com uma pessoa|falar com atendente|" +
		"gerente|operador|operadora|supervisor|supervisora|responsavel|funcionario|funcionaria|agente|" +
		"consultor|consultora|suporte|sac|ouvidoria|me liga|me ligue|ligar|liga pra mim|ligacao|telefone|" +
		"tem alguem ai|alguem ai|chama alguem|me passa pra|passa pra um|pessoa de carne e osso"},
	// "não quero falar com robô" still wants a person.
	{sigHuman, sigHuman, "robo|bot|robozinho|maquina"},
	{sigInstallments, sigDrop, "parcelar|parcela|parcelas|parcelamento|parcelado|parcelada|parcelo|parcele|" +
		"parcelando|dividir|divide|dividido|dividida|divido|acordo|fazer um acordo|negociar|negociacao|" +
		"renegociar|renegociacao|proposta|propostas|desconto|descontos|abatimento|facilitar|facilita|" +
		"condicao|condicoes|entrada|prestacao|prestacoes|quantas vezes|em quantas vezes|" +
		"limpar meu nome|limpar o nome|limpar nome|nome limpo|tirar meu nome|oferta|ofertas|quantas parcelas|" +
		"metade|uma parte|parte agora|pagar uma parte"},
	// Not having it all is the reason for a plan when one is asked for.
	{sigPartial, sigNone, "nao consigo pagar tudo|nao tenho tudo|nao tenho o valor|nao tenho esse valor|" +
		"nao tenho o valor todo|nao tenho o valor total|nao da pra pagar tudo|nao da para pagar tudo|" +
		"nao consigo tudo|nao tenho isso tudo|nao tenho tudo isso"},
	{sigHardship, sigNone, "esta complicada|esta complicado|complicada|nao da nem|dinheiro nao da|nao da nem pra|nao da nem pros|nao da nem para|nao tem como eu pagar|nao tem como pagar|nao tenho esse dinheiro|nao tenho esse valor agora|nao consigo pagar|nao tenho dinheiro|nao tenho como pagar|" +
		"nao tenho condicoes|sem dinheiro|sem condicoes|desempregado|desempregada|apertado|apertada|" +
		"dificuldade|dificuldades|nao da pra pagar|nao da para pagar|nao posso pagar|nao consigo|esta dificil|" +
		"muito caro|caro|sem grana|nao tenho grana|sem condicao|nao tenho condicao|falido|falida|quebrado|quebrada|" +
		"sem emprego|perdi meu emprego|perdi o emprego|perdi meu trabalho|fui demitido|fui demitida|me demitiram|" +
		"mandaram embora|me mandaram embora|sem trabalho|sem trabalhar|nao estou trabalhando|estou parado|estou parada|" +
		"passando dificuldade|passando necessidade|passando aperto|muito dificil|dificil|doente|estou doente|" +
		"afastado|afastada|encostado|nao tenho como|sem renda|nao tenho renda|desemprego|liso|lisa|duro|dura|" +
		"nao tenho nada|nao sobra nada|nao sobra|esta osso|esta complicado|esta puxado|esta tenso|esta brabo|" +
		"esta foda|esta feia a coisa|situacao complicada|situacao dificil|sem servico|sem trampo|sem emprego nenhum|nao estou com dinheiro|" +
		"nao estou com grana|estou sem dinheiro|estou sem grana|estou sem trabalho|estou desempregado|" +
		"estou desempregada|desempregados|estou na merda|na merda|financeiramente|estou na pior|nem pra comer|nao tenho nem pra|nao tenho nem para|nao tenho pra comer|perrengue|sufoco|na pior|na lona|pindaiba|sem um tostao|quebradeira|" +
		"nao tenho de onde tirar|nao tenho da onde tirar|nao estou conseguindo"},
	{sigPromise, sigNegPromise, "gente paga|gente vai pagar|gente acerta|gente quita|me da um tempo|da um tempo|me de um tempo|me da mais um tempo|mais um tempo|um tempinho|me da um prazo|mais prazo|vou pagar|eu vou pagar|pagarei|prometo|prometo pagar|pago depois|" +
		"depois eu pago|depois pago|assim que receber|quando receber|assim que der|quando der|" +
		"quando eu receber|assim que eu receber|vou acertar|vou quitar|vou depositar|vou fazer o pix|" +
		"vou transferir|vou pagar depois|salario|vou dar um jeito|pago mais tarde|vou pagar mais tarde|" +
		"vou pagar sim|vou conseguir pagar|vai pagar|vamos pagar|vai quitar|vamos quitar|vai acertar|" +
		"vamos acertar|vai depositar|vamos depositar|vai fazer o pix|vamos fazer o pix|vai transferir|" +
		"vamos transferir|a gente paga|ela paga|ele paga|ela vai pagar|ele vai pagar|assim que entrar|quando entrar|" +
		"assim que cair|quando cair|assim que sobrar|quando sobrar|assim que eu tiver|quando eu tiver|" +
		"assim que tiver|quando tiver|assim que eu conseguir|quando eu conseguir|assim que puder|quando puder|" +
		"entrar um dinheiro|entrar dinheiro|cair o dinheiro|cair o pagamento|quando eu puder|assim que eu puder|" +
		"quando pingar|assim que pingar|pingar|quando sair o pagamento|quando sair meu pagamento|quando o dinheiro entrar|" +
		"quando tiver dinheiro|quando eu tiver dinheiro|quando sobrar"},
	{sigPromiseCue, sigNegPromise, "resolvo|eu resolvo|deposito|eu deposito|eu quito|eu acerto|faco|eu faco|ponho em dia|coloco em dia|boto em dia|da pra mim|fica pra|fica para|sem falta eu|eu mando|pago|posso pagar|consigo pagar|consigo|posso|da pra pagar|da para pagar|" +
		"pagar no dia|pago no dia|acerto|quito|transfiro|faco o pix|pagaria|vou conseguir|recebo|eu pago|" +
		"pagando|deposito no dia|pagar dia|pagar ate|sem falta|pagamento dia|pagamento no dia|pagamos|pagaremos|" +
		"partiu pagar|bora pagar|vou la pagar|faco o pagamento|faco a transferencia|faco o deposito|faco o pix|faco pix|mando o pix|te pago|te mando o pix"},
	{sigCorrection, sigNone, "muda a data pra|muda a data para|mudar a data pra|troca a data pra|muda o dia pra|remarca pra|remarcar pra|adia pra|adiar pra|joga pra|na verdade|alias|quer dizer|digo|corrigindo|melhor dizendo|muda pra|muda para|" +
		"mudar pra|mudar para|troca pra|troca para|pode mudar|pode trocar|so vou conseguir|so consigo|so da|so posso"},
	{sigBoleto, sigDrop, "boleto|boletos|o boleto|segunda via|2 via|2a via|fatura|faturas|codigo de barras|" +
		"linha digitavel|carne|cartao|cartao de credito|cartao de debito|loterica|dinheiro vivo|no debito|no credito|" +
		"pagar no debito|pagar no credito|com debito|com credito|debito automatico"},
	{sigPixAsk, sigDrop, "manda ai|me manda ai|pix|o pix|gerar pix|gera o pix|gera pix|manda o pix|mandar o pix|chave pix|chave|" +
		"copia e cola|copia|cola|qr|qr code|codigo|codigo pix|me manda o pix|manda pix|envia o pix|me envia o pix|" +
		"manda a chave|me passa a chave|passa a chave|passa o pix|me passa o pix|link|link de pagamento|" +
		"gera o pagamento|gerar o pagamento|pode gerar|manda o link|pagar agora|quero pagar agora|vou pagar agora|" +
		"pago agora"},
	{sigPayPix, sigDrop, "quero pagar|pagar|pagamento|efetuar o pagamento|fazer o pagamento|" +
		"como pago|como pagar|como eu pago|como que eu pago|" +
		"como posso pagar|como faco para pagar|como faco pra pagar|onde pago|onde pagar|onde eu pago|" +
		"onde eu pagar|como paga|onde paga|transferencia|ted|deposito|depositar"},
	{sigCash, sigDrop, "mais barato|sai mais barato|fica mais barato|mais em conta|integral|valor integral|pagar integral|pagamento integral|encerrar|encerra|encerrar tudo|encerra tudo|zerar|zerar tudo|zera tudo|zerar a divida|a vista|avista|quitar|liquidar|pagar tudo|pagar o total|quero quitar|de uma vez|" +
		"de uma vez so|tudo de uma vez|antecipar|antecipacao|adiantar as parcelas|quitacao|quitar tudo|" +
		"pagamento a vista|valor a vista|pagar tudo agora|pagar tudo hoje|liquidacao|quitar a divida|" +
		"quitar o acordo|quitar o parcelamento|tudo de vez|de vez|tudo junto|pagar de uma vez|pagar tudo junto"},
	// "não tenho nem pra comer, quanto mais pagar": "let alone", no question.
	{sigDrop, sigNone, "quanto mais|dizendo que nao devo|digo que nao devo|falando que nao devo|estou dizendo que nao devo|de uma vez nao da|de uma vez nao consigo|de uma vez nao tenho|tudo de uma vez nao|de uma vez so nao da|desculpa o horario|desculpe o horario|desculpa a hora|desculpe a hora|perdao pelo horario|desculpa pelo horario|nunca fiquei devendo|nunca fiquei devendo ninguem"},
	// "à vista não dá": the cash offer refused, not asked for.
	{sigDrop, sigNone, "a vista nao da|a vista nao consigo|a vista nao tenho|a vista nao posso|avista nao da|" +
		"a vista nao|a vista fica dificil|a vista e dificil|a vista nao vai dar|a vista impossivel"},
	{sigRemaining, sigNone, "faltam quantas|faltam quantas parcelas|ficou faltando|faltando pagar|falta pagar|resta pagar|ainda resta|resta alguma|restou|o que ficou faltando|quanto que falta|quanto falta|falta quanto|quanto ainda devo|quanto resta|o que falta|" +
		"quanto falta pagar|saldo restante|quantas faltam|quantas parcelas faltam|falta muito|quanto ainda tenho que pagar|" +
		"ainda tenho que pagar|quanto ainda|quanto ainda falta|o que ainda devo|quanto tenho que pagar ainda"},
	{sigBalance, sigNone, "quanto devo|quanto eu devo|devo quanto|quanto estou devendo|quanto eu estou devendo|" +
		"estou devendo quanto|quanto e|quanto esta|quanto fica|quanto falta|quanto da|qual o valor|qual valor|" +
		"qual e o valor|valor|valores|o valor|saldo|meu saldo|saldo devedor|divida|dividas|minha divida|debito|" +
		"debitos|extrato|quanto|quantos|devendo|pendencia|pendencias|pendente|pendentes|em aberto|total|" +
		"valor total|minha conta|situacao|minha situacao|o que eu devo|consultar|consulta|devo alguma coisa|" +
		"devo algo|estou devendo algo|alguma pendencia|tenho divida|tenho alguma divida|quanto deu|" +
		"valor atualizado|quanto que eu estou devendo|quanto que eu devo|quanto que esta|quanto ficou"},
	{sigThirdParty, sigNone, "mudou daqui|se mudou|mudou de casa|mudou de endereco|saiu de casa|foi embora daqui|ajudar ele a pagar|ajudar ela a pagar|pagar pra ele|pagar pra ela|pagar por ele|pagar por ela|pagar no lugar dele|pagar no lugar dela|falar pra ela|falar pra ele|pedir pra ela|pedir pra ele|peco pra ela|peco pra ele|contas dele|contas dela|conta dele|conta dela|cuido das contas|eu que cuido|quem cuida|se separou|separamos|nos separamos|a gente se separou|separei dele|separei dela|numero novo dele|numero novo dela|vou avisar ele|vou avisar ela|avisar ele|avisar ela|quando ele chegar|quando ela chegar|sou ex dele|sou ex dela|sou a ex|sou o ex|ex mulher dele|ex marido dela|recolhido|presidio|na cadeia|coisas dele|coisas dela|coisa dele|coisa dela|telefone comercial|celular da empresa|celular e da empresa|numero da empresa|saiu daqui|nao trabalha mais aqui|deixa o recado|deixe o recado|passo pra ela|passo pra ele|passo para ela|passo para ele|ela nao esta|ele nao esta|ela nao se encontra|ele nao se encontra|" +
		"nao mora mais aqui|nao mora mais comigo|nao mora mais|nao mora aqui|pode falar comigo|fala comigo|" +
		"falar comigo|quem e essa pessoa|quem e esse|quem e essa|dona do celular|dono do celular|dono do numero|" +
		"dona do numero|dona do telefone|dono do telefone|deixar recado|deixa recado|deixo recado|deixar um recado|" +
		"passo o recado|dou o recado|aviso ela|aviso ele|falo pra ela|falo pra ele|falo para ela|falo para ele|" +
		"morreu|faleceu|falecido|falecida|obito|bateu as botas|veio a falecer|nos deixou|esta preso|esta presa|foi preso|foi presa|" +
		"esse numero e da minha|esse numero e do meu|esse celular e da minha|esse celular e do meu|" +
		"esse celular era|esse numero era|era do meu|era da minha|ela esta trabalhando|ele esta trabalhando|" +
		"ela esta dormindo|ele esta dormindo|ele esta viajando|ela esta viajando|ela esta no|ele esta no|" +
		"a pessoa que voces procuram|a pessoa que procuram|quem voces procuram|pessoa que voces procuram"},
	{sigComplaint, sigNone, "no pau|botar no pau|na justica|entrar na justica|defesa do consumidor|orgaos de defesa|consumidor|direitos do consumidor|procon|processar|processo|processo contra|justica|advogado|advogada|advogados|" +
		"reclame aqui|reclameaqui|denunciar|denuncia|denuncio|consumidor gov|danos morais|juizado|" +
		"pequenas causas|reclamacao|reclamar|vou reclamar|estelionato|policia|delegacia|boletim de ocorrencia|" +
		"banco central|bacen|anatel|defensoria|juiz|tribunal|acionar"},
	{sigAbuse, sigNone, "robo burro|bot burro|robo idiota|robo lixo|robo inutil|burro|burra|vai se f|vai te f|tomar no c|filho da p|catar coquinho|vermes|verme|urubu|urubus|cambada|nao tem vergonha|nao tem vergonha na cara|sem vergonhas|porra|caralho|merda|fuder|foder|fuder voce|fudido|fodido|puta|puto|cu|vsf|vtnc|tnc|pqp|" +
		"fdp|desgraca|desgracado|desgracados|safado|safados|safada|ladrao|ladroes|ladra|vagabundo|vagabundos|" +
		"vagabunda|palhacada|ridiculo|absurdo|assedio|assediando|assediar|saco|que saco|saco cheio|lixo|idiota|" +
		"otario|otarios|imbecil|babaca|sem vergonha|canalha|bando de|corno|inferno|praga|filho da puta|" +
		"tomar no cu|vai se fuder|vai se foder|vai a merda|cacete|droga|bosta|nojentos|nojento|palhacos|palhaco|" +
		"vai se lascar|vai se ferrar|vai se fude|se fude|fudeu|se lascar|se ferrar|lascar|vai catar coquinho|vai plantar batata|" +
		"desgracento|miseraveis|miseravel|sanguessuga|sanguessugas|agiota|agiotas|caloteiro|pilantragem"},
	{sigScam, sigNone, "confiaveis|sao confiaveis|desconfiada|desconfiado|estou desconfiada|estou desconfiado|site oficial|canal oficial|confirmar que e|confirmar se e|pra eu confirmar|para eu confirmar|verdadeiro|verdadeira|comprove que|comprova que|provar que|prova que|comprovar que|como comprovar|golpe|golpes|golpista|golpistas|fraude|e golpe|isso e golpe|parece golpe|e verdade|" +
		"verdade mesmo|isso e verdade|confiavel|e confiavel|e seguro|sao de verdade|e de verdade|isso e de verdade|" +
		"existe mesmo|empresa existe|como sei|como eu sei|como vou saber|como confirmo|como eu confirmo|" +
		"como posso confirmar|como confirmar|como eu posso confirmar|como verificar|como eu verifico|como verifico|" +
		"e voce mesmo|e real|e serio|e oficial|senha|minha senha|sua senha|codigo de verificacao|codigo do whatsapp|pilantra|pilantras|trambique|e falso|falso|fake|e fake"},
	{sigIdentityWhy, sigNone, "nao fornecerei|nao irei fornecer|nao vou fornecer dados|nao forneco dados|lgpd|dado sensivel|dados sensiveis|nao me sinto seguro|nao me sinto segura|nao lembro meu cpf|nao sei meu cpf|sem ser cpf|sem ser o cpf|sem o cpf|outro jeito de confirmar|outra forma de confirmar|nao quiser informar|nao quiser passar|nao quiser dar|se eu nao quiser|nao vou digitar|nao digito|so passo o cpf|so passo meu cpf|sem chance|nao vou passar|nao passo|nao vou informar|nao informo|nao vou dar|nao dou|" +
		"nao vou te dar|nao vou fornecer|nao forneco|nao confio|meus dados|nao tem meu cpf|voce nao tem meu|" +
		"pra que isso|para que isso|pra que voce quer|para que voce quer|por que voce quer|porque voce quer|" +
		"por que precisa|porque precisa|pra que precisa|para que precisa|pra que serve|para que serve|" +
		"por que voce quer saber|porque voce quer saber|pra que meu cpf|para que meu cpf|nao vou mandar meu|" +
		"nao mando meu|nao passo documento|nao passo meu|nao dou meu|nao sabe meu cpf|ja tem meu cpf|ja sabe meu cpf|" +
		"voces nao tem meu|voces ja tem|precisa disso|pra que voce precisa|por que voce precisa|porque voce precisa|" +
		"para que voce precisa|precisa saber|prefiro nao informar|prefiro nao passar|prefiro nao dizer|prefiro nao falar|" +
		"prefiro nao dar|nao quero informar|nao quero passar"},
	{sigWhy, sigNone, "alguem me explica|alguem explica|alguem pode me explicar|me explica|do que se trata|de que se trata|se trata de que|por que|porque|da onde|de onde|por qual motivo|qual o motivo|qual motivo|por que razao|" +
		"com que finalidade|qual a necessidade|necessidade|que necessidade|como calcularam|como calcula|como e calculado|" +
		"como foi calculado|pra que|para que|explica|explicar"},
	{sigInterest, sigNone, "taxa|taxas|a mais|valor a mais|reais a mais|cobrando a mais|cobraram a mais|veio a mais|juros|juro|multa|multas|aumentou|aumento|mais caro|encargos|encargo|acrescimo|" +
		"acrescimos|correcao|valor original|aumentou tanto|subiu|esta mais alto|mais alto|maior|valor maior|" +
		"cresceu|dobrou|tao alto|tao caro|caro assim|esse valor todo"},
	{sigWhyInterest, sigNone, "entender esse juros|entender os juros|entender essa multa|entender esse valor|entender o valor|diferenca|que diferenca|essa diferenca|que taxa|taxa e essa|essa taxa|que taxa e essa|de onde veio esse valor|da onde veio esse valor|veio esse valor|de onde saiu|da onde saiu|saiu esse valor|por que esse valor|porque esse valor|" +
		"que juros|qual juros|que multa|qual multa|esses juros|essa multa|juros abusivo|juros abusivos"},
	{sigNoInterest, sigNone, "sem multa|sem a multa|so o valor original|pagar o valor original|o valor original sem|sem juro|parcelamento sem juro|parcelamento sem juros|parcelar sem juros|parcela sem juros|ter acrescimo|ter juros|vai ter acrescimo|vai ter juros|vem com juros|tem multa|vai ter multa|cobra multa|sem juros|tem juros|vai ter juros|cobra juros|cobram juros|tirar os juros|" +
		"tira os juros|tirar juros|isenta os juros|isentar os juros|juros zero|sem os juros|com juros|" +
		"tem acrescimo|sem acrescimo|da pra tirar os juros|tirar a multa|tira a multa|quanto de juros|qual a taxa|" +
		"taxa de juros|qual o juros|quantos por cento|juros de quanto|qual a porcentagem|quanto e o juros|" +
		"quanto fica de juros|juros do parcelamento|juros no parcelamento"},
	{sigDueDate, sigNone, "vencimento|vence|vencer|venceu|vencida|data de vencimento|prazo|ate quando|" +
		"quando vence|qual o prazo|qual prazo|dia do vencimento|data limite|dia de pagar|que dia vence|" +
		"quando tenho que pagar|quando devo pagar|ate que dia|qual o ultimo dia|ultimo dia pra pagar|data do vencimento"},
	{sigNegativ, sigNone, "sair do serasa|sair do spc|limpa meu nome em quanto tempo|limpa o nome em quanto tempo|demora pra sair|nunca tive nome sujo|nunca tive o nome sujo|nunca fiquei com nome sujo|nunca tive meu nome sujo|negativado|negativada|negativar|negativacao|negativaram|negativou|negativam|serasa|" +
		"spc|nome sujo|sujar meu nome|sujar o nome|sujar|suja meu nome|ficar sujo|nome no spc|protesto|protestar|" +
		"protestado|cartorio|se eu nao pagar|o que acontece se|o que acontece|nome no serasa|vai pro serasa|" +
		"boa vista|scpc|restricao|score|nome esta sujo|sujo|suja|" +
		"vai pro spc|negativacao do nome"},
	{sigHours, sigDrop, "horario|horarios|que horas|ate que horas|abrem|fecham|funcionam|funciona|" +
		"funcionamento|expediente|atendem|atende ate|atende sabado|atende domingo|horario de atendimento|" +
		"feriado|que hora|qual hora|trabalham|voces trabalham|trabalha sabado|trabalha domingo|voces abrem|" +
		"abre sabado|abre domingo|atendem sabado|atendem domingo|estao abertos|esta aberto"},
	{sigWho, sigNone, "voces sao da|voces sao do|sao da provedora|escritorio de cobranca|escritorio de advocacia|assessoria de cobranca|e da escola|e da loja|e da clinica|e da academia|e da faculdade|e do provedor|e da operadora|sao da onde|voces sao da onde|que clinica|qual clinica|que escola|qual escola|que academia|qual academia|que faculdade|qual faculdade|que provedor|qual provedor|que financeira|qual financeira|que banco e esse|identificacao da empresa|empresa responsavel|qual empresa responsavel|isso e da|isso aqui e da|isso e do|isso aqui e do|trabalha pra quem|trabalha para quem|de onde vem essa cobranca|da onde vem essa cobranca|que lugar e esse|de que lugar|de onde voces tao falando|de onde voces tao|de onde voces estao falando|da onde voces estao falando|estao falando de onde|de onde estao falando|de onde voces falam|da onde voces falam|de onde falam|falando de onde|quem e|quem fala|quem esta falando|quem esta|que empresa|qual empresa|qual loja|" +
		"que loja|de qual empresa|de qual loja|de onde voce fala|de onde voce e|de onde e|voces sao de onde|" +
		"sao de onde|qual o cnpj|cnpj|quem esta me cobrando|quem me cobra|quem esta cobrando|quem e voce|" +
		"quem sao voces|quem sao|razao social|nome da empresa|que firma|voce e de qual|qual e a empresa|" +
		"empresa e essa|quem manda|quem mandou|qual a empresa|qual e a empresa|qual a loja|que loja e essa|" +
		"voces sao quem|voce e quem|e de onde|e da onde|da onde e|da onde voces sao|de onde voces sao|da onde fala|" +
		"de onde fala|falo com quem|estou falando com quem|com quem eu falo"},
	{sigPayMethods, sigNone, "quais as formas|quais as forma|quais formas|que formas|quais forma|jeito de pagar|jeitos de pagar|quais jeito|quais jeitos|que jeito|qual jeito|de que jeito|de que forma|de qual forma|maneira de pagar|so tem pix|so da pix|so por pix|so da pra pagar no pix|forma de pagamento|formas de pagamento|forma de pagar|formas de pagar|" +
		"meios de pagamento|meio de pagamento|aceitam o que|aceita o que|outra forma|outras formas|outro jeito|" +
		"so aceita pix|so aceitam pix|so pix|aceita pix|opcoes de pagamento|opcao de pagamento|" +
		"sem ser pix|sem ser por pix|como posso pagar quais|jeitos de pagar|maneiras de pagar"},
	// "não quero receber" is an opt-out, not a refusal of something else.
	{sigOptIn, sigOptOut, "voltar a me mandar|volta a me mandar|pode voltar a me mandar|podem mandar mensagem de novo|mandar mensagem de novo|mandar de novo as mensagens|de volta na lista|coloca de volta|me coloca de volta|volta a receber|receber os avisos|receber os aviso|receber aviso|receber avisos|quero receber|receber mensagens|receber as mensagens|receber de novo|" +
		"receber novamente|voltar a receber|quero voltar a receber|quero receber mensagens|pode voltar a mandar|" +
		"mensagens de novo|mandar as mensagens de novo|voltar a mandar|receber as mensagens de novo|" +
		"pode mandar mensagem de novo|ativar as mensagens|quero os lembretes|voltar os lembretes"},
	{sigOptIn, sigDrop, "voltar|ativar|reativar|ativar mensagens|reativar mensagens|start|voltei|inscrever|" +
		"me inscrever|quero voltar"},
	{sigMenu, sigNone, "menu|menu principal|opcoes|opcao|as opcoes|inicio|inicial|voltar ao menu|" +
		"voltar pro menu|voltar para o menu|voltar ao inicio|voltar pro inicio|volta ao menu|volta pro menu|" +
		"volta|ajuda|ajudar|help|comecar|recomecar|reiniciar|principal|como funciona|o que posso fazer|" +
		"o que voce faz|nao sei|nao sei o que fazer|o que eu faco|o que faco|nao entendi|nao entendo|como assim|duvida|duvidas|socorro|info|informacao|informacoes"},
	{sigNo, sigNone, "agora nao|hoje nao|depois|mais tarde|negativo|jamais|nem pensar|de jeito nenhum|" +
		"deixa|deixa pra la|deixa para la|nao obrigado|nope|cancela|cancelar|nao quero|nao agora|" +
		"por enquanto nao|talvez depois|nao preciso|nao precisa"},
	{sigYes, sigNo, "sim|s|sim quero|quero|quero sim|pode ser|pode|ok|certo|isso|isso mesmo|e isso|confirmo|" +
		"confirmado|confirma|confirmar|claro|claro que sim|com certeza|certeza|beleza|fechado|combinado|bora|" +
		"vamos|positivo|uhum|aham|yes|correto|exato|exatamente|perfeito|pode mandar|manda|mande|pode enviar|" +
		"envia|aceito|concordo|esta bom|esta certo|tudo certo|de acordo|top|otimo|sim senhor|sim senhora|" +
		"gostaria|desejo|tenho interesse|firmeza|legal|esta otimo|esta combinado|certinho|ah esta|ah ok|" +
		"esta bem|esta joia|joia|suave|de boa|tranquilo|esta tranquilo|sussa|dale|demorou|fechou|pode crer|" +
		"bora la|ja e|manda ver|manda bala"},
	{sigGoodbye, sigNone, "fica com deus|fique com deus|vai com deus|va com deus|fiquem com deus|fica na paz|boa semana|bom fim de semana|tchau|tchau tchau|ate mais|ate logo|ate breve|ate a proxima|falou|adeus|bye|fui|" +
		"abraco|abracos|beijo|beijos|bom descanso"},
	{sigThanks, sigNone, "deus lhe pague|deus te pague|que deus lhe pague|obrigado|muito obrigado|obrigado mesmo|valeu|grato|grata|agradeco|thanks|" +
		"thank you|tmj|show|gratidao|agradecido|agradecida|obrigado pela atencao|pela ajuda|obrigado pela ajuda|" +
		"esta obrigado|ah esta obrigado|ok obrigado|ok valeu|beleza obrigado|agradeco a atencao|deus abencoe|" +
		"deus te abencoe|valeu mesmo"},
	{sigGreeting, sigNone, "bom dai|boa trade|boa noit|oi|ola|opa|e ai|bom dia|boa tarde|boa noite|tudo bem|tudo bom|alo|hello|hi|hey|" +
		"salve|saudacoes|fala|como vai|oi tudo bem|boa madrugada|opa beleza|oi beleza|e ai beleza|fala beleza|" +
		"ola beleza|oi boa tarde|oi bom dia|oi boa noite|bom dia beleza|bao|bao demais|tudo em cima"},
}

// forEachPhrase calls fn with the words of every phrase in a "|" list.
func forEachPhrase(list string, fn func(words []string)) {
	for _, p := range strings.Split(list, "|") {
		if w := strings.Fields(p); len(w) > 0 {
			fn(w)
		}
	}
}

type phrase struct {
	words    []string
	sig, neg signal
}

// phraseIndex maps a first word to the phrases starting with it, longest
// first; for phrases of equal words the earlier spec wins.
var phraseIndex = buildPhraseIndex()

func buildPhraseIndex() map[string][]phrase {
	idx := make(map[string][]phrase)
	seen := make(map[string]bool)
	for _, spec := range phraseSpecs {
		forEachPhrase(spec.list, func(words []string) {
			key := strings.Join(words, " ")
			if seen[key] {
				return
			}
			seen[key] = true
			idx[words[0]] = append(idx[words[0]], phrase{words: words, sig: spec.sig, neg: spec.neg})
		})
	}
	for k, ps := range idx {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
		idx[k] = ps
	}
	return idx
}

// knownWords are words the recogniser reads outside phrases; they take part
// in the doubled-letter correction of Normalize.
var knownWords = []string{
	"nao", "nunca", "nem", "mas", "porem", "que", "de", "do", "da", "em", "no", "na", "a", "o", "e",
	"meu", "minha", "cpf", "cnpj", "sao", "os", "primeiros", "digitos", "numeros", "numero", "aqui", "comeca",
	"comecam", "comeco", "inicio", "final", "resto",
	"segue", "documento", "item", "escolho", "escolhi", "prefiro", "fico", "com", "letra", "alternativa",
	"essa", "esta", "eu", "por", "favor", "mesmo", "ser", "vou", "x", "vez", "vezes", "ate",
	"dia", "dias", "semana", "semanas", "mes", "meses", "hoje", "amanha", "depois", "daqui", "dentro",
	"proxima", "proximo", "seguinte", "vem", "fim", "final", "ultimo", "inicio", "comeco", "feira",
	"deste", "desse", "este", "esse", "cada", "voce", "tudo", "porque", "quando", "qual",
	"segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo",
	"primeira", "primeiro", "segundo", "terceira", "terceiro", "quarto", "quinto",
	"janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
	"novembro", "dezembro",
	"um", "uma", "dois", "duas", "tres", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze",
	"doze", "treze", "quatorze", "catorze", "quinze", "dezesseis", "dezessete", "dezoito", "dezenove",
	"vinte", "trinta", "quarenta", "cinquenta",
}

func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isNegator(t string) bool { return t == "nao" || t == "nunca" || t == "nem" }

func isDigits(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isASCIIDigit(t[i]) {
			return false
		}
	}
	return true
}

func atoi(t string) int {
	n := 0
	for i := 0; i < len(t); i++ {
		n = n*10 + int(t[i]-'0')
	}
	return n
}

func recognizeTokens(toks []string, today time.Time) Intent {
	words := 0
	for _, t := range toks {
		if t != breakToken {
			words++
		}
	}
	if words == 0 {
		return Intent{Kind: IntentEmpty}
	}
	for i := 1; i < len(toks); i++ {
		if toks[i] == "3" && (toks[i-1] == "primeiros" || toks[i-1] == "digitos" || toks[i-1] == "numeros") {
			toks[i] = "tres" // "primeiros 3: 205" counts the digits, it is not one
		}
	}
	for i, t := range toks {
		if t == "agente" {
			switch tokAt(toks, i-1) {
			case "um", "uma", "o", "a", "com", "ao", "pro", "pra", "para", "seu", "algum", "falar":
			default:
				toks[i] = "gente" // "agente paga dia 5" is "a gente"
			}
		}
		if t == "vo" && tokAt(toks, i-1) != "minha" && tokAt(toks, i-1) != "a" && tokAt(toks, i-1) != "da" &&
			tokAt(toks, i-1) != "sua" && tokAt(toks, i-1) != "meu" {
			if n := tokAt(toks, i+1); len(n) > 3 && (strings.HasSuffix(n, "ar") || strings.HasSuffix(n, "er") ||
				strings.HasSuffix(n, "ir")) || n == "paga" {
				toks[i] = "vou" // "vo pagar no fim do mês"
			}
		}
		if t == "tao" && (tokAt(toks, i-1) == "voces" || tokAt(toks, i-1) == "eles" || tokAt(toks, i-1) == "elas") {
			toks[i] = "estao" // "vcs tão falando"
		}
	}
	if len(toks) > 4 && toks[0] == "nao" && toks[1] == "tem" && toks[2] == "como" && toks[len(toks)-1] == "nao" {
		toks[0] = "entao" // "não tem como dividir não?" asks whether it can be done
	}
	if in, ok := digitsIntent(toks); ok {
		return in
	}
	if n, ok := choice(toks); ok {
		if n == 0 {
			return Intent{Kind: IntentMenu}
		}
		return Intent{Kind: IntentNumber, Number: n}
	}
	if words == 1 {
		switch toks[0] {
		case "para", "chega", "sai", "parar", "remover", "remove", "remova", "excluir", "exclui", "descadastro":
			return Intent{Kind: IntentOptOut}
		case "esta": // "tá"
			return Intent{Kind: IntentYes}
		}
	}
	if seeYou(toks) {
		return Intent{Kind: IntentGoodbye}
	}

	// Keyword phrases, longest first, left to right.
	var cover [maxTokens]signal
	var hits signals
	for i := 0; i < len(toks); {
		p, ok := matchAt(toks, i)
		if ok && overtaken(toks, i, p) {
			ok = false
		}
		if !ok {
			i++
			continue
		}
		sig := p.sig
		if sig == sigWrongPerson && p.words[len(p.words)-1] == "meu" && relations[tokAt(toks, i+len(p.words))] {
			sig = sigNone // "esse número é meu tio": not "é meu"
		}
		if sig == sigWrongPerson && !isNegator(p.words[0]) && deniedAfter(toks, i+len(p.words)) {
			sig = sigDrop // "número errado não, …": denied, not said
		}
		if sig == sigAlreadyPaid && len(p.words) == 2 && p.words[1] == "pago" && presentPay(toks, i) {
			sig = sigPromiseCue // "manda o pix que eu já pago": paying now, not paid
		}
		if p.neg != sigNone && negatedBefore(toks, cover[:], i) {
			sig = p.neg
		}
		if sig == sigYes && i >= 3 {
			// A "yes" word deep in a sentence ("amanhã eu vejo isso") is
			// not an answer.
			sig = sigNone
		}
		n := len(p.words)
		if sig == sigThanks {
			switch tokAt(toks, i+n) {
			case "pela", "pelo", "pelas", "pelos":
				// "obrigada pela informação": what is thanked for is
				// part of the thanks.
				if i+n+1 < len(toks) && toks[i+n+1] != breakToken {
					n += 2
				}
			}
		}
		for j := i; j < i+n; j++ {
			cover[j] = sig
		}
		hits |= 1 << sig
		i += n
	}

	count, countSays := installmentCount(toks, cover[:], words)
	if countSays {
		hits |= 1 << sigInstallments
	}
	if count == 0 && hits.has(sigInstallments) && hasTok(toks, "metade") {
		count = 2 // "metade agora e metade mês que vem"
	}
	budget, down := moneySlots(toks)
	if hits.has(sigWhy) && (hits.has(sigInterest) || hits.has(sigNoInterest)) {
		hits |= 1 << sigWhyInterest
	}
	if hits.has(sigPixAsk) || hits.has(sigPayPix) {
		if hasTok(toks, "formas") || hasTok(toks, "forma") || hasTok(toks, "meios") || hasTok(toks, "opcoes") && hits.has(sigMenu) {
			hits |= 1 << sigPayMethods
		}
	}
	if mentionsData(toks) && refusesToGive(toks) {
		// "não vou ficar passando meu cpf pra qualquer um"
		hits |= 1 << sigIdentityWhy
	}
	if hits.has(sigWho) && mentionsData(toks) && !hits.has(sigScam) && (hasTok(toks, "meu") || hasTok(toks, "meus")) {
		// "e você é quem pra pedir meu cpf?"
		hits |= 1 << sigIdentityWhy
	}
	if hits.has(sigWhy) && !hits.has(sigInterest) && !hits.has(sigNoInterest) && mentionsData(toks) {
		// "pra que você precisa do meu cpf?"
		hits |= 1 << sigIdentityWhy
	}
	if acceptsMethod(toks) && !hits.has(sigBoleto) {
		hits |= 1 << sigPayMethods // "aceita transferência?"
	}
	if asksAbilities(toks) {
		hits |= 1 << sigMenu // "o que você pode fazer?"
	}
	if (hasTok(toks, "desconto") || hasTok(toks, "descontos")) && (hasTok(toks, "hoje") || hasTok(toks, "agora")) {
		// "tem desconto se eu pagar hoje?": the cash offer
		hits |= 1 << sigCash
	}
	if hits.has(sigPayPix) && hasTok(toks, "tudo") && !hasTok(toks, "bem") {
		// "quero pagar tudo": the cash offer, with its discount.
		hits |= 1 << sigCash
	}
	relative := thirdParty(toks) // "sou a irmã dela", "é minha irmã"
	own := (relative || hits.has(sigThirdParty)) && ownBusiness(toks)
	drops, income := dropsCharge(toks), whenIncome(toks)
	if relative && !(own && !hits.has(sigThirdParty)) {
		hits |= 1 << sigThirdParty
	}
	if hits.has(sigThirdParty) && hits.has(sigHardship) && widowed(toks) {
		// "meu marido faleceu e tô sem renda": the writer's own loss.
		hits &^= 1 << sigThirdParty
	}
	if hits.has(sigThirdParty) && own && !hasTok(toks, "dela") && !hasTok(toks, "dele") &&
		!hasTok(toks, "ela") && !hasTok(toks, "ele") {
		// "meu marido faleceu e minhas contas estão atrasadas": the
		// debtor speaking of their own life.
		hits &^= 1 << sigThirdParty
		hits |= 1 << sigHardship
	}
	if otherMethod(toks) && !hits.has(sigInstallments) {
		if (requestsLink(toks) || hasTok(toks, "quero") && !asksPossible(toks)) && !hasTok(toks, "aceita") && !hasTok(toks, "aceitam") {
			hits &^= 1<<sigPixAsk | 1<<sigPayPix | 1<<sigPayMethods
			hits |= 1 << sigBoleto // "quero pagar no crédito, manda o link"
		} else if !hasBoletoWord(toks) || hasTok(toks, "ou") {
			hits &^= 1 << sigBoleto
			hits |= 1 << sigPayMethods // "aceita cartão?", "posso pagar na lotérica?"
		}
	}
	if refusesPix(toks) {
		hits &^= 1<<sigPixAsk | 1<<sigPayPix | 1<<sigIdentityWhy
		if !hits.has(sigBoleto) {
			hits |= 1 << sigPayMethods // "não tenho pix"
		}
	}
	if drops {
		// "tem como tirar esses juros?", "congelar os juros enquanto tô doente"
		hits &^= 1<<sigWhyInterest | 1<<sigHardship
		hits |= 1 << sigNoInterest
	}
	if amountGrew(toks) || hits.has(sigWhy) && !mentionsData(toks) && whyValue(toks) {
		hits |= 1 << sigWhyInterest // "era 300 e agora tá 480", "por que esse valor?"
	}
	if hourMention(toks) || hits.has(sigHuman) && dayWord(toks) && !hits.any(sigPromise, sigPromiseCue) {
		hits |= 1 << sigHours // "tem alguém aí depois das 18h?", "sábado tem alguém?"
	}
	if hits.has(sigRemaining) || paidPart(toks) {
		hits &^= 1 << sigAlreadyPaid // "já paguei 4 de 10, quanto falta?", "paguei as 3 primeiras"
	}
	if hits.has(sigBoleto) && requestsLink(toks) {
		hits &^= 1 << sigDueDate // "o boleto venceu, manda outro atualizado"
	}
	if hits.has(sigNoInterest) && quantoWithInterest(toks) {
		hits &^= 1 << sigNoInterest
		hits |= 1 << sigBalance // "quanto tá com juros e tudo?"
	}
	if hits.has(sigOptOut) && hits.has(sigAbuse) && insulted(toks, cover[:]) && onlyFrom(toks, cover[:], sigOptOut, "para", "parem", "pare", "de", "encher", "me") {
		hits &^= 1 << sigOptOut // "para de encher o saco, seus urubus": anger first
	}
	if hits.has(sigWho) && selfIntro(toks) {
		hits &^= 1 << sigWho // "aqui quem fala é o Sérgio"
	}
	if hits.has(sigWrongPerson) && (seqIn(toks, "era", "pro") || seqIn(toks, "era", "pra") || seqIn(toks, "era", "para")) &&
		!hasTok(toks, "numero") {
		hits &^= 1 << sigWrongPerson // "foi mal, mensagem errada, era pro meu parceiro"
	}
	if mentionsData(toks) && hasGiveVerb(toks) && hits.has(sigWrongPerson) && !hasTok(toks, "errado") && !hasTok(toks, "sou") {
		// "não vou passar cpf pra número que eu nem conheço", "vou dar meu
		// cpf pra quem nem conheço?": the document refused, not a wrong number
		hits &^= 1 << sigWrongPerson
		hits |= 1 << sigIdentityWhy
	}
	if hits.has(sigHuman) && hits.has(sigAbuse) && onlyFrom(toks, cover[:], sigHuman, "robo", "bot", "robozinho", "maquina") {
		hits &^= 1 << sigHuman // "robô do caralho": anger, answered with a person offered
	}
	if namedAway(toks) {
		hits |= 1 << sigThirdParty
	}
	if income {
		// "assim que o pagamento cair eu mando", even from someone out of work
		hits &^= 1 << sigHardship
		hits |= 1 << sigPromise
	}
	if hits.has(sigOptOut) && onlyFrom(toks, cover[:], sigOptOut, "me", "deixa", "deixe", "em", "paz") && (hits.has(sigBoleto) || asksForCode(toks)) {
		hits &^= 1 << sigOptOut // "manda logo o boleto e me deixa em paz": the boleto
	}
	if hits.has(sigHuman) && asksForCode(toks) && onlyFrom(toks, cover[:], sigHuman, "atendimento") {
		hits &^= 1 << sigHuman // "que atendimento demorado, me passa a chave pix"
	}
	if newOwner(toks) {
		hits |= 1 << sigWrongPerson // "comprei esse chip", "esse número agora é meu"
	}
	if !hits.any(sigHardship, sigPartial, sigPromise, sigPromiseCue, sigAlreadyPaid, sigInstallments, sigPayPix,
		sigPixAsk, sigBalance) && relativeAway(toks) {
		// "meu marido tá dormindo": someone else's phone, when nothing in
		// the message is the debtor's own business.
		hits |= 1 << sigThirdParty
	}
	if wrongTarget(toks) {
		hits |= 1 << sigWrongPerson // "errou de pessoa", "mandaram pro número errado"
	}
	if hardshipPattern(toks) {
		hits |= 1 << sigHardship // "sem salário", "perdeu o emprego"
	}
	if asksWhoSpeaks(toks) {
		hits |= 1 << sigWho // "com quem eu tô falando"
	}
	if removeFromList(toks) {
		hits |= 1 << sigOptOut // "me tira dessa porcaria de lista"
	}
	if hits.has(sigWhatDebt) && !hits.has(sigWho) {
		hits |= 1 << sigDispute
	}
	switch moneySent(toks) {
	case 1:
		hits |= 1 << sigAlreadyPaid // "já mandei a grana"
	case 2:
		hits |= 1 << sigPromiseCue // "sexta eu mando a grana"
	}
	if stopSending(toks) && !(hits.has(sigAbuse) && insulted(toks, cover[:]) && (seqIn(toks, "de", "encher") || seqIn(toks, "me", "encher"))) {
		hits |= 1 << sigOptOut // "pararem de mandar", "me tirem da lista"
	}
	if hits.has(sigWrongWeak) && !hits.has(sigDispute) {
		hits |= 1 << sigWrongPerson
	}
	if hits.has(sigPartial) && !hits.has(sigInstallments) {
		hits |= 1 << sigHardship // "não tenho tudo" alone
	}

	if hits.has(sigWho) && hits.has(sigAbuse) {
		for i := 0; i+1 < len(toks); i++ {
			if cover[i] == sigWho && cover[i+1] == sigAbuse {
				hits &^= 1 << sigWho // "que empresa lixo" exclaims, it does not ask
			}
		}
	}
	date, dstart, dend, restated, dated := promiseDate(toks, today)
	if dated && dstart > 0 && sinceWord(toks[dstart-1]) {
		dated = false // "desempregado desde setembro": a past start, no promise
	}
	if dated && hits.has(sigAlreadyPaid) && futurePaid(toks, date, today) {
		hits &^= 1 << sigAlreadyPaid // "sexta tá pago", "hoje de noite já pago a primeira"
		hits |= 1 << sigPromiseCue
	}
	if dated && drops && asksPossible(toks) {
		dated = false // "tem como tirar os juros se eu pagar até sexta?"
	}
	if dated && hits.any(sigHours, sigDueDate) && !hits.any(sigPromise, sigPromiseCue) {
		dated = false // "vocês abrem sábado?", "venceu no fim do mês?"
	}
	promiseCue := hits.has(sigPromise) || hits.has(sigPromiseCue) || hits.has(sigCorrection) ||
		dated && hits.has(sigPayPix) && !date.Equal(today) && hasTok(toks, "pagar") // "pagar sexta"
	// A question that merely names a day ("quanto está hoje?", "atende
	// sábado?") is that question, not a promise.
	question := hits.any(sigBalance, sigRemaining, sigHours, sigDueDate, sigWho, sigNegativ, sigWhyInterest,
		sigNoInterest, sigPayMethods, sigScam)
	switch {
	case !dated:
	case restated:
		// "não vou pagar dia 15, só dia 20"
	case hits.has(sigNegPromise) && !promiseCue:
		dated = false // "não vou pagar dia 10"
	case promiseCue || hits.has(sigHardship):
	case question || !onlyDate(toks, cover[:], dstart, dend):
		dated = false // "amanhã eu vejo isso" is not a promise
	}
	vague := false
	if !dated {
		if vs, ve, ok := vagueDateSpan(toks); ok && !hits.has(sigNegPromise) && (vs == 0 || !sinceWord(toks[vs-1])) {
			vague = promiseCue || hits.has(sigHardship) && !hedged(toks) || !question && onlyDate(toks, cover[:], vs, ve) ||
				!question && seeAbout(toks) // "semana que vem eu vejo isso": the engine asks which day
		}
	}
	if dated && dstart >= 1 && toks[dstart-1] == "entre" {
		dated, vague = false, true // "entre dia 10 e 15": no one day
	}
	if dated && dstart >= 2 && (toks[dstart-2] == "depois" || toks[dstart-2] == "apos" || toks[dstart-2] == "partir") {
		// "depois do dia 5": after a day is no day; the engine asks.
		dated, vague = false, true
	}
	explicitPlan := countSays || budget > 0 || down > 0
	if !explicitPlan && hits.has(sigInstallments) && asksForCode(toks) && onlyFrom(toks, cover[:], sigInstallments, installmentNouns...) {
		hits &^= 1 << sigInstallments // "manda o pix da parcela"
	}
	if !explicitPlan && hits.has(sigInstallments) && hits.has(sigBalance) && onlyFrom(toks, cover[:], sigInstallments, installmentNouns...) &&
		(hasTok(toks, "quanto") || hasTok(toks, "qual")) {
		hits &^= 1 << sigInstallments // "quanto é a parcela desse mês?"
	}

	switch {
	case hits.has(sigWrongPerson) && !hits.has(sigThirdParty):
		return Intent{Kind: IntentWrongPerson}
	case hits.has(sigOptOut):
		return Intent{Kind: IntentOptOut}
	case hits.has(sigWrongPerson) && !(relative && namesRelation(toks) && hits.has(sigThirdParty)):
		// "não sou a Daiane, sou a irmã dela" is a relative who can pass
		// a message on, not a stranger's number.
		return Intent{Kind: IntentWrongPerson}
	case hits.has(sigThirdParty):
		return Intent{Kind: IntentThirdParty}
	case hits.has(sigComplaint):
		return Intent{Kind: IntentComplaint}
	case hits.has(sigAlreadyPaid):
		return Intent{Kind: IntentAlreadyPaid}
	case hits.has(sigDispute):
		return Intent{Kind: IntentDispute}
	case hits.has(sigScam):
		return Intent{Kind: IntentScamCheck}
	case hits.has(sigIdentityWhy) && !hits.has(sigWhyInterest),
		hits.has(sigWhy) && words <= 5 && onlyWeak(hits&^(1<<sigWhy)):
		// A bare "isso é pra quê?" questions what was just asked: the
		// document.
		return Intent{Kind: IntentIdentityWhy}
	case hits.has(sigHuman) && !hits.has(sigHours):
		return Intent{Kind: IntentHuman}
	case hits.has(sigOptIn) && strongOptIn(toks, cover[:]):
		// "quero voltar a receber, preciso negociar": the messages back
		// first; the rest follows in the conversation.
		return Intent{Kind: IntentOptIn}
	case explicitPlan:
		return Intent{Kind: IntentInstallments, Number: count, Budget: budget, Down: down}
	case hits.has(sigHardship) && !dated && !vague:
		return Intent{Kind: IntentHardship}
	case dated:
		if date.Equal(today) {
			switch {
			case hits.has(sigCash) && !hits.has(sigPromise):
				return Intent{Kind: IntentCash}
			case hits.has(sigPixAsk) && asksForCode(toks), hits.has(sigPixAsk) && !hits.has(sigPromise) && words <= 3:
				// "me manda o pix que eu pago hoje": the code, now.
				return Intent{Kind: IntentPayPix, Date: date}
			case !promiseCue && hits.has(sigBoleto):
				return Intent{Kind: IntentBoleto, Date: date}
			case !promiseCue && hits.has(sigPayPix):
				return Intent{Kind: IntentPayPix, Date: date}
			}
		}
		return Intent{Kind: IntentPromise, Date: date}
	case hits.has(sigRemaining):
		return Intent{Kind: IntentBalance}
	case hits.has(sigCash):
		return Intent{Kind: IntentCash}
	case hits.has(sigWhyInterest):
		return Intent{Kind: IntentWhyInterest}
	case hits.has(sigDueDate):
		return Intent{Kind: IntentDueDate}
	case hits.has(sigNoInterest):
		return Intent{Kind: IntentNoInterest}
	case hits.has(sigNegativ):
		return Intent{Kind: IntentNegativation}
	case hits.has(sigHours):
		return Intent{Kind: IntentHours}
	case hits.has(sigWho):
		return Intent{Kind: IntentWho}
	case hits.has(sigPayMethods):
		return Intent{Kind: IntentPayMethods}
	case hits.has(sigInstallments):
		return Intent{Kind: IntentInstallments, Number: count}
	case hits.has(sigPixAsk) && !vague:
		// "manda o pix que eu vou pagar": the code, now.
		return Intent{Kind: IntentPayPix}
	case hits.has(sigPromise), vague:
		return Intent{Kind: IntentPromise}
	case hits.has(sigBoleto):
		return Intent{Kind: IntentBoleto}
	case hits.has(sigPixAsk):
		return Intent{Kind: IntentPayPix}
	case hits.has(sigBalance):
		return Intent{Kind: IntentBalance}
	case hits.has(sigPayPix):
		return Intent{Kind: IntentPayPix}
	case hits.has(sigInterest):
		return Intent{Kind: IntentWhyInterest}
	case hits.has(sigAbuse):
		// Anger with nothing else asked; a question is answered first.
		return Intent{Kind: IntentAbuse}
	case hits.has(sigOptIn):
		return Intent{Kind: IntentOptIn}
	case hits.has(sigMenu):
		return Intent{Kind: IntentMenu}
	case hits.has(sigGoodbye) && cover[len(toks)-1] == sigGoodbye:
		return Intent{Kind: IntentGoodbye} // "depois eu vejo isso, tchau"
	case hits.has(sigNo):
		return Intent{Kind: IntentNo}
	}
	if n, ok := loneNumber(toks, cover[:]); ok {
		return Intent{Kind: IntentNumber, Number: n}
	}
	if ds, ok := leadingDigits(toks, cover[:]); ok {
		// "205 confere", "205 e alguma coisa": a verification answer
		// with words the filler list does not know.
		return Intent{Kind: IntentDigits, Digits: ds}
	}
	if last := toks[len(toks)-1]; last == "ate" && words > 1 && onlyWeak(hits) {
		return Intent{Kind: IntentGoodbye} // "bom, é isso, até"
	}
	if words <= 4 && isNegator(toks[0]) && (cover[0] == sigNone || cover[0] == sigNo) {
		// "não, obrigado": a no, said politely.
		return Intent{Kind: IntentNo}
	}
	if hits.has(sigGoodbye) && len(toks) > 0 && cover[len(toks)-1] == sigGoodbye {
		return Intent{Kind: IntentGoodbye} // "tá bom, tchau": leaving, whatever came before
	}
	if hits.has(sigGreeting) && cover[0] == sigGreeting && onlyChitChat(toks, cover[:len(toks)]) {
		// "e aí, tudo certo?": a greeting and how-are-you, not a yes.
		return Intent{Kind: IntentGreeting}
	}
	switch {
	case hits.has(sigYes):
		return Intent{Kind: IntentYes}
	case hits.has(sigGoodbye):
		return Intent{Kind: IntentGoodbye}
	case hits.has(sigThanks):
		return Intent{Kind: IntentThanks}
	case hits.has(sigGreeting):
		return Intent{Kind: IntentGreeting}
	}
	if words <= 6 {
		for i, t := range toks {
			if isNegator(t) && (cover[i] == sigNone || cover[i] == sigNo) {
				return Intent{Kind: IntentNo}
			}
		}
	}
	return Intent{Kind: IntentUnknown}
}

// onlyChitChat reports a message whose keywords are all greetings, thanks
// or how-are-you words ("tudo certo", "beleza"); a real yes ("sim",
// "pode") is an answer, not chit-chat.
func onlyChitChat(toks []string, cover []signal) bool {
	for i, c := range cover {
		switch c {
		case sigNone, sigGreeting, sigThanks:
		case sigYes:
			switch toks[i] {
			case "tudo", "certo", "beleza", "joia", "tranquilo", "suave", "bem", "esta", "firmeza":
			default:
				return false
			}
		default:
			return false
		}
	}
	return true
}

func anyCover(cover []signal, sig signal) bool {
	for _, c := range cover {
		if c == sig {
			return true
		}
	}
	return false
}

func hasTok(toks []string, w string) bool {
	for _, t := range toks {
		if t == w {
			return true
		}
	}
	return false
}

// onlyDate reports whether, outside the date at toks[start:end], a message
// has only keywords and filler ("ok, dia 10", "só mês que vem"), so that a
// date without a verb of paying still reads as a promise.
func onlyDate(toks []string, cover []signal, start, end int) bool {
	for i, t := range toks {
		if i >= start && i < end || t == breakToken || cover[i] != sigNone {
			continue
		}
		switch t {
		case "no", "na", "o", "a", "ate", "so", "somente", "apenas", "eu", "e", "entao", "para", "pra", "que",
			"tipo", "fica", "bom", "melhor", "ser", "dai", "la", "mais", "ou", "antes", "do", "da", "de",
			"mesmo", "acho", "talvez", "provavelmente", "quem", "sabe", "nao", "nem", "nunca", "por", "favor",
			"esta", "ai", "hein", "ne", "tudo", "bem", "as", "horas", "manha", "tarde", "noite", "cedo",
			"voce", "serve", "pode", "certo", "combinado", "beleza", "ok", "com", "certeza", "garantido", "confia",
			"certinho", "certin", "falta", "sem":
			continue
		}
		if isASCIIDigit(t[0]) { // numbers, "10h", "10:00", impossible dates
			continue
		}
		if _, ok := dateWords[t]; ok {
			continue
		}
		return false
	}
	return true
}

// matchAt returns the longest phrase starting at toks[i]. "nem" reads as
// "não" when no phrase starts with it ("eu nem conheço esse cara").
func matchAt(toks []string, i int) (phrase, bool) {
	if p, ok := matchWith(toks, i, toks[i]); ok || toks[i] != "nem" {
		return p, ok
	}
	return matchWith(toks, i, "nao")
}

// matchWith is matchAt with first standing for toks[i].
func matchWith(toks []string, i int, first string) (phrase, bool) {
	cands := phraseIndex[first]
next:
	for _, p := range cands {
		if i+len(p.words) > len(toks) {
			continue
		}
		for k := 1; k < len(p.words); k++ {
			if toks[i+k] != p.words[k] {
				continue next
			}
		}
		return p, true
	}
	return phrase{}, false
}

// negatedBefore reports whether a negation stands in the three words before
// toks[i], in the same clause. A negation inside another phrase ("não sou
// eu") does not count, except inside a plain refusal ("não quero").
func negatedBefore(toks []string, cover []signal, i int) bool {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		t := toks[j]
		if t == breakToken || t == "mas" || t == "porem" {
			return false
		}
		if isNegator(t) && (cover[j] == sigNone || cover[j] == sigNo) {
			return true
		}
	}
	return false
}

// digitFiller are the words a debtor wraps a verification answer in.
func digitFiller(t string) bool {
	switch t {
	case "meu", "minha", "cpf", "cnpj", "e", "sao", "os", "o", "primeiros", "tres", "digitos", "numeros",
		"aqui", "esta", "segue", "documento", "do", "de", "inicio", "comeca", "com", "comeco",
		"x", "xx", "ok", "beleza", "sim", "oi", "ola", "pronto", "ai", "la", "vai", "ne", "certo", "isso",
		"hm", "hmm", "hum", "ah", "ahn", "eh", "po", "mano", "cara", "vei", "velho", "parca", "tio", "tia", "uai", "oxe", "pera", "deixa", "ver", "tipo", "confere", "esses", "estes",
		"bom", "dia", "boa", "tarde", "noite", "obrigado", "numero", "primeiro", "seria", "acho", "que",
		"entao", "so", "apenas", "somente", "mesmo", "ja", "falei", "disse", "digitei", "mandei", "por",
		"favor", "moca", "moco", "senhor", "senhora", "eu", "acredito", "slk", "pprt", "ops", "errei", "opa", "digo", "voce", "pediu", "pedido", "queria",
		"quer", "mana", "amigo", "amiga", "visse", "viu":
		return true
	}
	return false
}

// onlyFiller reports whether toks outside [start, end) are only the words a
// verification answer comes wrapped in.
func onlyFiller(toks []string, start, end int) bool {
	for i, t := range toks {
		if i >= start && i < end || t == breakToken || digitFiller(t) {
			continue
		}
		return false
	}
	return true
}

// singleRun returns the digits of the one run of three to fourteen digits
// in toks (digit tokens in a row), if there is exactly one.
func singleRun(toks []string) (string, bool) {
	var out []byte
	runs := 0
	for i := 0; i < len(toks); {
		if !digitLike(toks[i]) {
			i++
			continue
		}
		j, n := i, 0
		for j < len(toks) && digitLike(toks[j]) {
			n += countDigits(toks[j])
			j++
		}
		if n >= 3 {
			runs++
			out = out[:0]
			for _, t := range toks[i:j] {
				for k := 0; k < len(t); k++ {
					if isASCIIDigit(t[k]) {
						out = append(out, t[k])
					}
				}
			}
		}
		i = j
	}
	if runs != 1 || len(out) > 14 {
		return "", false
	}
	return string(out), true
}

// digitLike reports whether t is a run of digits as a document is typed:
// plain digits, or digits around "/" that cannot be a date (a CNPJ's
// "12345678/000190" after Normalize dropped its dots).
func digitLike(t string) bool {
	if isDigits(t) {
		return true
	}
	long, part := false, 0
	for i := 0; i < len(t); i++ {
		switch {
		case isASCIIDigit(t[i]):
			part++
			long = long || part > 4
		case t[i] == '/' && part > 0:
			part = 0
		default:
			return false
		}
	}
	return long && part > 0
}

func countDigits(t string) int {
	n := 0
	for i := 0; i < len(t); i++ {
		if isASCIIDigit(t[i]) {
			n++
		}
	}
	return n
}

// digitsIntent reads a message made of digits: a verification answer (3–14
// digits) or a short choice.
func digitsIntent(toks []string) (Intent, bool) {
	if ds, ok := hundredsDigits(toks); ok {
		return Intent{Kind: IntentDigits, Digits: ds}, true
	}
	// Spelled ("dois zero cinco") or typed with an o for a zero ("2o5").
	for i, t := range toks {
		if ds, end := spelledDigits(toks, i); end > i {
			if onlyFiller(toks, i, end) {
				return Intent{Kind: IntentDigits, Digits: ds}, true
			}
			break
		}
		if ds, ok := letterDigits(t); ok && onlyFiller(toks, i, i+1) {
			return Intent{Kind: IntentDigits, Digits: ds}, true
		}
		if ds, ok := maskedDigits(t); ok && onlyFiller(toks, i, i+1) {
			return Intent{Kind: IntentDigits, Digits: ds}, true
		}
	}
	if mentionsDocument(toks) {
		// "meu cpf 205 e o resto não vou passar": the one run of digits.
		if ds, ok := singleRun(toks); ok {
			return Intent{Kind: IntentDigits, Digits: ds}, true
		}
	}
	allDigits := true
	for _, t := range toks {
		if t == breakToken {
			continue
		}
		if !digitLike(t) {
			allDigits = false
			if !digitFiller(t) {
				return Intent{}, false
			}
		}
	}
	// Find the runs of consecutive digit tokens.
	var runStart, runEnd, runs, total int
	for i := 0; i < len(toks); {
		if !digitLike(toks[i]) {
			i++
			continue
		}
		j, n := i, 0
		for j < len(toks) && digitLike(toks[j]) {
			n += countDigits(toks[j])
			j++
		}
		if allDigits || n >= 3 {
			runs++
			runStart, runEnd, total = i, j, n
		}
		i = j
	}
	if runs != 1 {
		if allDigits {
			return Intent{Kind: IntentUnknown}, true
		}
		return Intent{}, false
	}
	if allDigits && runEnd-runStart == 1 && total <= 2 {
		n := atoi(toks[runStart])
		if n == 0 {
			return Intent{Kind: IntentMenu}, true
		}
		return Intent{Kind: IntentNumber, Number: n}, true
	}
	if total < 3 || total > 14 {
		if allDigits {
			return Intent{Kind: IntentUnknown}, true
		}
		return Intent{}, false
	}
	digits := toks[runStart]
	if runEnd-runStart > 1 || !isDigits(digits) {
		b := make([]byte, 0, total)
		for _, t := range toks[runStart:runEnd] {
			for i := 0; i < len(t); i++ {
				if isASCIIDigit(t[i]) {
					b = append(b, t[i])
				}
			}
		}
		digits = string(b)
	}
	return Intent{Kind: IntentDigits, Digits: digits}, true
}

// choiceFiller are the words around a menu choice ("quero a 3", "opção 2").
func choiceFiller(t string) (article bool, ok bool) {
	switch t {
	case "a", "o", "opcao", "alternativa", "letra", "numero", "item", "quero", "escolho", "escolhi":
		return true, true
	case "vou", "de", "pode", "ser", "prefiro", "fico", "com", "e", "sim", "ok", "no", "na", "essa", "esta",
		"eu", "por", "favor", "mesmo", "isso", "querer", "mano", "mana", "ai", "vei", "moca", "moco", "amigo", "amiga", "entao",
		"ne", "aqui", "ae", "viu", "visse", "uai":
		return false, true
	}
	return false, false
}

// choice reads a message that is only a menu choice with filler words.
func choice(toks []string) (int, bool) {
	found, article := false, false
	var n int
	var ordinal string
	for i := 0; i < len(toks); {
		t := toks[i]
		if t == breakToken {
			i++
			continue
		}
		if a, ok := choiceFiller(t); ok {
			article = article || a
			i++
			continue
		}
		if v, next, ok := parseNumber(toks, i); ok {
			if found || len(t) > 2 && isDigits(t) {
				return 0, false
			}
			found, n = true, v
			i = next
			continue
		}
		if v, ok := ordinals[t]; ok && !found {
			found, n, ordinal = true, v, t
			i++
			continue
		}
		return 0, false
	}
	if !found || n > 99 {
		return 0, false
	}
	if ordinal != "" && !article {
		if _, weekday := weekdays[ordinal]; weekday {
			return 0, false // a lone "segunda" is a day
		}
	}
	return n, true
}

// loneNumber finds the single short number in a message whose other words
// are chit-chat or filler ("ok, 2", "oi 1"), not part of a date ("dia 10").
func loneNumber(toks []string, cover []signal) (int, bool) {
	n, found := 0, false
	for i, t := range toks {
		switch {
		case t == breakToken:
		case isDigits(t):
			if found || len(t) > 2 {
				return 0, false
			}
			n, found = atoi(t), true
		case cover[i] == sigYes || cover[i] == sigThanks || cover[i] == sigGreeting || cover[i] == sigGoodbye:
		default:
			if _, ok := choiceFiller(t); !ok {
				return 0, false
			}
		}
	}
	return n, found && n > 0
}

var ordinals = map[string]int{
	"primeira": 1, "primeiro": 1, "segunda": 2, "segundo": 2, "terceira": 3, "terceiro": 3,
	"quarta": 4, "quarto": 4, "quinta": 5, "quinto": 5,
}

var cardinals = map[string]int{
	"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7,
	"oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13, "quatorze": 14, "catorze": 14,
	"quinze": 15, "dezesseis": 16, "dezeseis": 16, "dezasseis": 16, "dezessete": 17, "dezesete": 17,
	"dezoito": 18, "dezenove": 19, "dezanove": 19, "vinte": 20, "trinta": 30, "quarenta": 40,
	"cinquenta": 50,
}

// parseNumber reads a number at toks[i]: digits (up to three) or words,
// "vinte e cinco" included. It returns the index after the number.
func parseNumber(toks []string, i int) (n, next int, ok bool) {
	t := toks[i]
	if isDigits(t) {
		if len(t) > 3 {
			return 0, i, false
		}
		return atoi(t), i + 1, true
	}
	v, ok := cardinals[t]
	if !ok {
		return 0, i, false
	}
	if v >= 20 && v%10 == 0 && i+2 < len(toks) && toks[i+1] == "e" {
		if u, ok := cardinals[toks[i+2]]; ok && u < 10 {
			return v + u, i + 3, true
		}
	}
	return v, i + 1, true
}

// installmentCount finds a stated number of installments: "3x", "em 3x",
// "3 vezes", "três parcelas", "parcelar em 4". says reports whether the
// count alone makes the message about installments ("em 3x" or a short
// "3 vezes"), as opposed to "liguei 3 vezes" in a long story.
func installmentCount(toks []string, cover []signal, words int) (count int, says bool) {
	for i, t := range toks {
		n, strong := 0, false
		if k := len(t); k >= 2 && k <= 3 && t[k-1] == 'x' && isDigits(t[:k-1]) {
			n, strong = atoi(t[:k-1]), true
		} else if v, next, ok := parseNumber(toks, i); ok && t != "um" && t != "uma" {
			// "uma parcela" is an article, not a count.
			after := ""
			if next < len(toks) {
				after = toks[next]
			}
			switch after {
			case "x", "vezes", "vez", "parcelas", "parcela", "prestacoes", "prestacao", "vzs", "vz":
				n, strong = v, true
			case "meses", "mes":
				// "parcelar em 10 meses"; "em 2 meses" alone is a date,
				// "tem como em 24 meses?" asks for a plan.
				if anyCover(cover, sigInstallments) || v >= 5 && i > 0 && toks[i-1] == "em" && asksPossible(toks) {
					n, strong = v, true
				}
			case "dias", "dia", "semanas", "semana":
				// "em 3 dias" is a date
			default:
				if i > 0 && (toks[i-1] == "em" || toks[i-1] == "ate") && nearInstallments(cover, i-1) {
					n, strong = v, true // "dividir em tres"
				}
				if i > 1 && toks[i-1] == "em" && (toks[i-2] == "resto" || toks[i-2] == "restante") && v >= 2 && v <= 36 {
					n, strong = v, true // "200 de entrada e o resto em 6"
				}
				if i > 0 && toks[i-1] == "em" && words <= 4 && v >= 2 && v <= 36 && (anyCover(cover, sigPromiseCue) ||
					tokAt(toks, i-2) == "faz" || tokAt(toks, i-2) == "pode" || tokAt(toks, i-2) == "fazer") {
					n, strong = v, true // "consigo em 6", "faz em 6"
				}
			}
		}
		if n < 1 || n > 99 {
			continue
		}
		if !strong {
			return n, false
		}
		prev := ""
		for j := i - 1; j >= 0; j-- {
			if p := toks[j]; p != "umas" && p != "uns" && p != "tipo" && p != "so" && p != "mais" && p != "ate" || j == i-1 && p == "ate" {
				prev = p
				break
			}
		}
		switch tokAt(toks, i+2) {
		case "tem", "da", "rola", "pode", "serve", "consigo", "fica", "sai", "faz", "aceita", "aceitam":
			if t != "x" && tokAt(toks, i+1) != "parcela" && tokAt(toks, i+1) != "parcelas" || isDigits(strings.TrimSuffix(t, "x")) {
				return n, true // "12 vezes tem?", "10x rola?"
			}
		}
		if k := len(t); k >= 2 && t[k-1] == 'x' {
			switch tokAt(toks, i+1) {
			case "tem", "da", "rola", "pode", "serve", "fica", "sai", "faz", "aceita", "aceitam":
				return n, true // "10x rola?"
			}
		}
		return n, prev == "em" || prev == "de" || prev == "por" || prev == "ate" || words <= 4
	}
	return 0, false
}

// nearInstallments reports whether an installments keyword ends just before
// toks[i] (allowing "parcelar em até 6").
func nearInstallments(cover []signal, i int) bool {
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		if cover[j] == sigInstallments {
			return true
		}
	}
	return false
}

// hasBoletoWord reports the boleto itself named ("boleto", "código de
// barras", "fatura"), not another way of paying.
func hasBoletoWord(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "boleto", "boletos", "fatura", "faturas", "carne", "via":
			return true
		case "barras":
			return tokAt(toks, i-1) == "de"
		}
	}
	return false
}

// asksPossible reports a question of whether something can be done: "tem
// como", "dá pra", "pode", "consigo", "rola".
func asksPossible(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "rola", "pode", "posso", "consigo", "daria", "podem", "aceita", "aceitam":
			return true
		case "tem", "da":
			if n := tokAt(toks, i+1); n == "como" || n == "pra" || n == "para" {
				return true
			}
		}
	}
	return false
}

func seqIn(toks []string, words ...string) bool {
	for i := range toks {
		if seq(toks, i, words...) {
			return true
		}
	}
	return false
}

// quantoWithInterest reports "quanto" before "com juros": the amount with
// its interest asked for, not whether there is interest.
func quantoWithInterest(toks []string) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i] == "com" && (toks[i+1] == "juros" || toks[i+1] == "multa") {
			for j := max(0, i-4); j < i; j++ {
				if toks[j] == "quanto" {
					return true
				}
			}
		}
	}
	return false
}

// insulted reports an insult beyond "saco" in the message.
func insulted(toks []string, cover []signal) bool {
	for i, t := range toks {
		if cover[i] == sigAbuse && t != "saco" && t != "que" && t != "cheio" {
			return true
		}
	}
	return false
}

// selfIntro reports the writer giving their name: "aqui quem fala é o
// Sérgio", "quem fala é seu Raimundo".
func selfIntro(toks []string) bool {
	for i := 0; i+3 < len(toks); i++ {
		if toks[i] == "quem" && (toks[i+1] == "fala" || toks[i+1] == "escreve") && toks[i+2] == "e" && toks[i+3] != breakToken {
			return true
		}
	}
	return false
}

// hedged reports a hedge on a day: "quem sabe mês que vem", "talvez".
func hedged(toks []string) bool {
	return hasTok(toks, "talvez") || seqIn(toks, "quem", "sabe") || seqIn(toks, "se", "der") || seqIn(toks, "se", "deus", "quiser")
}

// strongOptIn reports an opt-in that names the messages ("voltar a
// receber", "mandar de novo as mensagens"), not a bare "voltar".
func strongOptIn(toks []string, cover []signal) bool {
	for i, t := range toks {
		if cover[i] != sigOptIn {
			continue
		}
		switch t {
		case "receber", "mensagens", "mensagem", "avisos", "aviso", "lembretes", "lista":
			return true
		}
	}
	return false
}

// seeAbout reports "eu vejo isso", "vou ver isso", "resolvo isso": the
// writer will deal with it, on a day to be named.
func seeAbout(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "vejo", "resolvo", "acerto", "ver", "resolver", "acertar":
			if n := tokAt(toks, i+1); n == "isso" || n == "isto" || n == "ai" || n == "essa" || n == "esse" || n == "" {
				return true
			}
		}
	}
	return false
}

// widowed reports the writer's own relative who died ("meu marido
// faleceu"), said beside the writer's own hardship.
func widowed(toks []string) bool {
	for i := 1; i+1 < len(toks); i++ {
		if (toks[i-1] == "meu" || toks[i-1] == "minha") && relations[toks[i]] {
			switch toks[i+1] {
			case "faleceu", "morreu":
				return true
			}
		}
	}
	return false
}

func hasGiveVerb(toks []string) bool {
	for _, t := range toks {
		if giveVerb(t) {
			return true
		}
	}
	return false
}

// paidPart reports a payment of part said as such: "paguei as 3
// primeiras", "paguei algumas parcelas", "paguei metade".
func paidPart(toks []string) bool {
	for i, t := range toks {
		if t != "paguei" && t != "pagamos" && t != "pago" {
			continue
		}
		k := i + 1
		if a := tokAt(toks, k); a == "as" || a == "os" || a == "umas" || a == "uns" {
			k++
		}
		if isDigits(tokAt(toks, k)) || cardinals[tokAt(toks, k)] > 0 {
			k++
		}
		switch tokAt(toks, k) {
		case "primeiras", "primeiros", "algumas", "parcelas", "metade", "parte", "prestacoes":
			return true
		}
	}
	return false
}

// namesRelation reports a family or other tie named in the message ("irmã",
// "mãe", "vizinho").
func namesRelation(toks []string) bool {
	for _, t := range toks {
		if relations[t] {
			return true
		}
	}
	return false
}

// installmentNouns name installments without wishing for a plan.
var installmentNouns = []string{"parcela", "parcelas", "prestacao", "prestacoes", "acordo"}
