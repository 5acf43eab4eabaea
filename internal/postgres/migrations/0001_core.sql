-- Debtors, charges and the double-entry ledger.

CREATE TABLE debtors (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id       text NOT NULL UNIQUE CHECK (external_id <> '' AND length(external_id) <= 100),
    name              text NOT NULL CHECK (name <> ''),
    document          text NOT NULL CHECK (document ~ '^([0-9]{11}|[0-9A-Z]{12}[0-9]{2})$'),
    document_kind     text NOT NULL CHECK (document_kind IN ('cpf', 'cnpj')),
    phones            text[] NOT NULL DEFAULT '{}',
    email             text NOT NULL DEFAULT '',
    preferred_channel text NOT NULL DEFAULT '' CHECK (preferred_channel IN ('', 'whatsapp', 'telegram')),
    opt_out_whatsapp  boolean NOT NULL DEFAULT false,
    opt_out_telegram  boolean NOT NULL DEFAULT false,
    wrong_number      boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX debtors_phones_idx ON debtors USING gin (phones);
CREATE INDEX debtors_document_idx ON debtors (document);

CREATE TABLE charges (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id      text NOT NULL UNIQUE CHECK (external_id <> '' AND length(external_id) <= 100),
    debtor_id        bigint NOT NULL REFERENCES debtors (id),
    description      text NOT NULL DEFAULT '',
    amount           bigint NOT NULL CHECK (amount > 0),
    due_date         date NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'in_plan', 'written_off')),
    -- Late charges already booked in the ledger: the fine (once) and interest
    -- through this date. What accrues after it is computed, not booked.
    fine_assessed    boolean NOT NULL DEFAULT false,
    interest_through date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX charges_debtor_idx ON charges (debtor_id, due_date);
CREATE INDEX charges_due_open_idx ON charges (due_date) WHERE status = 'open';

-- Chart of accounts. Receivables and credits are kept per charge / per
-- debtor through the postings' charge_id and debtor_id (a sub-ledger), so a
-- charge needs no account rows of its own.
CREATE TABLE ledger_accounts (
    code text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('asset', 'liability', 'income', 'expense', 'equity')),
    name text NOT NULL
);
INSERT INTO ledger_accounts (code, kind, name) VALUES
    ('receivable_principal', 'asset',     'Charges receivable: principal'),
    ('receivable_fees',      'asset',     'Charges receivable: fine and interest'),
    ('cash_pix',             'asset',     'Pix received'),
    ('billed',               'income',    'Charges billed'),
    ('late_fees',            'income',    'Fine and interest assessed'),
    ('discounts',            'expense',   'Discounts granted'),
    ('write_offs',           'expense',   'Debts written off'),
    ('debtor_credit',        'liability', 'Debtor credit (overpayments)'),
    ('suspense',             'liability', 'Payments not matched to a charge');

CREATE TABLE ledger_transactions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('open_charge', 'adjust_charge', 'late_fees', 'payment',
                                                  'discount', 'write_off', 'credit_applied', 'suspense')),
    -- Makes an operation applied twice a no-op: 'payment:<endToEndId>', ...
    idempotency_key text UNIQUE,
    memo            text NOT NULL DEFAULT '',
    effective_at    timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    xact            xid8 NOT NULL DEFAULT pg_current_xact_id()
);

CREATE TABLE ledger_postings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- No row-level foreign key on these two: the statement trigger below
    -- checks transaction_id set-wise (and more strictly), and account is
    -- checked against the chart, which only a migration can change. Bulk
    -- imports post 100,000 lines at once; row-level checks cost seconds.
    transaction_id bigint NOT NULL,
    account        text NOT NULL CHECK (account IN ('receivable_principal', 'receivable_fees', 'cash_pix', 'billed',
                                                    'late_fees', 'discounts', 'write_offs', 'debtor_credit', 'suspense')),
    -- Debit positive, credit negative: a transaction's postings sum to zero.
    amount         bigint NOT NULL CHECK (amount <> 0),
    debtor_id      bigint REFERENCES debtors (id),
    charge_id      bigint REFERENCES charges (id)
);
CREATE INDEX ledger_postings_tx_idx ON ledger_postings (transaction_id);
CREATE INDEX ledger_postings_charge_idx ON ledger_postings (charge_id, account) WHERE charge_id IS NOT NULL;
CREATE INDEX ledger_postings_debtor_idx ON ledger_postings (debtor_id, account) WHERE debtor_id IS NOT NULL;

-- The ledger is append-only.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Postings may only be added to an existing transaction created in the
-- same database transaction: a committed ledger transaction can never grow.
CREATE FUNCTION ledger_postings_same_xact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_postings p LEFT JOIN ledger_transactions t ON t.id = p.transaction_id
               WHERE t.id IS NULL OR t.xact <> pg_current_xact_id()) THEN
        RAISE EXCEPTION 'postings can only be added to a ledger transaction in the database transaction that created it'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_postings_same_xact AFTER INSERT ON ledger_postings
    REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_same_xact();

-- Every ledger transaction balances, checked at commit.
CREATE FUNCTION ledger_transaction_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    n     bigint;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM ledger_postings WHERE transaction_id = NEW.id;
    IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (% postings summing to %)', NEW.id, n, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_transaction_balances AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balances();

-- Money received. One row per provider end-to-end id, however often the
-- provider notifies it.
CREATE TABLE payments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    end_to_end_id  text NOT NULL UNIQUE CHECK (end_to_end_id <> ''),
    txid           text NOT NULL DEFAULT '',
    amount         bigint NOT NULL CHECK (amount > 0),
    paid_at        timestamptz NOT NULL,
    debtor_id      bigint REFERENCES debtors (id),
    charge_id      bigint REFERENCES charges (id),
    transaction_id bigint NOT NULL REFERENCES ledger_transactions (id),
    source         text NOT NULL CHECK (source IN ('webhook', 'reconciliation', 'api', 'manual', 'demo')),
    payer          text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_debtor_idx ON payments (debtor_id, paid_at);
CREATE INDEX payments_charge_idx ON payments (charge_id);
