package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/payments"
)

// cpf completes nine digits with the two check digits.
func cpf(base string) string {
	d := []int{}
	for _, r := range base {
		d = append(d, int(r-'0'))
	}
	for len(d) < 11 {
		sum := 0
		for i, v := range d {
			sum += v * (len(d) + 1 - i)
		}
		c := sum * 10 % 11
		if c == 10 {
			c = 0
		}
		d = append(d, c)
	}
	var b strings.Builder
	for _, v := range d {
		b.WriteByte(byte('0' + v))
	}
	return b.String()
}

func (e *env) ledgerSums(t *testing.T, debtorExt string) (total, debtor int64, unbalanced int) {
	t.Helper()
	ctx := context.Background()
	if err := e.m.Pool.QueryRow(ctx, `SELECT coalesce(sum(amount), 0),
			coalesce(sum(amount) FILTER (WHERE debtor_id = (SELECT id FROM debtors WHERE external_id = $1) AND account LIKE 'receivable%'), 0)
		FROM ledger_postings`, debtorExt).Scan(&total, &debtor); err != nil {
		t.Fatal(err)
	}
	n, err := e.m.Ledger.Unbalanced(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return total, debtor, n
}

func TestDebtorPageAndActions(t *testing.T) {
	e := setup(t)
	e.user(t, "sup@regua.test", console.RoleSupervisor)
	e.user(t, "ana@regua.test", console.RoleAgent)
	sup, ana := e.client(t), e.client(t)
	sup.login("sup@regua.test")
	ana.login("ana@regua.test")
	ctx := context.Background()
	_, body := sup.get("/console/debtors/cli-001")
	for _, want := range []string{"Maria da Silva", "fat-1001", "R$ 189,90", "Registrar pagamento"} {
		if !strings.Contains(body, want) {
			t.Fatalf("debtor page lacks %q", want)
		}
	}
	if _, body := ana.get("/console/debtors/cli-001"); strings.Contains(body, "Registrar pagamento") {
		t.Fatal("an agent is shown the payment form")
	}
	_, body = sup.get("/console/debtors?q=Maria")
	if !strings.Contains(body, "/console/debtors/cli-001") {
		t.Fatal("search by name misses")
	}
	// A manual payment: reason required, balanced, recorded once per form.
	before, _, _ := e.ledgerSums(t, "cli-001")
	if res, _ := sup.post("/console/debtors/cli-001/payment", url.Values{"amount": {"100,00"}, "key": {"k1"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("payment without reason: %d", res.StatusCode)
	}
	for range 2 {
		if res, body := sup.post("/console/debtors/cli-001/payment", url.Values{"amount": {"100,00"}, "key": {"k1"}, "reason": {"dinheiro na loja"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("payment: %d %s", res.StatusCode, body)
		}
	}
	var n int
	var cash int64
	e.m.Pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(p.amount), 0) FROM payments p WHERE p.source = 'manual'`).Scan(&n, &cash)
	if n != 1 || cash != 10000 {
		t.Fatalf("%d manual payments of %d (want one of 10000)", n, cash)
	}
	var manual int64
	e.m.Pool.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE account = 'cash_manual'`).Scan(&manual)
	if total, _, unb := e.ledgerSums(t, "cli-001"); total != 0 || unb != 0 || manual != 10000 || before != 0 {
		t.Fatalf("ledger: total %d, unbalanced %d, cash_manual %d", total, unb, manual)
	}
	// Cancel a charge: its receivable is reversed.
	var chargeID int64
	e.m.Pool.QueryRow(ctx, "SELECT id FROM charges WHERE external_id = 'fat-1014'").Scan(&chargeID)
	path := fmt.Sprintf("/console/debtors/cli-001/charges/%d/cancel", chargeID)
	if res, _ := ana.post(path, url.Values{"reason": {"duplicada"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("agent cancels: %d", res.StatusCode)
	}
	if res, body := sup.post(path, url.Values{"reason": {"duplicada"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d %s", res.StatusCode, body)
	}
	var status string
	var owed int64
	e.m.Pool.QueryRow(ctx, `SELECT status, (SELECT coalesce(sum(amount), 0) FROM ledger_postings WHERE charge_id = c.id AND account LIKE 'receivable%')
		FROM charges c WHERE id = $1`, chargeID).Scan(&status, &owed)
	if status != "cancelled" || owed != 0 {
		t.Fatalf("cancelled charge: %s, owes %d", status, owed)
	}
	if total, _, unb := e.ledgerSums(t, "cli-001"); total != 0 || unb != 0 {
		t.Fatalf("ledger after cancel: total %d, unbalanced %d", total, unb)
	}
	// Write off another debtor's charge through this debtor's page: refused.
	var other int64
	e.m.Pool.QueryRow(ctx, "SELECT id FROM charges WHERE debtor_id <> (SELECT id FROM debtors WHERE external_id = 'cli-001') AND status = 'open' LIMIT 1").Scan(&other)
	if res, _ := sup.post(fmt.Sprintf("/console/debtors/cli-001/charges/%d/writeoff", other), url.Values{"reason": {"x"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("write-off of another debtor's charge: %d", res.StatusCode)
	}
	// Pause and resume the régua.
	ana.post("/console/debtors/cli-001/pause", url.Values{"pause": {"1"}})
	var paused bool
	e.m.Pool.QueryRow(ctx, "SELECT regua_paused_at IS NOT NULL FROM debtors WHERE external_id = 'cli-001'").Scan(&paused)
	if !paused {
		t.Fatal("not paused")
	}
	ana.post("/console/debtors/cli-001/pause", url.Values{"pause": {"0"}})
	e.m.Pool.QueryRow(ctx, "SELECT regua_paused_at IS NOT NULL FROM debtors WHERE external_id = 'cli-001'").Scan(&paused)
	if paused {
		t.Fatal("not resumed")
	}
}

func TestUnlockVerification(t *testing.T) {
	e := setup(t)
	e.user(t, "ana@regua.test", console.RoleAgent)
	ana := e.client(t)
	ana.login("ana@regua.test")
	const phone = "+5511999000001"
	e.chat(t, phone, "oi")
	for range 3 {
		e.chat(t, phone, "999")
	}
	var locked bool
	e.m.Pool.QueryRow(context.Background(), "SELECT verify_locked_at IS NOT NULL FROM conversations WHERE chat = $1", phone).Scan(&locked)
	if !locked {
		t.Fatal("three wrong answers did not lock")
	}
	_, body := ana.get("/console/debtors/cli-001")
	if !strings.Contains(body, "verificação bloqueada") {
		t.Fatal("the page does not flag the lock")
	}
	if res, _ := ana.post("/console/debtors/cli-001/unlock", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d", res.StatusCode)
	}
	var open int
	e.m.Pool.QueryRow(context.Background(), `SELECT count(*) FROM verification_failures WHERE cleared_at IS NULL`).Scan(&open)
	e.m.Pool.QueryRow(context.Background(), "SELECT verify_locked_at IS NOT NULL FROM conversations WHERE chat = $1", phone).Scan(&locked)
	if locked || open != 0 {
		t.Fatalf("after unlock: locked %v, %d failures not cleared", locked, open)
	}
	// The debtor can verify again.
	e.chat(t, phone, "oi")
	if replies := strings.Join(e.chat(t, phone, "123"), " "); !strings.Contains(replies, "ajudar") {
		t.Fatalf("after unlock the right answer gives %q", replies)
	}
}

// LGPD: export everything, then erase; nothing personal is left in any
// text column of PostgreSQL nor in Redis, and the ledger still balances.
func TestLGPDExportAndErase(t *testing.T) {
	e := setup(t)
	e.user(t, "admin@regua.test", console.RoleAdmin)
	admin := e.client(t)
	admin.login("admin@regua.test")
	ctx := context.Background()
	key, err := httpapi.CreateAPIKey(ctx, e.m.Pool, "erp")
	if err != nil {
		t.Fatal(err)
	}
	doc := cpf("741852963")
	const name, first, email, phone = "Zuleica Pereira Quintanilha", "Zuleica", "zuleica.q@exemplo.com.br", "+5521988776655"
	api := func(path, body string) {
		req, _ := http.NewRequest("POST", e.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "k-"+path)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode >= 300 {
			t.Fatalf("%s: %v %v", path, err, res.Status)
		}
		res.Body.Close()
	}
	api("/api/v1/debtors", fmt.Sprintf(`{"external_id":"z-1","name":%q,"document":%q,"phone":"(21) 98877-6655","email":%q}`, name, doc, email))
	api("/api/v1/charges", `{"external_id":"z-c1","debtor_external_id":"z-1","description":"Mensalidade da Zuleica","amount":"250.00","due_date":"2026-10-01"}`)
	e.chat(t, phone, "oi")
	e.chat(t, phone, doc[:3])
	e.chat(t, phone, "pix")
	e.chat(t, phone, "meu email é "+email+" e meu nome é "+name)
	e.chat(t, phone, "quero falar com um atendente")
	var convID int64
	e.m.Pool.QueryRow(ctx, "SELECT id FROM conversations WHERE chat = $1", phone).Scan(&convID)
	admin.post(fmt.Sprintf("/console/conversations/%d/claim", convID), nil)
	admin.post(fmt.Sprintf("/console/conversations/%d/note", convID), url.Values{"text": {"Falei com " + first + ", CPF " + doc}})
	admin.post(fmt.Sprintf("/console/conversations/%d/reply", convID), url.Values{"text": {"Olá " + first + "!"}})
	admin.post("/console/debtors/z-1/payment", url.Values{"amount": {"50,00"}, "key": {"z"}, "reason": {"pago por " + name}})
	// What the WhatsApp channel keeps of the person: a queued reply, a
	// receipt's file, an edit.
	for _, q := range []string{
		`INSERT INTO whatsapp_outbox (chat, priority, body, image, wa_id, not_after) VALUES ($1, 0, 'Oi ' || $2, $3::bytea, 'wa-z-1', now() + interval '1 day')`,
		`INSERT INTO whatsapp_media (chat, wa_id, kind, mimetype, file_name, data) VALUES ($1, 'wa-z-2', 'image', 'image/jpeg', 'comprovante ' || $2 || '.jpg', $3::bytea)`,
		`INSERT INTO whatsapp_changes (chat, wa_id, kind, text) VALUES ($1, 'wa-z-3', 'edited', 'sou ' || $2 || ' ' || length($3::bytea))`,
	} {
		if _, err := e.m.Pool.Exec(ctx, q, phone, name, []byte("recibo de "+name+" "+doc)); err != nil {
			t.Fatal(err)
		}
	}

	res, body := admin.get("/console/debtors/z-1/export")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d", res.StatusCode)
	}
	var export map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &export); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"debtor", "charges", "payments", "conversations"} {
		if len(export[k]) < 3 {
			t.Fatalf("export lacks %s", k)
		}
	}
	if !strings.Contains(body, name) || !strings.Contains(body, "meu email é") {
		t.Fatal("the export lacks the person's name or messages")
	}
	_, beforeDebtor, _ := e.ledgerSums(t, "z-1")
	e.chat(t, "+5511999000001", "oi") // someone else's session, which stays
	redisKeys := func() (all, hers int) {
		iter := e.m.Redis.Scan(ctx, 0, e.m.Sessions.Prefix()+"*", 1000).Iterator()
		for iter.Next(ctx) {
			all++
			if strings.Contains(iter.Val(), phone) {
				hers++
			}
		}
		return all, hers
	}
	if _, hers := redisKeys(); hers == 0 {
		t.Fatal("no Redis key of the person before the erase: the search would check nothing")
	}

	if res, _ := admin.post("/console/debtors/z-1/erase", url.Values{"confirm": {"wrong"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("erase without the right confirmation: %d", res.StatusCode)
	}
	if res, body := admin.post("/console/debtors/z-1/erase", url.Values{"confirm": {"z-1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("erase: %d %s", res.StatusCode, body)
	}

	data := []string{name, first, email, doc, doc[:3] + "." + doc[3:6] + "." + doc[6:9], phone, phone[1:], "988776655", "98877-6655"}
	// Every text-like column of every table.
	rows, err := e.m.Pool.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, column, typ string }
	var cols []col
	for rows.Next() {
		var c col
		rows.Scan(&c.table, &c.column, &c.typ)
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 30 {
		t.Fatalf("only %d text columns found", len(cols))
	}
	for _, c := range cols {
		cond := pgx.Identifier{c.column}.Sanitize() + "::text ILIKE '%' || $1 || '%'"
		if c.typ == "bytea" {
			cond = "position(convert_to($1, 'UTF8') IN " + pgx.Identifier{c.column}.Sanitize() + ") > 0"
		}
		for _, d := range data {
			var n int
			q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", pgx.Identifier{c.table}.Sanitize(), cond)
			if err := e.m.Pool.QueryRow(ctx, q, d).Scan(&n); err != nil {
				t.Fatalf("%s.%s: %v", c.table, c.column, err)
			}
			if n > 0 {
				t.Errorf("%q left in %s.%s (%d rows)", d, c.table, c.column, n)
			}
		}
	}
	// Redis: no key of this database names or holds the person's data.
	prefix := e.m.Sessions.Prefix()
	iter := e.m.Redis.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	keys := 0
	for iter.Next(ctx) {
		k := iter.Val()
		keys++
		var val string
		switch e.m.Redis.Type(ctx, k).Val() {
		case "string":
			val = e.m.Redis.Get(ctx, k).Val()
		case "list":
			val = strings.Join(e.m.Redis.LRange(ctx, k, 0, -1).Val(), " ")
		case "hash":
			b, _ := json.Marshal(e.m.Redis.HGetAll(ctx, k).Val())
			val = string(b)
		}
		for _, d := range data {
			if strings.Contains(k, d) || strings.Contains(val, d) {
				t.Errorf("%q left in Redis key %s", d, k)
			}
		}
	}
	if keys == 0 {
		t.Fatal("no Redis key at all: the search checked nothing")
	}
	total, afterDebtor, unb := e.ledgerSums(t, "z-1")
	if total != 0 || unb != 0 || afterDebtor != beforeDebtor || beforeDebtor == 0 {
		t.Fatalf("ledger after erase: total %d, unbalanced %d, debtor's receivables %d → %d", total, unb, beforeDebtor, afterDebtor)
	}
	var audited int
	e.m.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'debtor.lgpd_erase' AND subject = 'z-1'").Scan(&audited)
	if audited != 1 {
		t.Fatal("the erase is not in the audit log")
	}
	d, _ := e.m.Store.Debtor(ctx, "z-1")
	if d.Name != console.ErasedName {
		t.Fatalf("name now %q", d.Name)
	}
	// The chat can start afresh as a stranger, knowing nothing.
	if replies := strings.Join(e.chat(t, phone, "quanto devo?"), " "); strings.Contains(replies, "250") || strings.Contains(replies, first) {
		t.Fatalf("after erase the number still discloses: %q", replies)
	}
	_ = payments.Cents(0)
}
