-- The staff console: users, sessions, claims, notes, the append-only audit
-- log, and what the KPI page reads without scanning the hot tables.

CREATE TABLE console_users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    name            text NOT NULL DEFAULT '',
    role            text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash   text NOT NULL,               -- argon2id, PHC string
    failed_logins   integer NOT NULL DEFAULT 0,  -- consecutive wrong passwords
    locked_until    timestamptz,                 -- lockout after five in a row
    disabled_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 of the session token is kept.
CREATE TABLE console_sessions (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      bigint NOT NULL REFERENCES console_users (id),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX console_sessions_user_idx ON console_sessions (user_id);

-- One agent holds a conversation at a time: the primary key makes a second
-- claim lose.
CREATE TABLE conversation_claims (
    conversation_id bigint PRIMARY KEY REFERENCES conversations (id),
    user_id         bigint NOT NULL REFERENCES console_users (id),
    claimed_at      timestamptz NOT NULL DEFAULT now()
);

-- Internal notes and closing outcomes, never shown to the debtor.
CREATE TABLE conversation_notes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    user_id         bigint NOT NULL REFERENCES console_users (id),
    kind            text NOT NULL CHECK (kind IN ('note', 'outcome')),
    text            text NOT NULL CHECK (text <> ''),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_notes_conversation_idx ON conversation_notes (conversation_id, id);

-- Every change of a conversation's status, written by a trigger that fires
-- only when the status changes (a chat turn that keeps it costs nothing),
-- and announced to consoles with NOTIFY. The inbox's waiting time and the
-- KPIs' escalations read it.
CREATE TABLE conversation_status_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL,
    status          text NOT NULL,
    reason          text NOT NULL DEFAULT '',
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_status_log_conv_idx ON conversation_status_log (conversation_id, id);
CREATE INDEX conversation_status_log_at_idx ON conversation_status_log (at, status);

CREATE FUNCTION conversation_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_status_log (conversation_id, status, reason) VALUES (NEW.id, NEW.status, NEW.status_reason);
    -- Back with the bot or closed, by whatever path (the console, the API,
    -- a debtor's "SAIR"): nobody holds it any more.
    IF NEW.status IN ('bot', 'closed') THEN
        DELETE FROM conversation_claims WHERE conversation_id = NEW.id;
    END IF;
    PERFORM pg_notify('regua_console', json_build_object('conversation_id', NEW.id, 'status', NEW.status)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER conversations_status_changed AFTER UPDATE OF status ON conversations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION conversation_status_changed();

-- The audit log becomes append-only, like the ledger.
ALTER TABLE audit_log ADD COLUMN debtor_id bigint;
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_debtor_idx ON audit_log (debtor_id, id) WHERE debtor_id IS NOT NULL;
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Money received outside Pix (cash, transfer, boleto paid elsewhere),
-- recorded by staff with a reason.
INSERT INTO ledger_accounts (code, kind, name) VALUES ('cash_manual', 'asset', 'Received outside Pix (recorded by staff)');
ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_account_check;
ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_account_check
    CHECK (account IN ('receivable_principal', 'receivable_fees', 'cash_pix', 'billed', 'late_fees', 'discounts',
                       'write_offs', 'debtor_credit', 'suspense', 'receivable_plan', 'plan_interest', 'cash_manual'));

-- A charge billed in error is cancelled: its billing is reversed.
ALTER TABLE charges DROP CONSTRAINT charges_status_check;
ALTER TABLE charges ADD CONSTRAINT charges_status_check CHECK (status IN ('open', 'paid', 'in_plan', 'written_off', 'cancelled'));

-- When a charge was settled, kept by a trigger (only on a status change) so
-- that days-to-pay needs no walk through the ledger.
ALTER TABLE charges ADD COLUMN paid_at timestamptz;
CREATE FUNCTION charges_paid_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'paid' AND NEW.paid_at IS NULL THEN
        NEW.paid_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER charges_paid_at BEFORE UPDATE OF status ON charges
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION charges_paid_at();

-- KPI reads: index-only scans over the period.
CREATE INDEX payments_paid_at_idx ON payments (paid_at) INCLUDE (amount);
CREATE INDEX charges_paid_kpi_idx ON charges (paid_at) INCLUDE (due_date, amount) WHERE paid_at IS NOT NULL;

CREATE INDEX promises_for_idx ON promises (promised_for) INCLUDE (status);
CREATE INDEX plans_accepted_idx ON plans (accepted_on);
CREATE INDEX plans_broken_idx ON plans (broken_at) WHERE broken_at IS NOT NULL;
-- Why staff recorded a payment received outside Pix (cleared by an LGPD
-- erase: the ledger keeps only amounts).
CREATE TABLE manual_payments (
    payment_id bigint PRIMARY KEY REFERENCES payments (id),
    reason     text NOT NULL,
    actor      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check
    CHECK (kind IN ('open_charge', 'adjust_charge', 'late_fees', 'payment', 'discount', 'write_off', 'credit_applied',
                    'suspense', 'plan_accept', 'plan_break', 'cancel_charge'));

-- An LGPD erase anonymises the debtor in place (the ledger keeps pointing
-- at the row) and says when.
ALTER TABLE debtors ADD COLUMN erased_at timestamptz;

-- Charges by due date and status, kept incrementally by statement-level
-- triggers (a bulk import adds one row per due date, not one per charge;
-- a statement that changes no status or amount writes nothing). The KPIs'
-- recovery rate and aging read this instead of every charge. Upserts go in
-- key order, so concurrent statements cannot deadlock on it.
CREATE TABLE kpi_charges_by_due (
    due_date date NOT NULL,
    status   text NOT NULL,
    charges  bigint NOT NULL,
    amount   bigint NOT NULL,
    PRIMARY KEY (due_date, status)
);
INSERT INTO kpi_charges_by_due SELECT due_date, status, count(*), sum(amount) FROM charges GROUP BY 1, 2;

CREATE FUNCTION kpi_charges_by_due_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO kpi_charges_by_due (due_date, status, charges, amount)
        SELECT due_date, status, count(*), sum(amount) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (due_date, status) DO UPDATE
            SET charges = kpi_charges_by_due.charges + EXCLUDED.charges, amount = kpi_charges_by_due.amount + EXCLUDED.amount;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO kpi_charges_by_due (due_date, status, charges, amount)
        SELECT due_date, status, sum(n), sum(a) FROM (
            SELECT due_date, status, 1 AS n, amount AS a FROM new_rows
            UNION ALL
            SELECT due_date, status, -1, -amount FROM old_rows) d
        GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(a) <> 0 ORDER BY 1, 2
        ON CONFLICT (due_date, status) DO UPDATE
            SET charges = kpi_charges_by_due.charges + EXCLUDED.charges, amount = kpi_charges_by_due.amount + EXCLUDED.amount;
    ELSE
        INSERT INTO kpi_charges_by_due (due_date, status, charges, amount)
        SELECT due_date, status, -count(*), -sum(amount) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (due_date, status) DO UPDATE
            SET charges = kpi_charges_by_due.charges + EXCLUDED.charges, amount = kpi_charges_by_due.amount + EXCLUDED.amount;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER charges_kpi_insert AFTER INSERT ON charges REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_charges_by_due_apply();
CREATE TRIGGER charges_kpi_update AFTER UPDATE ON charges REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_charges_by_due_apply();
CREATE TRIGGER charges_kpi_delete AFTER DELETE ON charges REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_charges_by_due_apply();
