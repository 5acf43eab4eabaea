package conversations

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// tableToday is the "today" of testdata/intents.txt: a Wednesday.
var tableToday = time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)

type intentCase struct {
	line int
	text string
	want Intent
}

// loadIntentTable reads testdata/intents.txt: "expected | message" lines.
func loadIntentTable(t testing.TB) []intentCase {
	t.Helper()
	f, err := os.Open("testdata/intents.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []intentCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		exp, text, ok := strings.Cut(line, " | ")
		if !ok {
			exp, text, ok = strings.Cut(line, " |")
		}
		if !ok {
			t.Fatalf("intents.txt:%d: no \" | \" separator", n)
		}
		fields := strings.Fields(exp)
		want := Intent{Kind: IntentKind(fields[0])}
		if !want.Kind.Valid() {
			t.Fatalf("intents.txt:%d: unknown kind %q", n, fields[0])
		}
		if len(fields) > 1 {
			arg := fields[1]
			switch want.Kind {
			case IntentNumber, IntentInstallments:
				v, err := strconv.Atoi(arg)
				if err != nil {
					t.Fatalf("intents.txt:%d: %v", n, err)
				}
				want.Number = v
			case IntentDigits:
				want.Digits = arg
			case IntentPromise, IntentPayPix, IntentBoleto:
				if arg != "-" {
					d, err := time.Parse(time.DateOnly, arg)
					if err != nil {
						t.Fatalf("intents.txt:%d: %v", n, err)
					}
					want.Date = d
				}
			default:
				t.Fatalf("intents.txt:%d: %s takes no argument", n, want.Kind)
			}
		}
		cases = append(cases, intentCase{line: n, text: text, want: want})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func formatIntent(in Intent) string {
	s := string(in.Kind)
	if in.Number != 0 {
		s += fmt.Sprintf(" number=%d", in.Number)
	}
	if !in.Date.IsZero() {
		s += " date=" + in.Date.Format(time.DateOnly)
	}
	if in.Digits != "" {
		s += " digits=" + in.Digits
	}
	return s
}

func sameIntent(a, b Intent) bool {
	return a.Kind == b.Kind && a.Number == b.Number && a.Date.Equal(b.Date) && a.Digits == b.Digits
}

func TestRecognizeTable(t *testing.T) {
	t.Parallel()
	r := NewRecognizer()
	cases := loadIntentTable(t)
	if len(cases) < 150 {
		t.Fatalf("only %d cases in testdata/intents.txt", len(cases))
	}
	kinds := map[IntentKind]int{}
	for _, c := range cases {
		kinds[c.want.Kind]++
		t.Run(fmt.Sprintf("%03d_%s", c.line, c.text), func(t *testing.T) {
			got := r.Recognize(c.text, tableToday)
			if !sameIntent(got, c.want) {
				t.Errorf("intents.txt:%d: Recognize(%q) = %s, want %s (normalised %q)",
					c.line, c.text, formatIntent(got), formatIntent(c.want), Normalize(c.text))
			}
		})
	}
	for _, k := range allKinds {
		if kinds[k] == 0 {
			t.Errorf("no case for kind %s", k)
		}
	}
}

func TestRecognizeInput(t *testing.T) {
	t.Parallel()
	r := NewRecognizer()
	saoPaulo := time.FixedZone("BRT", -3*3600)
	tests := []struct {
		name  string
		text  string
		today time.Time
		want  Intent
	}{
		{"latin1 bytes", "n\xe3o reconhe\xe7o", tableToday, Intent{Kind: IntentDispute}},
		{"invalid utf8 noise", "\xff\xfe sair \xc3", tableToday, Intent{Kind: IntentOptOut}},
		{"only invalid bytes", "\x80\x81\x82", tableToday, Intent{Kind: IntentEmpty}},
		{"replacement char", "\uFFFD\uFFFD", tableToday, Intent{Kind: IntentEmpty}},
		{"decomposed accents", "na\u0303o reconhec\u0327o", tableToday, Intent{Kind: IntentDispute}},
		{"keycap digits", "3\uFE0F\u20E3", tableToday, Intent{Kind: IntentNumber, Number: 3}},
		{"newlines", "oi\n\nquanto\ndevo", tableToday, Intent{Kind: IntentBalance}},
		{"tabs", "\tpix\t", tableToday, Intent{Kind: IntentPayPix}},
		{"long message keeps its start", "quero parcelar " + strings.Repeat("blá ", 5000), tableToday,
			Intent{Kind: IntentInstallments}},
		{"long message ignores its tail", strings.Repeat("blá ", 5000) + " sair", tableToday,
			Intent{Kind: IntentUnknown}},
		{"today with a clock and zone", "pago amanhã",
			time.Date(2026, 11, 18, 23, 30, 0, 0, saoPaulo),
			Intent{Kind: IntentPromise, Date: time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)}},
		{"promise across year end", "pago dia 5",
			time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC),
			Intent{Kind: IntentPromise, Date: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)}},
		{"past explicit date is no promise", "pago 10/10/2026", tableToday, Intent{Kind: IntentUnknown}},
		{"impossible date is no promise", "pago 31/02", tableToday, Intent{Kind: IntentUnknown}},
		{"impossible date, later good one", "31/02 nao, 28/02", tableToday,
			Intent{Kind: IntentPromise, Date: time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)}},
		{"installment count over 99 ignored", "parcelar em 150x", tableToday, Intent{Kind: IntentInstallments}},
		{"digits too long", "1234567890123456", tableToday, Intent{Kind: IntentUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := r.Recognize(tt.text, tt.today)
			if !sameIntent(got, tt.want) {
				t.Errorf("Recognize(%q) = %s, want %s (normalised %q)",
					tt.text, formatIntent(got), formatIntent(tt.want), Normalize(tt.text))
			}
		})
	}
}

