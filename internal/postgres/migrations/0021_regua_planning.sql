-- Planning a million charges: what 0020 made too costly.

-- No row-level foreign keys on the reminders' ids, as on ledger_postings:
-- the planner inserts only ids it has just read (debtors, charges and
-- installments are never deleted), a page of 5,000 at a time, and the
-- per-row checks were half the cost of planning a million charges.
ALTER TABLE reminders DROP CONSTRAINT reminders_debtor_id_fkey;
ALTER TABLE reminders DROP CONSTRAINT reminders_charge_id_fkey;
ALTER TABLE reminders DROP CONSTRAINT reminders_installment_id_fkey;
ALTER TABLE reminder_events DROP CONSTRAINT reminder_events_reminder_id_fkey;

-- The stop conditions the planner and the gate check per debtor, as small
-- partial indexes: a page of reminders probes them instead of scanning
-- every charge or conversation.
CREATE INDEX charges_disputed_debtor_idx ON charges (debtor_id) WHERE disputed_at IS NOT NULL AND status IN ('open', 'in_plan');
CREATE INDEX conversations_with_people_idx ON conversations (debtor_id) WHERE status IN ('waiting_agent', 'with_agent');
