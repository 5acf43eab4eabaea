package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/payments"
)

// idempotent wraps a POST handler: the same Idempotency-Key with the same
// body replays the first answer; with another body it is a 409. A request
// still in progress under the key is a 409 too. Answers of 5xx are not
// remembered, so the client can retry.
func idempotent(pool *pgxpool.Pool, maxBody int64, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next(w, r)
			return
		}
		if len(key) > 255 {
			WriteError(w, r, loggerOf(r), malformed("Idempotency-Key", "is longer than 255 characters"))
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var mbe *http.MaxBytesError
			if !errors.As(err, &mbe) {
				err = malformed("", "cannot read the request body: %v", err)
			}
			WriteError(w, r, loggerOf(r), err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		h.Write([]byte(r.Method + " " + r.URL.RequestURI() + "\n"))
		h.Write(body)
		sum := h.Sum(nil)
		apiKey := apiKeyOf(r)
		ctx := r.Context()

		var status *int32
		var stored, resp []byte
		err = pool.QueryRow(ctx, `INSERT INTO idempotency_keys (api_key_id, key, method, path, request_hash)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (api_key_id, key) DO NOTHING RETURNING status`,
			apiKey.ID, key, r.Method, r.URL.Path, sum).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			err = pool.QueryRow(ctx, "SELECT request_hash, status, response FROM idempotency_keys WHERE api_key_id = $1 AND key = $2",
				apiKey.ID, key).Scan(&stored, &status, &resp)
			if err != nil {
				WriteError(w, r, loggerOf(r), err)
				return
			}
			switch {
			case !bytes.Equal(stored, sum):
				WriteError(w, r, loggerOf(r), &payments.Error{Code: payments.ECONFLICT, Field: "Idempotency-Key",
					Message: "this Idempotency-Key was already used with a different request"})
			case status == nil:
				WriteError(w, r, loggerOf(r), &payments.Error{Code: payments.ECONFLICT, Field: "Idempotency-Key",
					Message: "a request with this Idempotency-Key is still in progress; retry shortly"})
			default:
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(int(*status))
				w.Write(resp)
			}
			return
		}
		if err != nil {
			WriteError(w, r, loggerOf(r), err)
			return
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next(rec, r)
		bg := context.WithoutCancel(ctx)
		if rec.status >= 500 {
			pool.Exec(bg, "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2", apiKey.ID, key)
			return
		}
		pool.Exec(bg, "UPDATE idempotency_keys SET status = $3, response = $4 WHERE api_key_id = $1 AND key = $2",
			apiKey.ID, key, rec.status, rec.buf.Bytes())
	}
}

// recorder passes a response through while keeping a copy.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }
func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
