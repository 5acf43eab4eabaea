package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/payments"
)

// exportQueries read everything Régua holds about a debtor ($1), for the
// LGPD export (art. 18: the holder's access to their data). Each is one
// JSON array.
var exportQueries = []struct{ Name, SQL string }{
	{"debtor", `SELECT to_jsonb(d) - 'id' FROM debtors d WHERE id = $1`},
	{"charges", `SELECT coalesce(jsonb_agg(to_jsonb(c) - 'debtor_id' ORDER BY c.due_date), '[]') FROM charges c WHERE debtor_id = $1`},
	{"payments", `SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.paid_at), '[]') FROM payments p WHERE debtor_id = $1`},
	{"plans", `SELECT coalesce(jsonb_agg(to_jsonb(p) || jsonb_build_object('installments',
		(SELECT coalesce(jsonb_agg(to_jsonb(i) ORDER BY i.number), '[]') FROM plan_installments i WHERE i.plan_id = p.id)) ORDER BY p.id), '[]')
		FROM plans p WHERE debtor_id = $1`},
	{"promises", `SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.id), '[]') FROM promises p WHERE debtor_id = $1`},
	{"pix_codes", `SELECT coalesce(jsonb_agg(jsonb_build_object('txid', x.txid, 'amount', x.amount, 'issued_on', x.issued_on, 'channel', x.channel, 'payload', x.payload) ORDER BY x.id), '[]')
		FROM pix_codes x WHERE debtor_id = $1`},
	{"conversations", `SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'channel', c.channel, 'chat', c.chat, 'status', c.status,
		'created_at', c.created_at, 'messages',
		(SELECT coalesce(jsonb_agg(jsonb_build_object('direction', m.direction, 'sender', m.sender, 'text', m.text, 'payload', m.payload, 'at', m.created_at) ORDER BY m.id), '[]')
		 FROM messages m WHERE m.conversation_id = c.id)) ORDER BY c.id), '[]')
		FROM conversations c WHERE debtor_id = $1`},
	{"receipts", `SELECT coalesce(jsonb_agg(jsonb_build_object('media_kind', r.media_kind, 'caption', r.caption, 'at', r.created_at) ORDER BY r.id), '[]') FROM receipts r WHERE debtor_id = $1`},
	{"verification_failures", `SELECT coalesce(jsonb_agg(jsonb_build_object('at', v.at, 'cleared_at', v.cleared_at) ORDER BY v.id), '[]') FROM verification_failures v WHERE debtor_id = $1`},
}

// Export gathers everything about a debtor as one JSON document.
func (c *Console) Export(ctx context.Context, debtorID int64) ([]byte, error) {
	doc := map[string]json.RawMessage{}
	for _, q := range exportQueries {
		var b []byte
		if err := c.pool.QueryRow(ctx, q.SQL, debtorID).Scan(&b); err != nil {
			return nil, fmt.Errorf("console: export %s: %w", q.Name, err)
		}
		doc[q.Name] = b
	}
	if c.Reminders != nil {
		items, err := c.Reminders.Attempts(ctx, debtorID)
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(items)
		doc["reminders"] = b
	}
	doc["exported_at"], _ = json.Marshal(c.now().UTC().Format(time.RFC3339))
	return json.MarshalIndent(doc, "", "  ")
}

