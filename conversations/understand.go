package conversations

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// This file holds what the recogniser reads beyond keyword phrases: typos
// near a keyword, a verification answer however it is typed, amounts of
// money (a monthly budget, a down payment), a third party speaking about
// the debtor, and dates that name no day.

// Fuzzy keywords. A word the recogniser does not know is read as a keyword
// one typing slip away: a letter missing ("parclar"), one too many
// ("atendentee"), and for long words one letter changed or two swapped
// ("comprovnate"). Only keywords of five letters or more take part, so
// that short everyday words are never bent into keywords.
const (
	fuzzyMinWord  = 5 // keywords shorter than this are never a fuzzy target
	fuzzyMinToken = 5 // tokens shorter than this are never corrected
	fuzzySubstMin = 7 // a changed or swapped letter only in tokens this long
)

var fuzzyWords, fuzzyDeletes = buildFuzzy()

// phoneticWords maps the sound of a keyword (see soundKey) to it, so that
// spellings by ear ("negosiar", "espoza", "negativadu", "golpi") read as
// the word. A key shared by two words maps to "".
var phoneticWords = buildPhonetic()

func buildPhonetic() map[string]string {
	m := make(map[string]string)
	add := func(w string) {
		if len(w) < 4 || !isLetters(w) {
			return
		}
		var buf [maxTokenBytes]byte
		k := string(soundKey(buf[:0], []byte(w)))
		if prev, ok := m[k]; ok && prev != w {
			m[k] = ""
			return
		}
		m[k] = w
	}
	for w := range fuzzyWords {
		add(w)
	}
	for w := range relations {
		add(w)
	}
	// Normalize folds ç to c, so "reconheço" is indexed as "reconheco";
	// people who spell by ear write it "reconhesso". A c before a, o or u
	// inside a word may have been a ç: index that sound too, never over
	// a word's own sound.
	alt := make(map[string]bool)
	words := make([]string, 0, len(fuzzyWords))
	for w := range fuzzyWords {
		words = append(words, w)
	}
	sort.Strings(words) // deterministic whatever the map order
	for _, w := range words {
		for i := 1; i+1 < len(w); i++ {
			if w[i] != 'c' || !isVowel(w[i-1]) || w[i+1] != 'a' && w[i+1] != 'o' && w[i+1] != 'u' {
				continue
			}
			b := []byte(w)
			b[i] = 's'
			var buf [maxTokenBytes]byte
			k := string(soundKey(buf[:0], b))
			if prev, ok := m[k]; ok {
				if alt[k] && prev != w {
					m[k] = ""
				}
				continue
			}
			m[k], alt[k] = w, true
		}
	}
	return m
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

// soundKey writes how a word sounds in Brazilian Portuguese, roughly: the
// letters people swap when they spell by ear fold together (ss, ç, z and
// soft c to s; ch and sh to x; k and qu to c; w to v; y to i; a final u to
// o and a final i to e; a doubled letter to one).
func soundKey(dst, w []byte) []byte {
	n := len(w)
	for i := 0; i < n; i++ {
		c := w[i]
		next := byte(0)
		if i+1 < n {
			next = w[i+1]
		}
		switch {
		case c == 'z':
			c = 's'
		case c == 'c' && (next == 'e' || next == 'i'):
			c = 's'
		case (c == 'c' || c == 's') && next == 'h':
			c = 'x'
			i++
		case c == 'k':
			c = 'c'
		case c == 'q' && next == 'u':
			c = 'c'
			i++
		case c == 'w':
			c = 'v'
		case c == 'y':
			c = 'i'
		case c == 'u' && i == n-1:
			c = 'o'
		case c == 'i' && i == n-1 && n > 4:
			c = 'e'
		}
		if len(dst) > 0 && dst[len(dst)-1] == c {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// soundWord returns the keyword tok sounds like, if exactly one.
func soundWord(tok []byte) (string, bool) {
	if len(tok) < 4 || len(tok) > maxTokenBytes-1 {
		return "", false
	}
	for _, c := range tok {
		if c < 'a' || c > 'z' {
			return "", false
		}
	}
	var buf [maxTokenBytes]byte
	w, ok := phoneticWords[string(soundKey(buf[:0], tok))]
	return w, ok && w != ""
}

// buildFuzzy indexes every keyword word of fuzzyMinWord letters or more, and
// every form of it with one letter deleted. A deletion shared by two
// different words is ambiguous and maps to "".
func buildFuzzy() (words map[string]string, deletes map[string]string) {
	words = make(map[string]string)
	deletes = make(map[string]string)
	add := func(w string) {
		if len(w) < fuzzyMinWord || !isLetters(w) {
			return
		}
		words[w] = w
		for i := 0; i < len(w); i++ {
			d := w[:i] + w[i+1:]
			if prev, ok := deletes[d]; ok && prev != w {
				deletes[d] = ""
				continue
			}
			deletes[d] = w
		}
	}
	for _, p := range phraseSpecs {
		forEachPhrase(p.list, func(ws []string) {
			for _, w := range ws {
				add(w)
			}
		})
	}
	for _, w := range fuzzyExtra {
		add(w)
	}
	return words, deletes
}

// diminutiveWord reads a diminutive of a keyword as the keyword:
// "acordinho" → "acordo", "pixzinho" → "pix", "parcelinha" → "parcela".
func diminutiveWord(tok []byte) (string, bool) {
	if relations[string(tok)] || fuzzyWords[string(tok)] != "" {
		return "", false // "sobrinha", "vizinho" are words of their own
	}
	for _, suf := range [...]string{"zinho", "zinha", "inho", "inha"} {
		n := len(tok) - len(suf)
		if n < 2 || string(tok[n:]) != suf {
			continue
		}
		var buf [maxTokenBytes]byte
		stem := append(buf[:0], tok[:n]...)
		for _, end := range [...]string{"", "o", "a", "e"} {
			w := append(stem, end...)
			if k, ok := expansions[string(w)]; ok && k == string(w) && len(w) >= 3 {
				if _, kw := phraseIndex[k]; kw || fuzzyWords[k] != "" {
					return k, true
				}
			}
		}
	}
	return "", false
}

// fuzzyExtra are words read outside phrases that are worth correcting.
var fuzzyExtra = []string{"primeiros", "digitos", "numeros", "segunda", "terca", "quarta", "quinta",
	"sexta", "sabado", "domingo", "amanha", "semana", "janeiro", "fevereiro", "marco", "abril", "junho",
	"julho", "agosto", "setembro", "outubro", "novembro", "dezembro", "entrada", "parcelas", "reais",
	"esposa", "marido", "filho", "filha", "irmao", "vizinha", "vizinho", "sobrinho", "sobrinha", "cunhado",
	"cunhada", "namorado", "namorada"}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// fuzzyWord returns the keyword tok is a typing slip of, if exactly one.
func fuzzyWord(tok []byte) (string, bool) {
	n := len(tok)
	if n < fuzzyMinToken || n > maxTokenBytes-1 {
		return "", false
	}
	for _, c := range tok {
		if c < 'a' || c > 'z' {
			return "", false
		}
	}
	// A letter missing: tok is a keyword with one letter deleted.
	if w, ok := fuzzyDeletes[string(tok)]; ok && w != "" && len(w) == n+1 {
		return w, true
	}
	var buf [maxTokenBytes]byte
	// One letter too many: deleting it gives a keyword.
	found := ""
	for i := 0; i < n; i++ {
		d := append(append(buf[:0], tok[:i]...), tok[i+1:]...)
		if w, ok := fuzzyWords[string(d)]; ok {
			if found != "" && found != w {
				return "", false
			}
			found = w
		}
	}
	if found != "" {
		return found, true
	}
	// Two letters swapped ("acrodo").
	for i := 0; i+1 < n; i++ {
		if tok[i] == tok[i+1] {
			continue
		}
		d := append(buf[:0], tok...)
		d[i], d[i+1] = d[i+1], d[i]
		if w, ok := fuzzyWords[string(d)]; ok {
			if found != "" && found != w {
				return "", false
			}
			found = w
		}
	}
	if found != "" {
		return found, true
	}
	if n < fuzzySubstMin {
		// A shorter word takes one letter changed only for a key next to
		// it on the keyboard ("boletp", "procom").
		if n < 6 || relations[string(tok)] {
			return "", false
		}
		for i := 0; i < n; i++ {
			for _, c := range []byte(keyNeighbours[tok[i]]) {
				d := append(buf[:0], tok...)
				d[i] = c
				if w, ok := fuzzyWords[string(d)]; ok {
					if found != "" && found != w {
						return "", false
					}
					found = w
				}
			}
		}
		return found, found != ""
	}
	// One letter changed, or two swapped: both lose a letter to the same form.
	for i := 0; i < n; i++ {
		d := append(append(buf[:0], tok[:i]...), tok[i+1:]...)
		if w, ok := fuzzyDeletes[string(d)]; ok && w != "" && len(w) == n {
			if found != "" && found != w {
				return "", false
			}
			found = w
		}
	}
	return found, found != ""
}

// Verification answers.

// digitWords are the words for one digit, as a person spells a document.
var digitWords = map[string]byte{
	"zero": '0', "um": '1', "uma": '1', "dois": '2', "duas": '2', "tres": '3', "quatro": '4',
	"cinco": '5', "seis": '6', "meia": '6', "sete": '7', "oito": '8', "nove": '9',
}

// spelledDigits reads a run of three or more digit words ("dois zero
// cinco") starting at toks[i], returning the digits and the index after.
func spelledDigits(toks []string, i int) (string, int) {
	var b [14]byte
	n, j := 0, i
	for j < len(toks) && n < len(b) {
		if toks[j] == breakToken && n > 0 && j+1 < len(toks) {
			if _, ok := digitWords[toks[j+1]]; ok {
				j++ // "um, dois, três"
				continue
			}
		}
		d, ok := digitWords[toks[j]]
		if !ok {
			break
		}
		b[n] = d
		n++
		j++
	}
	if n < 3 {
		return "", i
	}
	return string(b[:n]), j
}

// letterDigits reads a token typed with the letter o for a zero ("2o5",
// "o44"): digits and o's, at least two digits, at most 14 characters.
func letterDigits(t string) (string, bool) {
	if len(t) < 3 || len(t) > 14 {
		return "", false
	}
	digits, os := 0, 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case isASCIIDigit(c):
			digits++
		case c == 'o':
			os++
		default:
			return "", false
		}
	}
	if digits < 2 || os == 0 {
		return "", false
	}
	b := []byte(t)
	for i := range b {
		if b[i] == 'o' {
			b[i] = '0'
		}
	}
	return string(b), true
}

// maskedDigits reads a document typed with its hidden part as x's or
// asterisks already folded ("205xxxxxxxx" → "205xx"): the digits.
func maskedDigits(t string) (string, bool) {
	i := 0
	for i < len(t) && isASCIIDigit(t[i]) {
		i++
	}
	if i < 3 || i > 14 || i == len(t) {
		return "", false
	}
	for _, c := range []byte(t[i:]) {
		if c != 'x' {
			return "", false
		}
	}
	return t[:i], true
}

// mentionsDocument reports whether a message speaks of the document or its
// first digits: then its one run of three or more digits is the answer
// whatever else it says ("meu cpf 205 e o resto não vou passar").
func mentionsDocument(toks []string) bool {
	for _, t := range toks {
		switch t {
		case "cpf", "cnpj", "primeiros", "digitos", "comeca", "comeco", "inicio", "documento":
			return true
		}
	}
	return false
}

// Money.

// hundreds are the words for whole hundreds.
var hundreds = map[string]int{
	"cem": 100, "cento": 100, "duzentos": 200, "trezentos": 300, "quatrocentos": 400, "quinhentos": 500,
	"seiscentos": 600, "setecentos": 700, "oitocentos": 800, "novecentos": 900,
	"sessenta": 60, "setenta": 70, "oitenta": 80, "noventa": 90,
}

// currencyWord reports the words that say an amount is money.
func currencyWord(t string) bool {
	switch t {
	case "reais", "real", "conto", "contos", "pila", "pilas", "mangos", "mango", "r":
		return true
	}
	return false
}

// wordNumber reads a number written in words ("duzentos e cinquenta", "mil
// e quinhentos", "oitenta") at toks[i].
func wordNumber(toks []string, i int) (int, int, bool) {
	total, part, j, any := 0, 0, i, false
	for j < len(toks) {
		t := toks[j]
		if t == "e" && any && j+1 < len(toks) {
			if _, ok := hundreds[toks[j+1]]; ok {
				j++
				continue
			}
			if _, ok := cardinals[toks[j+1]]; ok {
				j++
				continue
			}
			break
		}
		if t == "mil" {
			if part == 0 {
				part = 1
			}
			total += part * 1000
			part, any = 0, true
			j++
			continue
		}
		if v, ok := hundreds[t]; ok {
			part += v
			any = true
			j++
			continue
		}
		if v, ok := cardinals[t]; ok && t != "um" && t != "uma" || ok && any {
			part += v
			any = true
			j++
			continue
		}
		break
	}
	if !any {
		return 0, i, false
	}
	return total + part, j, true
}

// amountAt reads an amount of money at toks[i]: "200", "r 200 00" (from
// "R$ 200,00"), "1500" (from "1.500"), "duzentos e cinquenta", with an
// optional currency word after it. It reports whether a currency word was
// seen, and the index after the amount.
func amountAt(toks []string, i int) (cents payments.Cents, next int, money, ok bool) {
	j := i
	if j < len(toks) && toks[j] == "r" {
		money = true
		j++
	}
	if j >= len(toks) {
		return 0, i, false, false
	}
	t := toks[j]
	var reais int
	switch {
	case isDigits(t) && len(t) <= 6:
		reais = atoi(t)
		j++
		if tokAt(toks, j) == "mil" && reais < 1000 {
			reais *= 1000 // "1 mil"
			j++
		}
		// "200 00": the centavos of "200,00".
		if c := tokAt(toks, j); len(c) == 2 && isDigits(c) && (money || currencyWord(tokAt(toks, j+1))) {
			cents = payments.Cents(atoi(c))
			j++
		}
	default:
		v, nx, ok := wordNumber(toks, j)
		if !ok {
			return 0, i, false, false
		}
		reais, j = v, nx
	}
	if currencyWord(tokAt(toks, j)) {
		money = true
		j++
	}
	if reais <= 0 {
		return 0, i, false, false
	}
	return payments.Cents(reais)*100 + cents, j, money, true
}

// perMonth reports "por mes", "ao mes", "mensal", "todo mes"... at toks[i]
// and returns the index after.
func perMonth(toks []string, i int) bool {
	switch tokAt(toks, i) {
	case "mensal", "mensais", "mensalmente", "mes":
		return true
	case "por", "ao", "todo", "cada", "no", "a", "pro", "num":
		switch tokAt(toks, i+1) {
		case "mes", "parcela", "mensal":
			return true
		}
	}
	return false
}

// moneySlots finds a monthly budget ("só consigo 200 por mês", "parcela de
// no máximo 250") and a down payment ("entrada de 500", "dou 300 de
// entrada", "400 agora e o resto").
func moneySlots(toks []string) (budget, down payments.Cents) {
	var nowAmt payments.Cents
	rest := false
	for _, t := range toks {
		if t == "resto" || t == "restante" {
			rest = true
		}
	}
	for i := 0; i < len(toks); i++ {
		c, next, money, ok := amountAt(toks, i)
		if !ok {
			continue
		}
		prev := func(k int) string {
			if i-k >= 0 {
				return toks[i-k]
			}
			return ""
		}
		// What comes before: "entrada de (uns)", "parcela(s) de (no maximo|ate)".
		lead := 1
		for lead <= 3 && isAmountFiller(prev(lead)) {
			lead++
		}
		before := prev(lead)
		switch {
		case before == "entrada" || prev(lead+1) == "entrada" && before == "de":
			if down == 0 {
				down = c
			}
		case seqAt(toks, next, "de", "entrada"), seqAt(toks, next, "na", "entrada"), seqAt(toks, next, "como", "entrada"):
			if down == 0 {
				down = c
			}
		case rest && seqAt(toks, next, "agora"), seqAt(toks, next, "agora", "de", "entrada"),
			entradaAhead(toks, next):
			if down == 0 {
				down = c
			}
		case seqAt(toks, next, "agora") || seqAt(toks, next, "hoje") || seqAt(toks, next, "na", "hora") ||
			seqAt(toks, next, "de", "cara"):
			if nowAmt == 0 {
				nowAmt = c // a down payment if a monthly amount follows
			}
		case perMonth(toks, next):
			if budget == 0 {
				budget = c
			}
		case (before == "parcela" || before == "parcelas" || before == "parcelinha" || before == "parcelinhas" ||
			before == "prestacao" || before == "prestacoes" || before == "de" && isInstallmentWord(prev(lead+1)) ||
			before == "de" && countWord(prev(lead+1)) || countWord(before) && prev(lead-1) == "de") &&
			(money || c >= 2000):
			if budget == 0 {
				budget = c
			}
		}
		if next > i {
			i = next - 1
		}
	}
	if down == 0 && budget > 0 && nowAmt > 0 && nowAmt != budget {
		down = nowAmt // "dou 100 agora e depois uns 50 por mês"
	}
	return budget, down
}

// countWord reports an installment count: "12x", "vezes" ("12x de 100",
// "5 vezes de 200").
func countWord(t string) bool {
	if k := len(t); k >= 2 && k <= 3 && t[k-1] == 'x' && isDigits(t[:k-1]) {
		return true
	}
	return t == "vezes" || t == "vez" || t == "x"
}

// entradaAhead reports "entrada" a few words after an amount, with no other
// amount between: "tenho 1.500 pra dar de entrada".
func entradaAhead(toks []string, i int) bool {
	for j := i; j < len(toks) && j <= i+3; j++ {
		switch toks[j] {
		case "entrada":
			return true
		case breakToken:
			return false
		}
		if isDigits(toks[j]) {
			return false
		}
	}
	return false
}

func isInstallmentWord(t string) bool {
	switch t {
	case "parcela", "parcelas", "parcelinha", "parcelinhas", "prestacao", "prestacoes":
		return true
	}
	return false
}

// isAmountFiller are the words between a cue and its amount.
func isAmountFiller(t string) bool {
	switch t {
	case "uns", "umas", "no", "maximo", "ate", "tipo", "de", "so", "apenas", "somente", "mais", "ou", "menos", "r":
		return true
	}
	return false
}

func seqAt(toks []string, i int, words ...string) bool { return seq(toks, i, words...) }

// Third parties.

// relations are the words for someone close to the debtor.
var relations = map[string]bool{
	"mae": true, "pai": true, "esposa": true, "marido": true, "mulher": true, "irma": true, "irmao": true,
	"filho": true, "filha": true, "tia": true, "tio": true, "avo": true, "vo": true, "vovo": true,
	"neto": true, "neta": true, "vizinha": true, "vizinho": true, "amigo": true, "amiga": true,
	"namorado": true, "namorada": true, "noivo": true, "noiva": true, "sogra": true, "sogro": true,
	"cunhado": true, "cunhada": true, "prima": true, "primo": true, "sobrinho": true, "sobrinha": true,
	"patroa": true, "patrao": true, "chefe": true, "colega": true, "companheiro": true, "companheira": true,
	"madrasta": true, "padrasto": true, "enteado": true, "enteada": true, "genro": true, "nora": true,
	"esposo": true, "secretaria": true, "cuidadora": true, "cuidador": true, "parente": true, "familiar": true,
}

// thirdParty reports a message from someone speaking of the debtor: "sou
// a mãe dela", "aqui é o marido", "quem é Maria?".
func thirdParty(toks []string) bool {
	for i, t := range toks {
		if relations[t] {
			for j := i - 1; j >= 0 && j >= i-3; j-- {
				if toks[j] == breakToken {
					break
				}
				if toks[j] == "sou" || toks[j] == "aqui" || toks[j] == "falando" || toks[j] == "ele" || toks[j] == "ela" {
					return true
				}
			}
			switch tokAt(toks, i+1) {
			case "dele", "dela":
				return true
			}
		}
		if relations[t] && (tokAt(toks, i-1) == "minha" || tokAt(toks, i-1) == "meu") {
			// "é a minha tia", "ele é meu filho", "esse número agora é da minha mãe"
			// The verb right before, or before an article: "é" and the
			// conjunction "e" fold alike, so "… e fiquei preocupada, meu
			// neto" must not read as "é meu neto".
			j := i - 2
			if a := tokAt(toks, j); a == "a" || a == "o" || a == "da" || a == "do" {
				j--
			}
			if v := tokAt(toks, j); v == "e" && j > 0 && (toks[j-1] == "ela" || toks[j-1] == "ele" ||
				deviceWord(toks[j-1]) || toks[j-1] == "agora" || toks[j-1] == "isso" || toks[j-1] == "aqui" ||
				toks[j-1] == "essa" || toks[j-1] == "esse" || toks[j-1] == "quem" || toks[j-1] == "pessoa") || v == "era" {
				return true
			}
		}
		if (t == "por" || t == "pelo" || t == "pela") && answering(toks) {
			switch tokAt(toks, i+1) {
			case "ela", "ele", "meu", "minha", "dela", "dele":
				return true // "respondo por ela", "respondendo pelo meu pai"
			}
		}
		next := tokAt(toks, i+1)
		switch next {
		case "me", "te", "ja", "ainda", "so":
			next = tokAt(toks, i+2) // "ela me pediu"
		}
		if (t == "ele" || t == "ela") && (i == 0 || clauseStart(toks[i-1])) && absentVerb(next) {
			// "ela saiu", "ele não pode atender": someone speaking of the
			// person, who is not there.
			return true
		}
		if (t == "dono" || t == "dona" || t == "titular") && tokAt(toks, i-1) != "sou" && tokAt(toks, i-2) != "sou" {
			// "o dono desse celular tá viajando"
			switch tokAt(toks, i+1) {
			case "do", "da", "desse", "deste", "dessa", "desta":
				if deviceWord(tokAt(toks, i+2)) {
					return true
				}
			}
		}
		if t == "quem" && tokAt(toks, i+1) == "e" {
			// "quem é Maria?": a name the bot never said.
			n := tokAt(toks, i+2)
			if n == "" || n == breakToken {
				continue
			}
			if _, known := expansions[n]; !known && !isDigits(n) && len(n) >= 3 {
				return true
			}
		}
	}
	return false
}

// Dates that name no day.

// vagueDateSpan finds words that put a payment in a week, a month or a
// season without a day ("semana que vem", "em dezembro", "começo do ano",
// "essa semana"): the engine asks which day.
func vagueDateSpan(toks []string) (start, end int, ok bool) {
	for i, t := range toks {
		switch t {
		case "semana":
			if seq(toks, i+1, "que", "vem") {
				return i, i + 3, true
			}
			if tokAt(toks, i+1) == "seguinte" {
				return i, i + 2, true
			}
			if i > 0 {
				switch toks[i-1] {
				case "essa", "esta", "nessa", "nesta", "proxima", "outra":
					return i - 1, i + 1, true
				}
			}
		case "mes":
			if e, ok := nextMonthWords(toks, i); ok {
				return i, e, true
			}
			if i > 0 && (toks[i-1] == "proximo" || toks[i-1] == "outro") {
				return i - 1, i + 1, true
			}
		case "ano":
			if seq(toks, i+1, "que", "vem") {
				return i, i + 3, true
			}
			if i > 1 && (toks[i-1] == "do" || toks[i-1] == "de") {
				switch toks[i-2] {
				case "comeco", "inicio", "fim", "final":
					return i - 2, i + 1, true
				}
			}
		case "salario", "pagamento":
			// "quando cair o salário": covered as a promise phrase.
		default:
			if _, ok := months[t]; ok && len(t) > 3 {
				// A month alone: not after a day number ("15 de dezembro").
				p := tokAt(toks, i-1)
				if p == "de" {
					p = ""
					if i >= 2 {
						p = toks[i-2]
					}
				}
				if !isDigits(p) {
					if _, num := cardinals[p]; !num {
						return i, i + 1, true
					}
				}
			}
		}
	}
	return 0, 0, false
}

// payWord reports the words right before the day a debtor says they pay.
func payWord(t string) bool {
	switch t {
	case "pago", "pagar", "pagamento", "pagarei", "pix", "transfiro", "deposito", "acerto", "quito", "pagando":
		return true
	}
	return false
}

// promiseDate picks the day a message promises: when it states several,
// the one right after a verb of paying ("só recebo dia 5, pago dia 6"),
// else the first. It also reports whether the day was given as a
// correction ("não dia 15, só dia 20").
func promiseDate(toks []string, today time.Time) (d time.Time, start, end int, restated, ok bool) {
	prevEnd := -1
	first := true
	for i := 0; i < len(toks); i++ {
		dd, e := dateAt(toks, i, today)
		if e == i {
			continue
		}
		if !dd.IsZero() && !dateNegated(toks, i, e, prevEnd) && !dd.Before(today) &&
			dd.Sub(today) <= maxPromiseDays*24*time.Hour {
			byPay := false
			rest := false
			if !first && prevEnd == i && dayNumberAt(toks, i) {
				// "sexta que vem, dia 27": the day of the month says which.
				return dd, i, e, restated, true
			}
			if tokAt(toks, i-3) == "so" {
				rest = true // "só vou conseguir dia 10"
			}
			for j := i - 1; j >= 0 && j >= i-2; j-- {
				if payWord(toks[j]) {
					byPay = true
				}
				switch toks[j] {
				case "so", "somente", "apenas", "mas":
					rest = true
				case "pra", "para":
					switch tokAt(toks, j-1) {
					case "fica", "deixa", "muda", "passa", "joga", "troca", "adia", "mudar", "passar", "deixar", "ficar":
						rest = true // "falei sexta, mas fica pra segunda"
					}
				}
			}
			if first {
				d, start, end, restated, ok = dd, i, e, rest, true
				first = false
				if byPay {
					return
				}
			} else if byPay || rest {
				return dd, i, e, rest, true
			}
		}
		prevEnd = e
		i = e - 1
	}
	return
}

// mentionsData reports words for the document or personal data a debtor
// may not want to give.
func mentionsData(toks []string) bool {
	for _, t := range toks {
		switch t {
		case "cpf", "cnpj", "dados", "documento", "documentos", "rg", "numeros", "digitos":
			return true
		}
	}
	return false
}

// refusesToGive reports a negation before a verb of giving ("não vou ficar
// passando", "nem pensar em mandar").
func refusesToGive(toks []string) bool {
	neg := false
	for i, t := range toks {
		switch {
		case t == breakToken:
			neg = false
		case isNegator(t):
			neg = true
		case giveVerb(t):
			if neg {
				return true
			}
			// "vou passar cpf não": the negation closes the clause
			for j := i + 1; j <= i+4 && j < len(toks) && toks[j] != breakToken; j++ {
				if deniedAfter(toks, j) {
					return true
				}
			}
		}
	}
	return false
}

// clauseStart reports words after which a new clause (and its subject)
// begins.
func clauseStart(t string) bool {
	switch t {
	case breakToken, "e", "mas", "que", "so", "entao", "agora", "olha", "oi", "ola", "moca", "moco", "porque", "pois":
		return true
	}
	return false
}

// absentVerb reports what is said of a person who is not the one writing:
// away, busy, unreachable.
func absentVerb(t string) bool {
	switch t {
	case "nao", "saiu", "viajou", "esta", "foi", "volta", "voltou", "pode", "usa", "mora", "morreu", "faleceu",
		"trabalha", "pediu", "mandou", "disse", "falou", "se", "deixou", "esqueceu", "perdeu", "trocou", "mudou":
		return true
	}
	return false
}

// answering reports a verb of answering for someone else.
func answering(toks []string) bool {
	for _, t := range toks {
		switch t {
		case "atendo", "atendendo", "respondo", "respondendo", "falo", "falando", "escrevo", "escrevendo", "cuido":
			return true
		}
	}
	return false
}

// Token patterns that phrases cannot list.

// weakSignal reports the signals of chit-chat and bare answers, which give
// way to a longer keyword that overlaps them.
func weakSignal(s signal) bool {
	switch s {
	case sigNo, sigYes, sigGreeting, sigThanks, sigGoodbye, sigMenu:
		return true
	}
	return false
}

// overtaken reports whether the phrase p found at toks[i] should give way:
// a weak phrase whose tail starts a longer, stronger one ("agora não
// conheço essa pessoa" is not "agora não"), or "chega de" said of a time
// ("ele só chega de noite").
func overtaken(toks []string, i int, p phrase) bool {
	end := i + len(p.words)
	if p.sig == sigOptOut && len(p.words) == 1 && p.words[0] == "sair" {
		for j := i - 1; j >= 0 && j >= i-5 && toks[j] != breakToken; j-- {
			if toks[j] == "quando" || toks[j] == "que" && tokAt(toks, j-1) == "assim" {
				return true // "quando meu acerto da firma sair"
			}
		}
		switch tokAt(toks, i-1) {
		case "pagamento", "salario", "dinheiro", "terceiro", "beneficio", "ferias", "acerto", "rescisao",
			"aposentadoria", "quando", "assim", "que", "pagar", "ele", "ela", "pix", "vale", "adiantamento", "fgts", "eu":
			return true // "quando sair meu décimo terceiro", "assim que o pagamento sair"
		case "mandei", "digitei", "escrevi", "cliquei", "apertei", "coloquei":
			return true // "mandei sair sem querer"
		case "pra", "para":
			if p := tokAt(toks, i-2); p == "pedido" || p == "pedi" || p == "pedir" {
				return true // "eu tinha pedido pra sair, mas…"
			}
		}
		if n := tokAt(toks, i+2); tokAt(toks, i+1) == "do" && (n == "serasa" || n == "spc" || n == "scpc") {
			return true // "sair do serasa"
		}
	}
	if p.sig == sigOptOut && len(p.words) == 1 && p.words[0] == "parar" {
		if v := tokAt(toks, i-1); (v == "vai" || v == "vao" || v == "vou" || v == "foi") && (tokAt(toks, i+1) == "na" || tokAt(toks, i+1) == "no") {
			return true // "isso vai parar na justiça"
		}
	}
	if p.sig == sigOptOut && p.words[len(p.words)-1] == "de" {
		switch tokAt(toks, end) {
		case "noite", "tarde", "manha", "madrugada", "viagem", "trabalho", "servico", "madrugadinha":
			return true
		}
	}
	if !weakSignal(p.sig) || len(p.words) < 2 {
		return false
	}
	for k := i + 1; k < end; k++ {
		// A negation in p still flips a keyword after it ("não quero
		// falar com atendente"), so p stays when q can be negated.
		if q, ok := matchAt(toks, k); ok && k+len(q.words) > end && !weakSignal(q.sig) && q.neg == sigNone {
			return true
		}
	}
	return false
}

// seeYou reports a farewell that names when: "até amanhã então", "até
// segunda, obrigada".
func seeYou(toks []string) bool {
	// "tá bom então, até amanhã, tchau": leading acknowledgements.
	for len(toks) > 2 && toks[0] != "ate" {
		switch toks[0] {
		case "esta", "bom", "entao", "ok", "beleza", "certo", "combinado", breakToken, "obrigado", "valeu", "fechado":
			toks = toks[1:]
			continue
		}
		return false
	}
	if len(toks) < 2 || toks[0] != "ate" {
		return false
	}
	switch toks[1] {
	case "amanha", "segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo", "depois", "breve", "mais",
		"logo", "ja":
	default:
		return false
	}
	for _, t := range toks[2:] {
		switch t {
		case breakToken, "entao", "ne", "viu", "tchau", "beijos", "beijo", "abraco", "abracos", "obrigado", "valeu",
			"moca", "moco", "flor", "querida", "querido", "bom", "boa", "dia", "tarde", "noite", "ai", "la", "e",
			"gente", "pessoal", "falou", "se", "deus", "quiser", "feira":
			continue
		}
		return false
	}
	return true
}

// deviceWord reports the words for a phone line.
func deviceWord(t string) bool {
	switch t {
	case "numero", "chip", "celular", "telefone", "linha", "whatsapp", "contato":
		return true
	}
	return false
}

// newOwner reports someone who now has the debtor's old number: "comprei
// esse chip", "peguei esse número na operadora", "esse número agora é meu",
// "tô com esse número faz um ano".
func newOwner(toks []string) bool {
	for i, t := range toks {
		if !deviceWord(t) || i == 0 {
			continue
		}
		det := toks[i-1]
		demonstr := det == "esse" || det == "este" || det == "essa" || det == "esta"
		if !demonstr && det != "o" && det != "a" && det != "um" && det != "uma" && det != "novo" {
			continue
		}
		// a verb of getting the line, just before it
		for j := i - 2; j >= 0 && j >= i-4; j-- {
			v := toks[j]
			if v == breakToken {
				break
			}
			switch v {
			case "comprei", "peguei", "ganhei", "adquiri", "habilitei", "ativei", "comprado", "pegamos", "compramos",
				"comprar", "pegar", "habilitar", "ativar": // "acabei de comprar esse chip"
				if demonstr || t == "chip" || t == "linha" {
					return true
				}
			case "tenho", "uso", "temos", "usamos":
				// "tenho esse número faz 3 anos", "faz 2 anos que eu tenho esse número"
				if demonstr && timeAgo(toks) {
					return true
				}
			case "com":
				if demonstr && j > 0 && (toks[j-1] == "estou" || toks[j-1] == "fiquei" || toks[j-1] == "ficou") {
					return true
				}
			}
		}
		// "esse número (agora) é meu (agora / faz 2 anos)"
		if !demonstr {
			continue
		}
		now, mine := false, false
		for j := i + 1; j < len(toks) && j <= i+5; j++ {
			switch toks[j] {
			case breakToken:
				j = len(toks)
			case "agora", "faz", "ha", "desde":
				now = true
			case "meu", "minha":
				mine = mine || toks[j-1] == "e"
			}
		}
		if now && mine {
			return true
		}
	}
	return false
}

// relativeAway reports a relative of the writer said to be away: "meu
// marido tá dormindo", "minha esposa tá no trabalho", "meu filho não tá".
func relativeAway(toks []string) bool {
	for i, t := range toks {
		if !relations[t] {
			continue
		}
		if p := tokAt(toks, i-1); p != "meu" && p != "minha" && i > 0 && !clauseStart(p) {
			continue
		}
		k := i + 1
		switch tokAt(toks, k) {
		case "ja", "ainda", "so", "agora":
			k++
		}
		switch v := tokAt(toks, k); v {
		case "esta", "estava":
			switch tokAt(toks, k+1) {
			case "dormindo", "trabalhando", "viajando", "no", "na", "fora", "ocupado", "ocupada", "internado",
				"internada", "preso", "presa", "longe", "dirigindo", "saiu", "aqui", "em", "sem", "estudando":
				return true
			}
		case "nao":
			switch tokAt(toks, k+1) {
			case "esta", "pode", "mora", "usa", "atende", "se", "tem", "sabe":
				return true
			}
		case "saiu", "viajou", "morreu", "faleceu", "volta", "mudou", "foi", "chega":
			return true
		}
	}
	return false
}

// removeFromList reports a request to be taken off the contacts: a verb of
// removing and, in the same clause, the list or the number ("me tira dessa
// porcaria de lista", "apaga meu contato aí").
func removeFromList(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "tira", "tire", "tirar", "remove", "remova", "remover", "exclui", "exclua", "excluir", "apaga",
			"apague", "apagar", "retira", "retire", "retirar", "deleta", "delete", "deletar":
		default:
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+5; j++ {
			switch toks[j] {
			case breakToken:
				j = len(toks)
			case "lista", "listas", "cadastro", "cadastros", "sistema", "contatos", "base":
				return true
			case "numero", "telefone", "celular", "contato", "whatsapp":
				if p := toks[j-1]; p == "meu" || p == "esse" || p == "este" || p == "o" {
					return true
				}
			}
		}
	}
	return false
}

// leadingDigits reads a short message that starts with the one run of
// three or more digits and says nothing else the recogniser knows ("205
// confere", "205 e alguma coisa"): a verification answer.
func leadingDigits(toks []string, cover []signal) (string, bool) {
	if len(toks) == 0 || len(toks) > 8 || !digitLike(toks[0]) {
		return "", false
	}
	for i, t := range toks {
		if currencyWord(t) || t == "x" || t == "vezes" || t == "mes" || t == "por" {
			return "", false
		}
		switch cover[i] {
		case sigNone, sigYes, sigGreeting, sigThanks:
		default:
			return "", false
		}
	}
	return singleRun(toks)
}

// onlyWeak reports whether hits holds nothing but chit-chat and bare
// answers.
func onlyWeak(hits signals) bool {
	for s := signal(1); s < 64; s++ {
		if hits.has(s) && !weakSignal(s) && s != sigDrop {
			return false
		}
	}
	return true
}

// wrongTarget reports a word of error beside the person or the number:
// "errou de pessoa", "mandou pro número errado", "pessoa trocada".
func wrongTarget(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "errou", "erraram", "errado", "errada", "trocado", "trocada", "trocou", "trocaram", "erro":
		default:
			continue
		}
		if deniedAfter(toks, i+1) {
			continue // "número errado não, …"
		}
		for j := i - 2; j <= i+2; j++ {
			switch tokAt(toks, j) {
			case "pessoa", "numero", "contato", "telefone", "destinatario":
				return true
			}
		}
	}
	return false
}

