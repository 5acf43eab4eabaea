package conversations

import (
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

// Typing slips and spellings by ear next to a keyword read as the keyword;
// everyday words one letter away from a keyword stay what they are.
func TestTypingSlips(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"parclar": "parcelar", "atendnte": "atendente", "comprovnate": "comprovante", "acrodo": "acordo",
		"negosiar": "negociar", "espoza": "esposa", "negativadu": "negativado", "desempregao": "desempregado",
		"parcelarr": "parcelar", "boletu": "boleto",
		// left alone
		"gente": "gente", "faltou": "faltou", "perto": "perto", "pagaram": "pagaram", "recebeu": "recebeu",
		"fulana": "fulana", "camila": "camila",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	r := NewRecognizer()
	if in := r.Recognize("a gente vai pagar sexta", corpusToday); in.Kind != IntentPromise {
		t.Errorf("'a gente vai pagar sexta' = %s", in.Kind)
	}
}

// Amounts of money as debtors write them.
func TestMoneySlots(t *testing.T) {
	t.Parallel()
	r := NewRecognizer()
	for text, want := range map[string][2]payments.Cents{
		"so consigo 200 por mes":                  {20000, 0},
		"R$ 1.500,00 de entrada e o resto em 10x": {0, 150000},
		"duzentos e cinquenta reais por mes":      {25000, 0},
		"entrada de mil e quinhentos":             {0, 150000},
		"parcelas de no maximo 80 reais":          {8000, 0},
		"dou 300 agora e o restante parcelado":    {0, 30000},
		"quero parcelar em 10x":                   {0, 0},
		"pago dia 10":                             {0, 0},
		"consigo pagar 150 conto todo mes":        {15000, 0},
	} {
		in := r.Recognize(text, time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC))
		if in.Budget != want[0] || in.Down != want[1] {
			t.Errorf("%q: budget %s down %s, want %s and %s", text, in.Budget, in.Down, want[0], want[1])
		}
	}
}
