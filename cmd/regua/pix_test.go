package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/regua/regua/payments/pix"
)

// The Banco Central manual's static example (§2.6.3).
const manualStaticPix = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"

type pixRun struct {
	code           int
	stdout, stderr string
}

func runPix(args ...string) pixRun {
	var out, errOut bytes.Buffer
	code := pixCommand(args, &out, &errOut)
	return pixRun{code, out.String(), errOut.String()}
}

func TestPixEncodeManualExample(t *testing.T) {
	t.Parallel()
	r := runPix("encode", "--key", "123e4567-e12b-12d1-a456-426655440000", "--name", "Fulano de Tal", "--city", "BRASILIA")
	if r.code != 0 || r.stdout != manualStaticPix+"\n" || r.stderr != "" {
		t.Fatalf("encode: %+v\nwant stdout %q", r, manualStaticPix+"\n")
	}
}

func TestPixEncodeDecode(t *testing.T) {
	t.Parallel()
	enc := runPix("encode", "--key", "+55 (11) 98765-4321", "--name", "Padaria Pão de Açúcar",
		"--city", "São Paulo", "--amount", "1.234,56", "--txid", "RGCHG4284", "--description", "Fatura 42",
		"--postal-code", "01310-100")
	if enc.code != 0 || enc.stderr != "" || !strings.HasSuffix(enc.stdout, "\n") || strings.Count(enc.stdout, "\n") != 1 {
		t.Fatalf("encode: %+v", enc)
	}
	code := strings.TrimSuffix(enc.stdout, "\n")
	dec := runPix("decode", code)
	if dec.code != 0 || dec.stderr != "" {
		t.Fatalf("decode: %+v", dec)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(dec.stdout), &got); err != nil {
		t.Fatalf("decode output is not JSON: %v\n%s", err, dec.stdout)
	}
	want := map[string]any{
		"key":            "+5511987654321",
		"description":    "Fatura 42",
		"url":            "",
		"amount":         "1234.56",
		"merchant_name":  "Padaria Pao de Acucar",
		"merchant_city":  "Sao Paulo",
		"postal_code":    "01310100",
		"txid":           "RGCHG4284",
		"dynamic":        false,
		"crc":            code[len(code)-4:],
		"warnings":       []any{},
		"unknown_fields": map[string]any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decode JSON:\n got %v\nwant %v", got, want)
	}
	if !strings.Contains(dec.stdout, "\n  \"key\": ") {
		t.Fatalf("decode output is not indented:\n%s", dec.stdout)
	}
}

func TestPixDecodeManualDynamic(t *testing.T) {
	t.Parallel()
	r := runPix("decode", "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4")
	want := `{
  "key": "",
  "description": "",
  "url": "pix.example.com/8b3da2f39a4140d1a91abd93113bd441",
  "amount": "",
  "merchant_name": "Fulano de Tal",
  "merchant_city": "BRASILIA",
  "postal_code": "",
  "txid": "***",
  "dynamic": true,
  "crc": "64E4",
  "warnings": [],
  "unknown_fields": {}
}
`
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("decode: %+v\nwant stdout %s", r, want)
	}
}

// Codes banks print that Régua would not write are read, with warnings:
// the BR Code manual's example (txid "RP12345678-2019"), a phone key in the
// DICT's form that is not a mobile, and the Pix Automático code whose field
// 26 holds only the GUI.
func TestPixDecodePublished(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload, field string
		want                 map[string]any
	}{
		{"BR Code manual", "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-42665544000027300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38",
			"field 62.05 (txid)", map[string]any{"txid": "RP12345678-2019", "amount": "123.45", "key": "123e4567-e12b-12d1-a456-426655440000"}},
		{"phone key not a mobile", "00020126360014br.gov.bcb.pix0114+552840092118152040000530398654040.095802BR5915Jamie Lannister6009Sao Paulo620705038566304FC6C",
			"field 26.01 (key)", map[string]any{"key": "+5528400921181", "amount": "0.09", "txid": "856"}},
		{"Pix Automático", "00020126180014br.gov.bcb.pix5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac1200026304F2DA",
			"field 26 (merchant account information)", map[string]any{"key": "", "url": "", "merchant_name": "Fulano de Tal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runPix("decode", tt.payload)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("decode: %+v", r)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, r.stdout)
			}
			for k, v := range tt.want {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s = %#v, want %#v", k, got[k], v)
				}
			}
			ws, _ := got["warnings"].([]any)
			if len(ws) != 1 || !strings.HasPrefix(ws[0].(string), tt.field+": ") {
				t.Fatalf("warnings %#v, want one on %s", got["warnings"], tt.field)
			}
		})
	}
}

