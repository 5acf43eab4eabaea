package intake

import (
	"strings"
	"testing"
)

func TestDebtorStateAndEmailChannel(t *testing.T) {
	d, errs := DebtorFromFields(DebtorFields{ExternalID: "d1", Name: "Ana", Document: "529.982.247-25", Phone: "(21) 98765-4321",
		PreferredChannel: "E-mail", State: " rj "})
	if len(errs) > 0 || d.State != "RJ" || d.PreferredChannel != "email" {
		t.Fatalf("%+v %v", d, errs)
	}
	_, errs = DebtorFromFields(DebtorFields{ExternalID: "d1", Name: "Ana", Document: "529.982.247-25", Phone: "(21) 98765-4321", State: "XX"})
	if len(errs) != 1 || errs[0].Field != FieldState {
		t.Fatalf("bad state: %v", errs)
	}
	csv := "id;nome;cpf;telefone;email;canal;uf\nd1;Ana;529.982.247-25;(21) 98765-4321;ana@x.com;email;ES\nd2;Bia;529.982.247-25;(11) 98765-4321;;;\n"
	b, err := ParseDebtors(strings.NewReader(csv), Options{})
	if err != nil || len(b.Rows) != 2 || b.Rows[0].Debtor.State != "ES" || b.Rows[1].Debtor.State != "" {
		t.Fatalf("%v %+v", err, b)
	}
}