// Negation must flip or drop a keyword only within its clause.
func TestRecognizeNegation(t *testing.T) {
	t.Parallel()
	r := NewRecognizer()
	tests := []struct {
		text string
		want IntentKind
	}{
		{"não quero parcelar", IntentNo},
		{"não, quero parcelar", IntentInstallments},
		{"nao. quero parcelar", IntentInstallments},
		{"não sei se quero parcelar", IntentInstallments}, // the negation is four words away
		{"nao quero o boleto, manda o pix", IntentPayPix},
		{"não quero sair", IntentNo},
		{"nao quero receber", IntentOptOut},
		{"ainda não paguei", IntentNo},
		{"ainda não paguei mas pago sexta", IntentPromise},
		{"não vou pagar dia 10", IntentNo},
		{"nao consigo pagar dia 10", IntentHardship},
		{"nao sou eu, nao quero parcelar", IntentWrongPerson},
		{"não pode ser", IntentNo},
		{"não quero falar com atendente", IntentNo},
		{"não quero falar com robô", IntentHuman},
	}
	for _, tt := range tests {
		if got := r.Recognize(tt.text, tableToday); got.Kind != tt.want {
			t.Errorf("Recognize(%q) = %s, want %s", tt.text, formatIntent(got), tt.want)
		}
	}
}

func TestIntentKinds(t *testing.T) {
	t.Parallel()
	ks := IntentKinds()
	if len(ks) != 35 {
		t.Fatalf("IntentKinds() has %d kinds, want 35", len(ks))
	}
	seen := map[IntentKind]bool{}
	for _, k := range ks {
		if !k.Valid() || seen[k] {
			t.Errorf("kind %q invalid or repeated", k)
		}
		seen[k] = true
	}
	ks[0] = "changed"
	if IntentKinds()[0] != IntentGreeting {
		t.Error("IntentKinds returns shared storage")
	}
	if IntentKind("bogus").Valid() || IntentKind("").Valid() {
		t.Error("bogus kinds are valid")
	}
}

