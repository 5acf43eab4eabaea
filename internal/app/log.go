package app

import (
	"io"
	"log/slog"
	"regexp"

	"github.com/regua/regua/payments"
)

// Personal data never reaches the logs whole: attributes named like a phone
// or a document are masked, and so is anything in a logged string that looks
// like an E.164 phone or a CPF/CNPJ.
var (
	phoneLike = regexp.MustCompile(`\+?55\d{10,11}\b`)
	docLike   = regexp.MustCompile(`\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b|\b[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?\d{2}\b`)
)

var maskedKeys = map[string]func(string) string{
	"phone": payments.MaskPhone, "chat": payments.MaskPhone, "document": payments.MaskDocument, "cpf": payments.MaskDocument, "cnpj": payments.MaskDocument,
}

// MaskString hides phones and documents inside free text.
func MaskString(s string) string {
	s = phoneLike.ReplaceAllStringFunc(s, payments.MaskPhone)
	return docLike.ReplaceAllStringFunc(s, payments.MaskDocument)
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