func (c *Console) exportGet(w http.ResponseWriter, r *http.Request) {
	d, err := c.debtorOf(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	b, err := c.Export(r.Context(), d.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), userOf(r).Email, "debtor.lgpd_export", d.ExternalID, d.ID, nil)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="lgpd-`+safeFile(d.ExternalID)+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func safeFile(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// ErasedName replaces an erased debtor's name.
const ErasedName = "Titular removido (LGPD)"

// Erase anonymises a debtor (LGPD art. 18, VI): name, document, phones and
// email; every message's text and payload in the debtor's conversations
// and in any chat on the debtor's phones; chats' identifiers; receipts,
// notes, payers' names, confirmations and alerts; stored API answers that
// carried the data; and the Redis sessions. Amounts stay: the ledger is
// untouched and still balances, and the audit log keeps who erased whom
// (by external id, which is the business's key, not personal data).
func (c *Console) Erase(ctx context.Context, debtorID int64, actor string) error {
	d, err := c.Store.DebtorByID(ctx, debtorID)
	if err != nil {
		return err
	}
	// What marks a stored API answer as this person's: their data, and
	// their external id as the API writes it (a charge's answer carries
	// its description, which may name them).
	extID, _ := json.Marshal(d.ExternalID)
	data := []string{d.Name, d.Document, `"external_id":` + string(extID), `"debtor_external_id":` + string(extID)}
	if d.Email != "" {
		data = append(data, d.Email)
	}
	data = append(data, d.Phones...)
	for _, p := range d.Phones {
		data = append(data, strings.TrimPrefix(p, "+"))
	}
	type chat struct{ channel, chat string }
	var chats []chat
	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, channel, chat FROM conversations
			WHERE debtor_id = $1 OR (channel IN ('whatsapp', 'webchat') AND chat = ANY($2))`, debtorID, d.Phones)
		if err != nil {
			return err
		}
		var ids []int64
		var tgChats []int64
		for rows.Next() {
			var id int64
			var ch chat
			if err := rows.Scan(&id, &ch.channel, &ch.chat); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			chats = append(chats, ch)
			if ch.channel == "telegram" {
				var n int64
				if _, err := fmt.Sscan(ch.chat, &n); err == nil {
					tgChats = append(tgChats, n)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		stmts := []struct {
			sql  string
			args []any
		}{
			{`UPDATE messages SET text = '', payload = '{}', actions = '[]', channel_message_id = NULL WHERE conversation_id = ANY($1)`, []any{ids}},
			{`UPDATE conversation_notes SET text = '[apagado]' WHERE conversation_id = ANY($1)`, []any{ids}},
			{`UPDATE conversation_status_log SET reason = '' WHERE conversation_id = ANY($1)`, []any{ids}},
			{`UPDATE receipts SET caption = '', media_ref = '' WHERE conversation_id = ANY($1) OR debtor_id = $2`, []any{ids, debtorID}},
			// A code's payload carries the charge's description: the QR
			// image of an erased person's old code is gone with it.
			{`UPDATE pix_codes SET chat = '', payload = '' WHERE debtor_id = $1`, []any{debtorID}},
			{`UPDATE payment_confirmations SET chat = '', text = '' WHERE debtor_id = $1`, []any{debtorID}},
			{`UPDATE payments SET payer = '' WHERE debtor_id = $1`, []any{debtorID}},
			{`UPDATE manual_payments SET reason = '[apagado]' WHERE payment_id IN (SELECT id FROM payments WHERE debtor_id = $1)`, []any{debtorID}},
			{`UPDATE staff_alerts SET message = '[dados apagados]' WHERE debtor_id = $1`, []any{debtorID}},
			{`UPDATE charges SET description = '' WHERE debtor_id = $1`, []any{debtorID}},
			{`UPDATE telegram_link_tokens SET used_chat = 'apagado' WHERE debtor_id = $1 AND used_chat IS NOT NULL`, []any{debtorID}},
			{`UPDATE telegram_chats SET menu = '{}' WHERE chat_id = ANY($1)`, []any{tgChats}},
			// Stored API answers (idempotent replays) that carried the data.
			{`DELETE FROM idempotency_keys WHERE response IS NOT NULL AND EXISTS (
				SELECT 1 FROM unnest($1::text[]) v WHERE position(convert_to(v, 'UTF8') IN response) > 0)`, []any{data}},
			// The conversation rows last, so that chat turns wait on them
			// only for the end of the transaction.
			// What the WhatsApp channel keeps, by the person's phones: a
			// reply still queued is not sent any more.
			{`UPDATE whatsapp_outbox SET chat = 'apagado:' || id, body = '', image = NULL,
				reason = CASE WHEN status = 'queued' THEN 'erased' ELSE reason END,
				failed_at = CASE WHEN status = 'queued' THEN now() ELSE failed_at END,
				status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END
				WHERE chat = ANY($1)`, []any{d.Phones}},
			{`DELETE FROM whatsapp_media WHERE chat = ANY($1)`, []any{d.Phones}},
			{`UPDATE whatsapp_changes SET chat = 'apagado:' || id, text = '' WHERE chat = ANY($1)`, []any{d.Phones}},
			{`UPDATE conversations SET chat = 'apagado:' || id, status_reason = '', updated_at = now() WHERE id = ANY($1)`, []any{ids}},
			{`UPDATE debtors SET name = $2, document = '00000000000', document_kind = 'cpf', phones = '{}', email = '',
				erased_at = now(), updated_at = now() WHERE id = $1`, []any{debtorID, ErasedName}},
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
				return fmt.Errorf("%.60s: %w", s.sql, err)
			}
		}
		return auditTx(ctx, tx, actor, "debtor.lgpd_erase", d.ExternalID, debtorID, map[string]any{"conversations": len(ids)})
	})
	if err != nil {
		return fmt.Errorf("console: erase: %w", err)
	}
	for _, ch := range chats {
		if err := c.Bot.ForgetChat(ctx, ch.channel, ch.chat); err != nil {
			return fmt.Errorf("console: erase sessions: %w", err)
		}
	}
	return nil
}

func (c *Console) erasePost(w http.ResponseWriter, r *http.Request) {
	d, u, ok := c.debtorAction(w, r)
	if !ok {
		return
	}
	if strings.TrimSpace(r.PostFormValue("confirm")) != d.ExternalID {
		c.fail(w, r, payments.Invalid("confirm", "digite o código do devedor (%s) para confirmar", d.ExternalID))
		return
	}
	if err := c.Erase(r.Context(), d.ID, u.Email); err != nil {
		c.fail(w, r, err)
		return
	}
	back(w, r, debtorURL(d), "Dados pessoais apagados.")
}
