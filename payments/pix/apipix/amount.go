package apipix

import (
	"errors"
	"fmt"

	"github.com/regua/regua/payments"
)

// maxValor is the largest amount the API Pix accepts: \d{1,10}\.\d{2}.
const maxValor = payments.Cents(99_999_999_999_99)

// parseValor reads an amount as the API writes it: digits, optionally a dot
// and one or two decimals ("12.34", "12.3", "12"). It is deliberately
// stricter than payments.ParseCents, which reads "1.234" as a thousand: a
// provider's "1.234" is malformed, not a thousand reais.
func parseValor(s string) (payments.Cents, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("%q is negative", s)
	}
	var v int64
	intDigits, fracDigits, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			if dot {
				fracDigits++
				if fracDigits > 2 {
					return 0, fmt.Errorf("%q has more than two decimal places", s)
				}
			} else {
				intDigits++
				if intDigits > 10 {
					return 0, fmt.Errorf("%q is too large", s)
				}
			}
			v = v*10 + int64(c-'0')
		default:
			return 0, fmt.Errorf("%q is not a decimal amount like \"12.34\"", s)
		}
	}
	if intDigits == 0 || (dot && fracDigits == 0) {
		return 0, fmt.Errorf("%q is not a decimal amount like \"12.34\"", s)
	}
	for ; fracDigits < 2; fracDigits++ {
		v *= 10
	}
	return payments.Cents(v), nil
}

// percent formats basis points as the API's valorPerc: 200 → "2.00".
func percent(bp int64) string {
	return payments.Cents(bp).Decimal()
}
