package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// APIKeyInfo is what `regua apikey list` shows of a key: never the key.
type APIKeyInfo struct {
	ID         int64
	Name       string
	Prefix     string // "rg_abcd1234": the key's visible start
	CreatedAt  time.Time
	LastUsedAt *time.Time // to the minute
	RevokedAt  *time.Time
}

// ListAPIKeys returns every key, revoked ones included, oldest first.
func ListAPIKeys(ctx context.Context, pool *pgxpool.Pool) ([]APIKeyInfo, error) {
	rows, err := pool.Query(ctx, "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("apikey: list: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (APIKeyInfo, error) {
		var k APIKeyInfo
		err := row.Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &k.LastUsedAt, &k.RevokedAt)
		k.Prefix = keyPrefix + k.Prefix
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("apikey: list: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey revokes the key that ref names: its id, its prefix
// ("rg_abcd1234" or "abcd1234", as `regua apikey list` shows it) or its
// name when exactly one active key has it. The key stops working at once:
// every request looks the key up. Revoking a revoked key changes nothing.
// It returns the key as it now is.
func RevokeAPIKey(ctx context.Context, pool *pgxpool.Pool, ref, actor string) (APIKeyInfo, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return APIKeyInfo{}, payments.Invalid("key", "say which key: its id, prefix or name")
	}
	keys, err := ListAPIKeys(ctx, pool)
	if err != nil {
		return APIKeyInfo{}, err
	}
	var match []APIKeyInfo
	for _, k := range keys {
		if strconv.FormatInt(k.ID, 10) == ref || k.Prefix == ref || k.Prefix == keyPrefix+ref {
			match = []APIKeyInfo{k}
			break
		}
		if k.Name == ref && k.RevokedAt == nil {
			match = append(match, k)
		}
	}
	switch {
	case len(match) == 0:
		return APIKeyInfo{}, payments.Errorf(payments.ENOTFOUND, "no API key has the id, prefix or (active) name %q", ref)
	case len(match) > 1:
		return APIKeyInfo{}, payments.Errorf(payments.ECONFLICT, "%d active keys are named %q: revoke one by id or prefix (regua apikey list)", len(match), ref)
	}
	k := match[0]
	if k.RevokedAt != nil {
		return k, nil
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at", k.ID).Scan(&k.RevokedAt); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO audit_log (actor, action, subject) VALUES ($1, 'apikey.revoke', $2)", actor, fmt.Sprintf("%s (%s)", k.Name, k.Prefix))
		return err
	})
	if err != nil {
		return APIKeyInfo{}, fmt.Errorf("apikey: revoke: %w", err)
	}
	return k, nil
}

// touchEvery is how often a key's last use is written: to the minute is
// enough to tell a key in use from a forgotten one.
const touchEvery = time.Minute

// touch records that key k was used, at most once a minute per process.
func (s *Server) touch(ctx context.Context, k *APIKey) {
	now := time.Now()
	if last, ok := s.keyUsed.Load(k.ID); ok && now.Sub(last.(time.Time)) < touchEvery {
		return
	}
	s.keyUsed.Store(k.ID, now)
	if _, err := s.pool.Exec(context.WithoutCancel(ctx), "UPDATE api_keys SET last_used_at = now() WHERE id = $1", k.ID); err != nil {
		s.log.Warn("apikey: last use not recorded", "key_id", k.ID, "err", err)
	}
}
