package pix

import (
	"fmt"
	"strings"

	"github.com/regua/regua/payments"
)

// Kinds of Pix key, as ValidateKey reports them.
const (
	KeyCPF   = "cpf"
	KeyCNPJ  = "cnpj"
	KeyEmail = "email"
	KeyPhone = "phone"
	KeyEVP   = "evp" // random key: a UUID
)

// ValidateKey checks that s is a Pix key and returns it in the form the DICT
// stores it, with its kind:
//
//   - CPF: 11 digits with valid check digits ("123.456.789-09" → "12345678909");
//   - CNPJ: 14 characters, numeric or the alphanumeric CNPJ of 2026, upper case;
//   - e-mail: at most 77 characters, lower-cased;
//   - phone: Brazilian, E.164 with +55 ("+55 (11) 98765-4321" → "+5511987654321");
//     a key written with "+", parentheses or spaces is read as a phone;
//   - EVP (random key): a UUID, lower-cased.
//
// Eleven bare digits are a CPF, never a phone: phone keys are written "+55…".
// Errors wrap ErrInvalidKey (and ErrTooLong for a key over 77 characters).
func ValidateKey(s string) (normalized, kind string, err error) {
	k, kind, err := validateKey(s)
	if err != nil {
		return "", "", failWrap("", -1, err)
	}
	return k, kind, nil
}

func validateKey(s string) (string, string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", "", fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(s) > MaxKeyLen:
		return "", "", fmt.Errorf("%w: %w: %d characters, at most %d", ErrInvalidKey, ErrTooLong, len(s), MaxKeyLen)
	case !printable(s):
		return "", "", fmt.Errorf("%w: %q has characters outside printable ASCII", ErrInvalidKey, s)
	case strings.IndexByte(s, '@') >= 0:
		e := strings.ToLower(s)
		if !validEmail(e) {
			return "", "", fmt.Errorf("%w: %q is not an e-mail address", ErrInvalidKey, s)
		}
		return e, KeyEmail, nil
	case isUUID(s):
		return strings.ToLower(s), KeyEVP, nil
	case s[0] == '+' || strings.ContainsAny(s, "() "):
		if s[0] == '+' && !strings.HasPrefix(s, "+55") {
			return "", "", fmt.Errorf("%w: %q: phone keys must be Brazilian (+55)", ErrInvalidKey, s)
		}
		p, err := payments.NormalizePhone(s)
		if err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return p, KeyPhone, nil
	}
	d := strings.ToUpper(stripAny(s, ".-/"))
	switch {
	case len(d) == 11 && isDigits(d):
		if !payments.ValidCPF(d) {
			return "", "", fmt.Errorf("%w: %q is not a valid CPF (wrong check digits; phone keys are written +55…)", ErrInvalidKey, s)
		}
		return d, KeyCPF, nil
	case len(d) == 14 && isAlnum(d):
		if !payments.ValidCNPJ(d) {
			return "", "", fmt.Errorf("%w: %q is not a valid CNPJ (wrong check digits)", ErrInvalidKey, s)
		}
		return d, KeyCNPJ, nil
	}
	return "", "", fmt.Errorf("%w: %q is not a CPF, CNPJ, e-mail, +55 phone or random key (UUID)", ErrInvalidKey, s)
}

// isUUID reports whether s is 8-4-4-4-12 hexadecimal digits (any version:
// the manual's own example key is not a version 4 UUID).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// validEmail checks a lower-case address the way the DICT's pattern does,
// and asks for a dot in the domain.
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at > 64 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0) {
			return false
		}
	}
	if strings.IndexByte(domain, '.') < 0 {
		return false
	}
	for l := range strings.SplitSeq(domain, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
