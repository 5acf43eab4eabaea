-- A chat from an unknown number looks its phone up in debtors.phones on every
-- message. With GIN's fast update, new entries wait in a pending list that
-- every lookup scans in full until (auto)vacuum merges it: after an import
-- of thousands of debtors, each lookup read all of them. Entries now go
-- straight into the index (imports pay a little; lookups stay a few pages).
ALTER INDEX debtors_phones_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('debtors_phones_idx');