// hardshipPattern reports being without income, or having lost it: "sem
// salário", "tô sem nada", "meu marido perdeu o emprego".
func hardshipPattern(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "sem":
			switch tokAt(toks, i+1) {
			case "salario", "emprego", "trabalho", "renda", "dinheiro", "grana", "nada", "servico", "trampo",
				"receber", "recebimento", "pagamento", "auxilio", "beneficio", "um":
				if tokAt(toks, i+1) != "um" || tokAt(toks, i+2) == "real" || tokAt(toks, i+2) == "centavo" {
					return true
				}
			}
		case "perdi", "perdeu", "perdemos", "perderam", "cortaram", "cortou":
			for j := i + 1; j <= i+3 && j < len(toks); j++ {
				switch toks[j] {
				case "emprego", "trabalho", "servico", "renda", "salario", "beneficio", "auxilio", "trampo":
					return true
				}
			}
		}
	}
	return false
}

// asksWhoSpeaks reports "quem" beside a verb of speaking or writing: "com
// quem eu tô falando", "quem tá escrevendo?".
func asksWhoSpeaks(toks []string) bool {
	for i, t := range toks {
		if t != "quem" {
			continue
		}
		for j := i + 1; j <= i+3 && j < len(toks); j++ {
			switch toks[j] {
			case "falando", "falo", "fala", "escrevendo", "escreve", "conversando", "converso", "mandando", "manda":
				return true
			case breakToken:
				j = len(toks)
			}
		}
	}
	return false
}

