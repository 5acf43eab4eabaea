-- messages is the hottest table: every chat turn inserts two to four rows.
-- The foreign key to conversations checked (and key-share locked) the
-- conversation once per row, about a tenth of a turn's database time. Every
-- insert takes its conversation_id from the conversation row the same turn
-- read, so what the key still guarded is a conversation disappearing under
-- its messages: conversations are never deleted, and now cannot be.
ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey;

CREATE FUNCTION conversations_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'conversations are kept: % refused', TG_OP;
END $$;

CREATE TRIGGER conversations_no_delete BEFORE DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION conversations_keep();
CREATE TRIGGER conversations_no_truncate BEFORE TRUNCATE ON conversations
    FOR EACH STATEMENT EXECUTE FUNCTION conversations_keep();
