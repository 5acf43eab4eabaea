package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/regua/regua/payments"
)

func TestParseDebtorsTestdata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		encoding string
		sep      string
		want     []DebtorRow
	}{
		{
			file: "debtors_pt_semicolon_bom.csv", encoding: EncodingUTF8BOM, sep: ";",
			want: []DebtorRow{
				{2, payments.Debtor{ExternalID: "C001", Name: "João da Silva", Document: "12345678909", DocumentKind: payments.DocCPF,
					Phones: []string{"+5511987654321"}, Email: "joao@example.com.br", PreferredChannel: payments.ChannelWhatsApp}},
				{3, payments.Debtor{ExternalID: "C002", Name: "Conceição Comércio Ltda", Document: "11222333000181", DocumentKind: payments.DocCNPJ,
					Phones: []string{"+552133334444", "+5521999990000"}, PreferredChannel: payments.ChannelTelegram}},
				{4, payments.Debtor{ExternalID: "C003", Name: "Souza; Filhos & Cia", Document: "12ABC34501DE35", DocumentKind: payments.DocCNPJ,
					Phones: []string{"+5511987654321"}, Email: "financeiro@souza.com", PreferredChannel: payments.ChannelWhatsApp}},
			},
		},
		{
			file: "debtors_cp1252.csv", encoding: EncodingWindows1252, sep: ";",
			want: []DebtorRow{
				{2, payments.Debtor{ExternalID: "D1", Name: "João Gonçalves", Document: "52998224725", DocumentKind: payments.DocCPF,
					Phones: []string{"+5511912345678"}}},
				{3, payments.Debtor{ExternalID: "D2", Name: "Maria da Conceição", Document: "98765432100", DocumentKind: payments.DocCPF,
					Phones: []string{"+553132221234"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			b, err := ParseDebtors(f, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Errors) > 0 {
				t.Fatalf("unexpected problems:\n%s", errorsText(b.Errors))
			}
			if b.Encoding != tt.encoding || b.Separator != tt.sep {
				t.Errorf("encoding %q separator %q, want %q %q", b.Encoding, b.Separator, tt.encoding, tt.sep)
			}
			if err := b.Err(); err != nil {
				t.Errorf("Err() = %v", err)
			}
			assertDebtorRows(t, b.Rows, tt.want)
		})
	}
}

func assertDebtorRows(t *testing.T, got, want []DebtorRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Line != want[i].Line || !sameDebtor(&got[i].Debtor, &want[i].Debtor) {
			t.Errorf("row %d:\n got %d %+v\nwant %d %+v", i, got[i].Line, got[i].Debtor, want[i].Line, want[i].Debtor)
		}
	}
}

func TestParseChargesTestdata(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/charges_en_comma.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := ParseCharges(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Errors) > 0 {
		t.Fatalf("unexpected problems:\n%s", errorsText(b.Errors))
	}
	type row struct {
		line             int
		id, debtor, desc string
		amount           payments.Cents
		due              string
	}
	want := []row{
		{2, "INV-1", "C001", "Monthly fee", 123456, "2026-11-30"},
		{3, "INV-2", "C002", "Services, March", 123456, "2026-11-30"},
		{4, "INV-3", "C003", "Two-line\ndescription", 1000, "2027-02-01"}, // the record starts on line 4
		{6, "INV-4", "C001", "", 9900, "2026-12-01"},                      // and the next one is on line 6
	}
	if len(b.Rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(b.Rows), len(want))
	}
	for i, w := range want {
		c := b.Rows[i].Charge
		got := row{b.Rows[i].Line, c.ExternalID, c.DebtorExternalID, c.Description, c.Amount, c.DueDate.Format(time.DateOnly)}
		if got != w {
			t.Errorf("row %d = %+v, want %+v", i, got, w)
		}
	}
	if b.Lines != 6 || b.Separator != "," || b.Encoding != EncodingUTF8 {
		t.Errorf("lines %d separator %q encoding %q", b.Lines, b.Separator, b.Encoding)
	}
}

