package intake

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/regua/regua/payments"
)

func addSeeds(f *testing.F, inline ...string) {
	files, err := filepath.Glob("testdata/*.csv")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range inline {
		f.Add([]byte(s))
	}
}

func FuzzParseDebtors(f *testing.F) {
	addSeeds(f,
		"",
		"id;nome;cpf;telefone\n1;Ana;"+formatCPF(makeCPF("390533447"))+";(11) 98765-4321\n",
		"external_id,name,document,phone,email,preferred_channel\r\nA,\"B, C\",12ABC34501DE35,11 8765-4321 / 21 3333-4444,x@y.com,zap\r\nA,B,1,1,,\r\n",
		"\xEF\xBB\xBFcodigo\tnome\tcnpj\tcelular\n\"1\"\t\"Jo\xe3o\"\t11222333000181\t011987654321\n",
		"id,nome,documento,fone\n1,\"open\n2,x,y,z\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseDebtors(bytes.NewReader(data), Options{})
		if err != nil {
			checkFileError(t, err)
			if b != nil {
				t.Fatal("a batch came with a file error")
			}
			return
		}
		checkReport(t, &b.Report)
		ids := map[string]bool{}
		last := 0
		for _, r := range b.Rows {
			if r.Line <= last || r.Line > b.Lines {
				t.Fatalf("row line %d after %d (of %d lines)", r.Line, last, b.Lines)
			}
			last = r.Line
			d := r.Debtor
			checkDebtor(t, d)
			if ids[d.ExternalID] {
				t.Fatalf("external id %q twice", d.ExternalID)
			}
			ids[d.ExternalID] = true
			// Normalising again changes nothing: the API and a re-import
			// see the same debtor.
			again, errs := DebtorFromFields(DebtorFields{ExternalID: d.ExternalID, Name: d.Name, Document: d.Document,
				Phones: d.Phones, Email: d.Email, PreferredChannel: d.PreferredChannel})
			if len(errs) > 0 || !sameDebtor(&again, &d) {
				t.Fatalf("re-checking %+v gave %+v %v", d, again, errs)
			}
		}
	})
}

func FuzzParseCharges(f *testing.F) {
	addSeeds(f,
		"",
		"id;cliente;descricao;valor;vencimento\nF1;C1;x;1.234,56;30/11/26\nF1;C1;x;1234.56;2026-11-30\n",
		"external_id,debtor_external_id,amount,due_date\n\"a\"\"b\",c,\"1,5\",1/1/2000\n,,,\n",
		chargesFile(20),
	)
	minDate, maxDate := payments.CivilDate(2000, 1, 1), payments.CivilDate(2100, 12, 31)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseCharges(bytes.NewReader(data), Options{})
		if err != nil {
			checkFileError(t, err)
			if b != nil {
				t.Fatal("a batch came with a file error")
			}
			return
		}
		checkReport(t, &b.Report)
		ids := map[string]bool{}
		last := 0
		for _, r := range b.Rows {
			if r.Line <= last || r.Line > b.Lines {
				t.Fatalf("row line %d after %d (of %d lines)", r.Line, last, b.Lines)
			}
			last = r.Line
			c := r.Charge
			assertID(t, c.ExternalID)
			assertID(t, c.DebtorExternalID)
			if ids[c.ExternalID] {
				t.Fatalf("external id %q twice", c.ExternalID)
			}
			ids[c.ExternalID] = true
			if c.Amount <= 0 || c.Amount > MaxAmount {
				t.Fatalf("amount %d", c.Amount)
			}
			if c.DueDate.Before(minDate) || c.DueDate.After(maxDate) || c.DueDate.Location() != time.UTC ||
				c.DueDate != payments.CivilDate(c.DueDate.Date()) {
				t.Fatalf("due date %v", c.DueDate)
			}
			assertText(t, c.Description, MaxDescriptionLen, true)
			again, errs := ChargeFromFields(ChargeFields{ExternalID: c.ExternalID, DebtorExternalID: c.DebtorExternalID,
				Description: c.Description, Amount: c.Amount.Decimal(), DueDate: c.DueDate.Format(time.DateOnly)})
			if len(errs) > 0 || !sameCharge(&again, &c) {
				t.Fatalf("re-checking %+v gave %+v %v", c, again, errs)
			}
		}
	})
}

func checkFileError(t *testing.T, err error) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FileError", err, err)
	}
	if msg := err.Error(); len(msg) > 4096 || strings.Contains(msg, "\n") || !utf8.ValidString(msg) {
		t.Fatalf("file error is not one short line: %q", msg)
	}
}

func checkReport(t *testing.T, rep *Report) {
	t.Helper()
	last := 0
	if rep.Omitted > 0 && len(rep.Errors) != DefaultMaxErrors {
		t.Fatalf("%d problems omitted after only %d", rep.Omitted, len(rep.Errors))
	}
	for _, e := range rep.Errors {
		if e.Line < 1 || e.Line < last || e.Line > rep.Lines {
			t.Fatalf("problem on line %d after %d (of %d lines)", e.Line, last, rep.Lines)
		}
		last = e.Line
		if utf8.RuneCountInString(e.Value) > maxValueRunes || e.Reason == "" || !utf8.ValidString(e.Error()) {
			t.Fatalf("bad problem %+v", e)
		}
	}
}

var e164 = regexp.MustCompile(`^\+55[1-9][1-9]([2-5][0-9]{7}|9[0-9]{8})$`)

func checkDebtor(t *testing.T, d payments.Debtor) {
	t.Helper()
	assertID(t, d.ExternalID)
	if d.Name == "" {
		t.Fatal("empty name")
	}
	assertText(t, d.Name, MaxNameLen, false)
	switch d.DocumentKind {
	case payments.DocCPF:
		if !payments.ValidCPF(d.Document) {
			t.Fatalf("invalid CPF %q", d.Document)
		}
	case payments.DocCNPJ:
		if !payments.ValidCNPJ(d.Document) {
			t.Fatalf("invalid CNPJ %q", d.Document)
		}
	default:
		t.Fatalf("document kind %q", d.DocumentKind)
	}
	if len(d.Phones) == 0 || len(d.Phones) > MaxPhones {
		t.Fatalf("%d phones", len(d.Phones))
	}
	for i, p := range d.Phones {
		if !e164.MatchString(p) || slices.Index(d.Phones, p) != i {
			t.Fatalf("phones %q", d.Phones)
		}
	}
	if d.Email != "" && (d.Email != strings.ToLower(d.Email) || strings.Count(d.Email, "@") != 1 ||
		len(d.Email) > 4*MaxEmailLen || !plausibleEmail(d.Email)) {
		t.Fatalf("email %q", d.Email)
	}
	if d.PreferredChannel != "" && d.PreferredChannel != payments.ChannelWhatsApp && d.PreferredChannel != payments.ChannelTelegram {
		t.Fatalf("channel %q", d.PreferredChannel)
	}
}

func assertID(t *testing.T, id string) {
	t.Helper()
	if id == "" || id != strings.TrimSpace(id) || utf8.RuneCountInString(id) > MaxExternalIDLen || hasControl(id, false) || !utf8.ValidString(id) {
		t.Fatalf("bad external id %q", id)
	}
}

func assertText(t *testing.T, s string, max int, multiline bool) {
	t.Helper()
	if s != strings.TrimSpace(s) || utf8.RuneCountInString(s) > max || hasControl(s, multiline) || !utf8.ValidString(s) ||
		strings.ContainsRune(s, '\r') {
		t.Fatalf("bad text %q", s)
	}
}
