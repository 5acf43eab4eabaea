package intake_test

import (
	"fmt"
	"strings"

	"github.com/regua/regua/payments/intake"
)

func ExampleParseCharges() {
	file := "Número;Cliente;Descrição;Valor;Vencimento\r\n" +
		"NF-1;C-7;Mensalidade novembro;1.234,56;30/11/2026\r\n" +
		"NF-2;C-7;Mensalidade dezembro;1.234,5x;31/12/2026\r\n" +
		"NF-3;C-8;\"Serviços; parcela 1\";99,90;31/02/2026\r\n"

	batch, err := intake.ParseCharges(strings.NewReader(file), intake.Options{})
	if err != nil {
		fmt.Println("file refused:", err)
		return
	}
	for _, row := range batch.Rows {
		c := row.Charge
		fmt.Printf("line %d: %s owes %s due %s\n", row.Line, c.DebtorExternalID, c.Amount, c.DueDate.Format("2006-01-02"))
	}
	for _, problem := range batch.Errors {
		fmt.Println(problem)
	}
	if err := batch.Err(); err != nil {
		fmt.Println("import refused:", err)
	}
	// Output:
	// line 2: C-7 owes R$ 1.234,56 due 2026-11-30
	// line 3: Valor "1.234,5x" is not an amount (write 1234.56 or 1.234,56)
	// line 4: Vencimento "31/02/2026" is not a real calendar date
	// import refused: 2 problems in the file; the first: line 3: Valor "1.234,5x" is not an amount (write 1234.56 or 1.234,56)
}

func ExampleDebtorFromFields() {
	d, errs := intake.DebtorFromFields(intake.DebtorFields{
		ExternalID:       "C-7",
		Name:             "Maria da Conceição",
		Document:         "529.982.247-25",
		Phone:            "(11) 98765-4321 / 11 3333-4444",
		PreferredChannel: "zap",
	})
	fmt.Println(d.Document, d.DocumentKind, d.Phones, d.PreferredChannel, errs)

	_, errs = intake.DebtorFromFields(intake.DebtorFields{ExternalID: "C-8", Name: "José", Document: "529.982.247-24", Phone: "11 98765"})
	for _, e := range errs {
		fmt.Println(e.Field+":", e)
	}
	// Output:
	// 52998224725 cpf [+5511987654321 +551133334444] whatsapp []
	// document: document "***.***.***-24" is not a valid CPF (wrong check digits)
	// phone: phone "** *8765" is not a Brazilian phone number (area code and 8 or 9 digits)
}