// sinceWord reports the words that put a date in the past as a start:
// "desde setembro", "desde o dia 5".
func sinceWord(t string) bool {
	return t == "desde"
}

// timeAgo reports a length of time already past: "faz 2 anos", "há um
// mês", "desde 2020".
func timeAgo(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "desde":
			return true
		case "faz", "ha":
			for j := i + 1; j <= i+3 && j < len(toks); j++ {
				switch toks[j] {
				case "anos", "ano", "meses", "mes", "tempo", "semanas", "semana", "dias", "muito":
					return true
				}
			}
		}
	}
	return false
}

// stopSending reports a plea to stop, in any person of the verb: "parem /
// pararem / parar de mandar", "me tirem da lista".
func stopSending(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "parem", "pararem", "parassem", "parar", "pare", "para":
			if tokAt(toks, i+1) != "de" {
				continue
			}
			switch tokAt(toks, i+2) {
			case "mandar", "enviar", "ligar", "me", "mandarem", "enviarem", "ligarem", "cobrar", "encher", "perturbar":
				return true
			}
		case "quero":
			// "não quero mais (saber dessas) mensagens"
			if i == 0 || !isNegator(toks[i-1]) {
				continue
			}
			for j := i + 1; j <= i+5 && j < len(toks); j++ {
				switch toks[j] {
				case "mensagem", "mensagens", "cobranca", "cobrancas", "lembrete", "lembretes", "contato":
					return true
				case breakToken:
					j = len(toks)
				}
			}
		case "tirem", "removam", "excluam", "apaguem", "retirem", "deletem":
			for j := i + 1; j <= i+4 && j < len(toks); j++ {
				switch toks[j] {
				case "lista", "cadastro", "numero", "contato", "sistema":
					return true
				}
			}
		}
	}
	return false
}

