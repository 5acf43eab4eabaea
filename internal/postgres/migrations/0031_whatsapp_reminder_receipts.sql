-- A reminder sent on WhatsApp learns what the phone said: its outbox rows
-- carry the reminder's outbound key ("reminder:<id>"), and when WhatsApp
-- reports them delivered or read (receipts) or the outbox gives up on them,
-- the reminder's status follows, with an event, only ever forward.
ALTER TABLE whatsapp_outbox ADD COLUMN outbound_key text;

CREATE FUNCTION whatsapp_outbox_reminder_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rid bigint := substr(NEW.outbound_key, length('reminder:') + 1)::bigint;
    rank_new int := CASE NEW.status WHEN 'delivered' THEN 1 WHEN 'read' THEN 2 ELSE 0 END;
BEGIN
    IF NEW.status = 'failed' THEN
        UPDATE reminders SET status = 'failed', sent_at = NULL, reason = 'whatsapp', detail = left(NEW.reason, 300), updated_at = now()
        WHERE id = rid AND status = 'sent';
    ELSE
        UPDATE reminders SET status = NEW.status, updated_at = now()
        WHERE id = rid AND (status = 'sent' OR status = 'delivered' AND rank_new > 1);
    END IF;
    IF FOUND THEN
        INSERT INTO reminder_events (reminder_id, at, status, channel, reason, detail)
        VALUES (rid, now(), NEW.status, 'whatsapp', CASE WHEN NEW.status = 'failed' THEN 'whatsapp' ELSE '' END,
                CASE WHEN NEW.status = 'failed' THEN left(NEW.reason, 300) ELSE '' END);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER whatsapp_outbox_reminder_status AFTER UPDATE OF status ON whatsapp_outbox
    FOR EACH ROW WHEN (NEW.outbound_key LIKE 'reminder:%' AND NEW.status IN ('delivered', 'read', 'failed')
                       AND NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION whatsapp_outbox_reminder_status();
