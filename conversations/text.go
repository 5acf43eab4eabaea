package conversations

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxInputRunes bounds how much of a message is looked at. Debtors' answers
// are short; a pasted 10,000-character message must not cost more than a
// short one, and whatever matters is at its start.
const maxInputRunes = 500

// breakToken marks a clause boundary (",", ".", "?", "!", ";", new line) in
// the recogniser's internal token stream, so that a negation in one clause
// does not flip a keyword in the next ("não, quero parcelar"). Normalize's
// public output never contains it.
const breakToken = "."

// Normalize folds a chat message to the form the recogniser works on:
//
//   - at most the first 500 runes are considered;
//   - invalid UTF-8 bytes are read as Latin-1/Windows-1252 letters when they
//     are one ("n\xe3o" → "nao") and dropped otherwise;
//   - lower case, accents folded (ç→c, ã→a, é→e, ñ→n), combining marks dropped;
//   - punctuation and emoji become spaces, except: "/" and ":" between digits
//     are kept (dates, times), "." and "-" between digits are dropped so that a
//     punctuated CPF stays one number ("123.456" → "123456"), "d+" is kept for
//     its expansion, and a few emoji that answer a question become words
//     (👍 👌 ✅ ✔ 🆗 → "ok", 👎 ❌ 🚫 → "nao");
//   - a letter repeated three times or more is cut to two ("simmm" → "simm"),
//     and a word that is a known word once its doubled letters are collapsed
//     becomes that word ("simm" → "sim", "oii" → "oi", "naao" → "nao");
//   - common chat abbreviations and typos are expanded word by word ("vc" →
//     "voce", "qto" → "quanto", "pq" → "porque", "hj" → "hoje", "obg" →
//     "obrigado", "n" and "ñ" → "nao", "d+" → "demais", "ta" → "esta", …);
//   - runs of spaces are collapsed and the result is trimmed.
//
// Number words ("dois", "vinte e cinco") are left as words; the recogniser
// reads them. Normalize is idempotent on outputs shorter than the input cap.
func Normalize(s string) string {
	var stack [512]byte
	b := appendNormalized(stack[:0], s, false)
	if len(b) == 0 {
		return ""
	}
	return string(b)
}

// latin1Fold maps U+00C0..U+00FF to an ASCII letter, or 0 for a separator
// (× ÷ Þ þ).
const latin1Fold = "aaaaaaaceeeeiiii" + "dnooooo\x00ouuuuy\x00s" +
	"aaaaaaaceeeeiiii" + "dnooooo\x00ouuuuy\x00y"

// Emoji that carry an answer.
func emojiWord(r rune) string {
	switch r {
	case 0x1F44D, 0x1F44C, 0x2705, 0x2714, 0x1F197, 0x2611:
		return "ok"
	case 0x1F44E, 0x274C, 0x1F6AB, 0x2716, 0x274E:
		return "nao"
	case 0x1F64F: // 🙏, thanks (or please) in Brazilian chats
		return "obrigado"
	}
	return ""
}

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }

// maxTokenBytes bounds one word. No keyword is that long; a longer run of
// letters or digits is cut (at a rune boundary, so that the cut is stable).
const maxTokenBytes = 64

// normalizer holds the word being read. The word lives in a fixed array,
// and the output is passed along rather than kept here (escape analysis
// would otherwise move the caller's stack buffer to the heap), so that
// normalising allocates nothing beyond its result.
type normalizer struct {
	tok          [maxTokenBytes]byte
	tl           int
	breaks       bool
	pendingBreak bool
}

// flush ends the current token: expands it and appends it to dst.
func (n *normalizer) flush(dst []byte) []byte {
	if n.tl == 0 {
		return dst
	}
	tok := n.tok[:n.tl]
	word, ok := expansions[string(tok)]
	if !ok {
		if sq, sl, changed := squash(tok); changed {
			if w, found := expansions[string(sq[:sl])]; found {
				word, ok = w, true
			}
		}
	}
	if !ok {
		// A typing slip next to a keyword ("parclar", "comprovnate"), or
		// a spelling by ear ("negosiar").
		word, ok = fuzzyWord(tok)
		if !ok {
			word, ok = soundWord(tok)
		}
		if !ok {
			word, ok = diminutiveWord(tok) // "acordinho", "pixzinho"
		}
	}
	if len(dst) > 0 {
		if n.pendingBreak {
			dst = append(dst, ' ', breakToken[0])
		}
		dst = append(dst, ' ')
	}
	n.pendingBreak = false
	if ok {
		dst = append(dst, word...)
	} else {
		dst = append(dst, tok...)
	}
	n.tl = 0
	return dst
}

