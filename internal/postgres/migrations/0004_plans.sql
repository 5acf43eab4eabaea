-- Negotiation policies (versioned) and installment plans.

-- Every saved policy is kept: version N is the N-th save. The current
-- policy is the highest version; with none, the built-in defaults apply.
CREATE TABLE policies (
    version    bigint PRIMARY KEY CHECK (version > 0),
    document   jsonb NOT NULL,
    actor      text NOT NULL CHECK (actor <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- An accepted offer. The charges it settled are in plan_charges (what each
-- owed when the plan was made) and its payments are plan_installments. A
-- cash offer is a plan of one installment due the day it was accepted.
CREATE TABLE plans (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    debtor_id             bigint NOT NULL REFERENCES debtors (id),
    -- Accepting the same offer twice finds this row instead of making another.
    offer_id              text NOT NULL UNIQUE CHECK (offer_id <> ''),
    kind                  text NOT NULL CHECK (kind IN ('cash', 'installments')),
    status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paid', 'broken')),
    policy_version        bigint NOT NULL CHECK (policy_version >= 0),
    principal             bigint NOT NULL CHECK (principal >= 0),
    fees                  bigint NOT NULL CHECK (fees >= 0),
    discount              bigint NOT NULL CHECK (discount >= 0),
    financed              bigint NOT NULL CHECK (financed > 0),
    interest              bigint NOT NULL CHECK (interest >= 0),
    total                 bigint NOT NULL,
    monthly_rate_bp       bigint NOT NULL CHECK (monthly_rate_bp >= 0),
    -- The agreement's own limit, fixed when it was made: a later policy
    -- does not change the terms of plans already agreed.
    break_after_days_late integer NOT NULL CHECK (break_after_days_late >= 0),
    accepted_on           date NOT NULL,
    accepted_at           timestamptz NOT NULL,
    actor                 text NOT NULL,
    transaction_id        bigint REFERENCES ledger_transactions (id),
    paid_at               timestamptz,
    broken_at             timestamptz,
    break_transaction_id  bigint REFERENCES ledger_transactions (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (principal + fees - discount = financed),
    CHECK (financed + interest = total)
);
CREATE INDEX plans_debtor_idx ON plans (debtor_id, id);
CREATE INDEX plans_active_idx ON plans (id) WHERE status = 'active';

CREATE TABLE plan_charges (
    plan_id                 bigint NOT NULL REFERENCES plans (id),
    charge_id               bigint NOT NULL REFERENCES charges (id),
    -- What the charge owed the day the plan was made (late charges booked
    -- to that day), and its late-charge state then.
    principal               bigint NOT NULL CHECK (principal >= 0),
    fees                    bigint NOT NULL CHECK (fees >= 0),
    fine_assessed           boolean NOT NULL,
    interest_through        date,
    -- What the break put back on the charge.
    restored_principal      bigint,
    restored_fees           bigint,
    PRIMARY KEY (plan_id, charge_id)
);
CREATE INDEX plan_charges_charge_idx ON plan_charges (charge_id);

CREATE TABLE plan_installments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id      bigint NOT NULL REFERENCES plans (id),
    number       integer NOT NULL CHECK (number > 0),
    due_date     date NOT NULL,
    amount       bigint NOT NULL CHECK (amount > 0),
    interest     bigint NOT NULL CHECK (interest >= 0),
    amortization bigint NOT NULL CHECK (amortization >= 0),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'cancelled')),
    paid_at      timestamptz,
    UNIQUE (plan_id, number),
    CHECK (interest + amortization = amount)
);
CREATE INDEX plan_installments_open_idx ON plan_installments (due_date) WHERE status = 'open';

-- The ledger learns the plan accounts. Each installment is its own
-- receivable, a sub-ledger through the postings' installment_id as charges
-- are through charge_id.
INSERT INTO ledger_accounts (code, kind, name) VALUES
    ('receivable_plan', 'asset',  'Installment plans receivable'),
    ('plan_interest',   'income', 'Installment plan interest');

ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_account_check;
ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_account_check
    CHECK (account IN ('receivable_principal', 'receivable_fees', 'cash_pix', 'billed', 'late_fees', 'discounts',
                       'write_offs', 'debtor_credit', 'suspense', 'receivable_plan', 'plan_interest'));
-- No row-level foreign key, for the reason given in 0001 (bulk imports);
-- installment ids come from the same transaction that posts them.
ALTER TABLE ledger_postings ADD COLUMN installment_id bigint;
ALTER TABLE ledger_postings ADD CONSTRAINT ledger_postings_plan_installment_check
    CHECK ((account = 'receivable_plan') = (installment_id IS NOT NULL));
CREATE INDEX ledger_postings_installment_idx ON ledger_postings (installment_id) WHERE installment_id IS NOT NULL;

ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check
    CHECK (kind IN ('open_charge', 'adjust_charge', 'late_fees', 'payment', 'discount', 'write_off', 'credit_applied',
                    'suspense', 'plan_accept', 'plan_break'));

-- Payments that paid an installment, and the Pix codes issued for one.
ALTER TABLE payments ADD COLUMN installment_id bigint REFERENCES plan_installments (id);

ALTER TABLE pix_codes DROP CONSTRAINT pix_codes_scope_check;
ALTER TABLE pix_codes ADD CONSTRAINT pix_codes_scope_check CHECK (scope IN ('charge', 'debtor', 'installment'));
ALTER TABLE pix_codes ADD COLUMN installment_id bigint REFERENCES plan_installments (id);
ALTER TABLE pix_codes ADD CONSTRAINT pix_codes_installment_check CHECK ((scope = 'installment') = (installment_id IS NOT NULL));
CREATE INDEX pix_codes_installment_idx ON pix_codes (installment_id, issued_on) WHERE installment_id IS NOT NULL;
