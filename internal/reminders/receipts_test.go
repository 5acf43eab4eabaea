package reminders

import (
	"context"
	"strconv"
	"testing"
)

// A reminder sent on WhatsApp follows what the phone says of its outbox
// rows (migration 0031): delivered, then read, never backwards; a failed
// row fails a reminder still marked sent. Rows of other messages change no
// reminder.
func TestWhatsAppReceiptsReachTheReminder(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.due(t, 2)
	var ids []int64
	rows, err := f.pool.Query(ctx, `INSERT INTO reminders (debtor_id, charge_id, step, step_offset, intent, config_version, status, channel, due_at, sent_at)
		SELECT debtor_id, id, 'D0', 0, 'remind', 1, 'sent', 'whatsapp', now(), now() FROM charges ORDER BY id RETURNING id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	outbox := func(key string, wa string) int64 {
		var id int64
		if err := f.pool.QueryRow(ctx, `INSERT INTO whatsapp_outbox (chat, priority, body, wa_id, not_after, status, outbound_key)
			VALUES ('+5511900000001', 1, 'lembrete', $2, now() + interval '1 day', 'sent', nullif($1, '')) RETURNING id`, key, wa).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	status := func(id int64) string {
		var s string
		f.pool.QueryRow(ctx, "SELECT status FROM reminders WHERE id = $1", id).Scan(&s)
		return s
	}
	set := func(row int64, s string) {
		if _, err := f.pool.Exec(ctx, "UPDATE whatsapp_outbox SET status = $2 WHERE id = $1", row, s); err != nil {
			t.Fatal(err)
		}
	}
	a := outbox("reminder:"+strconv.FormatInt(ids[0], 10), "wa-a")
	other := outbox("", "wa-other")
	set(other, "read")
	if s := status(ids[0]); s != "sent" {
		t.Fatalf("another message's receipt changed the reminder: %s", s)
	}
	set(a, "delivered")
	if s := status(ids[0]); s != "delivered" {
		t.Fatalf("after delivery: %s", s)
	}
	set(a, "read")
	set(a, "delivered") // a late receipt never goes backwards
	if s := status(ids[0]); s != "read" {
		t.Fatalf("after read and a late delivery receipt: %s", s)
	}
	b := outbox("reminder:"+strconv.FormatInt(ids[1], 10), "wa-b")
	set(b, "failed")
	if s := status(ids[1]); s != "failed" {
		t.Fatalf("after the outbox gave up: %s", s)
	}
	var events int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM reminder_events WHERE channel = 'whatsapp' AND at > now() - interval '1 minute'").Scan(&events)
	if events != 3 {
		t.Fatalf("%d events, want 3 (delivered, read, failed)", events)
	}
}
