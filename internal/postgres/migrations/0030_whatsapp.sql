-- The WhatsApp channel (bot/whatsapp). whatsmeow's own device store
-- (whatsmeow_* tables) is created by its upgrader, run by Migrate.

-- Every message Régua sends on WhatsApp, queued durably until the replica
-- holding the connection delivers it through the send governor, with its
-- outcome. wa_id is chosen before sending, so a retry reuses it and a
-- message typed on the phone (IsFromMe with an id not here) is told apart.
CREATE TABLE whatsapp_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat         text NOT NULL,                  -- "+5511…" or "lid:…"
    priority     smallint NOT NULL CHECK (priority IN (0, 1)), -- 0 reply, 1 started by the business
    body         text NOT NULL DEFAULT '',       -- the text, or the image's caption
    image        bytea,                          -- PNG (the Pix QR code)
    wa_id        text NOT NULL UNIQUE,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed')),
    reason       text NOT NULL DEFAULT '',       -- why it failed
    attempts     integer NOT NULL DEFAULT 0,
    not_after    timestamptz NOT NULL,           -- not sent by then: failed (expired)
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    delivered_at timestamptz,
    read_at      timestamptz,
    failed_at    timestamptz
);
CREATE INDEX whatsapp_outbox_queued ON whatsapp_outbox (priority, id) WHERE status = 'queued';
CREATE INDEX whatsapp_outbox_chat ON whatsapp_outbox (chat, id);

-- The send governor's state per linked number (see bot/whatsapp/governor.go).
CREATE TABLE whatsapp_governor (
    number     text PRIMARY KEY,
    state      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The connection: one row. Who holds it (a lease renewed by the holder),
-- its state, and whether the number can be used at all.
CREATE TABLE whatsapp_connection (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    holder      text NOT NULL DEFAULT '',
    lease_until timestamptz NOT NULL DEFAULT 'epoch',
    state       text NOT NULL DEFAULT 'unpaired',
    detail      text NOT NULL DEFAULT '',
    usable      boolean NOT NULL DEFAULT false,
    number      text NOT NULL DEFAULT '',
    paired_at   timestamptz,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO whatsapp_connection DEFAULT VALUES;

-- Images and documents people sent (kept as receipts for staff), bounded
-- in size by the channel.
CREATE TABLE whatsapp_media (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat       text NOT NULL,
    wa_id      text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('image', 'document')),
    mimetype   text NOT NULL DEFAULT '',
    file_name  text NOT NULL DEFAULT '',
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (chat, wa_id)
);

-- Edits and deletions of people's messages (recorded, never run again), and
-- files refused for their size.
CREATE TABLE whatsapp_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chat       text NOT NULL,
    wa_id      text NOT NULL,          -- the message changed
    kind       text NOT NULL CHECK (kind IN ('edited', 'deleted', 'refused')), -- refused: a file over the size limit
    text       text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX whatsapp_changes_chat ON whatsapp_changes (chat, wa_id);
