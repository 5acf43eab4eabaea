-- Telegram: deep-link tokens, what each chat was last shown, and who blocked
-- the bot.

-- A deep link t.me/<bot>?start=<token> carried by another channel's
-- reminder links the Telegram chat that opens it to the debtor. Only a hash
-- of the token is kept; a token links once and expires. Linking is not
-- verification: the person must still verify before anything is disclosed.
CREATE TABLE telegram_link_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    debtor_id  bigint NOT NULL REFERENCES debtors (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_chat  text,
    CHECK (expires_at > created_at),
    CHECK ((used_at IS NULL) = (used_chat IS NULL))
);
CREATE INDEX telegram_link_tokens_debtor_idx ON telegram_link_tokens (debtor_id);

-- One row per Telegram chat the bot has written to or heard from.
--   menu_nonce/menu: the inline menu most recently sent (callback buttons
--     carry the nonce; a button from an older menu is stale);
--   reply_keyboard: a "share my phone" reply keyboard is showing and the
--     next plain message removes it;
--   blocked_at: the person blocked the bot (403, or a my_chat_member update);
--     cleared when they unblock it or write again.
CREATE TABLE telegram_chats (
    chat_id        bigint PRIMARY KEY,
    menu_nonce     text NOT NULL DEFAULT '',
    menu           jsonb NOT NULL DEFAULT '{}',
    reply_keyboard boolean NOT NULL DEFAULT false,
    blocked_at     timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Reachability on Telegram, for the régua's choice of channel. Unlike
-- opt_out_telegram (the person's choice, made in the chat), this is a fact
-- the platform reports: the bot cannot message them there while it is set,
-- so reminders go to the other channel. It clears itself when the person
-- unblocks the bot or writes to it again.
ALTER TABLE debtors ADD COLUMN telegram_blocked_at timestamptz;
