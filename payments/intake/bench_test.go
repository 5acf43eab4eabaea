package intake

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseCharges100k parses a 100,000-line charges file (Brazilian
// Excel style: semicolons, "1.234,56", "30/11/2026", CRLF).
func BenchmarkParseCharges100k(b *testing.B) {
	in := chargesFile(100_000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		batch, err := ParseCharges(strings.NewReader(in), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(batch.Rows) != 100_000 || len(batch.Errors) != 0 {
			b.Fatalf("rows %d, problems %d", len(batch.Rows), len(batch.Errors))
		}
	}
}

// BenchmarkParseDebtors100k does the same for debtors, whose rows cost more
// (document check digits, phones).
func BenchmarkParseDebtors100k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("codigo;nome;cpf_cnpj;telefone;email;canal\r\n")
	for i := range 100_000 {
		fmt.Fprintf(&sb, "CLI-%06d;Fulano de Tal da Silva;%s;(11) 9%08d;fulano@example.com;whatsapp\r\n", i, formatCPF(cpfN(i)), i)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		batch, err := ParseDebtors(strings.NewReader(in), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(batch.Rows) != 100_000 || len(batch.Errors) != 0 {
			b.Fatalf("rows %d, problems %d: %v", len(batch.Rows), len(batch.Errors), batch.Err())
		}
	}
}
