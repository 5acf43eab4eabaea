package intake

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/regua/regua/payments"
)

// FileError is a problem with the file as a whole: the import cannot even be
// checked line by line. Line is the line it was found on, or 0.
//
// It unwraps to a *payments.Error with code payments.EINVALID, so
// payments.ErrorCode and payments.ErrorMessage treat it as bad input.
type FileError struct {
	Line    int
	Message string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// Unwrap exposes the error as an application error (code invalid).
func (e *FileError) Unwrap() error {
	return &payments.Error{Code: payments.EINVALID, Message: e.Error()}
}

// FieldError is one invalid field of one record.
type FieldError struct {
	// Field is the SPEC and JSON name of the field: "external_id",
	// "debtor_external_id", "amount", "due_date", ...
	Field string
	// Value is the value as given, trimmed, cut to 40 characters, and masked
	// (all but the last characters replaced by *) for documents and phones.
	Value string
	// Reason says what is wrong, starting with a verb: "is required",
	// "is not a date (write 2026-11-30 or 30/11/2026)".
	Reason string
}

func (e FieldError) Error() string {
	return describe(e.Field, e.Value, e.Reason)
}

// AppError returns e as a *payments.Error (code invalid) for the API's
// {"error": {"code", "message", "field"}} answer.
func (e FieldError) AppError() *payments.Error {
	msg := e.Reason
	if e.Value != "" {
		msg = fmt.Sprintf("%q %s", e.Value, e.Reason)
	}
	return &payments.Error{Code: payments.EINVALID, Field: e.Field, Message: msg}
}

// LineError is one problem on one line of a CSV file.
type LineError struct {
	// Line is the line where the record starts (a quoted value may span
	// several lines).
	Line int
	// Column is the column's name as written in the file's header ("valor"),
	// or "" when the problem is with the whole line.
	Column string
	// Field is the SPEC name of the column ("amount"), or "".
	Field string
	// Value is the offending value, cut short and masked like FieldError's.
	Value string
	// Reason says what is wrong, starting with a verb.
	Reason string
}

func (e LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s", e.Line, describe(e.Column, e.Value, e.Reason))
}

func describe(name, value, reason string) string {
	if value == "" {
		return fmt.Sprintf("%s %s", name, reason)
	}
	return fmt.Sprintf("%s %q %s", name, value, reason)
}

// problemsError summarises a batch's problems as one application error.
func problemsError(errs []LineError, omitted int) error {
	if len(errs) == 0 {
		return nil
	}
	n := len(errs) + omitted
	var b strings.Builder
	if n == 1 {
		b.WriteString("1 problem in the file: ")
	} else {
		fmt.Fprintf(&b, "%d problems in the file; the first: ", n)
	}
	b.WriteString(errs[0].Error())
	return &payments.Error{Code: payments.EINVALID, Message: b.String()}
}

const maxValueRunes = 40

// shorten cuts s to maxValueRunes characters, marking the cut with "…".
func shorten(s string) string {
	if len(s) <= maxValueRunes {
		return s
	}
	if utf8.RuneCountInString(s) <= maxValueRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxValueRunes-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// mask hides every letter and digit of s but the last keep ones, leaving
// punctuation so that the shape of the value stays visible: "***.***.***-09".
func mask(s string, keep int) string {
	s = shorten(s)
	total := 0
	for _, r := range s {
		if isAlnum(r) {
			total++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if isAlnum(r) {
			seen++
			if seen <= total-keep {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isAlnum(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
