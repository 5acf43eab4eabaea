-- Pix codes issued to debtors, staff alerts, outgoing webhooks and
-- reconciliation runs.

CREATE TABLE pix_codes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid       text NOT NULL UNIQUE,
    url_token  text NOT NULL UNIQUE, -- unguessable part of the QR image's URL
    scope      text NOT NULL CHECK (scope IN ('charge', 'debtor')),
    debtor_id  bigint NOT NULL REFERENCES debtors (id),
    charge_id  bigint REFERENCES charges (id),
    amount     bigint NOT NULL CHECK (amount > 0),
    payload    text NOT NULL,
    provider   text NOT NULL CHECK (provider IN ('static', 'apipix')),
    issued_on  date NOT NULL,
    channel    text NOT NULL DEFAULT '',
    chat       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'charge') = (charge_id IS NOT NULL))
);
CREATE INDEX pix_codes_charge_idx ON pix_codes (charge_id, issued_on);
CREATE INDEX pix_codes_debtor_idx ON pix_codes (debtor_id, issued_on);

-- Things a person must look at: overpayments, unmatched payments, locked
-- verification, receipts sent by debtors.
CREATE TABLE staff_alerts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL,
    debtor_id   bigint REFERENCES debtors (id),
    charge_id   bigint REFERENCES charges (id),
    payment_id  bigint REFERENCES payments (id),
    message     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX staff_alerts_open_idx ON staff_alerts (created_at) WHERE resolved_at IS NULL;

-- Payment confirmations for the debtor, to be sent in the chat where the
-- code was issued (the conversation layer delivers them).
CREATE TABLE payment_confirmations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id bigint NOT NULL UNIQUE REFERENCES payments (id),
    debtor_id  bigint REFERENCES debtors (id),
    channel    text NOT NULL DEFAULT '',
    chat       text NOT NULL DEFAULT '',
    text       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);

CREATE TABLE webhook_endpoints (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url        text NOT NULL CHECK (url ~ '^https?://'),
    events     text[] NOT NULL DEFAULT '{payment.received,charge.paid}',
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id  bigint NOT NULL REFERENCES webhook_endpoints (id),
    event        text NOT NULL,
    event_id     text NOT NULL,
    attempt      integer NOT NULL,
    status_code  integer,
    error        text NOT NULL DEFAULT '',
    duration_ms  integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_recent_idx ON webhook_deliveries (created_at DESC);

CREATE TABLE reconciliation_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    window_from timestamptz NOT NULL,
    window_to   timestamptz NOT NULL,
    listed      integer NOT NULL DEFAULT 0,
    posted      integer NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