// TestSeparatorsAndEncodings parses the same debtors in every supported
// combination of separator, encoding, line ending and header language.
func TestSeparatorsAndEncodings(t *testing.T) {
	t.Parallel()
	cpf, cnpj := makeCPF("390533447"), makeCNPJ("33000167000101"[:12])
	headers := map[string][]string{
		"en":           {"external_id", "name", "document", "phone", "email", "preferred_channel"},
		"pt":           {"Código", "Nome", "CPF/CNPJ", "Telefone", "E-mail", "Canal Preferido"},
		"pt-upper":     {"CODIGO_CLIENTE", "RAZÃO SOCIAL", "DOCUMENTO", "CELULAR", "EMAIL", "CANAL"},
		"pt-mixed":     {"id externo", "razao-social", "cpf_cnpj", "WhatsApp", "e mail", "canal_preferido"},
		"pt-reordered": {"Nome", "Telefone", "Código", "Canal", "CPF", "E-mail"},
	}
	rows := [][]string{
		{"1", "João da Conceição", formatCPF(cpf), "(11) 98765-4321", "joao@example.com", "zap"},
		{"2", "Açaí & Pão de Queijo, Ltda.", formatCNPJ(cnpj), "21 3333-4444 / 21 99999-0000", "", "Telegram"},
	}
	want := []DebtorRow{
		{2, payments.Debtor{ExternalID: "1", Name: "João da Conceição", Document: cpf, DocumentKind: payments.DocCPF,
			Phones: []string{"+5511987654321"}, Email: "joao@example.com", PreferredChannel: payments.ChannelWhatsApp}},
		{3, payments.Debtor{ExternalID: "2", Name: "Açaí & Pão de Queijo, Ltda.", Document: cnpj, DocumentKind: payments.DocCNPJ,
			Phones: []string{"+552133334444", "+5521999990000"}, PreferredChannel: payments.ChannelTelegram}},
	}
	order := map[string][]int{"pt-reordered": {1, 3, 0, 5, 2, 4}}
	for hname, header := range headers {
		for _, sep := range []string{",", ";", "\t"} {
			for _, enc := range []string{"utf8", "bom", "cp1252"} {
				for _, eol := range []string{"\n", "\r\n"} {
					name := fmt.Sprintf("%s/%q/%s/%q", hname, sep, enc, eol)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						var lines []string
						for _, rec := range append([][]string{header}, rows...) {
							cells := slices.Clone(rec)
							if idx, ok := order[hname]; ok && len(lines) > 0 {
								for i, j := range idx {
									cells[i] = rec[j]
								}
							}
							for i, c := range cells {
								if strings.ContainsAny(c, ",;\t") {
									cells[i] = `"` + c + `"`
								}
							}
							lines = append(lines, strings.Join(cells, sep))
						}
						text := strings.Join(lines, eol) + eol
						var in []byte
						switch enc {
						case "utf8":
							in = []byte(text)
						case "bom":
							in = append([]byte("\xEF\xBB\xBF"), text...)
						case "cp1252":
							in = win1252(t, text)
						}
						b, err := ParseDebtors(bytes.NewReader(in), Options{})
						if err != nil {
							t.Fatal(err)
						}
						if len(b.Errors) > 0 {
							t.Fatalf("unexpected problems:\n%s", errorsText(b.Errors))
						}
						if b.Separator != sep {
							t.Errorf("separator %q", b.Separator)
						}
						wantEnc := map[string]string{"utf8": EncodingUTF8, "bom": EncodingUTF8BOM, "cp1252": EncodingWindows1252}[enc]
						if b.Encoding != wantEnc {
							t.Errorf("encoding %q, want %q", b.Encoding, wantEnc)
						}
						assertDebtorRows(t, b.Rows, want)
					})
				}
			}
		}
	}
}

