package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix/apipixtest"
)

func (s *service) chat(t *testing.T, phone, text string) string {
	t.Helper()
	r := s.do(t, "POST", "/chat/api/"+phone+"/messages", `{"text":"`+text+`"}`)
	if r.status != 200 {
		t.Fatalf("%q: %d %s", text, r.status, r.raw)
	}
	return r.raw
}

// A debtor in a plan sees the next installment as what is owed, pays it
// with its own Pix, and the confirmation arrives in the chat.
func TestChatPlanInstallment(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	const lucas = "%2B5511999000010"
	s.chat(t, lucas, "oi")
	s.chat(t, lucas, "478")
	out := s.chat(t, lucas, "quanto devo?")
	if !strings.Contains(out, "Parcela 1/3 do acordo") {
		t.Fatalf("balance of a debtor in a plan: %s", out)
	}
	r := s.do(t, "POST", "/chat/api/"+lucas+"/messages", `{"text":"quero pagar com pix"}`)
	replies := r.body["replies"].([]any)
	var pix map[string]any
	for _, x := range replies {
		if p, ok := x.(map[string]any)["pix"].(map[string]any); ok {
			pix = p
		}
	}
	if pix == nil {
		t.Fatalf("no Pix: %s", r.raw)
	}
	st := s.do(t, "GET", "/api/v1/debtors/cli-010/statement", "")
	plan := st.body["plans"].([]any)[0].(map[string]any)
	first := plan["installments"].([]any)[0].(map[string]any)
	if pix["amount"] != first["amount"] {
		t.Fatalf("Pix of %v for an installment of %v", pix["amount"], first["amount"])
	}
	var txid string
	s.Pool.QueryRow(t.Context(), "SELECT txid FROM pix_codes WHERE scope = 'installment' ORDER BY id DESC LIMIT 1").Scan(&txid)
	amount, _ := payments.ParseCents(pix["amount"].(string))
	body := `[` + pixJSON(apipixtest.NewEndToEndID("00000000", testNow, 91), txid, amount, testNow) + `]`
	if r := s.notify(t, body, goodSig); r.status != 200 {
		t.Fatalf("webhook: %d %s", r.status, r.raw)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		h := s.do(t, "GET", "/chat/api/"+lucas+"/messages", "")
		if strings.Contains(h.raw, "Recebemos seu Pix") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no confirmation in the chat: %s", h.raw[max(0, len(h.raw)-500):])
		}
		time.Sleep(100 * time.Millisecond)
	}
	out = s.chat(t, lucas, "quanto devo?")
	if !strings.Contains(out, "Parcela 2/3 do acordo") {
		t.Fatalf("after paying the first installment: %s", out)
	}
}

// A promise is recorded with its follow-up scheduled for 10:00 the day
// after the promised date; when it runs with the debt still open, the
// promise is broken and the debtor is nudged in the same chat, without
// amounts.
func TestChatPromiseFollowUp(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	const carlos = "%2B5511999000004"
	s.chat(t, carlos, "oi")
	s.chat(t, carlos, "529")
	out := s.chat(t, carlos, "pago sexta")
	if !strings.Contains(out, "27/11") {
		t.Fatalf("promise: %s", out)
	}
	var id int64
	var scheduled time.Time
	if err := s.Pool.QueryRow(t.Context(), `SELECT (args->>'promise_id')::bigint, scheduled_at FROM river_job WHERE kind = 'promise_followup'`).Scan(&id, &scheduled); err != nil {
		t.Fatalf("follow-up not scheduled: %v", err)
	}
	want := time.Date(2026, 11, 28, 10, 0, 0, 0, s.Config.Location)
	if !scheduled.Equal(want) {
		t.Fatalf("follow-up at %v, want %v", scheduled, want)
	}
	if err := s.Jobs.RunPromiseFollowUp(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	var status string
	s.Pool.QueryRow(t.Context(), "SELECT status FROM promises WHERE id = $1", id).Scan(&status)
	if status != "broken" {
		t.Fatalf("promise %s, want broken", status)
	}
	h := s.do(t, "GET", "/chat/api/"+carlos+"/messages", "")
	if !strings.Contains(h.raw, "combinamos para 27/11") || strings.Contains(h.raw[strings.LastIndex(h.raw, "combinamos"):], "R$") {
		t.Fatalf("nudge: %s", h.raw[max(0, len(h.raw)-400):])
	}
}

// No promise follow-up goes to a person who, after promising, said SAIR,
// disputed the debt, said it is the wrong number, or whose conversation a
// person took over (the one gate); the promise is still marked broken.
func TestChatPromiseFollowUpHeld(t *testing.T) {
	t.Parallel()
	const carlos = "%2B5511999000004"
	cases := []struct {
		reason string
		after  func(t *testing.T, s *service)
	}{
		{"opted_out", func(t *testing.T, s *service) { s.chat(t, carlos, "SAIR") }},
		{"dispute", func(t *testing.T, s *service) { s.chat(t, carlos, "não reconheço essa dívida") }},
		{"wrong_number", func(t *testing.T, s *service) { s.chat(t, carlos, "não sou eu, número errado") }},
		{"with_agent", func(t *testing.T, s *service) {
			var conv int64
			s.Pool.QueryRow(t.Context(), "SELECT id FROM conversations WHERE chat = '+5511999000004'").Scan(&conv)
			if err := s.Bot.Takeover(t.Context(), conv, "test"); err != nil {
				t.Fatal(err)
			}
		}},
		{"paused", func(t *testing.T, s *service) {
			s.Pool.Exec(t.Context(), "UPDATE debtors SET regua_paused_at = now() WHERE external_id = 'cli-004'")
		}},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			t.Parallel()
			s := start(t, nil)
			s.chat(t, carlos, "oi")
			s.chat(t, carlos, "529")
			if out := s.chat(t, carlos, "pago sexta"); !strings.Contains(out, "27/11") {
				t.Fatalf("promise: %s", out)
			}
			var id int64
			if err := s.Pool.QueryRow(t.Context(), `SELECT (args->>'promise_id')::bigint FROM river_job WHERE kind = 'promise_followup'`).Scan(&id); err != nil {
				t.Fatalf("follow-up not scheduled: %v", err)
			}
			c.after(t, s)
			if err := s.Jobs.RunPromiseFollowUp(t.Context(), id); err != nil {
				t.Fatal(err)
			}
			var status string
			s.Pool.QueryRow(t.Context(), "SELECT status FROM promises WHERE id = $1", id).Scan(&status)
			if status != "broken" {
				t.Fatalf("promise %s, want broken", status)
			}
			var nudges int
			s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM messages WHERE text LIKE '%combinamos para%'").Scan(&nudges)
			if nudges != 0 {
				t.Fatalf("follow-up sent despite %s", c.reason)
			}
		})
	}
}
