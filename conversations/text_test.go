package conversations

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"spaces", " \t\n  ", ""},
		{"only emoji", "😀🎉❤️", ""},
		{"praying hands are thanks", "🙏🏽", "obrigado"},
		{"only punctuation", "?!... ;;", ""},
		{"lower case", "QUANTO EU DEVO", "quanto eu devo"},
		{"accents", "Não reconheço a cobrança, já paguei à vista", "nao reconheco a cobranca ja paguei a vista"},
		{"more accents", "Á À Â Ã Ä é ê è í ï ó ô õ ö ú ü ç ñ", "a a a a a e e e i i o o o o u u c nao"},
		{"accents inside words", "ÀTÉ AMANHÃ, PÊSSEGO", "ate amanha pessego"},
		{"combining marks", "na\u0303o reconhec\u0327o", "nao reconheco"},
		{"emoji between words", "oi😀tudo bem", "oi tudo bem"},
		{"answer emoji", "👍", "ok"},
		{"answer emoji with skin tone", "👍🏼", "ok"},
		{"negative emoji", "❌", "nao"},
		{"keycap", "2️⃣", "2"},
		{"whitespace collapsed", "  pago \t\t dia   10  ", "pago dia 10"},
		{"date kept", "pago 15/12/2026 às 10:30", "pago 15/12/2026 as 10:30"},
		{"slash between words", "boleto e/ou pix", "boleto e ou pix"},
		{"cpf prefix joined", "123.456", "123456"},
		{"cpf joined", "123.456.789-09", "12345678909"},
		{"cnpj keeps slash", "12.345.678/0001-90", "12345678/000190"},
		{"money", "R$ 1.234,56", "r 1234 56"},
		{"hyphenated weekday", "segunda-feira", "segunda feira"},
		{"ordinal signs", "2ª via, 1º", "2a via 1o"},
		{"abbreviations", "vc sabe qto q eu devo pq td ta caro hj", "voce sabe quanto que eu devo porque tudo esta caro hoje"},
		{"more abbreviations", "obg vlw blz tbm dps agr msg", "obrigado valeu beleza tambem depois agora mensagem"},
		{"n is nao", "n quero", "nao quero"},
		{"enye is nao", "ñ", "nao"},
		{"d+", "muito bom d+", "muito bom demais"},
		{"plus elsewhere", "1+1", "1 1"},
		{"repeated letters", "simmmmm", "sim"},
		{"repeated greeting", "oiiiii", "oi"},
		{"repeated negation", "nãããão", "nao"},
		{"legit double letters kept", "isso pessoa carro", "isso pessoa carro"},
		{"emphasis on a known word", "pessoaa parcelarr obrigadoo", "pessoa parcelar obrigado"},
		{"long token cut", strings.Repeat("a", 100) + " " + strings.Repeat("9", 100), "a " + strings.Repeat("9", 64)},
		{"unknown doubled word kept", "kkkkkk", "kk"},
		{"numbers in words kept", "dia vinte e cinco", "dia vinte e cinco"},
		{"latin-1 bytes", "n\xe3o reconhe\xe7o", "nao reconheco"},
		{"windows-1252 upper", "COBRAN\xc7A", "cobranca"},
		{"invalid bytes dropped", "pix\x80\x81\x9f", "pix"},
		{"invalid high byte read as latin-1", "pix\xff", "pixy"},
		{"truncated utf-8", "sim \xe2\x82", "sim a"},
		{"replacement char", "a\uFFFDb", "a b"},
		{"other scripts lower-cased", "ПРИВЕТ", "привет"},
		{"kelvin sign", "\u212Aelvin", "kelvin"},
		{"angstrom sign", "\u212B", "a"},
		{"fullwidth and symbols", "pix™ © ®", "pix"},
		{"zero width joiner", "sim\u200dnão", "sim nao"},
		{"fds", "fds", "fim de semana"},
		{"qrcode", "qrcode", "qr code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize not idempotent: %q → %q → %q", tt.in, got, again)
			}
		})
	}
}

func TestNormalizeLongMessage(t *testing.T) { // not parallel: AllocsPerRun
	long := strings.Repeat("Ação ", 2000) // 10,000 runes
	if n := utf8.RuneCountInString(long); n != 10000 {
		t.Fatalf("test message has %d runes", n)
	}
	got := Normalize(long)
	if want := Normalize(string([]rune(long)[:maxInputRunes])); got != want {
		t.Errorf("Normalize(10,000 runes) = %d bytes, not the normalised first %d runes", len(got), maxInputRunes)
	}
	if len(got) > 2*maxInputRunes {
		t.Errorf("Normalize(10,000 runes) is %d bytes long", len(got))
	}
	allocs := testing.AllocsPerRun(20, func() { Normalize(long) })
	if allocs > 2 {
		t.Errorf("Normalize(10,000 runes) allocates %.0f times", allocs)
	}
}

// Every expansion must be a fixed point, or Normalize would not be
// idempotent.
func TestExpansionsAreFixedPoints(t *testing.T) {
	t.Parallel()
	for k, v := range abbreviations {
		if k != strings.ToLower(k) || strings.ContainsAny(k, " ") {
			t.Errorf("abbreviation key %q must be one lower-case token", k)
		}
		if got := Normalize(v); got != v {
			t.Errorf("expansion %q → %q normalises again to %q", k, v, got)
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Normalize(benchMessages[i%len(benchMessages)])
		i++
	}
}

func BenchmarkNormalizeLong(b *testing.B) {
	long := strings.Repeat("Não reconheço essa cobrança 😡 ", 400)
	b.ReportAllocs()
	for b.Loop() {
		Normalize(long)
	}
}
