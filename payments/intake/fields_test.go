package intake

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
)

func validDebtorFields() DebtorFields {
	return DebtorFields{
		ExternalID: "C-1",
		Name:       "João da Silva",
		Document:   "123.456.789-09",
		Phone:      "(11) 98765-4321",
	}
}

func validChargeFields() ChargeFields {
	return ChargeFields{ExternalID: "F-1", DebtorExternalID: "C-1", Amount: "1.234,56", DueDate: "30/11/2026"}
}

func TestDebtorFromFieldsValid(t *testing.T) {
	t.Parallel()
	cnpjAlpha := makeCNPJ("12ABC34501DE")
	cnpjNum := makeCNPJ("112223330001")
	tests := []struct {
		name   string
		modify func(*DebtorFields)
		check  func(t *testing.T, d payments.Debtor)
	}{
		{"trims and keeps text", func(f *DebtorFields) { f.ExternalID = "  C-1 \t"; f.Name = "  João da Silva  " }, func(t *testing.T, d payments.Debtor) {
			if d.ExternalID != "C-1" || d.Name != "João da Silva" {
				t.Errorf("got id %q name %q", d.ExternalID, d.Name)
			}
		}},
		{"CPF with punctuation", nil, func(t *testing.T, d payments.Debtor) {
			if d.Document != "12345678909" || d.DocumentKind != payments.DocCPF {
				t.Errorf("got %q %q", d.Document, d.DocumentKind)
			}
		}},
		{"CPF bare", func(f *DebtorFields) { f.Document = "52998224725" }, func(t *testing.T, d payments.Debtor) {
			if d.Document != "52998224725" {
				t.Errorf("got %q", d.Document)
			}
		}},
		{"CPF with leading zero", func(f *DebtorFields) { f.Document = "012.345.678-90" }, func(t *testing.T, d payments.Debtor) {
			if d.Document != "01234567890" {
				t.Errorf("got %q", d.Document)
			}
		}},
		{"CNPJ with punctuation", func(f *DebtorFields) { f.Document = formatCNPJ(cnpjNum) }, func(t *testing.T, d payments.Debtor) {
			if d.Document != cnpjNum || d.DocumentKind != payments.DocCNPJ {
				t.Errorf("got %q %q", d.Document, d.DocumentKind)
			}
		}},
		{"CNPJ bare", func(f *DebtorFields) { f.Document = cnpjNum }, func(t *testing.T, d payments.Debtor) {
			if d.Document != cnpjNum {
				t.Errorf("got %q", d.Document)
			}
		}},
		{"alphanumeric CNPJ, lower case and punctuated", func(f *DebtorFields) { f.Document = strings.ToLower(formatCNPJ(cnpjAlpha)) }, func(t *testing.T, d payments.Debtor) {
			if d.Document != "12ABC34501DE35" || d.DocumentKind != payments.DocCNPJ {
				t.Errorf("got %q %q", d.Document, d.DocumentKind)
			}
		}},
		{"several phones, duplicates dropped", func(f *DebtorFields) {
			f.Phone = "(11) 98765-4321 / +55 21 3333-4444 | 11987654321; 0xx21 99999 0000"
		}, func(t *testing.T, d payments.Debtor) {
			want := []string{"+5511987654321", "+552133334444", "+5521999990000"}
			if !slices.Equal(d.Phones, want) {
				t.Errorf("phones = %v, want %v", d.Phones, want)
			}
		}},
		{"phones list of the API", func(f *DebtorFields) { f.Phone = ""; f.Phones = []string{"+5511987654321", "(21) 3333-4444"} }, func(t *testing.T, d payments.Debtor) {
			if !slices.Equal(d.Phones, []string{"+5511987654321", "+552133334444"}) {
				t.Errorf("phones = %v", d.Phones)
			}
		}},
		{"email lower-cased", func(f *DebtorFields) { f.Email = " Joao.Silva@Example.COM.br " }, func(t *testing.T, d payments.Debtor) {
			if d.Email != "joao.silva@example.com.br" {
				t.Errorf("email = %q", d.Email)
			}
		}},
		{"channel zap", func(f *DebtorFields) { f.PreferredChannel = "Zap" }, func(t *testing.T, d payments.Debtor) {
			if d.PreferredChannel != payments.ChannelWhatsApp {
				t.Errorf("channel = %q", d.PreferredChannel)
			}
		}},
		{"channel Whats", func(f *DebtorFields) { f.PreferredChannel = "whats" }, func(t *testing.T, d payments.Debtor) {
			if d.PreferredChannel != payments.ChannelWhatsApp {
				t.Errorf("channel = %q", d.PreferredChannel)
			}
		}},
		{"channel WhatsApp", func(f *DebtorFields) { f.PreferredChannel = "WhatsApp" }, func(t *testing.T, d payments.Debtor) {
			if d.PreferredChannel != payments.ChannelWhatsApp {
				t.Errorf("channel = %q", d.PreferredChannel)
			}
		}},
		{"channel Telegram", func(f *DebtorFields) { f.PreferredChannel = " TELEGRAM " }, func(t *testing.T, d payments.Debtor) {
			if d.PreferredChannel != payments.ChannelTelegram {
				t.Errorf("channel = %q", d.PreferredChannel)
			}
		}},
		{"channel empty", nil, func(t *testing.T, d payments.Debtor) {
			if d.PreferredChannel != "" || d.Email != "" {
				t.Errorf("channel = %q, email = %q", d.PreferredChannel, d.Email)
			}
		}},
		{"name of 200 characters", func(f *DebtorFields) { f.Name = strings.Repeat("ã", 200) }, func(t *testing.T, d payments.Debtor) {
			if len([]rune(d.Name)) != 200 {
				t.Errorf("name has %d characters", len([]rune(d.Name)))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validDebtorFields()
			if tt.modify != nil {
				tt.modify(&f)
			}
			d, errs := DebtorFromFields(f)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			tt.check(t, d)
		})
	}
}

func TestPhoneForms(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"(11) 98765-4321", "+5511987654321"},
		{"11987654321", "+5511987654321"},
		{"11 9 8765 4321", "+5511987654321"},
		{"+55 11 98765-4321", "+5511987654321"},
		{"+55 (11) 98765-4321", "+5511987654321"},
		{"5511987654321", "+5511987654321"},
		{"055 11 98765 4321", "+5511987654321"},
		{"0xx11987654321", "+5511987654321"},
		{"011 98765-4321", "+5511987654321"},
		{"0 21 11 98765-4321", "+5511987654321"}, // carrier selection code 21
		{"(11) 8765-4321", "+5511987654321"},     // old 8-digit mobile gets its 9
		{"(11) 3333-4444", "+551133334444"},      // landline
		{"11.3333.4444", "+551133334444"},
		{"(55) 99123-4567", "+5555991234567"}, // area code 55 (RS)
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			f := validDebtorFields()
			f.Phone = tt.in
			d, errs := DebtorFromFields(f)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if len(d.Phones) != 1 || d.Phones[0] != tt.want {
				t.Errorf("phones = %v, want [%s]", d.Phones, tt.want)
			}
		})
	}
}

func TestDebtorFromFieldsInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		modify    func(*DebtorFields)
		field     string
		reason    string // substring
		notInText string // must appear nowhere in the error (masking)
	}{
		{"empty external id", func(f *DebtorFields) { f.ExternalID = "  " }, FieldExternalID, "is required", ""},
		{"long external id", func(f *DebtorFields) { f.ExternalID = strings.Repeat("x", 101) }, FieldExternalID, "longer than 100", ""},
		{"control character in id", func(f *DebtorFields) { f.ExternalID = "C\x001" }, FieldExternalID, "control character", ""},
		{"line break in id", func(f *DebtorFields) { f.ExternalID = "C\n1" }, FieldExternalID, "control character", ""},
		{"empty name", func(f *DebtorFields) { f.Name = "" }, FieldName, "is required", ""},
		{"long name", func(f *DebtorFields) { f.Name = strings.Repeat("a", 201) }, FieldName, "longer than 200", ""},
		{"empty document", func(f *DebtorFields) { f.Document = "" }, FieldDocument, "is required", ""},
		{"CPF wrong check digit", func(f *DebtorFields) { f.Document = "123.456.789-08" }, FieldDocument, "not a valid CPF", "123.456.789"},
		{"CPF repeated digits", func(f *DebtorFields) { f.Document = "111.111.111-11" }, FieldDocument, "not a valid CPF", "111.111.111"},
		{"CNPJ wrong check digit", func(f *DebtorFields) { f.Document = "11.222.333/0001-82" }, FieldDocument, "not a valid CNPJ", "11.222.333"},
		{"alphanumeric CNPJ wrong", func(f *DebtorFields) { f.Document = "12ABC34501DE36" }, FieldDocument, "not a valid CNPJ", "12ABC345"},
		{"CPF lost its leading zero", func(f *DebtorFields) { f.Document = "1234567890" }, FieldDocument, "leading zeros", "1234567890"},
		{"document bad character", func(f *DebtorFields) { f.Document = "123#456#789#09" }, FieldDocument, "invalid character '#'", "123#456"},
		{"document in scientific notation", func(f *DebtorFields) { f.Document = "1,12223E+13" }, FieldDocument, "scientific notation", ""},
		{"document too short", func(f *DebtorFields) { f.Document = "12345" }, FieldDocument, "neither a CPF", ""},
		{"no phone", func(f *DebtorFields) { f.Phone = " / " }, FieldPhone, "is required", ""},
		{"phone too short", func(f *DebtorFields) { f.Phone = "9876-5432" }, FieldPhone, "not a Brazilian phone", "9876-5432"},
		{"phone with letters", func(f *DebtorFields) { f.Phone = "11 9876A-4321" }, FieldPhone, "invalid character", "9876A"},
		{"phone bad area code", func(f *DebtorFields) { f.Phone = "(10) 98765-4321" }, FieldPhone, "area code", "98765"},
		{"phone 9 digits not starting with 9", func(f *DebtorFields) { f.Phone = "(11) 88765-4321" }, FieldPhone, "must start with 9", "88765"},
		{"second phone bad", func(f *DebtorFields) { f.Phone = "(11) 98765-4321 / 123" }, FieldPhone, "not a Brazilian phone", ""},
		{"phone starting with 0", func(f *DebtorFields) { f.Phone = "(11) 0000-0000" }, FieldPhone, "starts with 2 to 5", "0000-0000"},
		{"phone starting with 1", func(f *DebtorFields) { f.Phone = "11 1234-5678" }, FieldPhone, "starts with 2 to 5", "1234-5678"},
		{"eleven phones", func(f *DebtorFields) {
			var p []string
			for i := range 11 {
				p = append(p, fmt.Sprintf("11 9%08d", i))
			}
			f.Phone = strings.Join(p, " / ")
		}, FieldPhone, "has 11 numbers; at most 10", ""},
		{"a cell of thousands of phones", func(f *DebtorFields) { f.Phone = strings.Repeat("11987654321|", 5000) }, FieldPhone, "has 5000 numbers; at most 10", ""},
		{"phone in scientific notation", func(f *DebtorFields) { f.Phone = "5,51199E+12" }, FieldPhone, "scientific notation", ""},
		{"email without at", func(f *DebtorFields) { f.Email = "joao.example.com" }, FieldEmail, "not an email", ""},
		{"email with two ats", func(f *DebtorFields) { f.Email = "a@b@example.com" }, FieldEmail, "not an email", ""},
		{"email without dot", func(f *DebtorFields) { f.Email = "joao@localhost" }, FieldEmail, "not an email", ""},
		{"two emails", func(f *DebtorFields) { f.Email = "a@x.com; b@y.com" }, FieldEmail, "not an email", ""},
		{"email with space", func(f *DebtorFields) { f.Email = "jo ao@x.com" }, FieldEmail, "not an email", ""},
		{"email too long", func(f *DebtorFields) { f.Email = strings.Repeat("a", 250) + "@x.com" }, FieldEmail, "longer than 254", ""},
		{"unknown channel", func(f *DebtorFields) { f.PreferredChannel = "sms" }, FieldPreferredChannel, "must be whatsapp, telegram", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validDebtorFields()
			tt.modify(&f)
			d, errs := DebtorFromFields(f)
			if len(errs) != 1 {
				t.Fatalf("got %d errors %v, want 1 about %s", len(errs), errs, tt.field)
			}
			if d.ExternalID != "" || d.Phones != nil {
				t.Errorf("an invalid debtor must come back empty, got %+v", d)
			}
			e := errs[0]
			if e.Field != tt.field || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("got %s = %q, want %s containing %q", e.Field, e.Reason, tt.field, tt.reason)
			}
			if tt.notInText != "" && (strings.Contains(e.Error(), tt.notInText) || strings.Contains(e.AppError().Error(), tt.notInText)) {
				t.Errorf("error %q shows %q unmasked", e.Error(), tt.notInText)
			}
			if got := payments.ErrorCode(e.AppError()); got != payments.EINVALID {
				t.Errorf("AppError code = %q", got)
			}
			if got := payments.ErrorField(e.AppError()); got != tt.field {
				t.Errorf("AppError field = %q", got)
			}
		})
	}
}

