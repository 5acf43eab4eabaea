package apipix_test

import (
	"testing"

	"github.com/regua/regua/payments/pix/apipix"
)

func FuzzParseWebhook(f *testing.F) {
	for _, seed := range []string{
		`{"pix":[{"endToEndId":"E18236120202611231300abcDEF12345","txid":"regua0000000000000000000000042","valor":"123.45","horario":"2026-11-23T13:00:05.123Z","infoPagador":"fatura"}]}`,
		`[{"endToEndId":"E00000000202611231301A1B2C3D4E5F","valor":"0.01","horario":"2026-11-23T10:01:00-03:00"}]`,
		`[{"endToEndId":"E00000000202611231301A1B2C3D4E5F","valor":12.5,"horario":"2026-11-23T10:01:00Z"}]`,
		`{"pix":[]}`,
		`{"pix":[{"endToEndId":"E00000000202611231301A1B2C3D4E5F","valor":"-1.00","horario":"2026-11-23T10:01:00Z"}]}`,
		`{"pix":[{"valor":"1.234"}]}`,
		`[1,2,3]`,
		`{"pix":null}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := apipix.ParseWebhook(body)
		if err != nil {
			if got != nil {
				t.Fatalf("Pix returned with error %v", err)
			}
			return
		}
		for i, p := range got {
			if p.Valor <= 0 {
				t.Fatalf("pix[%d] accepted with amount %d", i, p.Valor)
			}
			if !apipix.ValidEndToEndID(p.EndToEndID) {
				t.Fatalf("pix[%d] accepted with endToEndId %q", i, p.EndToEndID)
			}
			if p.Horario.IsZero() {
				t.Fatalf("pix[%d] accepted without horario", i)
			}
			if len(p.TxID) > 35 {
				t.Fatalf("pix[%d] accepted with txid %q", i, p.TxID)
			}
		}
	})
}
