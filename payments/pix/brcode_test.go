package pix

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/regua/regua/payments"
)

func TestDecodeManualExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		want    Payload
	}{
		{"static", manualStatic, Payload{
			Key: manualKey, MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA", TxID: "***", CRC: "1D3D",
		}},
		{"dynamic", manualDynamic, Payload{
			URL: manualURL, MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA", TxID: "***", Dynamic: true, CRC: "64E4",
		}},
		{"composite with amount", manualComposite, Payload{
			Key: manualKey, Amount: 10050, MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA", TxID: "***", CRC: "2875",
			Warnings: []string{"field 80: a Pix Automático recurrence at pix.example.com/rec/2353c790eefb11eaadc10242ac120002; Régua reads only the payment"},
			Unknown:  map[string]string{"80": "0014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac120002"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode(tt.payload)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Decode:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Encoding the manual's data gives back the manual's payloads, byte for byte.
func TestEncodeReproducesManual(t *testing.T) {
	t.Parallel()
	got, err := Encode(Payload{Key: manualKey, MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA"})
	if err != nil || got != manualStatic {
		t.Fatalf("static: %q, %v\nwant %q", got, err, manualStatic)
	}
	got, err = Encode(Payload{URL: "https://" + manualURL, MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA"})
	if err != nil || got != manualDynamic {
		t.Fatalf("dynamic: %q, %v\nwant %q", got, err, manualDynamic)
	}
}

func TestEncodeFields(t *testing.T) {
	t.Parallel()
	got, err := Encode(Payload{
		Key:          "Cobranca@Example.COM",
		Description:  "Fatura de março",
		Amount:       123456,
		MerchantName: "  Açougue   São   João da Boa Vista Ltda ",
		MerchantCity: "São José dos Campos",
		PostalCode:   "12245-000",
		TxID:         "RGCHG4284",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := seal(tlv("00", "01") +
		tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("01", "cobranca@example.com")+tlv("02", "Fatura de marco")) +
		tlv("52", "0000") + tlv("53", "986") + tlv("54", "1234.56") + tlv("58", "BR") +
		tlv("59", "Acougue Sao Joao da Boa V") + tlv("60", "Sao Jose dos Ca") + tlv("61", "12245000") +
		tlv("62", tlv("05", "RGCHG4284")))
	if got != want {
		t.Fatalf("Encode:\n got %s\nwant %s", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	static := manualStatic
	tests := []struct {
		name    string
		payload string
		want    error
		field   string
	}{
		// CRC.
		{"last CRC digit changed", static[:len(static)-1] + "E", ErrCRC, "63"},
		{"name altered, CRC kept", strings.Replace(static, "Fulano", "Fulana", 1), ErrCRC, "63"},
		{"amount inserted, CRC kept", strings.Replace(manualComposite, "100.50", "900.50", 1), ErrCRC, "63"},
		{"CRC not hex", static[:len(static)-4] + "1D3G", ErrCRC, "63"},
		{"CRC of 5 digits", strings.TrimSuffix(parts{}.body(), "") + "630512345", ErrCRC, "63"},
		{"no CRC", parts{}.body(), ErrMissingField, "63"},
		{"field after CRC", seal(parts{}.body()) + tlv("99", "x"), ErrInvalidValue, "63"},

		// Structure.
		{"truncated", static[:len(static)-2], ErrLength, "63"},
		{"length not digits", seal(parts{f59: "591XFulano de Tal"}.body()), ErrLength, "59"},
		{"length runs past end", seal(parts{f62: "-", f60: "-", f59: "5999Fulano"}.body()), ErrLength, "59"},
		{"length 00", seal(parts{f59: "5900"}.body()), ErrLength, "59"},
		{"ID not digits", seal(parts{extra: "8A04abcd"}.body()), ErrLength, ""},
		{"stray byte after the CRC", static + "9", ErrLength, ""},
		{"template length broken", seal(parts{f26: tlv("26", "0014br.gov.bcb.pix0150"+manualKey)}.body()), ErrLength, "26.01"},
		{"field twice", seal(parts{extra: tlv("59", "Outro")}.body()), ErrInvalidValue, "59"},
		{"empty", "", ErrMissingField, ""},

		// Mandatory fields.
		{"no 00", seal(parts{f00: "-"}.body()), ErrMissingField, "00"},
		{"00 not first", seal(parts{f00: "-", extra: tlv("00", "01")}.body()), ErrInvalidValue, "00"},
		{"format indicator 02", seal(parts{f00: tlv("00", "02")}.body()), ErrFormatIndicator, "00"},
		{"no 26", seal(parts{f26: "-"}.body()), ErrMissingField, "26"},
		{"26 without GUI", seal(parts{f26: tlv("26", tlv("01", manualKey))}.body()), ErrMissingField, "26.00"},
		{"no 52", seal(parts{f52: "-"}.body()), ErrMissingField, "52"},
		{"no 53", seal(parts{f53: "-"}.body()), ErrMissingField, "53"},
		{"no 58", seal(parts{f58: "-"}.body()), ErrMissingField, "58"},
		{"no 59", seal(parts{f59: "-"}.body()), ErrMissingField, "59"},
		{"no 60", seal(parts{f60: "-"}.body()), ErrMissingField, "60"},

		// GUI.
		{"wrong GUI", seal(parts{f26: tlv("26", tlv("00", "br.gov.bcb.brcode")+tlv("01", manualKey))}.body()), ErrGUI, "26.00"},
		{"another scheme", seal(parts{f26: tlv("26", tlv("00", "com.example.pay")+tlv("01", manualKey))}.body()), ErrGUI, "26.00"},

		// Too long: only the amount is refused (the rest is a warning).
		{"amount of 14", seal(parts{f54: tlv("54", "12345678901.00")}.body()), ErrTooLong, "54"},

		// Amount.
		{"three decimals", seal(parts{f54: tlv("54", "10.555")}.body()), ErrAmount, "54"},
		{"comma", seal(parts{f54: tlv("54", "10,50")}.body()), ErrAmount, "54"},
		{"garbage", seal(parts{f54: tlv("54", "dez")}.body()), ErrAmount, "54"},
		{"negative", seal(parts{f54: tlv("54", "-1.00")}.body()), ErrAmount, "54"},
		{"exponent", seal(parts{f54: tlv("54", "1e3")}.body()), ErrAmount, "54"},
		{"no integer part", seal(parts{f54: tlv("54", ".50")}.body()), ErrAmount, "54"},
		{"point without decimals", seal(parts{f54: tlv("54", "10.")}.body()), ErrAmount, "54"},
		{"more than field 54 can write", seal(parts{f54: tlv("54", "9999999999999")}.body()), ErrAmount, "54"},

		// Other values.
		{"currency USD", seal(parts{f53: tlv("53", "840")}.body()), ErrInvalidValue, "53"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Decode(tt.payload)
			if err == nil {
				t.Fatalf("Decode(%q) accepted: %+v", tt.payload, p)
			}
			requireField(t, err, tt.want, tt.field)
			if !reflect.DeepEqual(p, Payload{}) {
				t.Fatalf("Decode returned %+v with its error, want an empty Payload", p)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "pix: ") || strings.Contains(msg, "\n") {
				t.Fatalf("message %q is not one line starting with pix:", msg)
			}
		})
	}
}

// Variants the decoder must accept.
func TestDecodeLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		check   func(Payload) bool
	}{
		{"lower-case CRC", manualStatic[:len(manualStatic)-4] + "1d3d", func(p Payload) bool { return p.CRC == "1D3D" }},
		{"upper-case GUI", seal(parts{f26: tlv("26", tlv("00", "BR.GOV.BCB.PIX")+tlv("01", manualKey))}.body()), func(p Payload) bool { return p.Key == manualKey }},
		{"upper-case EVP key", seal(parts{f26: tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("01", strings.ToUpper(manualKey)))}.body()), func(p Payload) bool { return p.Key == strings.ToUpper(manualKey) }},
		{"no field 62", seal(parts{f62: "-"}.body()), func(p Payload) bool { return p.TxID == "" }},
		{"62 without 05", seal(parts{f62: tlv("62", tlv("50", tlv("00", "br.gov.bcb.brcode")))}.body()), func(p Payload) bool { return p.TxID == "" }},
		{"unknown templates", seal(parts{extra: tlv("27", tlv("00", "com.example"))}.body() + tlv("80", "abc")), func(p Payload) bool { return p.Key == manualKey }},
		{"one decimal", seal(parts{f54: tlv("54", "10.5")}.body()), func(p Payload) bool { return p.Amount == 1050 }},
		{"no decimals", seal(parts{f54: tlv("54", "7")}.body()), func(p Payload) bool { return p.Amount == 700 }},
		{"leading zeros", seal(parts{f54: tlv("54", "0001.01")}.body()), func(p Payload) bool { return p.Amount == 101 }},
		{"largest amount", seal(parts{f54: tlv("54", "9999999999.99")}.body()), func(p Payload) bool { return p.Amount == 999_999_999_999 }},
		{"single-use static", seal(tlv("00", "01") + tlv("01", "12") + strings.TrimPrefix(parts{}.body(), tlv("00", "01"))), func(p Payload) bool { return !p.Dynamic }},
		{"dynamic with no 01", seal(parts{f26: tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("25", "psp.example/v2/abc"))}.body()), func(p Payload) bool { return p.Dynamic && p.URL == "psp.example/v2/abc" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Decode(tt.payload)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.payload, err)
			}
			if !tt.check(p) {
				t.Fatalf("Decode(%q) = %+v", tt.payload, p)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	ok := Payload{Key: manualKey, MerchantName: "Fulano", MerchantCity: "Brasilia"}
	with := func(f func(*Payload)) Payload { p := ok; f(&p); return p }
	tests := []struct {
		name  string
		p     Payload
		want  error
		field string
	}{
		{"no key", with(func(p *Payload) { p.Key = "" }), ErrMissingField, "26.01"},
		{"bad key", with(func(p *Payload) { p.Key = "fulano" }), ErrInvalidKey, "26.01"},
		{"key and URL", with(func(p *Payload) { p.URL = "x.co/a" }), ErrInvalidValue, "26.01"},
		{"dynamic without URL", with(func(p *Payload) { p.Key = ""; p.Dynamic = true }), ErrMissingField, "26.25"},
		{"URL with another scheme", Payload{URL: "http://x.co/a", MerchantName: "A", MerchantCity: "B"}, ErrInvalidValue, "26.25"},
		{"URL too long", Payload{URL: "x.co/" + strings.Repeat("u", 73), MerchantName: "A", MerchantCity: "B"}, ErrTooLong, "26.25"},
		{"no name", with(func(p *Payload) { p.MerchantName = " 😀 " }), ErrMissingField, "59"},
		{"no city", with(func(p *Payload) { p.MerchantCity = "" }), ErrMissingField, "60"},
		{"negative amount", with(func(p *Payload) { p.Amount = -1 }), ErrAmount, "54"},
		{"amount too large", with(func(p *Payload) { p.Amount = maxAmount + 1 }), ErrTooLong, "54"},
		{"description does not fit", with(func(p *Payload) { p.Description = strings.Repeat("d", 38) }), ErrTooLong, "26.02"},
		{"description over 72", Payload{Key: "a@b.co", Description: strings.Repeat("d", 73), MerchantName: "A", MerchantCity: "B"}, ErrTooLong, "26.02"},
		{"txid too long", with(func(p *Payload) { p.TxID = strings.Repeat("T", 26) }), ErrTooLong, "62.05"},
		{"txid with a dash", with(func(p *Payload) { p.TxID = "FAT-42" }), ErrInvalidTxID, "62.05"},
		{"postal code", with(func(p *Payload) { p.PostalCode = "1234" }), ErrInvalidValue, "61"},
	}
	if _, err := Encode(ok); err != nil {
		t.Fatalf("base payload: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Encode(tt.p)
			if err == nil {
				t.Fatalf("Encode(%+v) = %q, want an error", tt.p, s)
			}
			requireField(t, err, tt.want, tt.field)
		})
	}
	if got := DescriptionRoom(ok); got != 37 {
		t.Fatalf("DescriptionRoom beside an EVP = %d, want 37", got)
	}
	for _, tt := range []struct {
		p    Payload
		want int
	}{
		{Payload{Key: "a@b.co"}, 67},
		{Payload{Key: "123.456.789-09"}, 62},                               // counted as the 11 digits Encode writes
		{Payload{Key: "a@" + strings.Repeat("b", 63) + ".example.com"}, 0}, // 77 characters
		{Payload{URL: "https://" + manualURL}, 73 - len(manualURL)},
	} {
		if got := DescriptionRoom(tt.p); got != tt.want {
			t.Errorf("DescriptionRoom(%+v) = %d, want %d", tt.p, got, tt.want)
		}
		p := tt.p
		p.MerchantName, p.MerchantCity = "A", "B"
		p.Description = strings.Repeat("d", tt.want)
		if _, err := Encode(p); err != nil {
			t.Errorf("Encode with a description of DescriptionRoom = %d: %v", tt.want, err)
		}
		p.Description += "d"
		if _, err := Encode(p); !isErr(err, ErrTooLong) {
			t.Errorf("Encode with a description of DescriptionRoom+1: %v, want ErrTooLong", err)
		}
	}
	// With the 36-character EVP exactly 37 characters of description fit.
	if _, err := Encode(with(func(p *Payload) { p.Description = strings.Repeat("d", 37) })); err != nil {
		t.Fatalf("37-character description with an EVP key: %v", err)
	}
}

// Thousands of random valid inputs: encode, decode, compare.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2026, 7))
	for i := range 20000 {
		in, want := randPayload(r)
		s, err := Encode(in)
		if err != nil {
			t.Fatalf("#%d Encode(%+v): %v", i, in, err)
		}
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("#%d Decode(%q) (from %+v): %v", i, s, in, err)
		}
		if got.CRC != s[len(s)-4:] || !strings.HasSuffix(s[:len(s)-4], "6304") {
			t.Fatalf("#%d CRC %q in %q", i, got.CRC, s)
		}
		got.CRC = ""
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("#%d from %+v\n  payload %q\n  got  %+v\n  want %+v", i, in, s, got, want)
		}
		if s2, err := Encode(got); err != nil || s2 != s {
			t.Fatalf("#%d re-encoding the decoded payload: %q, %v; want %q", i, s2, err, s)
		}
	}
}

// randPayload returns a random valid input and what decoding its encoding
// must give (normalised, without the CRC).
func randPayload(r *rand.Rand) (in, want Payload) {
	in.MerchantName = randString(r, textRunes, 0, 40)
	in.MerchantCity = randString(r, textRunes, 0, 25)
	if NormalizeText(in.MerchantName, MaxNameLen) == "" {
		in.MerchantName += "Nome"
	}
	if NormalizeText(in.MerchantCity, MaxCityLen) == "" {
		in.MerchantCity = "Cidade " + in.MerchantCity
	}
	want.MerchantName = NormalizeText(in.MerchantName, MaxNameLen)
	want.MerchantCity = NormalizeText(in.MerchantCity, MaxCityLen)
	var account int
	if r.IntN(4) == 0 {
		u := "psp" + randString(r, []rune("abcdefghijklmnopqrstuvwxyz-"), 0, 10) + ".example.com.br/" + randString(r, []rune(alnum+"/-_.?=&"), 0, 45)
		want.URL, want.Dynamic = u, true
		if r.IntN(2) == 0 {
			u = "https://" + u
		}
		in.URL = u
		account = len(want.URL)
	} else {
		in.Key, want.Key = randKey(r)
		account = len(want.Key)
	}
	if room := min(MaxDescriptionLen, maxTemplateLen-4-len(guiPix)-4-account-4); room > 0 && r.IntN(2) == 0 {
		in.Description = NormalizeText(randString(r, textRunes, 0, 80), room)
		want.Description = in.Description
	}
	switch r.IntN(3) {
	case 0: // open
	case 1:
		in.Amount = payments.Cents(1 + r.IntN(100_000))
	default:
		in.Amount = payments.Cents(1 + r.Int64N(int64(maxAmount)))
	}
	want.Amount = in.Amount
	switch r.IntN(4) {
	case 0:
		want.TxID = "***"
	case 1:
		in.TxID, want.TxID = "***", "***"
	default:
		in.TxID = randString(r, []rune(alnum), 1, MaxStaticTxIDLen)
		want.TxID = in.TxID
	}
	if r.IntN(5) == 0 {
		cep := randString(r, []rune("0123456789"), 8, 8)
		want.PostalCode = cep
		if r.IntN(2) == 0 {
			cep = cep[:5] + "-" + cep[5:]
		}
		in.PostalCode = cep
	}
	return in, want
}

func TestPayloadJSON(t *testing.T) {
	t.Parallel()
	p, err := Decode(manualComposite)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"amount", "crc", "description", "dynamic", "key", "merchant_city", "merchant_name", "postal_code", "txid", "unknown_fields", "url", "warnings"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("JSON keys %v, want %v", keys, want)
	}
	if m["amount"] != "100.50" || m["dynamic"] != false || m["key"] != manualKey || m["crc"] != "2875" || m["txid"] != "***" {
		t.Fatalf("JSON %s", b)
	}
	var back Payload
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("JSON round trip: %+v, %v; want %+v", back, err, p)
	}

	open, _ := Decode(manualDynamic)
	b, _ = json.Marshal(open)
	if !strings.Contains(string(b), `"amount":""`) || !strings.Contains(string(b), `"dynamic":true`) {
		t.Fatalf("open dynamic code as JSON: %s", b)
	}
}

func TestNormalizeText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Fulano de Tal", 25, "Fulano de Tal"},
		{"São Paulo", 15, "Sao Paulo"},
		{"  João   da\tSilva\n", 0, "Joao da Silva"},
		{"Ação Ñandú Über Çedilha", 0, "Acao Nandu Uber Cedilha"},
		{"Rua 7 nº 12 – “fundos”", 0, `Rua 7 no 12 - "fundos"`},
		{"D’Ávila & Straße", 0, "D'Avila & Strasse"},
		{"São José dos Campos", 15, "Sao Jose dos Ca"},
		{"Padaria Pão de Açúcar Ltda ME", 25, "Padaria Pao de Acucar Ltd"},
		{"Ana Maria  Souza Costa Lima", 25, "Ana Maria Souza Costa Lim"},
		{"Ana Maria de Souza e Lima ", 25, "Ana Maria de Souza e Lima"},
		{"Aninha da Silva Sauro   X", 24, "Aninha da Silva Sauro X"},
		{"Maria da Silva Souza  Alves", 21, "Maria da Silva Souza"},
		{"😀🎉", 10, ""},
		{"ﬁnança", 0, "financa"},
		{"\x00ctrl\x7f", 0, "ctrl"},
		{"bad \xff utf8", 0, "bad utf8"},
	}
	for _, tt := range tests {
		got := NormalizeText(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("NormalizeText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if again := NormalizeText(got, tt.max); again != got {
			t.Errorf("NormalizeText is not idempotent on %q: %q", got, again)
		}
	}
}
