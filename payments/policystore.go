package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// querier is what both a pool and a transaction offer for reading.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PolicyStore keeps the negotiation policy in PostgreSQL. Every save is a
// new version; nothing is ever overwritten, so the terms any offer was made
// under can be found again by its PolicyVersion.
type PolicyStore struct {
	pool   *pgxpool.Pool
	ledger *Ledger

	mu     sync.Mutex
	cached *Policy // the last version decoded (versions never change)
}

// NewPolicyStore builds a PolicyStore. With a ledger, the late-charge rules
// of every policy it saves or reads are put in force in that ledger, so
// that what the bot quotes and what the ledger charges follow one policy.
func NewPolicyStore(pool *pgxpool.Pool, ledger *Ledger) *PolicyStore {
	return &PolicyStore{pool: pool, ledger: ledger}
}

// Current returns the policy in force: the latest saved version, or
// DefaultPolicy() (Version 0) when none was ever saved.
func (s *PolicyStore) Current(ctx context.Context) (Policy, error) {
	return s.current(ctx, s.pool)
}

func (s *PolicyStore) current(ctx context.Context, q querier) (Policy, error) {
	var version int64
	var doc []byte
	err := q.QueryRow(ctx, currentPolicySQL).Scan(&version, &doc)
	return s.fromRow(version, doc, err)
}

const currentPolicySQL = "SELECT version, document FROM policies ORDER BY version DESC LIMIT 1"

// fromRow turns the result of currentPolicySQL into the policy in force
// (the defaults when none was saved) and puts its late-charge rules in
// force.
func (s *PolicyStore) fromRow(version int64, doc []byte, err error) (Policy, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		p := DefaultPolicy()
		s.apply(p)
		return p, nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("policy: current: %w", err)
	}
	s.mu.Lock()
	c := s.cached
	s.mu.Unlock()
	if c != nil && c.Version == version {
		p := c.clone()
		s.apply(p)
		return p, nil
	}
	p, err := decodePolicy(doc)
	if err != nil {
		return Policy{}, fmt.Errorf("policy: version %d: %w", version, err)
	}
	p.Version = version
	cp := p.clone()
	s.mu.Lock()
	s.cached = &cp
	s.mu.Unlock()
	s.apply(p)
	return p, nil
}

// decodePolicy reads a stored document onto the defaults, so that a
// setting added after the document was saved starts at its default.
func decodePolicy(doc []byte) (Policy, error) {
	p := DefaultPolicy()
	if err := json.Unmarshal(doc, &p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Reload reads the current policy and puts its late-charge rules in force
// in the store's ledger. The service calls it at start and periodically, so
// that a policy saved through another replica takes effect here too.
func (s *PolicyStore) Reload(ctx context.Context) (Policy, error) {
	return s.Current(ctx)
}

// Watch reloads the policy every period until ctx is done, so that a
// policy saved through another replica takes effect here within a period.
// A failed reload keeps the rules in force and is logged.
func (s *PolicyStore) Watch(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Reload(ctx); err != nil && ctx.Err() == nil && log != nil {
				log.Error("policy reload", "err", err)
			}
		}
	}
}

func (s *PolicyStore) apply(p Policy) {
	if s.ledger != nil && s.ledger.LateFeeRules() != p.LateFees {
		s.ledger.SetLateFeeRules(p.LateFees)
	}
}

// Save validates p and stores it as the new current policy, recording who
// saved it in the audit log. It returns the new version. An invalid policy
// is an *Error with code EINVALID naming the field, and nothing is saved.
// The Version p carries is ignored: the store assigns versions.
func (s *PolicyStore) Save(ctx context.Context, p Policy, actor string) (int64, error) {
	p.Version = 0
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if err := checkStorable(p); err != nil {
		return 0, err
	}
	if strings.TrimSpace(actor) == "" {
		return 0, Invalid("actor", "is required")
	}
	var version int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One save at a time, so versions are consecutive.
		if _, err := tx.Exec(ctx, "LOCK TABLE policies IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) + 1 FROM policies").Scan(&version); err != nil {
			return err
		}
		p.Version = version
		doc, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO policies (version, document, actor) VALUES ($1, $2, $3)", version, doc, actor); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO audit_log (actor, action, subject, detail) VALUES ($1, 'policy.save', $2, $3)",
			actor, fmt.Sprintf("policy v%d", version), doc)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("policy: save: %w", err)
	}
	s.apply(p)
	return version, nil
}

// checkStorable adds to Validate what only makes sense across settings: an
// installment tier that opens plans to debts from MinDebt while the
// minimum installment is above that debt would promise plans no debt at
// its floor can have.
func checkStorable(p Policy) error {
	for i, t := range p.InstallmentTiers {
		if t.MaxInstallments >= 2 && t.MinDebt > 0 && p.MinInstallment > t.MinDebt {
			return Invalid("min_installment", "%s is above the debt of %s from which installment_tiers[%d] offers up to %d installments",
				p.MinInstallment, t.MinDebt, i, t.MaxInstallments)
		}
	}
	return nil
}

// clone copies p so that a caller changing its lists leaves the cache alone.
func (p Policy) clone() Policy {
	p.CashDiscounts = slices.Clone(p.CashDiscounts)
	p.InstallmentTiers = slices.Clone(p.InstallmentTiers)
	return p
}
