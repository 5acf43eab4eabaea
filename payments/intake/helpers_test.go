package intake

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/regua/regua/payments"
)

// makeCPF completes a 9-digit base with its two check digits, written here
// from the Receita Federal algorithm rather than taken from payments, so the
// tests check payments.ValidCPF instead of trusting it.
func makeCPF(base string) string {
	if len(base) != 9 {
		panic("makeCPF: base must have 9 digits")
	}
	d := []byte(base)
	for n := 9; n <= 10; n++ {
		sum := 0
		for i := 0; i < n; i++ {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		x := sum * 10 % 11
		if x == 10 {
			x = 0
		}
		d = append(d, byte('0'+x))
	}
	return string(d)
}

// makeCNPJ completes a 12-character base (digits or, from July 2026,
// upper-case letters) with its check digits: each character is worth its
// ASCII code minus 48, weights 2..9 from the right, mod 11.
func makeCNPJ(base string) string {
	if len(base) != 12 {
		panic("makeCNPJ: base must have 12 characters")
	}
	d := []byte(base)
	for n := 12; n <= 13; n++ {
		sum, w := 0, 2
		for i := n - 1; i >= 0; i-- {
			sum += int(d[i]-'0') * w
			if w++; w > 9 {
				w = 2
			}
		}
		x := 11 - sum%11
		if x >= 10 {
			x = 0
		}
		d = append(d, byte('0'+x))
	}
	return string(d)
}

// cpfN returns the n-th of a stream of distinct valid CPFs.
func cpfN(n int) string { return makeCPF(fmt.Sprintf("%09d", 100000000+n*7919%899999999)) }

func formatCPF(c string) string { return c[:3] + "." + c[3:6] + "." + c[6:9] + "-" + c[9:] }

func formatCNPJ(c string) string {
	return c[:2] + "." + c[2:5] + "." + c[5:8] + "/" + c[8:12] + "-" + c[12:]
}

// wrongCheckDigit returns doc with its last digit changed.
func wrongCheckDigit(doc string) string {
	last := doc[len(doc)-1]
	return doc[:len(doc)-1] + string('0'+(last-'0'+1)%10)
}

func win1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q as Windows-1252: %v", s, err)
	}
	return b
}

// csvLines joins lines with "\n" and ends the file with one.
func csvLines(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func mustDebtors(t testing.TB, in string) *DebtorBatch {
	t.Helper()
	b, err := ParseDebtors(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatalf("ParseDebtors: %v", err)
	}
	return b
}

func mustCharges(t testing.TB, in string) *ChargeBatch {
	t.Helper()
	b, err := ParseCharges(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatalf("ParseCharges: %v", err)
	}
	return b
}

func errorsText(errs []LineError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestCheckDigitHelpersAgreeWithPayments(t *testing.T) {
	t.Parallel()
	for n := range 500 {
		c := cpfN(n)
		if !payments.ValidCPF(c) && !allSameDigits(c) {
			t.Fatalf("makeCPF gave %s, which payments.ValidCPF refuses", c)
		}
		if payments.ValidCPF(wrongCheckDigit(c)) {
			t.Fatalf("payments.ValidCPF accepts %s with a wrong check digit", wrongCheckDigit(c))
		}
	}
	for _, tc := range []struct{ base, want string }{
		{"123456789", "12345678909"},
		{"529982247", "52998224725"},
		{"012345678", "01234567890"},
	} {
		if got := makeCPF(tc.base); got != tc.want {
			t.Errorf("makeCPF(%s) = %s, want %s", tc.base, got, tc.want)
		}
	}
	for _, tc := range []struct{ base, want string }{
		{"112223330001", "11222333000181"},
		{"123456780001", "12345678000195"},
		{"12ABC34501DE", "12ABC34501DE35"}, // the Receita Federal's own example
	} {
		got := makeCNPJ(tc.base)
		if got != tc.want {
			t.Errorf("makeCNPJ(%s) = %s, want %s", tc.base, got, tc.want)
		}
		if !payments.ValidCNPJ(got) {
			t.Errorf("payments.ValidCNPJ(%s) = false", got)
		}
		if payments.ValidCNPJ(wrongCheckDigit(got)) {
			t.Errorf("payments.ValidCNPJ accepts %s", wrongCheckDigit(got))
		}
	}
}

func allSameDigits(s string) bool { return strings.Count(s, s[:1]) == len(s) }
