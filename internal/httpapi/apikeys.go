package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/payments"
)

// API keys look like "rg_<8-char prefix>_<32-char secret>". The prefix finds
// the row; only a SHA-256 of the whole key is stored (the key has 160 bits
// of entropy, so a slow hash adds nothing), compared in constant time.
const keyPrefix = "rg_"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// APIKey is a stored key (without its secret).
type APIKey struct {
	ID   int64
	Name string
}

// CreateAPIKey makes a new key, stores its hash and returns the key: the
// only time it is ever visible.
func CreateAPIKey(ctx context.Context, pool *pgxpool.Pool, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", payments.Invalid("name", "is required")
	}
	buf := make([]byte, 25)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	s := strings.ToLower(b32.EncodeToString(buf)) // 40 chars
	prefix, secret := s[:8], s[8:]
	key := keyPrefix + prefix + "_" + secret
	sum := sha256.Sum256([]byte(key))
	_, err := pool.Exec(ctx, "INSERT INTO api_keys (name, prefix, hash) VALUES ($1, $2, $3)", name, prefix, sum[:])
	if err != nil {
		return "", fmt.Errorf("apikey: %w", err)
	}
	pool.Exec(ctx, "INSERT INTO audit_log (actor, action, subject) VALUES ('cli', 'apikey.create', $1)", name)
	return key, nil
}

var errBadKey = &payments.Error{Code: payments.EUNAUTHORIZED, Message: "missing or invalid API key; send Authorization: Bearer <key>"}

// authenticate finds the key a bearer token belongs to.
func authenticate(ctx context.Context, pool *pgxpool.Pool, token string) (*APIKey, error) {
	rest, ok := strings.CutPrefix(token, keyPrefix)
	if !ok {
		return nil, errBadKey
	}
	prefix, _, ok := strings.Cut(rest, "_")
	if !ok || len(prefix) != 8 {
		return nil, errBadKey
	}
	var k APIKey
	var hash []byte
	err := pool.QueryRow(ctx, "SELECT id, name, hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL", prefix).Scan(&k.ID, &k.Name, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errBadKey
	}
	if err != nil {
		return nil, fmt.Errorf("apikey: %w", err)
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], hash) != 1 {
		return nil, errBadKey
	}
	return &k, nil
}
