package apipix

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error is a failure answered by the provider: a problem+json document
// (RFC 7807, as the API Pix specifies) or an OAuth2 error from the token
// endpoint. Transport failures (DNS, TLS, timeouts) are not *Error.
type Error struct {
	// Op is what the client was doing: "token", "put cob", "put cobv",
	// "get cob", "get cobv" or "list pix".
	Op string
	// Status is the HTTP status code.
	Status int
	// Type is the problem type URI
	// ("https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida"), or the
	// OAuth2 error code from the token endpoint ("invalid_client").
	Type string
	// Title and Detail are the provider's human-readable explanation.
	Title  string
	Detail string
	// Violacoes lists the fields the provider refused, when it says.
	Violacoes []Violacao
}

// Violacao is one rule a request broke, as reported by the provider.
type Violacao struct {
	Razao       string `json:"razao"`
	Propriedade string `json:"propriedade"`
	Valor       string `json:"valor"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apipix: %s: %d", e.Op, e.Status)
	if e.Title != "" {
		b.WriteString(" " + strings.TrimSuffix(e.Title, "."))
	} else if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.Type != "" && !strings.Contains(e.Type, "/") {
		b.WriteString(" (" + e.Type + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	for i, v := range e.Violacoes {
		if i == 0 {
			b.WriteString(" [")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(v.Propriedade)
		if v.Razao != "" {
			b.WriteString(": " + v.Razao)
		}
		if i == len(e.Violacoes)-1 {
			b.WriteString("]")
		}
	}
	return b.String()
}

// Retryable reports whether the same request may succeed later unchanged:
// the provider was unavailable, overloaded or failed internally. Retrying a
// PUT never makes a second charge, since the txid is unique; if the first
// attempt did go through, the retry is refused as a used txid, and GetCob
// or GetCobV shows the charge.
func (e *Error) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// responseError builds an *Error from a non-2xx answer, whatever its body:
// problem+json, an OAuth2 error object, or text from a proxy in between.
func responseError(op string, resp *http.Response) *Error {
	e := &Error{Op: op, Status: resp.StatusCode}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if isJSON(resp.Header.Get("Content-Type")) || json.Valid(body) {
		var p struct {
			Type             string     `json:"type"`
			Title            string     `json:"title"`
			Detail           string     `json:"detail"`
			Violacoes        []Violacao `json:"violacoes"`
			OAuthError       string     `json:"error"`
			OAuthDescription string     `json:"error_description"`
		}
		if json.Unmarshal(body, &p) == nil {
			e.Type, e.Title, e.Detail, e.Violacoes = p.Type, p.Title, p.Detail, p.Violacoes
			if e.Type == "" {
				e.Type = p.OAuthError
			}
			if e.Detail == "" {
				e.Detail = p.OAuthDescription
			}
			return e
		}
	}
	e.Detail = shortText(body)
	return e
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// shortText keeps the start of a non-JSON error body (an HTML page from a
// gateway, say) readable in a log line.
func shortText(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}