func TestChargeHeadersInPortuguese(t *testing.T) {
	t.Parallel()
	for _, header := range []string{
		"external_id;debtor_external_id;description;amount;due_date",
		"Número;Cliente;Descrição;Valor;Vencimento",
		"codigo;id_devedor;historico;valor_original;data_vencimento",
		"Documento Cobrança;Código Cliente;Histórico;VALOR;Data de Vencimento",
		"ID;DEVEDOR;DESCRICAO;Valor Original;Data-Vencimento",
	} {
		t.Run(header, func(t *testing.T) {
			t.Parallel()
			b := mustCharges(t, csvLines(header, "F1;C1;Mensalidade;1.500,00;10/12/2026"))
			if len(b.Errors) > 0 || len(b.Rows) != 1 {
				t.Fatalf("rows %d, problems:\n%s", len(b.Rows), errorsText(b.Errors))
			}
			c := b.Rows[0].Charge
			if c.ExternalID != "F1" || c.DebtorExternalID != "C1" || c.Description != "Mensalidade" || c.Amount != 150000 ||
				!c.DueDate.Equal(payments.CivilDate(2026, 12, 10)) {
				t.Errorf("charge = %+v", c)
			}
		})
	}
	// description is optional
	b := mustCharges(t, csvLines("id,cliente,valor,vencimento", "F1,C1,10,2026-12-10"))
	if len(b.Errors) > 0 || len(b.Rows) != 1 {
		t.Fatalf("rows %d, problems:\n%s", len(b.Rows), errorsText(b.Errors))
	}
}

func TestMixedGoodAndBadLines(t *testing.T) {
	t.Parallel()
	in := csvLines(
		"codigo;cliente;descricao;valor;vencimento", // 1
		"F1;C1;ok;100,00;30/11/2026",                // 2 good
		"F2;C1;bad amount;12,3,4;30/11/2026",        // 3
		"F3;C1;bad date;100,00;31/02/2026",          // 4
		"F4;C1;ok;1.000,00;2026-12-01",              // 5 good
		"",                                          // 6 blank: ignored
		"F5;;both bad;abc;amanhã",                   // 7: three problems
		"F1;C1;ok;100,00;30/11/2026",                // 8 same as line 2: dropped
		"F1;C2;other;100,00;30/11/2026",             // 9 duplicate id, different row
		"F6;C1;too;many;values;here",                // 10
		"F7;C1;too few",                             // 11
		";;;;",                                      // 12 an empty spreadsheet row: ignored
		"F8;C1;\"quoted; with separator\";\"1.234,56\";01/12/26", // 13 good
		"F9;C1;zero;0;01/12/2026",                                // 14
	)
	b := mustCharges(t, in)
	type problem struct {
		line          int
		column, field string
		reason        string
	}
	want := []problem{
		{3, "valor", FieldAmount, "misplaced thousands separator"},
		{4, "vencimento", FieldDueDate, "not a real calendar date"},
		{7, "cliente", FieldDebtorExternalID, "is required"},
		{7, "valor", FieldAmount, "is not an amount"},
		{7, "vencimento", FieldDueDate, "is not a date"},
		{9, "codigo", FieldExternalID, "is already used on line 2"},
		{10, "", "", "has 6 values but the header has 5 columns"},
		{11, "", "", "has 3 values but the header has 5 columns"},
		{14, "valor", FieldAmount, "greater than zero"},
	}
	if len(b.Errors) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(b.Errors), len(want), errorsText(b.Errors))
	}
	for i, w := range want {
		e := b.Errors[i]
		if e.Line != w.line || e.Column != w.column || e.Field != w.field || !strings.Contains(e.Reason, w.reason) {
			t.Errorf("problem %d = %+v, want %+v", i, e, w)
		}
	}
	var lines []int
	for _, r := range b.Rows {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 5, 13}) {
		t.Errorf("good rows on lines %v, want [2 5 13]", lines)
	}
	if b.Duplicates != 1 {
		t.Errorf("duplicates = %d, want 1", b.Duplicates)
	}
	err := b.Err()
	if err == nil || payments.ErrorCode(err) != payments.EINVALID || !strings.Contains(err.Error(), "9 problems") ||
		!strings.Contains(err.Error(), "line 3") {
		t.Errorf("Err() = %v", err)
	}
	if got := b.Errors[0].Error(); got != `line 3: valor "12,3,4" is not an amount (misplaced thousands separator)` {
		t.Errorf("Error() = %q", got)
	}
}

