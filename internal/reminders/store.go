package reminders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/conversations/regua"
	"github.com/regua/regua/payments"
)

// ConfigStore keeps the régua's cadence in PostgreSQL. Every save is a new
// version; nothing is overwritten.
type ConfigStore struct {
	pool *pgxpool.Pool

	mu     sync.Mutex
	cached *regua.Config // the last version decoded (versions never change)
	readAt time.Time     // when cached was last confirmed current
}

// fresh is how long Recent trusts the version it last read.
const fresh = 5 * time.Second

// Recent is Current read at most every few seconds: the send path asks it
// for every reminder, and a saved cadence takes effect within seconds. The
// result shares its slices with the cache: read it, never change it.
func (s *ConfigStore) Recent(ctx context.Context) (regua.Config, error) {
	s.mu.Lock()
	c, at := s.cached, s.readAt
	s.mu.Unlock()
	if c != nil && time.Since(at) < fresh {
		return *c, nil
	}
	cfg, err := s.Current(ctx)
	if err != nil {
		return cfg, err
	}
	s.mu.Lock()
	if s.cached == nil || s.cached.Version != cfg.Version {
		cp := clone(cfg)
		s.cached = &cp
	}
	s.readAt = time.Now()
	s.mu.Unlock()
	return cfg, nil
}

// NewConfigStore builds a ConfigStore.
func NewConfigStore(pool *pgxpool.Pool) *ConfigStore { return &ConfigStore{pool: pool} }

// Current is the cadence in force: the latest saved version, or the
// defaults (version 0) when none was ever saved.
func (s *ConfigStore) Current(ctx context.Context) (regua.Config, error) {
	var version int64
	var doc []byte
	err := s.pool.QueryRow(ctx, "SELECT version, document FROM regua_configs ORDER BY version DESC LIMIT 1").Scan(&version, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		c := regua.DefaultConfig()
		s.mu.Lock()
		s.cached = &c
		s.mu.Unlock()
		return regua.DefaultConfig(), nil
	}
	if err != nil {
		return regua.Config{}, fmt.Errorf("regua config: %w", err)
	}
	s.mu.Lock()
	c := s.cached
	s.mu.Unlock()
	if c != nil && c.Version == version {
		return clone(*c), nil
	}
	cfg, err := Decode(doc)
	if err != nil {
		return regua.Config{}, fmt.Errorf("regua config v%d: %w", version, err)
	}
	cfg.Version = version
	cp := clone(cfg)
	s.mu.Lock()
	s.cached = &cp
	s.mu.Unlock()
	return cfg, nil
}

// Decode reads a document onto the defaults, so that a setting added
// after it was saved starts at its default.
func Decode(doc []byte) (regua.Config, error) {
	c := regua.DefaultConfig()
	if err := json.Unmarshal(doc, &c); err != nil {
		return regua.Config{}, err
	}
	return c, nil
}

func clone(c regua.Config) regua.Config {
	b, _ := json.Marshal(c)
	var out regua.Config
	json.Unmarshal(b, &out)
	return out
}

// Save validates c and stores it as the new version, recording who saved
// it in the audit log. An invalid cadence is an EINVALID error naming the
// field, and nothing is saved.
func (s *ConfigStore) Save(ctx context.Context, c regua.Config, actor string) (int64, error) {
	c.Version = 0
	if err := c.Validate(); err != nil {
		return 0, err
	}
	if strings.TrimSpace(actor) == "" {
		return 0, payments.Invalid("actor", "is required")
	}
	var version int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE regua_configs IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) + 1 FROM regua_configs").Scan(&version); err != nil {
			return err
		}
		c.Version = version
		doc, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO regua_configs (version, document, actor) VALUES ($1, $2, $3)", version, doc, actor); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO audit_log (actor, action, subject, detail) VALUES ($1, 'regua.save', $2, $3)",
			actor, fmt.Sprintf("regua v%d", version), doc)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("regua config: save: %w", err)
	}
	return version, nil
}
