package payments

import (
	"fmt"
	"strings"
)

// Document kinds.
const (
	DocCPF  = "cpf"
	DocCNPJ = "cnpj"
)

// NormalizeDocument strips punctuation from a CPF or CNPJ, checks its check
// digits and returns it canonical (digits, and upper-case letters for the
// alphanumeric CNPJ of 2026) with its kind.
func NormalizeDocument(s string) (doc, kind string, err error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == '.', r == '-', r == '/', r == ' ':
		default:
			return "", "", fmt.Errorf("document has an invalid character %q", r)
		}
	}
	doc = b.String()
	switch len(doc) {
	case 0:
		return "", "", fmt.Errorf("document is empty")
	case 11:
		if !ValidCPF(doc) {
			return "", "", fmt.Errorf("CPF %s has wrong check digits", MaskDocument(doc))
		}
		return doc, DocCPF, nil
	case 14:
		if !ValidCNPJ(doc) {
			return "", "", fmt.Errorf("CNPJ %s has wrong check digits", MaskDocument(doc))
		}
		return doc, DocCNPJ, nil
	}
	return "", "", fmt.Errorf("document is neither a CPF (11 digits) nor a CNPJ (14 characters)")
}

// ValidCPF reports whether s is 11 digits with correct mod-11 check digits
// and not a repeated digit ("111.111.111-11" passes the arithmetic but is
// not a real CPF).
func ValidCPF(s string) bool {
	if len(s) != 11 || !allDigits(s) || allSame(s) {
		return false
	}
	for n := 9; n <= 10; n++ {
		sum := 0
		for i := 0; i < n; i++ {
			sum += int(s[i]-'0') * (n + 1 - i)
		}
		d := sum * 10 % 11
		if d == 10 {
			d = 0
		}
		if d != int(s[n]-'0') {
			return false
		}
	}
	return true
}

// ValidCNPJ reports whether s is a valid CNPJ: 14 characters, the first 12
// digits or upper-case letters (the alphanumeric CNPJ from July 2026, each
// character worth its ASCII code minus 48), the last two numeric check
// digits computed mod 11 with weights 2..9 from the right.
func ValidCNPJ(s string) bool {
	if len(s) != 14 || !allDigits(s[12:]) || allSame(s) {
		return false
	}
	for i := 0; i < 12; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	for n := 12; n <= 13; n++ {
		sum, w := 0, 2
		for i := n - 1; i >= 0; i-- {
			sum += int(s[i]-'0') * w
			w++
			if w > 9 {
				w = 2
			}
		}
		d := 11 - sum%11
		if d >= 10 {
			d = 0
		}
		if d != int(s[n]-'0') {
			return false
		}
	}
	return true
}

// MaskDocument hides all but the last two characters of a CPF/CNPJ, for logs.
func MaskDocument(doc string) string {
	if len(doc) <= 2 {
		return strings.Repeat("*", len(doc))
	}
	return strings.Repeat("*", len(doc)-2) + doc[len(doc)-2:]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allSame(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