// presentPay reports "já pago" said of paying now ("manda o pix que eu já
// pago", "me passa que já pago"), not of having paid.
func presentPay(toks []string, i int) bool {
	p := tokAt(toks, i-1)
	if p == "eu" {
		p = tokAt(toks, i-2)
	}
	return p == "que" || p == "ai" || p == "e" || p == "entao" || p == "dai"
}

// acceptsMethod reports "aceita / aceitam / recebem" before a way of
// paying: "aceita transferência?", "vocês recebem em dinheiro?".
func acceptsMethod(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "aceita", "aceitam", "aceitar", "recebem", "pega", "pegam":
		default:
			continue
		}
		for j := i + 1; j <= i+3 && j < len(toks); j++ {
			switch toks[j] {
			case "transferencia", "ted", "doc", "deposito", "dinheiro", "especie", "picpay", "mercado", "pix", "debito",
				"credito", "cheque":
				return true
			}
		}
	}
	return false
}

// asksAbilities reports a short question of what the bot can do: "o que
// você pode fazer?", "o que dá pra fazer aqui?".
func asksAbilities(toks []string) bool {
	if len(toks) > 10 {
		return false
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i] != "o" || toks[i+1] != "que" {
			continue
		}
		for j := i + 2; j <= i+5 && j < len(toks); j++ {
			if toks[j] == "fazer" || toks[j] == "faz" || toks[j] == "oferece" || toks[j] == "resolve" {
				return true
			}
		}
	}
	return false
}

