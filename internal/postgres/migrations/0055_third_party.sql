-- Someone other than the debtor said so on a chat ("sou a mãe dela", "é o
-- marido dela") before or after verification. Kept here, not only in the
-- Redis session, so that a flushed or expired session never lets that chat
-- verify with the right digits. Staff clear it when the debtor themselves
-- takes the number back.
ALTER TABLE conversations ADD COLUMN third_party_at timestamptz;
