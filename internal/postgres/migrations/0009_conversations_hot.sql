-- Every chat turn updates its conversation's last_message_at. With that
-- column in an index, each update rewrote every index of the table; indexed
-- by status alone (the console sorts a status's conversations itself), and
-- with room left on each page, the update is a heap-only (HOT) update.
DROP INDEX conversations_status_idx;
CREATE INDEX conversations_status_idx ON conversations (status);
ALTER TABLE conversations SET (fillfactor = 70);
