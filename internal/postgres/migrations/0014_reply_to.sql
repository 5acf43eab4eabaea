-- A bot's reply names the inbound message it answers, so that a message
-- delivered again (the client retried after losing the answer) gets the
-- replies stored for its first delivery.
ALTER TABLE messages ADD COLUMN reply_to bigint;
CREATE INDEX messages_reply_to_idx ON messages (reply_to) WHERE reply_to IS NOT NULL;
