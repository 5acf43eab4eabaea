package app

import (
	"io"
	"log/slog"
	"regexp"
	"strings"

	"github.com/regua/regua/payments"
)

// Personal data never reaches the logs whole: attributes named like a phone
// or a document are masked, and so is anything in a logged string that looks
// like a phone or a CPF/CNPJ in any form people write them ("(11)
// 99900-0001", "11 99900 0001", "+55 (11) 99900-0001", "5511999000001",
// "%2B5511999000001", "123.456.789-09", "123 456 789 09", "11.222.333/0001-81").
// This is the safety net: the sources already log ids and route patterns,
// never paths or numbers.
var (
	// A run of digits with the separators phones and documents are written
	// with; runs of 10 or more digits are masked.
	numberRun = regexp.MustCompile(`\+?\(?\d[\d ().\-/]*\d\)?`)
	// The alphanumeric CNPJ of 2026 (letters in its first 12 characters).
	alnumCNPJ = regexp.MustCompile(`\b[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2}\b`)
)

// percentDecoder decodes the characters phones and documents are written
// with, alone: a whole-string unescape fails on any stray "%".
var percentDecoder = strings.NewReplacer("%25", "%", "%2B", "+", "%2b", "+", "%20", " ", "%28", "(", "%29", ")", "%2D", "-", "%2d", "-",
	"%2E", ".", "%2e", ".", "%2F", "/", "%2f", "/")

var maskedKeys = map[string]func(string) string{
	"phone": payments.MaskPhone, "chat": payments.MaskPhone, "document": payments.MaskDocument, "cpf": payments.MaskDocument, "cnpj": payments.MaskDocument,
}

// MaskString hides phones and documents inside free text.
func MaskString(s string) string {
	// URL-encoded forms ("%2B55%2011%20…", even encoded twice) are masked
	// decoded.
	for i := 0; i < 3 && strings.Contains(s, "%"); i++ {
		d := percentDecoder.Replace(s)
		if d == s {
			break
		}
		s = d
	}
	digits, cnpjLike := scanForNumbers(s)
	var idx [][]int
	if digits >= 10 {
		idx = numberRun.FindAllStringIndex(s, -1)
	}
	if idx != nil {
		var b strings.Builder
		last := 0
		for _, m := range idx {
			i, j := m[0], m[1]
			run := s[i:j]
			if i > 0 && isAlnum(s[i-1]) || j < len(s) && isAlnum(s[j]) {
				continue // part of an identifier (a txid, an end-to-end id)
			}
			masked, ok := maskNumber(run)
			if !ok {
				continue
			}
			b.WriteString(s[last:i])
			b.WriteString(masked)
			last = j
		}
		b.WriteString(s[last:])
		s = b.String()
	}
	if !cnpjLike {
		return s
	}
	return alnumCNPJ.ReplaceAllStringFunc(s, payments.MaskDocument)
}

// scanForNumbers counts the digits in s and says whether it has a run of 14
// or more letters A-Z and digits (punctuation . / - aside), the least an
// alphanumeric CNPJ needs: most logged strings need no regular expression.
func scanForNumbers(s string) (digits int, cnpjLike bool) {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			run++
		case c >= 'A' && c <= 'Z':
			run++
		case c == '.' || c == '/' || c == '-':
		default:
			run = 0
		}
		if run >= 14 {
			cnpjLike = true
		}
	}
	return digits, cnpjLike
}

// maskNumber masks a run of 10 or more digits: a phone keeps its country,
// area code and last four digits, a document its last two, anything else
// (several numbers run together) all but its last two digits.
func maskNumber(run string) (string, bool) {
	var d strings.Builder
	for i := 0; i < len(run); i++ {
		if run[i] >= '0' && run[i] <= '9' {
			d.WriteByte(run[i])
		}
	}
	digits := d.String()
	if len(digits) < 10 {
		return "", false
	}
	if payments.ValidCPF(digits) || payments.ValidCNPJ(digits) {
		return payments.MaskDocument(digits), true
	}
	if p, err := payments.NormalizePhone(strings.TrimSpace(run)); err == nil {
		return payments.MaskPhone(p), true
	}
	return strings.Repeat("*", len(digits)-2) + digits[len(digits)-2:], true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// NewLogger returns a JSON slog logger that masks personal data.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() != slog.KindString {
				if a.Value.Kind() == slog.KindAny {
					if err, ok := a.Value.Any().(error); ok {
						return slog.String(a.Key, MaskString(err.Error()))
					}
				}
				return a
			}
			if f, ok := maskedKeys[a.Key]; ok {
				return slog.String(a.Key, f(a.Value.String()))
			}
			return slog.String(a.Key, MaskString(a.Value.String()))
		},
	}))
}