func TestDebtorLineErrorsAreMasked(t *testing.T) {
	t.Parallel()
	badCPF := wrongCheckDigit(makeCPF("390533447"))
	in := csvLines(
		"id,nome,cpf,telefone",
		"1,Ana,"+formatCPF(badCPF)+",(11) 98765-4321",
		"2,Bia,"+makeCPF("390533447")+",(11) 8765-432",
	)
	b := mustDebtors(t, in)
	if len(b.Errors) != 2 || len(b.Rows) != 0 {
		t.Fatalf("rows %d, problems:\n%s", len(b.Rows), errorsText(b.Errors))
	}
	all := errorsText(b.Errors)
	for _, secret := range []string{badCPF, formatCPF(badCPF)[:7], "8765-432"} {
		if strings.Contains(all, secret) {
			t.Errorf("problems show %q:\n%s", secret, all)
		}
	}
	if e := b.Errors[0]; e.Line != 2 || e.Column != "cpf" || e.Field != FieldDocument || !strings.Contains(e.Reason, "CPF") ||
		!strings.HasSuffix(e.Value, badCPF[9:]) {
		t.Errorf("document problem = %+v", e)
	}
	if e := b.Errors[1]; e.Line != 3 || e.Column != "telefone" || e.Field != FieldPhone {
		t.Errorf("phone problem = %+v", e)
	}
}

func TestDuplicateDebtors(t *testing.T) {
	t.Parallel()
	cpf := makeCPF("390533447")
	in := csvLines(
		"external_id,name,document,phone",
		"A,Ana,"+cpf+",11987654321",
		"B,Bia,"+makeCPF("123123123")+",11912345678",
		"A,Ana,"+formatCPF(cpf)+",(11) 98765-4321", // same once normalised: dropped
		"A,Ana Maria,"+cpf+",11987654321",          // same id, another name
		"C,,"+cpf+",11987654321",                   // invalid
		"C,Carla,"+cpf+",11987654321",              // repeats an invalid row's id
	)
	b := mustDebtors(t, in)
	if len(b.Rows) != 2 || b.Duplicates != 1 {
		t.Fatalf("rows %d duplicates %d", len(b.Rows), b.Duplicates)
	}
	if len(b.Errors) != 3 {
		t.Fatalf("problems:\n%s", errorsText(b.Errors))
	}
	if e := b.Errors[0]; e.Line != 5 || e.Field != FieldExternalID || e.Reason != "is already used on line 2" {
		t.Errorf("problem 0 = %+v", e)
	}
	if e := b.Errors[1]; e.Line != 6 || e.Field != FieldName {
		t.Errorf("problem 1 = %+v", e)
	}
	if e := b.Errors[2]; e.Line != 7 || e.Reason != "is already used on line 6" {
		t.Errorf("problem 2 = %+v", e)
	}
}

