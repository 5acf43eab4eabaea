package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/regua/regua/payments"
)

// ErrorBody is SPEC's error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Lines   any    `json:"lines,omitempty"` // import problems, one per bad line
}

var statusOf = map[string]int{
	payments.EINVALID:      http.StatusUnprocessableEntity,
	payments.ENOTFOUND:     http.StatusNotFound,
	payments.ECONFLICT:     http.StatusConflict,
	payments.EUNAUTHORIZED: http.StatusUnauthorized,
	payments.EINTERNAL:     http.StatusInternalServerError,
}

// WriteError answers err as SPEC's JSON error. Internal errors are logged and
// answered with a generic message.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := payments.ErrorCode(err)
	status := statusOf[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: payments.ErrorMessage(err), Field: payments.ErrorField(err)}}
	var le *linesError
	if errors.As(err, &le) {
		body.Error.Lines = le.lines
		status = http.StatusUnprocessableEntity
	}
	var be *badRequest
	if errors.As(err, &be) {
		status = http.StatusBadRequest
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		status = http.StatusRequestEntityTooLarge
		body.Error.Code, body.Error.Field = payments.EINVALID, ""
		body.Error.Message = fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)
	}
	if code == payments.EINTERNAL && status == http.StatusInternalServerError {
		// The route's pattern and the request id, never the path: paths
		// carry phones and documents (/chat/api/{phone}/…).
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", routeOf(r), "request_id", RequestID(r.Context()), "err", err)
		body.Error.Message = "internal error; it has been logged as request " + RequestID(r.Context())
	}
	WriteJSON(w, status, body)
}

// WriteJSON writes v as JSON with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// badRequest marks an error about the request's form (400) rather than its
// content (422).
type badRequest struct{ err *payments.Error }

func (b *badRequest) Error() string { return b.err.Error() }
func (b *badRequest) Unwrap() error { return b.err }

func malformed(field, format string, args ...any) error {
	return &badRequest{&payments.Error{Code: payments.EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}}
}

// linesError carries an import's per-line problems.
type linesError struct {
	err   *payments.Error
	lines any
}

func (l *linesError) Error() string { return l.err.Error() }
func (l *linesError) Unwrap() error { return l.err }

const maxJSONBody = 1 << 20

// hasNULEscape says whether a JSON text holds the escape \u0000 (a raw NUL
// byte is already a syntax error): a backslash that is not itself escaped,
// then u0000.
func hasNULEscape(b []byte) bool {
	for i := 0; i+6 <= len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && string(b[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character: \\u0000 (an escaped backslash) is text
	}
	return false
}

// DecodeJSON reads a JSON object into v strictly: one object, no unknown
// fields, at most 1 MiB. Errors name the field where JSON allows it.
func DecodeJSON(r *http.Request, v any) error {
	// curl -d sends application/x-www-form-urlencoded; a JSON body is still
	// read as JSON. Anything else is surely not JSON.
	switch ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) {
	case "", "application/json", "application/x-www-form-urlencoded", "text/plain":
	default:
		return malformed("", "Content-Type must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe // 413
		}
		return malformed("", "cannot read the request body: %v", err)
	}
	if hasNULEscape(body) {
		// PostgreSQL text cannot hold NUL: refused here, not a 500 later.
		return malformed("", `JSON strings must not hold a NUL character (\u0000)`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return malformed("", "request body is empty; send a JSON object")
		case errors.As(err, &syn):
			return malformed("", "malformed JSON at byte %d: %v", syn.Offset, syn)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return malformed("", "malformed JSON: unexpected end of body")
		case errors.As(err, &typ) && (typ.Type == reflect.TypeFor[payments.Cents]() || typ.Field == "amount" || strings.HasSuffix(typ.Field, ".amount")):
			// An amount in any form but the API's ("1234.56"), a JSON
			// number included, is invalid content naming the field.
			return payments.Invalid(typ.Field, "%s", payments.ErrNotDecimal.Error())
		case errors.As(err, &typ):
			return malformed(typ.Field, "must be a JSON %s, not %s", typ.Type.Kind(), typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return malformed(f, "unknown field %q", f)
		default:
			var pe *payments.Error
			if errors.As(err, &pe) {
				return err
			}
			return malformed("", "malformed JSON: %v", err)
		}
	}
	if dec.More() {
		return malformed("", "request body must hold a single JSON object")
	}
	return nil
}

// JSON gives packages that must not import httpapi (the channel adapters
// under bot/) the API's way to read bodies and write answers and errors.
type JSON struct{ Log *slog.Logger }

// Decode is DecodeJSON.
func (j JSON) Decode(r *http.Request, v any) error { return DecodeJSON(r, v) }

// Write is WriteJSON.
func (j JSON) Write(w http.ResponseWriter, status int, v any) { WriteJSON(w, status, v) }

// Error is WriteError with j's logger.
func (j JSON) Error(w http.ResponseWriter, r *http.Request, err error) { WriteError(w, r, j.Log, err) }