// The phrase tables must only hold words Normalize can produce, or a
// phrase could never match.
func TestPhrasesAreNormalized(t *testing.T) {
	t.Parallel()
	for _, spec := range phraseSpecs {
		forEachPhrase(spec.list, func(words []string) {
			p := strings.Join(words, " ")
			if got := Normalize(p); got != p {
				t.Errorf("phrase %q normalises to %q", p, got)
			}
		})
	}
	for _, w := range knownWords {
		if got := Normalize(w); got != w {
			t.Errorf("known word %q normalises to %q", w, got)
		}
	}
}

func FuzzRecognize(f *testing.F) {
	for _, c := range loadIntentTable(f) {
		f.Add(c.text, int64(0))
	}
	f.Add("n\xe3o \xff\xfe", int64(400))
	f.Add(strings.Repeat("🙂", 600), int64(-3000))
	f.Add("dia 31/02/2028 29/02 daqui a 999 dias em 99 semanas", int64(800))
	r := NewRecognizer()
	f.Fuzz(func(t *testing.T, text string, dayOffset int64) {
		today := tableToday.AddDate(0, 0, int(dayOffset%20000))
		got := r.Recognize(text, today)
		if !got.Kind.Valid() {
			t.Fatalf("Recognize(%q) kind %q is not a declared kind", text, got.Kind)
		}
		if again := r.Recognize(text, today); !sameIntent(got, again) {
			t.Fatalf("Recognize(%q) not deterministic: %s then %s", text, formatIntent(got), formatIntent(again))
		}
		if got.Number < 0 || got.Number > 99 {
			t.Fatalf("Recognize(%q) number %d out of range", text, got.Number)
		}
		if got.Number != 0 && got.Kind != IntentNumber && got.Kind != IntentInstallments {
			t.Fatalf("Recognize(%q) = %s: a number on the wrong kind", text, formatIntent(got))
		}
		if !got.Date.IsZero() {
			if got.Kind != IntentPromise && got.Kind != IntentPayPix && got.Kind != IntentBoleto {
				t.Fatalf("Recognize(%q) = %s: a date on the wrong kind", text, formatIntent(got))
			}
			if got.Date.Before(today) || got.Date.Sub(today) > maxPromiseDays*24*time.Hour ||
				got.Date.Location() != time.UTC || got.Date.Hour() != 0 {
				t.Fatalf("Recognize(%q) date %v out of range for today %v", text, got.Date, today)
			}
		}
		if got.Kind == IntentDigits {
			if n := len(got.Digits); n < 3 || n > 14 || !isDigits(got.Digits) {
				t.Fatalf("Recognize(%q) digits %q", text, got.Digits)
			}
		} else if got.Digits != "" {
			t.Fatalf("Recognize(%q) = %s: digits on the wrong kind", text, formatIntent(got))
		}
		n := Normalize(text)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not UTF-8", text, n)
		}
		if (got.Kind == IntentEmpty) != (n == "") {
			t.Fatalf("Recognize(%q) = %s but Normalize gives %q", text, got.Kind, n)
		}
		if utf8.RuneCountInString(n) < maxInputRunes*3/4 {
			if again := Normalize(n); again != n {
				t.Fatalf("Normalize not idempotent: %q → %q → %q", text, n, again)
			}
		}
	})
}

var benchMessages = []string{
	"oi",
	"Oi, quanto devo?",
	"SAIR",
	"quero parcelar em 3x",
	"pago dia 10",
	"vou pagar sexta-feira 🙏",
	"já paguei, segue o comprovante",
	"não reconheço essa dívida",
	"2",
	"123.456",
	"sim",
	"manda o pix por favor",
	"nao quero parcelar, quero pagar a vista",
	"boa tarde! não sou eu, número errado",
	"meu cachorro comeu meu celular e eu não sei o que fazer com essa cobrança de vocês",
	"👍",
}

func BenchmarkRecognize(b *testing.B) {
	r := NewRecognizer()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Recognize(benchMessages[i%len(benchMessages)], tableToday)
		i++
	}
}