func TestQuotesAndLineNumbers(t *testing.T) {
	t.Parallel()
	in := "\n;;;;\n" + // leading blank lines
		"id,cliente,descricao,valor,vencimento\r\n" + // line 3
		`F1,C1,"Parcela 1, de 3",10,01/12/2026` + "\r\n" + // 4
		`F2,C1,"Linha um` + "\r\n" + // 5
		`linha dois` + "\r\n" + // 6
		`linha ""três""",20,01/12/2026` + "\r\n" + // 7
		`F3,C1, "espaços antes",30,01/12/2026` + "\r\n" + // 8
		`F4,C1,Empresa "X" Ltda,40,01/12/2026` + "\r\n" + // 9: a quote inside an unquoted value stays
		`F5,C1,"fechada"errado,50,01/12/2026` + "\r\n" + // 10: stray quote
		`F6,C1,"",abc,01/12/2026` + "\r\n" + // 11: bad amount
		"\r\n\r\n" // trailing blank lines
	b := mustCharges(t, in)
	want := map[int]string{4: "Parcela 1, de 3", 5: "Linha um\nlinha dois\nlinha \"três\"", 8: "espaços antes", 9: `Empresa "X" Ltda`}
	if len(b.Rows) != len(want) {
		t.Fatalf("rows %+v\nproblems:\n%s", b.Rows, errorsText(b.Errors))
	}
	for _, r := range b.Rows {
		if want[r.Line] != r.Charge.Description {
			t.Errorf("line %d: description %q, want %q", r.Line, r.Charge.Description, want[r.Line])
		}
	}
	if len(b.Errors) != 2 {
		t.Fatalf("problems:\n%s", errorsText(b.Errors))
	}
	if e := b.Errors[0]; e.Line != 10 || e.Column != "descricao" || !strings.Contains(e.Reason, "stray quote") {
		t.Errorf("problem 0 = %+v", e)
	}
	if e := b.Errors[1]; e.Line != 11 || e.Column != "valor" {
		t.Errorf("problem 1 = %+v", e)
	}
	if b.Lines != 13 {
		t.Errorf("lines = %d, want 13", b.Lines)
	}
}

func TestNamelessColumns(t *testing.T) {
	t.Parallel()
	// Trailing separators in the header make nameless columns: fine while empty.
	b := mustCharges(t, csvLines("id;cliente;valor;vencimento;;", "F1;C1;10;01/12/2026;;", "F2;C1;10;01/12/2026;;oops"))
	if len(b.Rows) != 1 || len(b.Errors) != 1 {
		t.Fatalf("rows %d problems:\n%s", len(b.Rows), errorsText(b.Errors))
	}
	if e := b.Errors[0]; e.Line != 3 || e.Column != "column 6" || e.Value != "oops" {
		t.Errorf("problem = %+v", e)
	}
	// Extra empty cells on a row are fine too.
	b = mustCharges(t, csvLines("id;cliente;valor;vencimento", "F1;C1;10;01/12/2026;;;"))
	if len(b.Rows) != 1 || len(b.Errors) != 0 {
		t.Fatalf("rows %d problems:\n%s", len(b.Rows), errorsText(b.Errors))
	}
}