// deniedAfter reports a "não" that closes a clause at toks[i]: "número
// errado não, …" denies what came before it. (A phrase that starts with a
// negation keeps its meaning: "não conheço essa pessoa não".)
func deniedAfter(toks []string, i int) bool {
	return tokAt(toks, i) == "nao" && (i+1 == len(toks) || toks[i+1] == breakToken)
}

func giveVerb(t string) bool {
	switch t {
	case "passar", "passando", "passo", "dar", "dou", "informar", "informo", "mandar", "mando", "enviar",
		"envio", "fornecer", "forneco", "digitar", "digito", "falar", "falo", "compartilhar":
		return true
	}
	return false
}

// moneySent reads a verb of sending with money as its object: 1 when
// sent ("já mandei a grana"), 2 when to be sent ("sexta eu mando a
// grana"), 0 otherwise.
func moneySent(toks []string) int {
	for i, t := range toks {
		when := 0
		switch t {
		case "mandei", "enviei", "transferi", "depositei", "passei", "caiu":
			when = 1
		case "mando", "envio", "transfiro", "deposito", "passo", "mandarei", "enviarei":
			when = 2
		default:
			continue
		}
		for j := i + 1; j <= i+3 && j < len(toks); j++ {
			switch toks[j] {
			case "grana", "dinheiro", "bufunfa", "valor", "money", "dindin", "pagamento":
				return when
			case breakToken:
				j = len(toks)
			}
		}
	}
	return 0
}

