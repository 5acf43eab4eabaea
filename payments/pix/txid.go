package pix

import (
	"fmt"
	"strconv"
	"strings"
)

// Txid lengths for the API Pix (PUT /cob/{txid}, /cobv/{txid}).
const (
	MinAPITxIDLen = 26
	MaxAPITxIDLen = 35
)

// Kinds Régua puts in its txids (see the package documentation).
const (
	TxIDKindCharge      = "CHG"
	TxIDKindInstallment = "INST"
)

const (
	txidNamespace  = "RG"
	maxTxIDKindLen = 6
)

// ValidateStaticTxID checks the txid of a static BR Code (field 62.05): "***"
// (none) or 1 to 25 characters of [A-Za-z0-9].
func ValidateStaticTxID(s string) error {
	if err := validateStaticTxID(s); err != nil {
		return failWrap("", -1, err)
	}
	return nil
}

func validateStaticTxID(s string) error {
	switch {
	case s == "***":
		return nil
	case s == "":
		return fmt.Errorf("%w: empty (use *** for none)", ErrInvalidTxID)
	case len(s) > MaxStaticTxIDLen:
		return fmt.Errorf("%w: %w: %d characters, a static txid has at most %d", ErrInvalidTxID, ErrTooLong, len(s), MaxStaticTxIDLen)
	case !isAlnum(s):
		return fmt.Errorf("%w: %q: only letters A-Z, a-z and digits are allowed", ErrInvalidTxID, s)
	}
	return nil
}

// ValidateAPITxID checks a txid for the API Pix: [a-zA-Z0-9]{26,35}.
func ValidateAPITxID(s string) error {
	switch {
	case len(s) < MinAPITxIDLen || len(s) > MaxAPITxIDLen:
		return failWrap("", -1, fmt.Errorf("%w: %q has %d characters, the API Pix wants %d to %d", ErrInvalidTxID, s, len(s), MinAPITxIDLen, MaxAPITxIDLen))
	case !isAlnum(s):
		return failWrap("", -1, fmt.Errorf("%w: %q: only letters A-Z, a-z and digits are allowed", ErrInvalidTxID, s))
	}
	return nil
}

// NewTxID returns Régua's static txid for (kind, id): "RG" + KIND + id + two
// check digits, at most 25 characters. kind is 1 to 6 letters (upper-cased);
// id must not be negative. An id too long for 25 characters is an error: use
// NewAPITxID for a dynamic charge instead.
func NewTxID(kind string, id int64) (string, error) {
	t, err := makeTxID(kind, id, 0)
	if err != nil {
		return "", err
	}
	if len(t) > MaxStaticTxIDLen {
		return "", failWrap("", -1, fmt.Errorf("%w: %w: kind %q and id %d need %d characters, a static txid has at most %d",
			ErrInvalidTxID, ErrTooLong, kind, id, len(t), MaxStaticTxIDLen))
	}
	return t, nil
}

// NewAPITxID returns the txid for (kind, id) zero-padded to the API Pix
// minimum of 26 characters. ParseTxID reads it back like NewTxID's.
func NewAPITxID(kind string, id int64) (string, error) {
	return makeTxID(kind, id, MinAPITxIDLen)
}

func makeTxID(kind string, id int64, width int) (string, error) {
	k := strings.ToUpper(kind)
	if len(k) < 1 || len(k) > maxTxIDKindLen || !isUpperLetters(k) {
		return "", failWrap("", -1, fmt.Errorf("%w: kind %q must be 1 to %d letters", ErrInvalidTxID, kind, maxTxIDKindLen))
	}
	if id < 0 {
		return "", failWrap("", -1, fmt.Errorf("%w: id %d is negative", ErrInvalidTxID, id))
	}
	b := make([]byte, 0, MaxAPITxIDLen)
	b = append(b, txidNamespace...)
	b = append(b, k...)
	digits := strconv.FormatInt(id, 10)
	for pad := width - len(b) - len(digits) - 2; pad > 0; pad-- {
		b = append(b, '0')
	}
	b = append(b, digits...)
	return string(appendCheck(b)), nil
}

// ParseTxID reads a txid made by NewTxID or NewAPITxID and returns its kind
// and id. Anything else (another system's txid, "***", a typo caught by the
// check digits) is an error wrapping ErrInvalidTxID.
func ParseTxID(txid string) (kind string, id int64, err error) {
	bad := func(why string) (string, int64, error) {
		return "", 0, failWrap("", -1, fmt.Errorf("%w: %q is not a Régua txid: %s", ErrInvalidTxID, txid, why))
	}
	if len(txid) > MaxAPITxIDLen {
		return bad("too long")
	}
	if !strings.HasPrefix(txid, txidNamespace) {
		return bad("no RG prefix")
	}
	rest := txid[len(txidNamespace):]
	k := 0
	for k < len(rest) && rest[k] >= 'A' && rest[k] <= 'Z' {
		k++
	}
	if k == 0 || k > maxTxIDKindLen {
		return bad("kind must be 1 to 6 upper-case letters")
	}
	num := rest[k:]
	if len(num) < 3 || !isDigits(num) {
		return bad("id and check digits must be digits")
	}
	var want [MaxAPITxIDLen]byte
	if string(appendCheck(append(want[:0], txid[:len(txid)-2]...))[len(txid)-2:]) != txid[len(txid)-2:] {
		return bad("wrong check digits")
	}
	digits := strings.TrimLeft(num[:len(num)-2], "0")
	if digits == "" {
		digits = "0"
	}
	id, perr := strconv.ParseInt(digits, 10, 64)
	if perr != nil {
		return bad("id out of range")
	}
	return rest[:k], id, nil
}

// appendCheck appends the two check digits of body: ISO 7064 MOD 97-10
// with every character one base-100 digit (0-9 as 00-09, A-Z as 10-35), so
// that any single substituted character and any swap of two neighbours,
// letters or digits, changes the remainder.
func appendCheck(body []byte) []byte {
	rem := 0
	for _, c := range body {
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		rem = (rem*100 + v) % 97
	}
	c := 98 - rem*100%97
	return append(body, byte('0'+c/10), byte('0'+c%10))
}

func isUpperLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