func TestFileErrors(t *testing.T) {
	t.Parallel()
	const chargesHeader = "external_id,debtor_external_id,description,amount,due_date"
	longLine := chargesHeader + "\nF1,C1," + strings.Repeat("x", 10<<20) + ",10,01/12/2026\nF2,C1,ok,10,01/12/2026\n"
	tests := []struct {
		name    string
		in      []byte
		debtors bool
		line    int
		msg     []string // substrings
	}{
		{"empty", nil, false, 0, []string{"the file is empty"}},
		{"blank lines only", []byte("\n \r\n\t\n"), false, 0, []string{"the file is empty"}},
		{"BOM only", []byte("\xEF\xBB\xBF"), false, 0, []string{"the file is empty"}},
		{"header only", []byte(chargesHeader + "\n"), false, 0, []string{"header but no rows"}},
		{"only empty spreadsheet rows", []byte(";;;;\n,,,\n\"\";\"\"\n"), false, 0, []string{"the file is empty"}},
		{"header and blank rows", []byte(chargesHeader + "\n,,,,\n\n \n"), false, 0, []string{"header but no rows"}},
		{"missing column", []byte("id;nome;fone\n1;Ana;11987654321\n"), true, 1,
			[]string{"lacks the required column document (or documento, cpf, cnpj, cpf_cnpj)", `found "id", "nome", "fone"`}},
		{"missing columns", []byte("id;descricao\n1;x\n"), false, 1, []string{"columns debtor_external_id (or", "amount (or", "due_date (or"}},
		{"wrong columns", []byte("external_id,name,document,phone,valor\n1,Ana,1,1,1\n"), false, 1,
			[]string{"columns debtor_external_id (or devedor, id_devedor, cliente, codigo_cliente), due_date (or vencimento", `unknown columns "name", "document", "phone"`}},
		{"debtors file given as charges", []byte("external_id,name,document,phone\n1,Ana,1,1\n"), false, 1,
			[]string{`this is a debtors file, not a charges file: its header is "external_id", "name", "document", "phone"`}},
		{"charges file given as debtors", []byte("id;cliente;valor;vencimento\n1;Ana;1;1\n"), true, 1,
			[]string{"this is a charges file, not a debtors file"}},
		{"unknown columns", []byte(chargesHeader + ",bairro,CEP\n"), false, 1, []string{`unknown columns "bairro", "CEP"`}},
		{"many unknown columns", []byte(chargesHeader + strings.Repeat(",x", 100_000) + "\n"), false, 1, []string{`unknown columns "x"`, "and 99990 more"}},
		{"duplicate columns", []byte("id,cliente,valor,amount,vencimento\n"), false, 1, []string{`"valor" and "amount" both mean amount`}},
		{"same column twice", []byte("id,cliente,valor,valor,vencimento\n"), false, 1, []string{`"valor" and "valor" both mean amount`}},
		{"10 MB line", []byte(longLine), false, 2, []string{"longer than 1 MB"}},
		{"10 MB header", []byte(strings.Repeat("a", 10<<20)), false, 1, []string{"longer than 1 MB"}},
		{"unclosed quote", []byte(chargesHeader + "\nF1,C1,ok,10,01/12/2026\nF2,C1,\"never closed,10,01/12/2026\nF3,C1,ok,10,01/12/2026\n"),
			false, 3, []string{"never closed"}},
		{"quoted value over 1 MB", []byte(chargesHeader + "\nF1,C1,\"" + strings.Repeat("abc\n", 300_000)), false, 2, []string{"more than 1 MB"}},
		{"invalid UTF-8 and not Windows-1252", []byte(chargesHeader + "\nF1,C1,caf\x81,10,01/12/2026\n"), false, 2,
			[]string{"neither UTF-8 nor Windows-1252", "0x81"}},
		{"Windows-1252 then an undefined byte", []byte(chargesHeader + "\nF1,C1,Jo\xe3o,10,01/12/2026\nF2,C1,\x9d,10,01/12/2026\n"), false, 3,
			[]string{"neither UTF-8 nor Windows-1252", "0x9D"}},
		{"UTF-8 then Windows-1252", []byte(chargesHeader + "\nF1,C1,João,10,01/12/2026\nF2,C1,Jo\xe3o,10,01/12/2026\n"), false, 3,
			[]string{"not valid UTF-8", "line 2 is UTF-8"}},
		{"BOM then Windows-1252", []byte("\xEF\xBB\xBF" + chargesHeader + "\nF1,C1,Jo\xe3o,10,01/12/2026\n"), false, 2,
			[]string{"not valid UTF-8", "byte-order mark"}},
		{"Windows-1252 then UTF-8", []byte(chargesHeader + "\nF1,C1,Jo\xe3o,10,01/12/2026\nF2,C1,João,10,01/12/2026\n"), false, 3,
			[]string{"is UTF-8, but line 2 is Windows-1252"}},
		{"UTF-16", append([]byte{0xFF, 0xFE}, "i\x00d\x00"...), false, 0, []string{"UTF-16"}},
		{"UTF-16 without BOM", []byte("i\x00d\x00,\x00n\x00\n\x00"), false, 1, []string{"NUL"}},
		{"old Mac line endings", []byte(chargesHeader + "\rF1,C1,ok,10,01/12/2026\r"), false, 1, []string{"carriage return"}},
		{"xlsx", []byte("PK\x03\x04\x14\x00\x06\x00"), false, 0, []string{"spreadsheet (Excel) file"}},
		{"stray quote in header", []byte(`"id"x,cliente,valor,vencimento` + "\n"), false, 1, []string{"stray quote"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.debtors {
				var b *DebtorBatch
				b, err = ParseDebtors(bytes.NewReader(tt.in), Options{})
				if b != nil {
					t.Errorf("got a batch with a file error")
				}
			} else {
				var b *ChargeBatch
				b, err = ParseCharges(bytes.NewReader(tt.in), Options{})
				if b != nil {
					t.Errorf("got a batch with a file error")
				}
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v (%T), want *FileError", err, err)
			}
			if fe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", fe.Line, tt.line, err)
			}
			for _, s := range tt.msg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "\n") || len(err.Error()) > 600 {
				t.Errorf("error is not one short line: %q", err)
			}
			if payments.ErrorCode(err) != payments.EINVALID || payments.ErrorMessage(err) != err.Error() {
				t.Errorf("as an application error: code %q message %q", payments.ErrorCode(err), payments.ErrorMessage(err))
			}
		})
	}
}

