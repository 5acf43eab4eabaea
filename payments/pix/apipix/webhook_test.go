package apipix_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix/apipix"
)

const (
	e2e1 = "E18236120202611231300abcDEF12345"
	e2e2 = "E00000000202611231301A1B2C3D4E5F"
)

func TestValidEndToEndID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{e2e1, true},
		{e2e2, true},
		{"E18236120202602282359ZZZZZZZZZZZ", true},
		{"E1823612020261123130abcDEF12345", false},   // 31 characters
		{"E18236120202611231300abcDEF123456", false}, // 33
		{"D18236120202611231300abcDEF12345", false},  // a refund id, not a payment
		{"e18236120202611231300abcDEF12345", false},
		{"E1823612X202611231300abcDEF12345", false}, // ISPB not digits
		{"E18236120202613231300abcDEF12345", false}, // month 13
		{"E18236120202602301300abcDEF12345", false}, // 30 February
		{"E18236120202611232400abcDEF12345", false}, // hour 24
		{"E18236120202611231360abcDEF12345", false}, // minute 60
		{"E18236120202611231300abc-EF12345", false},
		{"E18236120202611231300abcDEF1234é", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := apipix.ValidEndToEndID(tt.id); got != tt.want {
			t.Errorf("ValidEndToEndID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	want := []apipix.Pix{
		{EndToEndID: e2e1, TxID: "regua0000000000000000000000042", Valor: 12345, Horario: time.Date(2026, 11, 23, 13, 0, 5, 123e6, time.UTC), InfoPagador: "fatura 42"},
		{EndToEndID: e2e2, Valor: 1, Horario: time.Date(2026, 11, 23, 10, 1, 0, 0, time.FixedZone("", -3*3600))},
	}
	items := `{"endToEndId": "` + e2e1 + `", "txid": "regua0000000000000000000000042", "valor": "123.45",
		"horario": "2026-11-23T13:00:05.123Z", "infoPagador": "fatura 42",
		"devolucoes": [{"id": "D1", "valor": "1.00"}], "chave": "x@y.z"},
		{"endToEndId": "` + e2e2 + `", "valor": "0.01", "horario": "2026-11-23T10:01:00-03:00"}`
	for name, body := range map[string]string{
		"envelope":           `{"pix": [` + items + `]}`,
		"bare array":         "  [" + items + "]\n",
		"envelope with more": `{"pix": [` + items + `], "other": true}`,
	} {
		got, err := apipix.ParseWebhook([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: got %d Pix", name, len(got))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.EndToEndID != w.EndToEndID || g.TxID != w.TxID || g.Valor != w.Valor || !g.Horario.Equal(w.Horario) || g.InfoPagador != w.InfoPagador {
				t.Errorf("%s: pix[%d] = %+v, want %+v", name, i, g, w)
			}
		}
	}
}

func TestParseWebhookAmounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		valor string
		want  payments.Cents
	}{
		{`"12.34"`, 1234},
		{`"12.3"`, 1230},
		{`"12"`, 1200},
		{`"0.01"`, 1},
		{`"007.50"`, 750},
		{`"9999999999.99"`, 999999999999},
		{`12.34`, 1234}, // a bare number, read from its text
		{`150`, 15000},
	}
	for _, tt := range tests {
		body := `[{"endToEndId": "` + e2e1 + `", "valor": ` + tt.valor + `, "horario": "2026-11-23T13:00:00Z"}]`
		got, err := apipix.ParseWebhook([]byte(body))
		if err != nil || len(got) != 1 || got[0].Valor != tt.want {
			t.Errorf("valor %s: %+v, %v; want %d", tt.valor, got, err, tt.want)
		}
	}
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	good := `{"endToEndId": "` + e2e1 + `", "valor": "1.00", "horario": "2026-11-23T13:00:00Z"}`
	// item builds a body whose third element (pix[2]) is the one under test.
	item := func(fields string) string {
		return `{"pix": [` + good + `, ` + good + `, {` + fields + `}]}`
	}
	const (
		e2e = `"endToEndId": "` + e2e1 + `"`
		hor = `"horario": "2026-11-23T13:00:00Z"`
		val = `"valor": "1.00"`
	)
	tests := []struct {
		name, body, field string
	}{
		{"empty body", "", "body"},
		{"blank body", " \n", "body"},
		{"not JSON", "hello", "body"},
		{"a string", `"pix"`, "body"},
		{"broken JSON", `{"pix": [`, "body"},
		{"broken array", `[{"endToEndId": }]`, "body"},
		{"no pix", `{"other": []}`, "pix"},
		{"null pix", `{"pix": null}`, "pix"},
		{"pix not an array", `{"pix": {"endToEndId": "x"}}`, "pix"},
		{"item not an object", `{"pix": [` + good + `, ` + good + `, 42]}`, "pix[2]"},
		{"missing endToEndId", item(hor + "," + val), "pix[2].endToEndId"},
		{"empty endToEndId", item(`"endToEndId": "",` + hor + "," + val), "pix[2].endToEndId"},
		{"numeric endToEndId", item(`"endToEndId": 12,` + hor + "," + val), "pix[2].endToEndId"},
		{"short endToEndId", item(`"endToEndId": "E1823612020261123",` + hor + "," + val), "pix[2].endToEndId"},
		{"endToEndId with bad date", item(`"endToEndId": "E18236120202613231300abcDEF12345",` + hor + "," + val), "pix[2].endToEndId"},
		{"missing valor", item(e2e + "," + hor), "pix[2].valor"},
		{"null valor", item(e2e + "," + hor + `, "valor": null`), "pix[2].valor"},
		{"empty valor", item(e2e + "," + hor + `, "valor": ""`), "pix[2].valor"},
		{"three decimals", item(e2e + "," + hor + `, "valor": "1.234"`), "pix[2].valor"},
		{"three decimals as a number", item(e2e + "," + hor + `, "valor": 1.234`), "pix[2].valor"},
		{"exponent", item(e2e + "," + hor + `, "valor": 1e3`), "pix[2].valor"},
		{"negative", item(e2e + "," + hor + `, "valor": "-1.00"`), "pix[2].valor"},
		{"negative number", item(e2e + "," + hor + `, "valor": -1`), "pix[2].valor"},
		{"zero", item(e2e + "," + hor + `, "valor": "0.00"`), "pix[2].valor"},
		{"comma decimal", item(e2e + "," + hor + `, "valor": "1,00"`), "pix[2].valor"},
		{"thousands separator", item(e2e + "," + hor + `, "valor": "1.234,56"`), "pix[2].valor"},
		{"currency sign", item(e2e + "," + hor + `, "valor": "R$ 1.00"`), "pix[2].valor"},
		{"trailing dot", item(e2e + "," + hor + `, "valor": "1."`), "pix[2].valor"},
		{"leading dot", item(e2e + "," + hor + `, "valor": ".50"`), "pix[2].valor"},
		{"too large", item(e2e + "," + hor + `, "valor": "12345678901.00"`), "pix[2].valor"},
		{"boolean valor", item(e2e + "," + hor + `, "valor": true`), "pix[2].valor"},
		{"missing horario", item(e2e + "," + val), "pix[2].horario"},
		{"empty horario", item(e2e + "," + val + `, "horario": ""`), "pix[2].horario"},
		{"horario without zone", item(e2e + "," + val + `, "horario": "2026-11-23T13:00:00"`), "pix[2].horario"},
		{"horario as a date", item(e2e + "," + val + `, "horario": "23/11/2026"`), "pix[2].horario"},
		{"numeric horario", item(e2e + "," + val + `, "horario": 1763902800`), "pix[2].horario"},
		{"txid with a dash", item(e2e + "," + val + "," + hor + `, "txid": "abc-def"`), "pix[2].txid"},
		{"txid too long", item(e2e + "," + val + "," + hor + `, "txid": "` + strings.Repeat("a", 36) + `"`), "pix[2].txid"},
		{"numeric txid", item(e2e + "," + val + "," + hor + `, "txid": 7`), "pix[2].txid"},
		{"long infoPagador", item(e2e + "," + val + "," + hor + `, "infoPagador": "` + strings.Repeat("x", 141) + `"`), "pix[2].infoPagador"},
		{"numeric infoPagador", item(e2e + "," + val + "," + hor + `, "infoPagador": 5`), "pix[2].infoPagador"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := apipix.ParseWebhook([]byte(tt.body))
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			if got != nil {
				t.Errorf("returned Pix with an error: %+v", got)
			}
			if payments.ErrorCode(err) != payments.EINVALID || payments.ErrorField(err) != tt.field {
				t.Fatalf("error %q: code %s field %q, want invalid %q", err, payments.ErrorCode(err), payments.ErrorField(err), tt.field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("message %q does not start with the field", err)
			}
		})
	}
}

