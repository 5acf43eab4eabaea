-- Three wrong verification answers lock disclosure on a conversation. The
-- lock is kept here, not only in the Redis session, so that losing Redis
-- never gives a stranger fresh attempts. Staff lift it.
ALTER TABLE conversations ADD COLUMN verify_locked_at timestamptz;
