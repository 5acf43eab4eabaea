package app_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/regua/regua/payments"
)

// Issue 14 end to end through the web chat: a debtor in a plan asks what
// is left and gets today's payoff, then the payoff Pix, for exactly what
// the API quotes; a complaint is recorded for staff (not as a dispute) and
// handed to a person; anyone may learn who is collecting, CNPJ included.
func TestChatPayoffComplaintWho(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	const lucas = "%2B5511999000010"
	if out := s.chat(t, lucas, "oi quem é?"); !strings.Contains(out, "CNPJ 11.222.333/0001-81") || strings.Contains(out, "Lucas") {
		t.Fatalf("who is collecting: %s", out)
	}
	out := s.chat(t, lucas, "quanto falta pra terminar o acordo?")
	if strings.Contains(out, "R$") {
		t.Fatalf("amounts before verification: %s", out)
	}
	out = s.chat(t, lucas, "478")
	if !strings.Contains(out, "Para quitar tudo hoje") {
		t.Fatalf("the plan's payoff after verification: %s", out)
	}
	var planID int64
	if err := s.Pool.QueryRow(t.Context(), "SELECT p.id FROM plans p JOIN debtors d ON d.id = p.debtor_id WHERE d.external_id = 'cli-010' AND p.status = 'active'").Scan(&planID); err != nil {
		t.Fatal(err)
	}
	q := s.do(t, "GET", "/api/v1/plans/"+strconv.FormatInt(planID, 10)+"/payoff", "")
	payoff, err := payments.ParseCents(q.body["payoff"].(string))
	if err != nil || !strings.Contains(out, payoff.String()) {
		t.Fatalf("chat %s, API payoff %v (%v)", out, q.body["payoff"], err)
	}
	r := s.do(t, "POST", "/chat/api/"+lucas+"/messages", `{"text":"1"}`)
	var pix map[string]any
	for _, x := range r.body["replies"].([]any) {
		if p, ok := x.(map[string]any)["pix"].(map[string]any); ok {
			pix = p
		}
	}
	if pix == nil || pix["amount"] != payoff.Decimal() {
		t.Fatalf("payoff Pix %v, want %s: %s", pix, payoff.Decimal(), r.raw)
	}
	var scope string
	s.Pool.QueryRow(t.Context(), "SELECT scope FROM pix_codes ORDER BY id DESC LIMIT 1").Scan(&scope)
	if scope != "plan_payoff" {
		t.Fatalf("last code's scope %q", scope)
	}

	const maria = "%2B5511999000001"
	s.chat(t, maria, "oi")
	s.chat(t, maria, "123")
	if out := s.chat(t, maria, "vou no procon"); !strings.Contains(out, "Registrei sua reclamação") {
		t.Fatalf("complaint: %s", out)
	}
	var complaints, disputed int
	s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM staff_alerts a JOIN debtors d ON d.id = a.debtor_id WHERE d.external_id = 'cli-001' AND a.kind = 'complaint'").Scan(&complaints)
	s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM charges c JOIN debtors d ON d.id = c.debtor_id WHERE d.external_id = 'cli-001' AND c.disputed_at IS NOT NULL").Scan(&disputed)
	if complaints != 1 || disputed != 0 {
		t.Fatalf("%d complaint alerts, %d charges disputed", complaints, disputed)
	}
}

// A down payment through the web chat: the plans with that down payment,
// and accepting one sends the down payment's Pix.
func TestChatDownPayment(t *testing.T) {
	t.Parallel()
	s := start(t, nil)
	const fernanda = "%2B5511999000005"
	s.chat(t, fernanda, "oi")
	s.chat(t, fernanda, "346")
	out := s.chat(t, fernanda, "consigo dar 200 de entrada e o resto parcelado")
	if !strings.Contains(out, "Entrada de R$ 200,00 + 2x de") {
		t.Fatalf("down payment plans: %s", out)
	}
	if out := s.chat(t, fernanda, "1"); !strings.Contains(out, "Entrada de R$ 200,00 para pagar até hoje") {
		t.Fatalf("summary: %s", out)
	}
	r := s.do(t, "POST", "/chat/api/"+fernanda+"/messages", `{"text":"1"}`)
	var pix map[string]any
	for _, x := range r.body["replies"].([]any) {
		if p, ok := x.(map[string]any)["pix"].(map[string]any); ok {
			pix = p
		}
	}
	if pix == nil || pix["amount"] != "200.00" {
		t.Fatalf("down payment Pix %v: %s", pix, r.raw)
	}
	var downPayment string
	s.Pool.QueryRow(t.Context(), `SELECT i.amount::text FROM plan_installments i JOIN plans p ON p.id = i.plan_id JOIN debtors d ON d.id = p.debtor_id
		WHERE d.external_id = 'cli-005' AND i.number = 1`).Scan(&downPayment)
	if downPayment != "20000" {
		t.Fatalf("the plan's first installment is %q centavos", downPayment)
	}
}