// add appends bytes to the current token unless it is full.
func (n *normalizer) add(b ...byte) {
	if n.tl+len(b) <= maxTokenBytes {
		n.tl += copy(n.tok[n.tl:], b)
	}
}

// addRune appends a rune to the current token unless it is full.
func (n *normalizer) addRune(r rune) {
	var buf [utf8.UTFMax]byte
	k := utf8.EncodeRune(buf[:], r)
	n.add(buf[:k]...)
}

// word appends a whole word as its own token.
func (n *normalizer) word(dst []byte, w string) []byte {
	dst = n.flush(dst)
	n.add([]byte(w)...)
	return n.flush(dst)
}

// clause ends the token and, for the recogniser, records a clause boundary.
func (n *normalizer) clause(dst []byte) []byte {
	dst = n.flush(dst)
	if n.breaks {
		n.pendingBreak = true
	}
	return dst
}

// letter appends an ASCII letter, cutting runs of three or more to two.
func (n *normalizer) letter(c byte) {
	if k := n.tl; k >= 2 && n.tok[k-1] == c && n.tok[k-2] == c {
		return
	}
	n.add(c)
}

// lastIsDigit reports whether the current token ends with a digit.
func (n *normalizer) lastIsDigit() bool {
	return n.tl > 0 && isASCIIDigit(n.tok[n.tl-1])
}

// foldedLetter appends a lower-case letter, folding what lands in ASCII or
// Latin-1 (the Kelvin sign, "Å" as the Ångström sign) the way the ASCII and
// Latin-1 paths do, so that Normalize stays idempotent.
func (n *normalizer) foldedLetter(dst []byte, l rune) []byte {
	switch {
	case l < utf8.RuneSelf:
		n.letter(byte(l))
	case l >= 0xC0 && l <= 0xFF:
		if f := latin1Fold[l-0xC0]; f != 0 {
			n.letter(f)
		} else {
			dst = n.flush(dst)
		}
	default:
		n.addRune(l)
	}
	return dst
}

// squash collapses doubled ASCII letters used for emphasis ("simm" → "sim",
// "naao" → "nao"). Doubled "r" and "s" are Portuguese spelling ("carro",
// "pessoa") and are only collapsed at the end of a word ("pagarr"). It
// reports whether anything changed.
func squash(tok []byte) (out [maxTokenBytes]byte, n int, changed bool) {
	for i, c := range tok {
		if i > 0 && c == tok[i-1] && c >= 'a' && c <= 'z' &&
			(c != 'r' && c != 's' || i == len(tok)-1) {
			changed = true
			continue
		}
		out[n] = c
		n++
	}
	return out, n, changed
}

// appendNormalized appends the normalised form of s to dst. With breaks set,
// clause punctuation is kept as breakToken between tokens.
func appendNormalized(dst []byte, s string, breaks bool) []byte {
	n := normalizer{breaks: breaks}
	runes := 0
	for i := 0; i < len(s) && runes < maxInputRunes; runes++ {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z':
				n.letter(c)
			case c >= 'A' && c <= 'Z':
				n.letter(c + 'a' - 'A')
			case isASCIIDigit(c):
				n.add(c)
			case c == '/' || c == ':':
				if n.lastIsDigit() && i < len(s) && isASCIIDigit(s[i]) {
					n.add(c)
				} else {
					dst = n.flush(dst)
				}
			case c == '.' || c == '-':
				if n.lastIsDigit() && i < len(s) && isASCIIDigit(s[i]) {
					continue // joins a punctuated number
				}
				if c == '.' {
					dst = n.clause(dst)
				} else {
					dst = n.flush(dst)
				}
			case c == '+':
				if n.tl == 1 && n.tok[0] == 'd' {
					n.add('+')
				}
				dst = n.flush(dst)
			case c == ',':
				if n.lastIsDigit() && i < len(s) && isASCIIDigit(s[i]) {
					dst = n.flush(dst) // "1,50": a number, not a clause
				} else {
					dst = n.clause(dst)
				}
			case c == '?' || c == '!' || c == ';' || c == '\n':
				dst = n.clause(dst)
			default:
				dst = n.flush(dst)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Not UTF-8: most likely Latin-1 or Windows-1252 text.
			r = rune(c)
		}
		i += size
		switch {
		case r >= 0xC0 && r <= 0xFF:
			if f := latin1Fold[r-0xC0]; f != 0 {
				n.letter(f)
			} else {
				dst = n.flush(dst)
			}
		case r == 0xAA: // ª as in "2ª via"
			n.letter('a')
		case r == 0xBA: // º as in "1º"
			n.letter('o')
		case r == 0xBF || r == 0xA1: // ¿ ¡
			dst = n.clause(dst)
		case r == 0x2026: // …
			dst = n.clause(dst)
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			// Combining accents, variation selectors, the keycap of "2️⃣":
			// dropped without splitting the word.
		case unicode.IsLetter(r):
			dst = n.foldedLetter(dst, unicode.ToLower(r))
		default:
			if w := emojiWord(r); w != "" {
				dst = n.word(dst, w)
			} else {
				dst = n.flush(dst)
			}
		}
	}
	dst = n.flush(dst)
	return dst
}