// otherMethod reports a way of paying other than Pix named in the message
// ("cartão", "no débito", "na lotérica", "em dinheiro na loja").
func otherMethod(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "cartao", "credito", "debito", "loterica", "lotericas", "picpay", "cheque", "especie", "balcao":
			if t == "debito" && tokAt(toks, i-1) != "no" && tokAt(toks, i-1) != "com" && tokAt(toks, i-1) != "de" {
				continue // "meu débito" is the debt
			}
			return true
		case "dinheiro":
			if p := tokAt(toks, i-1); p == "em" || p == "no" || p == "com" {
				return true // "pagar em dinheiro"
			}
		case "loja", "agencia":
			if p := tokAt(toks, i-1); p == "na" && (hasTok(toks, "pagar") || hasTok(toks, "pago") || hasTok(toks, "ir")) {
				return true // "posso pagar na loja?"
			}
		}
	}
	return false
}

// requestsLink reports a request for something to be sent ("manda o
// link", "me envia"): wanting the thing, not asking whether it exists.
func requestsLink(toks []string) bool {
	for _, t := range toks {
		switch t {
		case "manda", "mande", "envia", "envie", "gera", "gere", "link":
			return true
		}
	}
	return false
}

// refusesPix reports Pix said with a negation: "não tenho pix", "não uso
// esse negócio de pix", "pix eu não confio".
func refusesPix(toks []string) bool {
	for i, t := range toks {
		if t != "pix" {
			continue
		}
		for j := i - 1; j >= 0 && j >= i-5 && toks[j] != breakToken; j-- {
			if isNegator(toks[j]) {
				return true
			}
		}
		for j := i + 1; j < len(toks) && j <= i+3 && toks[j] != breakToken; j++ {
			if isNegator(toks[j]) {
				return true
			}
		}
	}
	return false
}

