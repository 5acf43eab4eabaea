package pix

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors returned (wrapped in *Error) by Decode, Encode and the validators.
// Test for them with errors.Is.
var (
	// ErrCRC: field 63 does not match the CRC of the payload, or is not
	// four hexadecimal digits.
	ErrCRC = errors.New("wrong CRC")
	// ErrLength: the TLV structure is broken: an ID or a length is not two
	// digits, a length is zero, or a field runs past the end.
	ErrLength = errors.New("broken length field")
	// ErrMissingField: a mandatory field (00, 26 with its GUI (Encode: and a key or
	// URL), 52, 53, 58, 59, 60, 63) is absent (Encode: or blank).
	ErrMissingField = errors.New("missing mandatory field")
	// ErrGUI: no merchant account template (26-51) carries the Pix GUI
	// (br.gov.bcb.pix, in any letter case).
	ErrGUI = errors.New("not a Pix payload (wrong GUI)")
	// ErrTooLong: a value is longer than the manual allows.
	ErrTooLong = errors.New("value too long")
	// ErrFormatIndicator: field 00 is not "01".
	ErrFormatIndicator = errors.New("payload format indicator is not 01")
	// ErrAmount: field 54 is not a positive amount with at most two decimals.
	ErrAmount = errors.New("invalid amount")
	// ErrInvalidValue: any other value the manual does not allow (currency
	// other than 986, country other than BR, a repeated field, a character
	// outside printable ASCII, ...).
	ErrInvalidValue = errors.New("invalid value")
	// ErrInvalidKey: not a Pix key (CPF, CNPJ, e-mail, +55 phone or EVP).
	ErrInvalidKey = errors.New("invalid Pix key")
	// ErrInvalidTxID: a txid that breaks the static or the API Pix rules, or
	// is not one of Régua's.
	ErrInvalidTxID = errors.New("invalid txid")
)

// Error says where in a BR Code (or in which field of a Payload being
// encoded) a problem is. Err wraps one of the sentinel errors above.
type Error struct {
	Field string // "59", "26.01"; empty when unknown
	Pos   int    // byte offset in the payload; -1 when it does not apply
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pix: ")
	if e.Field != "" {
		b.WriteString("field ")
		b.WriteString(e.Field)
		if name := FieldName(e.Field); name != "" {
			b.WriteString(" (" + name + ")")
		}
	}
	if e.Pos >= 0 {
		if e.Field != "" {
			b.WriteByte(' ')
		}
		b.WriteString("at position ")
		b.WriteString(strconv.Itoa(e.Pos))
	}
	if e.Field != "" || e.Pos >= 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// FieldName returns the manual's name for a BR Code field ID such as "59" or
// "26.01", or "" for one this package does not know.
func FieldName(id string) string {
	switch id {
	case "00":
		return "payload format indicator"
	case "01":
		return "point of initiation method"
	case "26":
		return "merchant account information"
	case "26.00":
		return "GUI"
	case "26.01":
		return "key"
	case "26.02":
		return "description"
	case "26.25":
		return "url"
	case "52":
		return "merchant category code"
	case "53":
		return "transaction currency"
	case "54":
		return "amount"
	case "58":
		return "country code"
	case "59":
		return "merchant name"
	case "60":
		return "merchant city"
	case "61":
		return "postal code"
	case "62":
		return "additional data"
	case "62.05":
		return "txid"
	case "63":
		return "CRC"
	}
	return ""
}

// fail builds an *Error wrapping sentinel, with an optional detail.
func fail(field string, pos int, sentinel error, format string, args ...any) error {
	err := sentinel
	if format != "" {
		err = fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
	}
	return &Error{Field: field, Pos: pos, Err: err}
}

// failWrap builds an *Error around an error that already wraps a sentinel.
func failWrap(field string, pos int, err error) error {
	return &Error{Field: field, Pos: pos, Err: err}
}
