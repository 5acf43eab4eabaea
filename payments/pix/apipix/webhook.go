package apipix

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/regua/regua/payments"
)

// ParseWebhook reads a provider's payment notification: the API Pix's
// {"pix": [...]} or the bare array some providers send. Every item is
// checked (endToEndId shape, positive amount with at most two decimals,
// settlement time) and the first bad one fails the whole body with a
// *payments.Error naming it, e.g. "pix[2].valor: ...", so that nothing is
// half-accepted. An empty list is not an error.
func ParseWebhook(body []byte) ([]Pix, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil, payments.Invalid("body", "is empty")
	}
	var items []json.RawMessage
	switch b[0] {
	case '[':
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, payments.Invalid("body", "is not a JSON array of Pix: %v", err)
		}
	case '{':
		var env struct {
			Pix json.RawMessage `json:"pix"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, payments.Invalid("body", "is not JSON: %v", err)
		}
		if len(env.Pix) == 0 || string(env.Pix) == "null" {
			return nil, payments.Invalid("pix", "is required")
		}
		if err := json.Unmarshal(env.Pix, &items); err != nil {
			return nil, payments.Invalid("pix", "must be an array")
		}
	default:
		return nil, payments.Invalid("body", "must be a JSON object {\"pix\": [...]} or an array")
	}
	out := make([]Pix, 0, len(items))
	for i, raw := range items {
		p, err := decodePix(raw, i)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// SignatureHeader is the header that carries SignWebhook's value, for
// providers (and our own outgoing webhooks) authenticated by HMAC rather
// than mutual TLS.
const SignatureHeader = "X-Regua-Signature"

// DefaultWebhookTolerance is how far a signature's timestamp may be from
// now when VerifyWebhook is given no tolerance.
const DefaultWebhookTolerance = 5 * time.Minute

// Signature failures, for errors.Is. Each is a *payments.Error with code
// unauthorized; VerifyWebhook wraps them with details.
var (
	ErrSignatureMissing   = &payments.Error{Code: payments.EUNAUTHORIZED, Message: "webhook signature missing"}
	ErrSignatureMalformed = &payments.Error{Code: payments.EUNAUTHORIZED, Message: "webhook signature malformed"}
	ErrSignatureExpired   = &payments.Error{Code: payments.EUNAUTHORIZED, Message: "webhook signature timestamp outside tolerance"}
	ErrSignatureMismatch  = &payments.Error{Code: payments.EUNAUTHORIZED, Message: "webhook signature does not match"}
)

// SignWebhook returns the signature header value for body sent at
// timestamp: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix>.<body>">".
// Signing the timestamp with the body is what lets the receiver refuse
// replays.
func SignWebhook(secret string, timestamp time.Time, body []byte) string {
	t := strconv.FormatInt(timestamp.Unix(), 10)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac(secret, t, body))
}

func mac(secret, t string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(t))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// VerifyWebhook checks a header made by SignWebhook against body: the
// timestamp must be within tolerance of now either way (a non-positive
// tolerance means DefaultWebhookTolerance) and one v1 signature must
// match, compared in constant time. Several v1 entries are allowed so a
// secret can be rotated; unknown keys are ignored. Errors wrap
// ErrSignatureMissing, ErrSignatureMalformed, ErrSignatureExpired or
// ErrSignatureMismatch.
func VerifyWebhook(secret string, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return errors.New("apipix: verify webhook: empty secret")
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrSignatureMissing
	}
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: %q is not key=value", ErrSignatureMalformed, part)
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("%w: t given twice", ErrSignatureMalformed)
			}
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256", ErrSignatureMalformed)
			}
			sigs = append(sigs, sig)
		}
	}
	if ts == "" {
		return fmt.Errorf("%w: no t", ErrSignatureMalformed)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1", ErrSignatureMalformed)
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || unix < 0 || strings.HasPrefix(ts, "+") {
		return fmt.Errorf("%w: t is not a unix time", ErrSignatureMalformed)
	}
	// Compare in seconds so that huge values cannot overflow a Duration.
	skew := now.Unix() - unix
	tol := int64(tolerance / time.Second)
	switch {
	case skew > tol:
		return fmt.Errorf("%w: signed %ds ago", ErrSignatureExpired, skew)
	case -skew > tol:
		return fmt.Errorf("%w: signed %ds in the future", ErrSignatureExpired, -skew)
	}
	want := mac(secret, ts, body)
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			return nil
		}
	}
	return ErrSignatureMismatch
}