// asksForCode reports a request for the Pix code itself: a verb of
// sending, generating or passing near "pix", or the key, the code, the QR.
func asksForCode(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "chave", "qr", "copia", "link":
			return true
		case "pix", "codigo":
			for j := i - 1; j >= 0 && j >= i-3; j-- {
				switch toks[j] {
				case "manda", "mande", "mandar", "envia", "envie", "enviar", "gera", "gere", "gerar", "passa", "passe",
					"passar", "me", "qual", "cade", "quero", "preciso", "faz", "faca":
					return true
				}
			}
		}
	}
	return false
}

// futurePaid reports payment words said of a day to come: "sexta tá
// pago" (after today) and "hoje à noite já pago" (today or later) are
// promises, not payments made.
func futurePaid(toks []string, day, today time.Time) bool {
	for i := 0; i+1 < len(toks); i++ {
		switch {
		case (toks[i] == "esta" || toks[i] == "fica") && (toks[i+1] == "pago" || toks[i+1] == "paga") &&
			tokAt(toks, i-1) != "ja":
			if day.After(today) {
				return true
			}
		case toks[i] == "ja" && toks[i+1] == "pago":
			if !day.Before(today) {
				return true
			}
		}
	}
	return false
}

// dropsCharge reports a plea to take a charge off: a verb of removing or
// lowering beside interest, a fine or a fee ("tem como tirar esses
// juros", "a multa, tira?", "abaixa os juros").
func dropsCharge(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "juros", "juro", "multa", "multas", "encargos", "acrescimo", "acrescimos", "taxa", "taxas":
		default:
			continue
		}
		for j := max(0, i-4); j < len(toks) && j <= i+3; j++ {
			switch toks[j] {
			case "tirar", "tira", "tiram", "tirem", "tirando", "retirar", "retira", "retiram", "abaixar", "abaixa",
				"baixar", "baixa", "diminuir", "diminui", "reduzir", "reduz", "perdoar", "perdoa", "perdoam", "isentar",
				"isenta", "zerar", "zera", "cortar", "corta", "abonar", "abona", "descontar", "desconta", "livrar":
				return true
			}
		}
	}
	return false
}

