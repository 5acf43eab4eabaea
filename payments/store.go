package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store keeps debtors and charges in PostgreSQL and books new charges in
// the ledger in the same transaction.
type Store struct {
	pool   *pgxpool.Pool
	ledger *Ledger
}

// NewStore builds a Store over the ledger's pool.
func NewStore(ledger *Ledger) *Store {
	return &Store{pool: ledger.pool, ledger: ledger}
}

const debtorCols = `id, external_id, name, document, document_kind, phones, email, preferred_channel, state,
	opt_out_whatsapp, opt_out_telegram, wrong_number, created_at, updated_at`

func scanDebtor(row pgx.Row) (*Debtor, error) {
	var d Debtor
	err := row.Scan(&d.ID, &d.ExternalID, &d.Name, &d.Document, &d.DocumentKind, &d.Phones, &d.Email, &d.PreferredChannel, &d.State,
		&d.OptOutWhatsApp, &d.OptOutTelegram, &d.WrongNumber, &d.CreatedAt, &d.UpdatedAt)
	return &d, err
}

const chargeCols = `c.id, c.external_id, c.debtor_id, d.external_id, c.description, c.amount, c.due_date, c.status, c.created_at, c.updated_at`

func scanCharge(row pgx.Row) (*Charge, error) {
	var c Charge
	err := row.Scan(&c.ID, &c.ExternalID, &c.DebtorID, &c.DebtorExternalID, &c.Description, &c.Amount, &c.DueDate, &c.Status, &c.CreatedAt, &c.UpdatedAt)
	return &c, err
}

// CreateDebtor inserts a new debtor. An existing external id is a conflict
// unless the stored debtor is identical (then it is returned unchanged).
func (s *Store) CreateDebtor(ctx context.Context, d *Debtor) (created bool, err error) {
	row := s.pool.QueryRow(ctx, `INSERT INTO debtors (external_id, name, document, document_kind, phones, email, preferred_channel, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (external_id) DO NOTHING RETURNING `+debtorCols,
		d.ExternalID, d.Name, d.Document, d.DocumentKind, d.Phones, d.Email, d.PreferredChannel, d.State)
	got, err := scanDebtor(row)
	if err == nil {
		*d = *got
		return true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("store: create debtor: %w", err)
	}
	old, err := s.Debtor(ctx, d.ExternalID)
	if err != nil {
		return false, err
	}
	if old.Name != d.Name || old.Document != d.Document || strings.Join(old.Phones, ",") != strings.Join(d.Phones, ",") ||
		old.Email != d.Email || old.PreferredChannel != d.PreferredChannel || old.State != d.State {
		return false, &Error{Code: ECONFLICT, Field: "external_id", Message: fmt.Sprintf("debtor %s already exists with other data", d.ExternalID)}
	}
	*d = *old
	return false, nil
}

