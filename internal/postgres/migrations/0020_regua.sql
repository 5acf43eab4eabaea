-- The régua: its versioned cadence, every reminder (charge or installment,
-- step) once, the attempts on each, and where the debtor lives.

-- The debtor's state (UF) places them for the contact-hour laws and state
-- holidays; empty: the phone's area code does.
ALTER TABLE debtors ADD COLUMN state text NOT NULL DEFAULT '' CHECK (state = '' OR state ~ '^[A-Z]{2}$');

-- Every saved cadence is kept: version N is the N-th save; with none, the
-- built-in defaults apply (as for policies).
CREATE TABLE regua_configs (
    version    bigint PRIMARY KEY CHECK (version > 0),
    document   jsonb NOT NULL,
    actor      text NOT NULL CHECK (actor <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (charge, step) or (plan installment, step): the exactly-once
-- ledger. The planner inserts it with its send job in one transaction; the
-- worker locks it, re-checks, and records the outcome in the transaction
-- that completes the job.
CREATE TABLE reminders (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    debtor_id      bigint NOT NULL REFERENCES debtors (id),
    charge_id      bigint REFERENCES charges (id),
    installment_id bigint REFERENCES plan_installments (id),
    step           text NOT NULL CHECK (step <> ''),
    step_offset    integer NOT NULL,
    intent         text NOT NULL,
    config_version bigint NOT NULL CHECK (config_version >= 0),
    status         text NOT NULL CHECK (status IN ('planned', 'sending', 'sent', 'delivered', 'read', 'held', 'failed')),
    channel        text NOT NULL DEFAULT '',
    reason         text NOT NULL DEFAULT '',
    detail         text NOT NULL DEFAULT '',
    due_at         timestamptz NOT NULL,
    sent_at        timestamptz, -- when it went (or, while sending, when it was handed to the channel)
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((charge_id IS NULL) <> (installment_id IS NULL)),
    CHECK ((status IN ('sending', 'sent', 'delivered', 'read')) = (sent_at IS NOT NULL))
);
CREATE UNIQUE INDEX reminders_charge_step ON reminders (charge_id, step_offset) WHERE charge_id IS NOT NULL;
CREATE UNIQUE INDEX reminders_installment_step ON reminders (installment_id, step_offset) WHERE installment_id IS NOT NULL;
-- Caps: what a debtor was sent lately.
CREATE INDEX reminders_debtor_sent_idx ON reminders (debtor_id, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX reminders_debtor_idx ON reminders (debtor_id, id);

-- Every attempt and change of a reminder, append-only: planned, moved (held
-- by the calendar or a cap, with the next slot), sending on a channel, sent,
-- failed on a channel (and why), held by a stop condition.
CREATE TABLE reminder_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reminder_id bigint NOT NULL REFERENCES reminders (id),
    at          timestamptz NOT NULL,
    status      text NOT NULL,
    channel     text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT '',
    detail      text NOT NULL DEFAULT '',
    next_at     timestamptz
);
CREATE INDEX reminder_events_reminder_idx ON reminder_events (reminder_id, id);

-- A message the business starts is stored once per key: on the web chat,
-- where storing is delivering, this makes a reminder exactly-once.
ALTER TABLE messages ADD COLUMN outbound_key text;
CREATE UNIQUE INDEX messages_outbound_once ON messages (outbound_key) WHERE outbound_key IS NOT NULL;
