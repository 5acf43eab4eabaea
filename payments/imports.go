package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ImportResult counts what an import did.
type ImportResult struct {
	Rows      int `json:"rows"`
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// RowError is a problem with one row of an import, by its index in the
// slice given to the import (the caller maps it to a file line).
type RowError struct {
	Index  int
	Field  string
	Reason string
}

// RowErrors is returned when an import refused rows; nothing was applied.
type RowErrors []RowError

func (e RowErrors) Error() string {
	return fmt.Sprintf("%d rows refused", len(e))
}

// importLock serialises imports so that two at once cannot race on the
// same external ids.
const importLock = 0x494d504f5254 // "IMPORT"

// ImportDebtors inserts new debtors and updates changed ones in one
// transaction (COPY into a temporary table, then set-based SQL). Applying the
// same rows twice changes nothing the second time.
func (s *Store) ImportDebtors(ctx context.Context, ds []Debtor, actor, filename string) (ImportResult, error) {
	res := ImportResult{Rows: len(ds)}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", importLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_debtors (
			external_id text, name text, document text, document_kind text, phones text[], email text, preferred_channel text, state text
		) ON COMMIT DROP`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_debtors"},
			[]string{"external_id", "name", "document", "document_kind", "phones", "email", "preferred_channel", "state"},
			pgx.CopyFromSlice(len(ds), func(i int) ([]any, error) {
				d := ds[i]
				return []any{d.ExternalID, d.Name, d.Document, d.DocumentKind, d.Phones, d.Email, d.PreferredChannel, d.State}, nil
			}))
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			WITH up AS (
				INSERT INTO debtors AS d (external_id, name, document, document_kind, phones, email, preferred_channel, state)
				SELECT external_id, name, document, document_kind, phones, email, preferred_channel, state FROM import_debtors
				ON CONFLICT (external_id) DO UPDATE SET
					name = excluded.name, document = excluded.document, document_kind = excluded.document_kind,
					phones = excluded.phones, email = excluded.email, preferred_channel = excluded.preferred_channel,
					state = excluded.state, updated_at = now()
				WHERE (d.name, d.document, d.phones, d.email, d.preferred_channel, d.state)
				      IS DISTINCT FROM (excluded.name, excluded.document, excluded.phones, excluded.email, excluded.preferred_channel, excluded.state)
				RETURNING (xmax = 0) AS inserted
			)
			SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`).Scan(&res.Inserted, &res.Updated)
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("import debtors: %w", err)
	}
	res.Unchanged = res.Rows - res.Inserted - res.Updated
	s.analyzeAfter(ctx, res, "debtors")
	s.recordImport(ctx, "debtors", filename, actor, res)
	return res, nil
}

// ImportCharges inserts new charges (booked in the ledger as one balanced
// transaction) and updates changed ones, all or nothing. Rows naming an
// unknown debtor, moving a charge to another debtor, or changing the amount
// of a charge that already received money are refused as RowErrors.
func (s *Store) ImportCharges(ctx context.Context, cs []Charge, actor, filename string) (ImportResult, error) {
	return s.importCharges(ctx, cs, actor, filename, true)
}