func TestReadErrorIsNotAFileError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("id,cliente,valor,vencimento\nF1,C1,10,01/12/2026\n"), iotest.ErrReader(boom))
	_, err := ParseCharges(r, Options{})
	var fe *FileError
	if !errors.Is(err, boom) || errors.As(err, &fe) {
		t.Errorf("error = %v", err)
	}
}

func TestMaxErrorsCap(t *testing.T) {
	t.Parallel()
	var sb strings.Builder
	sb.WriteString("id,cliente,valor,vencimento\n")
	for i := range 30 {
		fmt.Fprintf(&sb, "F%d,C1,abc,01/12/2026\n", i)
	}
	b, err := ParseCharges(strings.NewReader(sb.String()), Options{MaxErrors: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Errors) != 10 || b.Omitted != 20 {
		t.Fatalf("errors %d omitted %d", len(b.Errors), b.Omitted)
	}
	if b.Errors[9].Line != 11 {
		t.Errorf("10th problem on line %d", b.Errors[9].Line)
	}
	sum := b.Summary()
	if !strings.HasPrefix(sum, "line 2: valor \"abc\" is not an amount") || !strings.HasSuffix(sum, "\nand 20 more problems\n") ||
		strings.Count(sum, "\n") != 11 {
		t.Errorf("Summary() = %q", sum)
	}
	if err := b.Err(); err == nil || !strings.HasPrefix(err.Error(), "30 problems in the file") {
		t.Errorf("Err() = %v", err)
	}

	// The default cap is 1,000.
	sb.Reset()
	sb.WriteString("id,cliente,valor,vencimento\n")
	for i := range 1500 {
		fmt.Fprintf(&sb, "F%d,C1,abc,01/12/2026\n", i)
	}
	b = mustCharges(t, sb.String())
	if len(b.Errors) != DefaultMaxErrors || b.Omitted != 500 {
		t.Errorf("errors %d omitted %d", len(b.Errors), b.Omitted)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	in := chargesFile(25_000)
	var calls []int
	b, err := ParseCharges(strings.NewReader(in), Options{Progress: func(n int) { calls = append(calls, n) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != 25_000 || len(b.Errors) != 0 {
		t.Fatalf("rows %d problems %d", len(b.Rows), len(b.Errors))
	}
	if !slices.Equal(calls, []int{10_000, 20_000, 25_001}) {
		t.Errorf("progress calls %v", calls)
	}
}

// chargesFile builds a realistic charges file of n rows, semicolon-separated
// with Brazilian amounts and dates, as Excel in Brazil writes it.
func chargesFile(n int) string {
	var sb strings.Builder
	sb.Grow(n * 64)
	sb.WriteString("Número;Cliente;Descrição;Valor;Vencimento\r\n")
	for i := range n {
		fmt.Fprintf(&sb, "NF-%07d;CLI-%05d;Mensalidade %d/12 - plano básico;%d.%03d,%02d;%02d/%02d/2026\r\n",
			i, i%5000, i%12+1, 1+i%9, i%1000, i%100, 1+i%28, 1+i%12)
	}
	return sb.String()
}

func TestSmallReads(t *testing.T) {
	t.Parallel()
	// A reader that hands out one byte at a time must give the same result.
	in := chargesFile(50)
	whole := mustCharges(t, in)
	b, err := ParseCharges(iotest.OneByteReader(strings.NewReader(in)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != len(whole.Rows) {
		t.Fatalf("rows %d vs %d", len(b.Rows), len(whole.Rows))
	}
	for i := range b.Rows {
		if b.Rows[i].Line != whole.Rows[i].Line || !sameCharge(&b.Rows[i].Charge, &whole.Rows[i].Charge) {
			t.Errorf("row %d differs", i)
		}
	}
}

func TestHeaderAliasesAreUnambiguous(t *testing.T) {
	t.Parallel()
	for kind, cols := range map[string][]column{"debtors": debtorColumns, "charges": chargeColumns} {
		seen := map[string]string{}
		for _, c := range cols {
			if foldKey(c.aliases[0]) != foldKey(c.field) {
				t.Errorf("%s: %s's first alias should be its own name", kind, c.field)
			}
			for _, a := range c.aliases {
				k := foldKey(a)
				if prev, ok := seen[k]; ok && prev != c.field {
					t.Errorf("%s: %q means both %s and %s", kind, a, prev, c.field)
				}
				seen[k] = c.field
			}
		}
	}
}

func TestFoldKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Razão Social":       "razaosocial",
		"RAZAO_SOCIAL":       "razaosocial",
		"razao-social":       "razaosocial",
		"Razao\u0303 Social": "razaosocial", // combining tilde
		"E-mail":             "email",
		" CPF/CNPJ ":         "cpfcnpj",
		"Descrição":          "descricao",
		"\ufeffid":           "id",
	} {
		if got := foldKey(in); got != want {
			t.Errorf("foldKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// "1.500" in a Brazilian file may be R$ 1.500,00 or 1,50: the import refuses
// the line with the reason rather than guess; unambiguous forms pass.
func TestAmbiguousAmountRefusedWithLine(t *testing.T) {
	t.Parallel()
	b := mustCharges(t, csvLines(
		"codigo;cliente;valor;vencimento", // 1
		"F1;C1;1.500,00;30/11/2026",       // 2 good
		"F2;C1;1.500;30/11/2026",          // 3 ambiguous
		"F3;C1;1500.00;30/11/2026",        // 4 good
		"F4;C1;1.234.567,89;30/11/2026",   // 5 good
		"F5;C1;0.100;30/11/2026",          // 6 three decimals
	))
	if len(b.Errors) != 2 {
		t.Fatalf("problems:\n%s", errorsText(b.Errors))
	}
	if e := b.Errors[0]; e.Line != 3 || e.Field != FieldAmount || !strings.Contains(e.Reason, "ambiguous") || !strings.Contains(e.Reason, "1.500,00") {
		t.Errorf("problem = %+v (%s)", e, e.Error())
	}
	if e := b.Errors[1]; e.Line != 6 || e.Field != FieldAmount || !strings.Contains(e.Reason, "more than two decimal") {
		t.Errorf("problem = %+v (%s)", e, e.Error())
	}
	want := []payments.Cents{150000, 150000, 123456789}
	for i, r := range b.Rows {
		if r.Charge.Amount != want[i] {
			t.Errorf("row %d amount %d, want %d", r.Line, r.Charge.Amount, want[i])
		}
	}
}