// expansions maps a chat token to what the recogniser should read. It also
// holds every word the recogniser knows as an identity entry, so that the
// doubled-letter fallback in flush can recognise "simm" or "oii". It is built
// once and never written afterwards.
var expansions = buildExpansions()

var abbreviations = map[string]string{
	// pronouns, small words
	"vc": "voce", "vcs": "voces", "voc": "voce", "ce": "voce", "tu": "voce", "oce": "voce",
	"ae": "ai", "aew": "ai", "cel": "celular", "zap": "whatsapp", "zapzap": "whatsapp", "wpp": "whatsapp",
	"whats": "whatsapp", "wts": "whatsapp", "tel": "telefone",
	"q": "que", "pq": "porque", "pqe": "porque", "oq": "o que", "oque": "o que",
	"qdo": "quando", "qnd": "quando", "qd": "quando", "qndo": "quando",
	"qual": "qual", "ql": "qual", "qlq": "qualquer",
	"td": "tudo", "tdo": "tudo", "tds": "todos", "tdb": "tudo bem", "tudobem": "tudo bem",
	"eh": "e", "mt": "muito", "mto": "muito", "mta": "muita", "mtos": "muitos",
	"tb": "tambem", "tbm": "tambem", "tmb": "tambem",
	"msm": "mesmo", "cmg": "comigo", "ctg": "contigo", "ngm": "ninguem",
	"agr": "agora", "dps": "depois", "dpois": "depois", "dpsi": "depois",
	"vdd": "verdade", "ctz": "certeza", "pd": "pode", "pdc": "pode",
	"ta": "esta", "tah": "esta", "to": "estou", "tou": "estou", "tava": "estava",
	"pfv": "por favor", "pfvr": "por favor", "pf": "por favor", "porfavor": "por favor",
	"pls": "por favor", "plis": "por favor",
	"msg": "mensagem", "msgs": "mensagens", "mensagen": "mensagem",
	"denovo": "de novo",
	// quantities
	"qto": "quanto", "qnt": "quanto", "qnto": "quanto", "qt": "quanto", "qtd": "quanto",
	"qtos": "quantos", "qntos": "quantos", "qtas": "quantas", "qnts": "quantas", "qntas": "quantas",
	"d+": "demais",
	// yes / no
	"n": "nao", "nn": "nao", "naum": "nao", "nau": "nao", "nop": "nao",
	"ss": "sim", "sm": "sim", "simsim": "sim",
	"blz": "beleza", "bls": "beleza", "beleza": "beleza",
	"okey": "ok", "okay": "ok", "oky": "ok", "okk": "ok", "oks": "ok", "k": "ok", "kk": "kk",
	"uhum": "uhum", "aham": "aham", "hum": "hum",
	// thanks, goodbye, greetings
	"obg": "obrigado", "obgd": "obrigado", "obgda": "obrigado", "obgdo": "obrigado",
	"obrigada": "obrigado", "brigado": "obrigado", "brigada": "obrigado", "obrigadao": "obrigado", "brigadao": "obrigado",
	"vlw": "valeu", "vlws": "valeu", "valew": "valeu",
	"flw": "falou", "flws": "falou", "xau": "tchau", "tchao": "tchau", "tchal": "tchau",
	"bjs": "beijos", "bj": "beijo", "abs": "abraco",
	"ola": "ola", "olah": "ola", "oie": "oi", "oiee": "oi", "eae": "e ai", "eai": "e ai", "iae": "e ai",
	"qm": "quem", "qem": "quem",
	"bd": "bom dia", "bomdia": "bom dia", "boatarde": "boa tarde", "boanoite": "boa noite",
	// dates
	"hj": "hoje", "hje": "hoje", "amn": "amanha", "amnh": "amanha", "amh": "amanha", "amanhan": "amanha",
	"amanhaa": "amanha",
	"seg":     "segunda", "sab": "sabado", "dom": "domingo", "sex": "sexta",
	"prox": "proxima", "prx": "proxima", "smn": "semana",
	"fds": "fim de semana", "ate": "ate",
	// money words
	"pgto": "pagamento", "pgt": "pagamento", "pagto": "pagamento", "pagam": "pagamento",
	"pagr": "pagar", "pga": "pagar",
	"pics": "pix", "piks": "pix", "pixi": "pix", "piquis": "pix", "pixs": "pix",
	"bolet": "boleto", "boletu": "boleto", "boletoo": "boleto", "bolto": "boleto",
	"parsela": "parcela", "parselas": "parcelas", "parselar": "parcelar", "pacelar": "parcelar",
	"parcelamentu": "parcelamento", "parselamento": "parcelamento", "parcelameto": "parcelamento",
	"divda": "divida", "dvida": "divida",
	"atendete": "atendente", "atedente": "atendente", "atendenti": "atendente",
	"comprovate": "comprovante", "conprovante": "comprovante",
	"golpi": "golpe", "reconheso": "reconheco", "conheso": "conheco", "sesta": "sexta",
	"qrcode":  "qr code",
	"brigadu": "obrigado", "brigadinho": "obrigado", "obrigadu": "obrigado", "buleto": "boleto",
	"treis": "tres", "duzentao": "duzentos", "trezentao": "trezentos", "quinhentao": "quinhentos", "cemzao": "cem", "saor": "sair", "siar": "sair", "sairr": "sair", "vlr": "valor", "finalzinho": "final", "fimzinho": "fim", "comecinho": "comeco", "tersa": "terca", "terssa": "terca", "sinco": "cinco", "cinku": "cinco", "seiz": "seis", "contato": "contato", "treys": "tres", "nd": "nada", "nda": "nada", "sabe": "sabe",
}