func TestDebtorFromFieldsReportsEveryField(t *testing.T) {
	t.Parallel()
	_, errs := DebtorFromFields(DebtorFields{Email: "x", PreferredChannel: "fax"})
	var fields []string
	for _, e := range errs {
		fields = append(fields, e.Field)
	}
	want := []string{FieldExternalID, FieldName, FieldDocument, FieldPhone, FieldEmail, FieldPreferredChannel}
	if !slices.Equal(fields, want) {
		t.Errorf("fields = %v, want %v", fields, want)
	}
}

func TestChargeAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   payments.Cents
		reason string // non-empty: expect this error
	}{
		{"1234.56", 123456, ""},
		{"1234,56", 123456, ""},
		{"1.234,56", 123456, ""},
		{"1,234.56", 123456, ""},
		{"R$ 1.234,56", 123456, ""},
		{"R$1.234,56", 123456, ""},
		{"1234", 123400, ""},
		{"12,5", 1250, ""},
		{"0,01", 1, ""},
		{"1.234", 0, "is ambiguous"}, // thousands to a Brazilian, 1.234 to a program printing three decimals
		{"1.500", 0, "is ambiguous"},
		{"1,500", 0, "is ambiguous"},
		{"1.500,00", 150000, ""},
		{"1500.00", 150000, ""},
		{"0.100", 0, "more than two decimal"},
		{"0.001", 0, "more than two decimal"},
		{"1.234.567,89", 123456789, ""},
		{" 99 ", 9900, ""},
		{"10.000.000.000,00", 1_000_000_000_000, ""},
		{"", 0, "is required"},
		{"abc", 0, "is not an amount"},
		{"12,3,4", 0, "misplaced thousands"},
		{"1.23.45", 0, "misplaced thousands"},
		{"12,345", 0, "is ambiguous"},
		{"1,2345", 0, "more than two decimal"},
		{"12.345,678", 0, "more than two decimal"},
		{"0", 0, "greater than zero"},
		{"0,00", 0, "greater than zero"},
		{"-10,00", 0, "greater than zero"},
		{"10.000.000.000,01", 0, "at most R$ 10.000.000.000,00"},
		{"99999999999999999999", 0, "at most"},
		{"1e3", 0, "is not an amount"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			f := validChargeFields()
			f.Amount = tt.in
			c, errs := ChargeFromFields(f)
			if tt.reason == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				if c.Amount != tt.want {
					t.Errorf("amount = %d, want %d", c.Amount, tt.want)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != FieldAmount || !strings.Contains(errs[0].Reason, tt.reason) {
				t.Errorf("errors = %v, want one amount error with %q", errs, tt.reason)
			}
		})
	}
}

