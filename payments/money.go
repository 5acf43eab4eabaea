package payments

import (
	"fmt"
	"math"
	"strings"
)

// Cents is an amount of money in centavos of the Brazilian real. It is the
// only money type in Régua: no floats on any money path.
type Cents int64

// ParseCents parses an amount written as businesses and people write it:
// "1234.56", "1234,56", "1.234,56", "1,234.56", "R$ 1.234,56", "1234", "12,5".
// A lone separator followed by exactly three digits ("1.234") is a thousands
// separator. Negative amounts are accepted with a leading minus sign; callers
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
		// One separator: decimal unless it appears several times or is
		// followed by exactly three digits and nothing else ("1.234").
		if strings.Count(s, string(sep)) == 1 && len(s)-idx-1 != 3 {
			decSep = sep
		} else if strings.Count(s, string(sep)) == 1 && len(s)-idx-1 == 3 && idx == 0 {
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

// UnmarshalJSON reads an amount from a decimal string ("1234.56") or a JSON
// number with at most two decimals.
func (c *Cents) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := ParseCents(s)
	if err != nil {
		return err
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