// commonWords are everyday words a typing-slip correction must leave alone
// ("gente" is not "agente", "faltou" is not "falou"): words one letter
// away from a keyword, and the inflections of the verbs debtors use.
var commonWords = strings.Fields(`gente agente perto certo certa aperto faltou faltava faltaram faltam falta faltar
	falei falamos falaram falava pagaram pagou pagamos pagava pagavam pagasse pagariam pagarem pagaremos
	paguei paguem pague pagam pagas devia devemos deviam deveria deve devem devo devi deveu
	liguei ligou ligaram ligam ligando ligo ligasse recebeu receberam recebemos recebia recebido recebida
	conseguia consegui conseguiu conseguimos conseguem conseguindo entende entendo entendeu entendemos
	entendido nenhuma nenhum dessas desses destas destes coisas coisa pareceu parece parecem contas conta pessoas pessoal avisou avisei
	avisaram vencido vencida vencidos vencidas vencendo venceram vencem enviei enviou enviaram mandei
	mandou mandaram mandem mandamos mandava cobrar cobram cobrou cobraram cobrando cobre cobro
	cancelou cancelaram cancelado cancelada quitou quitaram quitado quitamos parcelei parcelou parcelaram
	negociei negociou negociaram transferiu transferiram depositou depositaram comprei comprou compraram
	comprar comprando compro comprado comprada vender pegar usar contratei contratou contratado assinei assinou assinado trabalho trabalhando
	trabalhou trabalhei trabalhar trabalha trabalham desculpa desculpe obrigada certinho tranquilo
	tranquila esperando espera esperar aguardando aguardo semana semanas mesmo mesma ainda sempre nunca
	talvez agora depois antes ontem hoje amanha cedo tarde noite manha dinheiro banco bancos cartao
	salario emprego familia marido esposa filhos filhas pais mae pai irmao irma amigo amiga vizinho
	nome nomes numero numeros telefone celular mensagem mensagens whatsapp zap conversa conversar
	resolver resolvido resolvida problema problemas verdade mentira serio seria tudo nada algum alguma
	alguns algumas muito muita pouco pouca mais menos bem mal melhor pior junto sozinho sozinha
	ficar fica ficou ficam saiu entrar entrou voltou voltei sabe sabia saber sabemos pode podia poderia
	podem posso preciso precisa precisava quero queria quis queremos tenho tinha temos tem tinham estou
	estava estamos estao fazer fiz fez faz fazendo feito feita passou passei passaram apaguei apagou apagar apaguem apertei apertou apertar aperta cliquei`)

// buildExpansions merges the abbreviations with identity entries for every
// word the recogniser looks for.
func buildExpansions() map[string]string {
	m := make(map[string]string, len(abbreviations)+512)
	for _, p := range phraseSpecs {
		forEachPhrase(p.list, func(words []string) {
			for _, w := range words {
				m[w] = w
			}
		})
	}
	for _, w := range knownWords {
		m[w] = w
	}
	for _, w := range commonWords {
		if _, ok := m[w]; !ok {
			m[w] = w
		}
	}
	for k, v := range abbreviations {
		m[k] = v
	}
	// What an abbreviation stands for is a known word too: it is never
	// corrected as a typing slip.
	for _, v := range abbreviations {
		forEachPhrase(v, func(words []string) {
			for _, w := range words {
				if _, ok := m[w]; !ok {
					m[w] = w
				}
			}
		})
	}
	return m
}