// amountGrew reports a message that sets what it was against what it is
// now: "era 300 e agora tá 480", "minha compra foi 1.200, como tá 1.900".
func amountGrew(toks []string) bool {
	first := -1
	for i := 0; i < len(toks); i++ {
		if _, next, _, ok := amountAt(toks, i); ok {
			if first < 0 {
				first = i
				i = next - 1
				continue
			}
			for j := first + 1; j < i; j++ {
				switch toks[j] {
				case "virou", "pulou", "subiu", "foi":
					if j == i-1 || tokAt(toks, j+1) == "pra" || tokAt(toks, j+1) == "para" || toks[j] == "virou" {
						return true // "a dívida de 300 virou 540"
					}
				case "agora", "hoje", "ficou", "esta", "ta", "veio", "vem", "cobrando":
					for k := max(0, first-3); k < first; k++ {
						switch toks[k] {
						case "era", "foi", "compra", "comprei", "custava", "custou", "devia", "original", "valor":
							return true
						}
					}
				}
			}
			return hasTok(toks, "era") && (hasTok(toks, "esta") || hasTok(toks, "agora"))
		}
	}
	return false
}

// hourMention reports a time of day: "18h", "depois das 6", "às 20:00".
func hourMention(toks []string) bool {
	for i, t := range toks {
		n := len(t)
		if n >= 2 && n <= 5 && t[n-1] == 'h' && isDigits(t[:n-1]) {
			return true
		}
		if isDigits(t) && len(t) <= 2 {
			switch tokAt(toks, i-1) {
			case "das", "as":
				switch tokAt(toks, i-2) {
				case "depois", "antes", "ate", "apos", "partir":
					return true
				}
			}
			if h := tokAt(toks, i+1); h == "horas" || h == "hora" {
				return true
			}
		}
	}
	return false
}

// dayWord reports a weekday or weekend named in the message.
func dayWord(toks []string) bool {
	for _, t := range toks {
		switch t {
		case "sabado", "domingo", "feriado", "feriados", "fim", "sabados", "domingos":
			return true
		}
	}
	return false
}

// ownBusiness reports the writer speaking of their own debt in the first
// person ("minha conta", "eu só consigo pagar", "tô devendo"): whoever
// else they mention, the debtor is writing.
func ownBusiness(toks []string) bool {
	for i, t := range toks {
		switch t {
		case "minha", "minhas", "meu", "meus":
			switch tokAt(toks, i+1) {
			case "conta", "contas", "divida", "dividas", "debito", "parcela", "parcelas", "aposentadoria", "salario",
				"beneficio", "compra", "acordo":
				return true
			}
		case "devo", "devendo":
			if p := tokAt(toks, i-1); p == "eu" || p == "estou" || p == "que" || p == "quanto" {
				return true
			}
		case "consigo", "pago":
			if tokAt(toks, i-1) == "eu" || tokAt(toks, i-2) == "eu" {
				return true
			}
		}
	}
	return false
}

// whyValue reports a why-question about the amount: "por que esse
// valor?", "pq tá esse valor todo?".
func whyValue(toks []string) bool {
	for i, t := range toks {
		if t != "porque" && t != "que" && t != "onde" {
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+4 && toks[j] != breakToken; j++ {
			if toks[j] == "valor" || toks[j] == "preco" {
				return true
			}
		}
	}
	return false
}

// whenIncome reports a payment tied to money arriving: "assim que o
// pagamento cair", "quando sair meu décimo terceiro".
func whenIncome(toks []string) bool {
	for i, t := range toks {
		if t != "quando" && !(t == "que" && tokAt(toks, i-1) == "assim") {
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+5 && toks[j] != breakToken; j++ {
			switch toks[j] {
			case "cair", "sair", "entrar", "receber", "pingar", "chegar", "depositarem", "pagarem", "arrumar", "arranjar",
				"conseguir", "tiver":
				return true
			}
		}
	}
	return false
}

// hundredsDigits reads three digits said as one number: "trezentos e
// doze" → "312".
func hundredsDigits(toks []string) (string, bool) {
	i := 0
	for i < len(toks) && (toks[i] == breakToken || digitFiller(toks[i])) && hundreds[toks[i]] == 0 {
		i++
	}
	if i >= len(toks) || hundreds[toks[i]] == 0 {
		return "", false
	}
	v, next, ok := wordNumber(toks, i)
	if !ok || v < 100 || v > 999 || !onlyFiller(toks, i, next) {
		return "", false
	}
	return strconv.Itoa(v), true
}

// namedAway reports a person named by the writer who is away or gone: "o
// Jorge saiu dessa casa", "a Sandra mora em outro lugar".
func namedAway(toks []string) bool {
	for i := 1; i+1 < len(toks); i++ {
		if a := toks[i-1]; a != "o" && a != "a" {
			continue
		}
		n := toks[i]
		if _, known := expansions[n]; known || len(n) < 3 || !isLetters(n) || relations[n] {
			continue
		}
		switch toks[i+1] {
		case "saiu", "mora", "morreu", "faleceu", "mudou", "viajou", "foi", "nao", "trabalha", "esta":
			if toks[i+1] == "esta" || toks[i+1] == "nao" {
				switch tokAt(toks, i+2) {
				case "preso", "presa", "internado", "internada", "viajando", "trabalhando", "mora", "esta", "usa",
					"recolhido", "recolhida", "morando", "fora":
				default:
					continue
				}
			}
			return true
		}
	}
	return false
}

// dayNumberAt reports "dia N" or "N/M" at toks[i].
func dayNumberAt(toks []string, i int) bool {
	t := tokAt(toks, i)
	return t == "dia" || strings.IndexByte(t, '/') > 0 || isDigits(t)
}

// keyNeighbours are the letters next to each one on a phone's QWERTY
// keyboard.
var keyNeighbours = func() [256]string {
	var k [256]string
	rows := []string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}
	for r, row := range rows {
		for i := 0; i < len(row); i++ {
			var b []byte
			if i > 0 {
				b = append(b, row[i-1])
			}
			if i+1 < len(row) {
				b = append(b, row[i+1])
			}
			if r > 0 && i < len(rows[r-1]) {
				b = append(b, rows[r-1][i])
			}
			if r+1 < len(rows) && i < len(rows[r+1]) {
				b = append(b, rows[r+1][i])
			}
			k[row[i]] = string(b)
		}
	}
	return k
}()

// onlyFrom reports that every word giving sig in the message is one of
// words: "me deixa em paz" is the only opt-out, "parcela" the only
// installments word, "robô" the only wish for a person.
func onlyFrom(toks []string, cover []signal, sig signal, words ...string) bool {
	for i, t := range toks {
		if cover[i] == sig && !slices.Contains(words, t) {
			return false
		}
	}
	return true
}
