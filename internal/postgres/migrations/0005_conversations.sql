-- Conversations and every message in and out, for the console and for audit.

CREATE TABLE conversations (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text NOT NULL CHECK (channel IN ('whatsapp', 'telegram', 'webchat')),
    chat            text NOT NULL CHECK (chat <> ''),
    debtor_id       bigint REFERENCES debtors (id),
    status          text NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'waiting_agent', 'with_agent', 'closed')),
    status_reason   text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz,
    UNIQUE (channel, chat)
);
CREATE INDEX conversations_status_idx ON conversations (status, last_message_at DESC);
CREATE INDEX conversations_debtor_idx ON conversations (debtor_id);

CREATE TABLE messages (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id    bigint NOT NULL REFERENCES conversations (id),
    direction          text NOT NULL CHECK (direction IN ('in', 'out')),
    sender             text NOT NULL CHECK (sender IN ('debtor', 'bot', 'agent', 'system')),
    channel_message_id text,
    text               text NOT NULL DEFAULT '',
    payload            jsonb NOT NULL DEFAULT '{}', -- options, Pix, media
    actions            jsonb NOT NULL DEFAULT '[]', -- inbound: the actions it caused
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);
-- A channel's redelivery is stored once even if Redis forgot it.
CREATE UNIQUE INDEX messages_inbound_once ON messages (conversation_id, channel_message_id)
    WHERE direction = 'in' AND channel_message_id IS NOT NULL;

CREATE TABLE promises (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    debtor_id       bigint NOT NULL REFERENCES debtors (id),
    conversation_id bigint REFERENCES conversations (id),
    promised_for    date NOT NULL,
    amount          bigint NOT NULL CHECK (amount >= 0),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken', 'replaced')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX promises_open_idx ON promises (debtor_id) WHERE status = 'open';

CREATE TABLE receipts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    debtor_id       bigint REFERENCES debtors (id),
    media_kind      text NOT NULL,
    media_ref       text NOT NULL DEFAULT '',
    caption         text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE charges ADD COLUMN disputed_at timestamptz;
