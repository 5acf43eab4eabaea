package payments

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// Cents is an amount of money in centavos of the Brazilian real. It is the
// only money type in Régua: no floats on any money path.
type Cents int64

// ParseCents parses an amount written as businesses and people write it:
// "1234.56", "1234,56", "1.234,56", "1,234.56", "R$ 1.234,56", "1234", "12,5",
// "1.234.567". A lone separator followed by exactly three digits ("1.500",
// "1,500") is refused as ambiguous; "0.100" has three decimals. Negative amounts are accepted with a leading minus sign; callers
// decide whether they make sense.
func ParseCents(s string) (Cents, error) {
	orig := s
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "R$")
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\u00a0", "")
	s = strings.ReplaceAll(s, " ", "")
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	if s == "" {
		return 0, fmt.Errorf("%q is not an amount", orig)
	}
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	decSep := byte(0)
	switch {
	case lastDot >= 0 && lastComma >= 0:
		if lastDot > lastComma {
			decSep = '.'
		} else {
			decSep = ','
		}
	case lastDot >= 0 || lastComma >= 0:
		sep := byte('.')
		idx := lastDot
		if lastComma >= 0 {
			sep, idx = ',', lastComma
		}
		// One separator: decimal unless it appears several times
		// ("1.234.567"). Once and followed by exactly three digits ("1.500")
		// it is ambiguous: R$ 1.500,00 to a Brazilian, 1.5 to a program
		// that printed three decimals. Guessing risks a 1000x error, so
		// the writer is asked to say which ("0.100" can only be decimals).
		if n := strings.Count(s, string(sep)); n == 1 && len(s)-idx-1 == 3 && strings.TrimLeft(s[:idx], "0") != "" {
			whole := s[:idx] + s[idx+1:]
			return 0, fmt.Errorf("%q is ambiguous (thousands or decimals?): write %s,00 or %s.00 for thousands, or at most two decimals", orig, s, whole)
		} else if n == 1 {
			decSep = sep
		}
	}
	intPart, fracPart := s, ""
	if decSep != 0 {
		i := strings.LastIndexByte(s, decSep)
		intPart, fracPart = s[:i], s[i+1:]
	}
	thouSep := byte(',')
	if decSep == ',' {
		thouSep = '.'
	} else if decSep == 0 {
		// "1.234.567" or "1,234": whichever separator is present groups thousands.
		if lastComma >= 0 {
			thouSep = ','
		} else {
			thouSep = '.'
		}
	}
	if strings.IndexByte(intPart, thouSep) >= 0 {
		groups := strings.Split(intPart, string(thouSep))
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, fmt.Errorf("%q is not an amount (misplaced thousands separator)", orig)
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" {
		intPart = "0"
	}
	if len(fracPart) > 2 {
		return 0, fmt.Errorf("%q has more than two decimal places", orig)
	}
	if decSep != 0 && fracPart == "" {
		return 0, fmt.Errorf("%q is not an amount", orig)
	}
	for len(fracPart) < 2 {
		fracPart += "0"
	}
	var v int64
	for _, c := range intPart + fracPart {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not an amount", orig)
		}
		if v > (math.MaxInt64-9)/10 {
			return 0, fmt.Errorf("%q is too large", orig)
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return Cents(v), nil
}

// Decimal formats c as "1234.56", the machine form used by the API, the CSV
// export and the Pix formats.
func (c Cents) Decimal() string {
	sign := ""
	v := int64(c)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// String formats c for people: "R$ 1.234,56".
func (c Cents) String() string {
	v := int64(c)
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v
	}
	digits := fmt.Sprintf("%d", v/100)
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	return fmt.Sprintf("%sR$ %s,%02d", sign, b.String(), v%100)
}

// MarshalJSON writes the amount as a decimal string, "1234.56".
func (c Cents) MarshalJSON() ([]byte, error) {
	return []byte(`"` + c.Decimal() + `"`), nil
}

// ErrNotDecimal is the reason ParseDecimal refuses a value.
var ErrNotDecimal = errors.New(`must be a decimal string with a point and at most two decimals, like "1234.56"`)

// ParseDecimal parses the API's machine form of an amount, and only it:
// digits, then optionally a point and one or two digits ("1234.56", "12",
// "12.5"). No sign, no thousands separators, no comma, no exponent:
// "0.100", "1.500", "1,50", "1.234,56", "-1", "" and "1e3" are refused, so
// that no amount is ever read 1000 times too large. People's forms
// ("1.234,56") are ParseCents', for CSV files and the command line.
func ParseDecimal(s string) (Cents, error) {
	intPart, frac, dot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 15 || (dot && (len(frac) < 1 || len(frac) > 2)) {
		return 0, ErrNotDecimal
	}
	var v int64
	for _, c := range intPart + frac + "00"[len(frac):] {
		if c < '0' || c > '9' {
			return 0, ErrNotDecimal
		}
		v = v*10 + int64(c-'0')
	}
	return Cents(v), nil
}

// UnmarshalJSON reads an amount as the API writes it: a JSON string in
// ParseDecimal's form, or with a minus sign as Decimal writes a negative
// amount (whoever takes amounts from outside refuses negative ones). A
// JSON number or any other form is a *json.UnmarshalTypeError of type Cents,
// which the JSON decoder completes with the field's name.
func (c *Cents) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s, ok := strings.CutPrefix(string(b), `"`)
	if s, ok = strings.CutSuffix(s, `"`); !ok {
		return &json.UnmarshalTypeError{Value: "non-string amount", Type: reflect.TypeFor[Cents]()}
	}
	neg := strings.HasPrefix(s, "-")
	v, err := ParseDecimal(strings.TrimPrefix(s, "-"))
	if err != nil {
		return &json.UnmarshalTypeError{Value: "amount " + strings.TrimSpace(string(b)), Type: reflect.TypeFor[Cents]()}
	}
	if neg {
		v = -v
	}
	*c = v
	return nil
}

// MulRate returns c × num/den rounded half away from zero to the centavo,
// computed in integers (no float). Used for fines, interest and discounts.
func (c Cents) MulRate(num, den int64) Cents {
	if den == 0 {
		return 0
	}
	p := int64(c) * num
	q, r := p/den, p%den
	if r < 0 {
		r = -r
	}
	if 2*r >= abs64(den) {
		if (p < 0) != (den < 0) {
			q--
		} else {
			q++
		}
	}
	return Cents(q)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