// Debtor returns the debtor with an external id.
func (s *Store) Debtor(ctx context.Context, externalID string) (*Debtor, error) {
	d, err := scanDebtor(s.pool.QueryRow(ctx, "SELECT "+debtorCols+" FROM debtors WHERE external_id = $1", externalID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "debtor %s not found", externalID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: debtor: %w", err)
	}
	return d, nil
}

// DebtorByID returns the debtor with an internal id.
func (s *Store) DebtorByID(ctx context.Context, id int64) (*Debtor, error) {
	d, err := scanDebtor(s.pool.QueryRow(ctx, "SELECT "+debtorCols+" FROM debtors WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "debtor %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: debtor: %w", err)
	}
	return d, nil
}

// DebtorsByPhone returns the debtors that have an E.164 phone.
func (s *Store) DebtorsByPhone(ctx context.Context, phone string) ([]*Debtor, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+debtorCols+" FROM debtors WHERE phones @> ARRAY[$1]::text[] ORDER BY id", phone)
	if err != nil {
		return nil, fmt.Errorf("store: debtors by phone: %w", err)
	}
	defer rows.Close()
	var ds []*Debtor
	for rows.Next() {
		d, err := scanDebtor(rows)
		if err != nil {
			return nil, fmt.Errorf("store: debtors by phone: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// ListDebtors returns up to limit debtors ordered by external id, after the
// cursor (an external id; "" for the first page).
func (s *Store) ListDebtors(ctx context.Context, after string, limit int) ([]*Debtor, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+debtorCols+" FROM debtors WHERE external_id > $1 ORDER BY external_id LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list debtors: %w", err)
	}
	defer rows.Close()
	ds := []*Debtor{}
	for rows.Next() {
		d, err := scanDebtor(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list debtors: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// CreateCharge inserts a charge for an existing debtor and books it. An
// existing external id is a conflict unless the stored charge is identical.
func (s *Store) CreateCharge(ctx context.Context, c *Charge) (created bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, "SELECT id FROM debtors WHERE external_id = $1", c.DebtorExternalID).Scan(&c.DebtorID)
		if errors.Is(err, pgx.ErrNoRows) {
			return &Error{Code: EINVALID, Field: "debtor_external_id", Message: fmt.Sprintf("debtor %s not found", c.DebtorExternalID)}
		} else if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO charges (external_id, debtor_id, description, amount, due_date)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (external_id) DO NOTHING RETURNING id, status, created_at, updated_at`,
			c.ExternalID, c.DebtorID, c.Description, c.Amount, c.DueDate).Scan(&c.ID, &c.Status, &c.CreatedAt, &c.UpdatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			old, err := scanCharge(tx.QueryRow(ctx, "SELECT "+chargeCols+" FROM charges c JOIN debtors d ON d.id = c.debtor_id WHERE c.external_id = $1", c.ExternalID))
			if err != nil {
				return err
			}
			if old.DebtorID != c.DebtorID || old.Description != c.Description || old.Amount != c.Amount || !old.DueDate.Equal(c.DueDate) {
				return &Error{Code: ECONFLICT, Field: "external_id", Message: fmt.Sprintf("charge %s already exists with other data", c.ExternalID)}
			}
			*c = *old
			return nil
		} else if err != nil {
			return err
		}
		created = true
		return s.ledger.OpenChargeTx(ctx, tx, c)
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return false, err
		}
		return false, fmt.Errorf("store: create charge: %w", err)
	}
	return created, nil
}

// Charge returns the charge with an external id.
func (s *Store) Charge(ctx context.Context, externalID string) (*Charge, error) {
	c, err := scanCharge(s.pool.QueryRow(ctx, "SELECT "+chargeCols+" FROM charges c JOIN debtors d ON d.id = c.debtor_id WHERE c.external_id = $1", externalID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "charge %s not found", externalID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: charge: %w", err)
	}
	return c, nil
}

// ChargeByID returns the charge with an internal id.
func (s *Store) ChargeByID(ctx context.Context, id int64) (*Charge, error) {
	c, err := scanCharge(s.pool.QueryRow(ctx, "SELECT "+chargeCols+" FROM charges c JOIN debtors d ON d.id = c.debtor_id WHERE c.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "charge %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: charge: %w", err)
	}
	return c, nil
}

// ChargeFilter narrows ListCharges.
type ChargeFilter struct {
	DebtorID int64  // 0 = any
	Status   string // "" = any
	After    string // cursor: external id
	Limit    int
}

// ListCharges returns charges ordered by external id.
func (s *Store) ListCharges(ctx context.Context, f ChargeFilter) ([]*Charge, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+chargeCols+` FROM charges c JOIN debtors d ON d.id = c.debtor_id
		WHERE c.external_id > $1 AND ($2 = 0 OR c.debtor_id = $2) AND ($3 = '' OR c.status = $3)
		ORDER BY c.external_id LIMIT $4`, f.After, f.DebtorID, f.Status, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list charges: %w", err)
	}
	defer rows.Close()
	cs := []*Charge{}
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list charges: %w", err)
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// Payment is a recorded payment.
type Payment struct {
	ID         int64     `json:"-"`
	EndToEndID string    `json:"end_to_end_id"`
	TxID       string    `json:"txid"`
	Amount     Cents     `json:"amount"`
	PaidAt     time.Time `json:"paid_at"`
	ChargeID   int64     `json:"-"`
	Source     string    `json:"source"`
}

// PaymentsOfDebtor lists a debtor's payments, newest first.
func (s *Store) PaymentsOfDebtor(ctx context.Context, debtorID int64) ([]Payment, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, end_to_end_id, txid, amount, paid_at, coalesce(charge_id, 0), source
		FROM payments WHERE debtor_id = $1 ORDER BY paid_at DESC, id DESC`, debtorID)
	if err != nil {
		return nil, fmt.Errorf("store: payments: %w", err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Payment, error) {
		var p Payment
		err := r.Scan(&p.ID, &p.EndToEndID, &p.TxID, &p.Amount, &p.PaidAt, &p.ChargeID, &p.Source)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: payments: %w", err)
	}
	return ps, nil
}

// Pool returns the store's pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
