-- What the one gate for messages the business starts reads (bot/gate.go),
-- and verification failures kept durably.

-- "Não sou eu" on a chat: that chat is never linked to the debtor again by
-- its phone (staff clear it when the number turns out right after all).
ALTER TABLE conversations ADD COLUMN wrong_number_at timestamptz;

-- Opt-out per channel: email joins WhatsApp and Telegram (the régua's
-- email channel; List-Unsubscribe is honoured like SAIR).
ALTER TABLE debtors ADD COLUMN opt_out_email boolean NOT NULL DEFAULT false;
-- Staff pause the régua for one debtor (negotiating by phone, say).
ALTER TABLE debtors ADD COLUMN regua_paused_at timestamptz;
ALTER TABLE debtors DROP CONSTRAINT debtors_preferred_channel_check;
ALTER TABLE debtors ADD CONSTRAINT debtors_preferred_channel_check
    CHECK (preferred_channel IN ('', 'whatsapp', 'telegram', 'email'));

-- Every wrong answer to the identity question, per chat and per debtor the
-- chat was about. Counted over a window, so that losing a Redis session
-- (a flush, a restart, its TTL) never gives fresh guesses. Staff clear them
-- when they unlock verification.
CREATE TABLE verification_failures (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    debtor_id       bigint REFERENCES debtors (id),
    at              timestamptz NOT NULL DEFAULT now(),
    cleared_at      timestamptz
);
CREATE INDEX verification_failures_conversation_idx ON verification_failures (conversation_id, at) WHERE cleared_at IS NULL;
CREATE INDEX verification_failures_debtor_idx ON verification_failures (debtor_id, at) WHERE cleared_at IS NULL AND debtor_id IS NOT NULL;