// CheckCharges runs ImportCharges' checks against the database without
// applying anything, so that a file with bad lines of its own can still be
// told about every line the database would refuse.
func (s *Store) CheckCharges(ctx context.Context, cs []Charge) error {
	_, err := s.importCharges(ctx, cs, "", "", false)
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

var errDryRun = errors.New("dry run")

func (s *Store) importCharges(ctx context.Context, cs []Charge, actor, filename string, apply bool) (ImportResult, error) {
	res := ImportResult{Rows: len(cs)}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", importLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_charges (
			idx integer, external_id text, debtor_external_id text, description text, amount bigint, due_date date
		) ON COMMIT DROP`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"import_charges"},
			[]string{"idx", "external_id", "debtor_external_id", "description", "amount", "due_date"},
			pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
				c := cs[i]
				return []any{int32(i), c.ExternalID, c.DebtorExternalID, c.Description, int64(c.Amount), c.DueDate}, nil
			}))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ANALYZE import_charges"); err != nil {
			return err
		}
		// Every refusal at once, so the business can fix the file in one go.
		rows, err := tx.Query(ctx, `
			SELECT t.idx, 'debtor_external_id', 'debtor ' || t.debtor_external_id || ' not found'
			FROM import_charges t LEFT JOIN debtors d ON d.external_id = t.debtor_external_id
			WHERE d.id IS NULL
			UNION ALL
			SELECT t.idx, 'debtor_external_id', 'charge already belongs to debtor ' || d.external_id
			FROM import_charges t JOIN charges c ON c.external_id = t.external_id JOIN debtors d ON d.id = c.debtor_id
			WHERE d.external_id <> t.debtor_external_id
			UNION ALL
			SELECT t.idx, 'amount', 'charge is ' || c.status || ' or has received money; its amount can no longer change'
			FROM import_charges t JOIN charges c ON c.external_id = t.external_id
			WHERE c.amount <> t.amount AND (c.status <> 'open' OR EXISTS (
				SELECT 1 FROM ledger_postings p WHERE p.charge_id = c.id AND p.account = 'receivable_principal' AND p.amount < 0))
			UNION ALL
			SELECT t.idx, 'due_date', 'charge is ' || c.status || '; its due date can no longer change'
			FROM import_charges t JOIN charges c ON c.external_id = t.external_id
			WHERE c.due_date <> t.due_date AND c.status <> 'open'
			ORDER BY 1`)
		if err != nil {
			return err
		}
		rerrs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RowError, error) {
			var e RowError
			var idx int32
			err := r.Scan(&idx, &e.Field, &e.Reason)
			e.Index = int(idx)
			return e, err
		})
		if err != nil {
			return err
		}
		if len(rerrs) > 0 {
			return RowErrors(rerrs)
		}
		if !apply {
			return errDryRun
		}

		// Changed charges: description and due date, and amount with a
		// balancing adjustment in the ledger.
		var adjusted int
		err = tx.QueryRow(ctx, `
			WITH changed AS (
				SELECT c.id, c.debtor_id, t.amount - c.amount AS delta, t.description, t.due_date, t.amount
				FROM import_charges t JOIN charges c ON c.external_id = t.external_id
				WHERE (c.description, c.amount, c.due_date) IS DISTINCT FROM (t.description, t.amount, t.due_date)
			), upd AS (
				UPDATE charges c SET description = ch.description, amount = ch.amount, due_date = ch.due_date, updated_at = now()
				FROM changed ch WHERE c.id = ch.id
			), lt AS (
				INSERT INTO ledger_transactions (kind, memo, effective_at)
				SELECT 'adjust_charge', 'import: amount changed', now() WHERE EXISTS (SELECT 1 FROM changed WHERE delta <> 0)
				RETURNING id
			), lp AS (
				INSERT INTO ledger_postings (transaction_id, account, amount, debtor_id, charge_id)
				SELECT lt.id, x.account, x.amount, x.debtor_id, x.charge_id FROM lt, (
					SELECT 'receivable_principal' AS account, delta AS amount, debtor_id, id AS charge_id FROM changed WHERE delta <> 0
					UNION ALL
					SELECT 'billed', -delta, debtor_id, id FROM changed WHERE delta <> 0
				) x
			)
			SELECT count(*) FROM changed`).Scan(&adjusted)
		if err != nil {
			return err
		}
		res.Updated = adjusted

		// New charges, booked as one ledger transaction: a receivable per
		// charge against the total billed.
		err = tx.QueryRow(ctx, `
			WITH ins AS (
				INSERT INTO charges (external_id, debtor_id, description, amount, due_date)
				SELECT t.external_id, d.id, t.description, t.amount, t.due_date
				FROM import_charges t JOIN debtors d ON d.external_id = t.debtor_external_id
				WHERE NOT EXISTS (SELECT 1 FROM charges c WHERE c.external_id = t.external_id)
				ORDER BY t.idx
				RETURNING id, debtor_id, amount
			), lt AS (
				INSERT INTO ledger_transactions (kind, memo, effective_at)
				SELECT 'open_charge', 'import', now() WHERE EXISTS (SELECT 1 FROM ins)
				RETURNING id
			), lp AS (
				INSERT INTO ledger_postings (transaction_id, account, amount, debtor_id, charge_id)
				SELECT lt.id, 'receivable_principal', ins.amount, ins.debtor_id, ins.id FROM lt, ins
				UNION ALL
				SELECT lt.id, 'billed', -(SELECT sum(amount) FROM ins), NULL, NULL FROM lt
			)
			SELECT count(*) FROM ins`).Scan(&res.Inserted)
		return err
	})
	var rerrs RowErrors
	if errors.As(err, &rerrs) {
		return ImportResult{}, rerrs
	}
	if errors.Is(err, errDryRun) {
		return ImportResult{}, err
	}
	if err != nil {
		return ImportResult{}, fmt.Errorf("import charges: %w", err)
	}
	res.Unchanged = res.Rows - res.Inserted - res.Updated
	s.analyzeAfter(ctx, res, "charges, ledger_postings")
	s.recordImport(ctx, "charges", filename, actor, res)
	return res, nil
}

// analyzeAfter refreshes the planner's statistics of tables a large import
// changed. Régua's statements are planned once per connection (generic
// plans); planned on the statistics of an almost empty table, a debtor's
// charges were found by walking every open charge. Autovacuum would analyze
// the tables eventually, or never where it is turned off. Best effort: an
// import that committed is not failed by its ANALYZE.
func (s *Store) analyzeAfter(ctx context.Context, r ImportResult, tables string) {
	if r.Inserted+r.Updated < 1000 {
		return
	}
	s.pool.Exec(ctx, "ANALYZE "+tables)
}

func (s *Store) recordImport(ctx context.Context, kind, filename, actor string, r ImportResult) {
	s.pool.Exec(ctx, `INSERT INTO imports (kind, filename, rows, inserted, updated, unchanged, actor) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		kind, filename, r.Rows, r.Inserted, r.Updated, r.Unchanged, actor)
}