// An unquoted payload reaches the command split at its spaces.
func TestPixDecodeUnquoted(t *testing.T) {
	t.Parallel()
	r := runPix(append([]string{"decode"}, strings.Fields(manualStaticPix+"\n")...)...)
	if r.code != 0 || !strings.Contains(r.stdout, `"merchant_name": "Fulano de Tal"`) {
		t.Fatalf("decode of a split payload: %+v", r)
	}
}

func TestPixDecodeErrors(t *testing.T) {
	t.Parallel()
	seal := func(body string) string {
		body += "6304"
		var b []byte
		crc := pix.CRC16(body)
		const hex = "0123456789ABCDEF"
		b = append(b, hex[crc>>12], hex[crc>>8&15], hex[crc>>4&15], hex[crc&15])
		return body + string(b)
	}
	tests := []struct {
		name, payload, want string
	}{
		{"bad CRC", manualStaticPix[:len(manualStaticPix)-1] + "E", "wrong CRC"},
		{"bad length", seal(strings.Replace(manualStaticPix[:len(manualStaticPix)-8], "5913Fulano", "59X3Fulano", 1)), "broken length field"},
		{"missing name", seal(strings.Replace(manualStaticPix[:len(manualStaticPix)-8], "5913Fulano de Tal", "", 1)), "field 59 (merchant name): missing mandatory field"},
		{"missing city", seal(strings.Replace(manualStaticPix[:len(manualStaticPix)-8], "6008BRASILIA", "", 1)), "field 60 (merchant city): missing mandatory field"},
		{"not a BR Code", "hello", "broken length field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runPix("decode", tt.payload)
			if r.code != 1 || r.stdout != "" {
				t.Fatalf("decode %q: %+v, want exit 1 and nothing on stdout", tt.payload, r)
			}
			if !strings.HasPrefix(r.stderr, "regua pix decode: pix: ") || !strings.Contains(r.stderr, tt.want) ||
				strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
				t.Fatalf("stderr %q: want one line containing %q", r.stderr, tt.want)
			}
		})
	}
}

func TestPixUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "missing subcommand"},
		{"unknown subcommand", []string{"pay"}, 2, `unknown subcommand "pay"`},
		{"decode without payload", []string{"decode"}, 2, "missing PAYLOAD"},
		{"encode without key", []string{"encode", "--name", "A", "--city", "B"}, 2, "--key is required"},
		{"encode without name", []string{"encode", "--key", "a@b.co", "--city", "B"}, 2, "--name is required"},
		{"encode without city", []string{"encode", "--key", "a@b.co", "--name", "A"}, 2, "--city is required"},
		{"unknown flag", []string{"encode", "--chave", "x"}, 2, "flag provided but not defined: -chave"},
		{"stray argument", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "extra"}, 2, `unexpected argument "extra"`},
		{"amount garbage", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--amount", "dez"}, 2, `invalid value "dez" for flag -amount`},
		{"amount zero", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--amount", "0"}, 2, "must be more than zero"},
		{"amount three decimals", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--amount", "1.234"}, 2, `"1.234" is ambiguous: write 1234.00 or 1.23`},
		{"amount with comma", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--amount", "12,5"}, 0, ""},
		{"amount with thousands", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--amount", "1.234,56"}, 0, ""},
		{"bad key", []string{"encode", "--key", "fulano", "--name", "A", "--city", "B"}, 1, "--key: invalid Pix key"},
		{"bad txid", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--txid", "FAT-42"}, 1, "--txid: invalid txid"},
		{"long txid", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--txid", strings.Repeat("T", 26)}, 1, "--txid: invalid txid: value too long"},
		{"long description", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--description", strings.Repeat("d", 70)}, 1, "--description: value too long"},
		{"bad postal code", []string{"encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--postal-code", "123"}, 1, "--postal-code: invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runPix(tt.args...)
			if r.code != tt.code {
				t.Fatalf("pix %q: exit %d, want %d (%+v)", tt.args, r.code, tt.code, r)
			}
			if tt.code == 0 {
				return
			}
			if r.stdout != "" || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("pix %q: stderr %q, want one line containing %q", tt.args, r.stderr, tt.want)
			}
		})
	}
	if r := runPix("encode", "--help"); r.code != 0 || !strings.Contains(r.stdout, "regua pix encode") {
		t.Fatalf("encode --help: %+v", r)
	}
}

func TestPixEncodeAmounts(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"12.34": "540512.34", "12,5": "540512.50", "1.234,56": "54071234.56", "7": "54047.00", "R$ 0,01": "54040.01",
	} {
		r := runPix("encode", "--key", "a@b.co", "--name", "A", "--city", "B", "--amount", in)
		if r.code != 0 || !strings.Contains(r.stdout, "5303986"+want+"5802BR") {
			t.Errorf("--amount %q: %+v, want field 54 %q", in, r, want)
		}
	}
}