func TestParseWebhookEmptyList(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"pix": []}`, `[]`} {
		got, err := apipix.ParseWebhook([]byte(body))
		if err != nil || len(got) != 0 {
			t.Errorf("%s: %v, %v", body, got, err)
		}
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	const secret = "whsec-0123456789abcdef"
	body := []byte(`{"pix":[{"endToEndId":"` + e2e1 + `","valor":"1.00","horario":"2026-11-23T13:00:00Z"}]}`)
	now := time.Unix(1_795_000_000, 0)
	sig := apipix.SignWebhook(secret, now, body)
	if !strings.HasPrefix(sig, "t=1795000000,v1=") || len(sig) != len("t=1795000000,v1=")+64 {
		t.Fatalf("SignWebhook = %q", sig)
	}
	other := apipix.SignWebhook("another-secret-0000", now, body)
	v1 := strings.SplitN(sig, "v1=", 2)[1]
	otherV1 := strings.SplitN(other, "v1=", 2)[1]

	tests := []struct {
		name      string
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		{"good", sig, body, now, time.Minute, nil},
		{"good, spaces after commas", "t=1795000000, v1=" + v1, body, now, time.Minute, nil},
		{"good, keys reversed", "v1=" + v1 + ",t=1795000000", body, now, time.Minute, nil},
		{"good, rotated secret among several", "t=1795000000,v1=" + otherV1 + ",v1=" + v1, body, now, time.Minute, nil},
		{"good, unknown key ignored", sig + ",v0=abc", body, now, time.Minute, nil},
		{"good, at the edge of tolerance", sig, body, now.Add(time.Minute), time.Minute, nil},
		{"good, default tolerance", sig, body, now.Add(4 * time.Minute), 0, nil},
		{"missing", "", body, now, time.Minute, apipix.ErrSignatureMissing},
		{"blank", "  ", body, now, time.Minute, apipix.ErrSignatureMissing},
		{"not key=value", "garbage", body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"no timestamp", "v1=" + v1, body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"no signature", "t=1795000000", body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"timestamp not a number", "t=soon,v1=" + v1, body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"negative timestamp", "t=-5,v1=" + v1, body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"timestamp twice", "t=1795000000,t=1795000000,v1=" + v1, body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"signature not hex", "t=1795000000,v1=" + strings.Repeat("zz", 32), body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"signature truncated", "t=1795000000,v1=" + v1[:62], body, now, time.Minute, apipix.ErrSignatureMalformed},
		{"expired", sig, body, now.Add(61 * time.Second), time.Minute, apipix.ErrSignatureExpired},
		{"expired, default tolerance", sig, body, now.Add(6 * time.Minute), 0, apipix.ErrSignatureExpired},
		{"from the future", sig, body, now.Add(-61 * time.Second), time.Minute, apipix.ErrSignatureExpired},
		{"far future timestamp", "t=9223372036854775807,v1=" + v1, body, now, time.Minute, apipix.ErrSignatureExpired},
		{"other secret", other, body, now, time.Minute, apipix.ErrSignatureMismatch},
		{"body changed", sig, append(append([]byte(nil), body...), ' '), now, time.Minute, apipix.ErrSignatureMismatch},
		{"timestamp changed", "t=1795000001,v1=" + v1, body, now, time.Minute, apipix.ErrSignatureMismatch},
		{"uppercase hex of another body", "t=1795000000,v1=" + strings.ToUpper(otherV1), body, now, time.Minute, apipix.ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := apipix.VerifyWebhook(secret, tt.header, tt.body, tt.now, tt.tolerance)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if payments.ErrorCode(err) != payments.EUNAUTHORIZED {
				t.Errorf("code = %s, want unauthorized", payments.ErrorCode(err))
			}
			for _, e := range []error{apipix.ErrSignatureMissing, apipix.ErrSignatureMalformed, apipix.ErrSignatureExpired, apipix.ErrSignatureMismatch} {
				if e != tt.want && errors.Is(err, e) {
					t.Errorf("error %v also matches %v", err, e)
				}
			}
		})
	}
	if err := apipix.VerifyWebhook("", sig, body, now, time.Minute); err == nil {
		t.Error("an empty secret verified")
	}
}
