package apipix_test

import (
	"fmt"
	"time"

	"github.com/regua/regua/payments/pix/apipix"
)

func ExampleParseWebhook() {
	body := []byte(`{"pix": [{"endToEndId": "E18236120202611231300abcDEF12345",
		"txid": "regua0000000000000000000000042", "valor": "123.45",
		"horario": "2026-11-23T13:00:05Z", "infoPagador": "fatura 42"}]}`)
	pix, err := apipix.ParseWebhook(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pix {
		fmt.Println(p.EndToEndID, p.TxID, p.Valor, p.Horario.Format(time.RFC3339))
	}

	_, err = apipix.ParseWebhook([]byte(`[{"endToEndId": "E18236120202611231300abcDEF12345", "valor": "1.234", "horario": "2026-11-23T13:00:05Z"}]`))
	fmt.Println(err)
	// Output:
	// E18236120202611231300abcDEF12345 regua0000000000000000000000042 R$ 123,45 2026-11-23T13:00:05Z
	// pix[0].valor: "1.234" has more than two decimal places
}

func ExampleVerifyWebhook() {
	secret := "whsec-0123456789abcdef"
	body := []byte(`{"pix": []}`)
	sent := time.Unix(1795000000, 0)
	header := apipix.SignWebhook(secret, sent, body)
	fmt.Println(header[:len("t=1795000000,v1=")])

	fmt.Println(apipix.VerifyWebhook(secret, header, body, sent.Add(30*time.Second), 5*time.Minute))
	fmt.Println(apipix.VerifyWebhook(secret, header, body, sent.Add(10*time.Minute), 5*time.Minute))
	// Output:
	// t=1795000000,v1=
	// <nil>
	// webhook signature timestamp outside tolerance: signed 600s ago
}
