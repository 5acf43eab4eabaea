-- A verified chat turn reads the debtor's open charges, oldest due first.
-- With statistics of an almost empty table (before autovacuum's analyze,
-- or with it off) the generic plan combined the (debtor_id, due_date) index
-- with the open-charges index, reading every open charge on each turn.
-- This index answers the query exactly, whatever the statistics say.
CREATE INDEX charges_debtor_open_idx ON charges (debtor_id, due_date, id) WHERE status = 'open';