func TestChargeDueDates(t *testing.T) {
	t.Parallel()
	d := func(y int, m time.Month, day int) time.Time { return payments.CivilDate(y, m, day) }
	tests := []struct {
		in     string
		want   time.Time
		reason string
	}{
		{"2026-11-30", d(2026, 11, 30), ""},
		{"30/11/2026", d(2026, 11, 30), ""},
		{"30/11/26", d(2026, 11, 30), ""},
		{"1/2/2027", d(2027, 2, 1), ""},
		{"01/02/27", d(2027, 2, 1), ""},
		{"30-11-2026", d(2026, 11, 30), ""},
		{"30.11.2026", d(2026, 11, 30), ""},
		{"2026/11/30", d(2026, 11, 30), ""},
		{"2026-1-5", d(2026, 1, 5), ""},
		{"30/11/2026 00:00:00", d(2026, 11, 30), ""},
		{"2026-11-30 00:00", d(2026, 11, 30), ""},
		{"29/02/2028", d(2028, 2, 29), ""},
		{"2000-01-01", d(2000, 1, 1), ""},
		{"31/12/2100", d(2100, 12, 31), ""},
		{"01/01/00", d(2000, 1, 1), ""},
		{"", time.Time{}, "is required"},
		{"amanhã", time.Time{}, "is not a date"},
		{"30/11", time.Time{}, "is not a date"},
		{"2026-11-30T10:00:00Z", time.Time{}, "is not a date"},
		{"30/11/2026 10:30", time.Time{}, "is not a date"},
		{"30/11-2026", time.Time{}, "is not a date"},
		{"30/11/026", time.Time{}, "is not a date"},
		{"11/30/2026", time.Time{}, "not a real calendar date"}, // American order is not guessed
		{"31/02/2026", time.Time{}, "not a real calendar date"},
		{"29/02/2026", time.Time{}, "not a real calendar date"},
		{"2026-13-01", time.Time{}, "not a real calendar date"},
		{"00/01/2026", time.Time{}, "not a real calendar date"},
		{"31/12/1999", time.Time{}, "between 2000-01-01 and 2100-12-31"},
		{"01/01/2101", time.Time{}, "between 2000-01-01 and 2100-12-31"},
		{"46000", time.Time{}, "is not a date"}, // an Excel serial number
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			f := validChargeFields()
			f.DueDate = tt.in
			c, errs := ChargeFromFields(f)
			if tt.reason == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				if !c.DueDate.Equal(tt.want) || c.DueDate.Location() != time.UTC {
					t.Errorf("due date = %v, want %v", c.DueDate, tt.want)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != FieldDueDate || !strings.Contains(errs[0].Reason, tt.reason) {
				t.Errorf("errors = %v, want one due_date error with %q", errs, tt.reason)
			}
		})
	}
}

func TestChargeFromFieldsOtherRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*ChargeFields)
		field  string
		reason string
	}{
		{"no external id", func(f *ChargeFields) { f.ExternalID = "" }, FieldExternalID, "is required"},
		{"no debtor", func(f *ChargeFields) { f.DebtorExternalID = " " }, FieldDebtorExternalID, "is required"},
		{"debtor id too long", func(f *ChargeFields) { f.DebtorExternalID = strings.Repeat("9", 101) }, FieldDebtorExternalID, "longer than 100"},
		{"description too long", func(f *ChargeFields) { f.Description = strings.Repeat("é", 501) }, FieldDescription, "longer than 500"},
		{"description with control character", func(f *ChargeFields) { f.Description = "a\x07b" }, FieldDescription, "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := validChargeFields()
			tt.modify(&f)
			c, errs := ChargeFromFields(f)
			if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Reason, tt.reason) {
				t.Fatalf("errors = %v, want one %s error with %q", errs, tt.field, tt.reason)
			}
			if c.ExternalID != "" {
				t.Errorf("invalid charge must come back empty, got %+v", c)
			}
		})
	}

	f := validChargeFields()
	f.Description = "  Mensalidade\r\nnovembro\t(2/2)  "
	c, errs := ChargeFromFields(f)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if c.Description != "Mensalidade\nnovembro\t(2/2)" {
		t.Errorf("description = %q", c.Description)
	}
	if c.ExternalID != "F-1" || c.DebtorExternalID != "C-1" || c.Amount != 123456 {
		t.Errorf("charge = %+v", c)
	}
}

func TestFieldErrorValuesAreShortened(t *testing.T) {
	t.Parallel()
	f := validChargeFields()
	f.Amount = strings.Repeat("x", 5000)
	_, errs := ChargeFromFields(f)
	if len(errs) != 1 {
		t.Fatal(errs)
	}
	if n := len([]rune(errs[0].Value)); n > maxValueRunes {
		t.Errorf("value has %d characters", n)
	}
	if len(errs[0].Error()) > 200 {
		t.Errorf("error is %d bytes long", len(errs[0].Error()))
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		keep int
		want string
	}{
		{"123.456.789-08", 2, "***.***.***-08"},
		{"(11) 98765-4321", 4, "(**) *****-4321"},
		{"12", 4, "12"},
		{"", 2, ""},
	}
	for _, tt := range tests {
		if got := mask(tt.in, tt.keep); got != tt.want {
			t.Errorf("mask(%q, %d) = %q, want %q", tt.in, tt.keep, got, tt.want)
		}
	}
}
