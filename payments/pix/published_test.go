package pix

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Codes as published, CRCs as published (Decode checks them). Régua would
// write none of them quite like this, and a payer's bank reads them all.
const (
	// The BR Code manual's own example (Banco Central, "Manual do BR Code"):
	// a card network's account in 04, a second account in 27, txid
	// "RP12345678-2019" with a hyphen, another template in 80.
	brcodeManual = "00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-42665544000027300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38"
	// The same example in the manual's first edition: a key that is not a
	// DICT key (hex text), 62.50 (payment system specific, the BR Code
	// version), a Pix template in 80 and another in 81.
	brcodeManualOld = "00020104141234567890123426660014BR.GOV.BCB.PIX014466756C616E6F32303139406578616D706C652E636F6D27300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5915NOMEDORECEBEDOR6008BRASILIA61087007490062530515RP12345678-201950300017BR.GOV.BCB.BRCODE01051.0.080450014BR.GOV.BCB.PIX0123PADRAO.URL.PIX/0123ABCD81390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304EB76"
	// "Manual de Padrões para Iniciação do Pix", Pix Automático: the
	// composite code whose field 26 holds only the GUI, the recurrence's
	// location in field 80; and the one beside a dynamic charge.
	manualRecurrence        = "00020126180014br.gov.bcb.pix5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac1200026304F2DA"
	manualDynamicRecurrence = "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac1200026304FB42"
	// The manual's static example with a landline key in the DICT's form
	// (+55, DDD, eight digits): read without a warning, Régua writes those.
	landlineKey = "00020126350014br.gov.bcb.pix0113+5511333344445204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63044EEB"
	// A payment provider's documented example: a phone key that is not a
	// mobile (DDD 28, eight digits after a 4), amount 0.09, txid "856".
	providerPhone = "00020126360014br.gov.bcb.pix0114+552840092118152040000530398654040.095802BR5915Jamie Lannister6009Sao Paulo620705038566304FC6C"
	// Printed by a bank app: a 19-character city and a txid with hyphens.
	longCity = "00020126580014br.gov.bcb.pix0136bee05743-4291-4f3c-9259-595df1307ba1520400005303986540510.005802BR5914Alexandre Lima6019Presidente Prudente62180514Um-Id-Qualquer6304D475"
	// A provider's dynamic code, and a bank's test code with a merchant
	// category (7521) and a postal code.
	providerDynamic = "00020101021226740014br.gov.bcb.pix2552pix.ebanx.com/qr/v2/38F7AD7762682F2240A28D9911A089525204000053039865802BR5924Facebook Servicos Online6009SAO PAULO62070503***6304E5EA"
	bankTest        = "00020101021226740014br.gov.bcb.pix2552pix.nascent.com.br/codes/k7nXuhpOMeHbkbNw6UUEoXwdkdM5204752153039865802BR5915Testes Banrisul6012Porto Alegre61089000000062070503***6304802C"
	// A library's example: upper-case GUI, a description, 62.50.
	libraryStatic = "00020126750014BR.GOV.BCB.PIX01367a067b11-bce7-406f-af8a-2dcf82c429d60213Invoice #1000520400005303986540520.675802BR5912Gabriel Luiz6007Caruaru62410503***50300017BR.GOV.BCB.BRCODE01051.0.063047450"
)

// TestDecodePublished: every published code is read, with what it says,
// warnings on exactly the fields Régua would write differently, and the
// fields it does not read kept.
func TestDecodePublished(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		want    Payload // Warnings: the fields warned about ("62.05"); Unknown: its keys with "" values
	}{
		{"BR Code manual, txid with a hyphen", brcodeManual, Payload{
			Key: manualKey, Amount: 12345, MerchantName: "NOME DO RECEBEDOR", MerchantCity: "BRASILIA",
			PostalCode: "70074900", TxID: "RP12345678-2019", CRC: "AD38",
			Warnings: []string{"62.05"}, Unknown: map[string]string{"04": "", "27": "", "80": ""},
		}},
		{"BR Code manual, first edition", brcodeManualOld, Payload{
			Key: "66756C616E6F32303139406578616D706C652E636F6D", Amount: 12345, MerchantName: "NOMEDORECEBEDOR", MerchantCity: "BRASILIA",
			PostalCode: "70074900", TxID: "RP12345678-2019", CRC: "EB76",
			Warnings: []string{"26.01", "62.05"}, Unknown: map[string]string{"04": "", "27": "", "62.50": "", "80": "", "81": ""},
		}},
		{"Pix Automático, field 26 with only the GUI", manualRecurrence, Payload{
			MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA", TxID: "***", CRC: "F2DA",
			Warnings: []string{"26"}, Unknown: map[string]string{"80": ""},
		}},
		{"Pix Automático beside a dynamic charge", manualDynamicRecurrence, Payload{
			URL: manualURL, Dynamic: true, MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA", TxID: "***", CRC: "FB42",
			Warnings: []string{"80"}, Unknown: map[string]string{"80": ""},
		}},
		{"landline key", landlineKey, Payload{
			Key: "+551133334444", MerchantName: "Fulano de Tal", MerchantCity: "BRASILIA", TxID: "***", CRC: "4EEB",
		}},
		{"provider's phone key", providerPhone, Payload{
			Key: "+5528400921181", Amount: 9, MerchantName: "Jamie Lannister", MerchantCity: "Sao Paulo", TxID: "856", CRC: "FC6C",
			Warnings: []string{"26.01"},
		}},
		{"long city, txid with hyphens", longCity, Payload{
			Key: "bee05743-4291-4f3c-9259-595df1307ba1", Amount: 1000, MerchantName: "Alexandre Lima", MerchantCity: "Presidente Prudente",
			TxID: "Um-Id-Qualquer", CRC: "D475", Warnings: []string{"60", "62.05"},
		}},
		{"provider's dynamic code", providerDynamic, Payload{
			URL: "pix.ebanx.com/qr/v2/38F7AD7762682F2240A28D9911A08952", Dynamic: true, MerchantName: "Facebook Servicos Online",
			MerchantCity: "SAO PAULO", TxID: "***", CRC: "E5EA",
		}},
		{"bank's test code", bankTest, Payload{
			URL: "pix.nascent.com.br/codes/k7nXuhpOMeHbkbNw6UUEoXwdkdM", Dynamic: true, MerchantName: "Testes Banrisul",
			MerchantCity: "Porto Alegre", PostalCode: "90000000", TxID: "***", CRC: "802C",
		}},
		{"library's static code", libraryStatic, Payload{
			Key: "7a067b11-bce7-406f-af8a-2dcf82c429d6", Description: "Invoice #1000", Amount: 2067, MerchantName: "Gabriel Luiz",
			MerchantCity: "Caruaru", TxID: "***", CRC: "7450", Unknown: map[string]string{"62.50": ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode(tt.payload)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.payload, err)
			}
			if gw, ww := warnedFields(got.Warnings), tt.want.Warnings; !reflect.DeepEqual(gw, ww) {
				t.Errorf("warnings on %v, want on %v: %q", gw, ww, got.Warnings)
			}
			for id := range got.Unknown {
				if !strings.Contains(tt.payload, got.Unknown[id]) {
					t.Errorf("unknown field %s = %q is not in the payload", id, got.Unknown[id])
				}
				got.Unknown[id] = ""
			}
			got.Warnings, tt.want.Warnings = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Decode:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// warnedFields returns the field IDs the warnings name, sorted ("" for a
// warning about the whole code).
func warnedFields(ws []string) []string {
	var ids []string
	for _, w := range ws {
		id := ""
		if rest, ok := strings.CutPrefix(w, "field "); ok {
			id, _, _ = strings.Cut(rest, " ")
			id = strings.TrimSuffix(id, ":")
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// TestDecodeWarnings: what banks print and Régua would not write is read,
// with a warning naming the field, and the encoder still refuses it.
func TestDecodeWarnings(t *testing.T) {
	t.Parallel()
	gui := tlv("00", "br.gov.bcb.pix")
	withTop := func(extra string) string {
		return seal(tlv("00", "01") + extra + strings.TrimPrefix(parts{}.body(), tlv("00", "01")))
	}
	tests := []struct {
		name    string
		payload string
		warned  []string
		check   func(Payload) bool
	}{
		{"txid with a dash", seal(parts{f62: tlv("62", tlv("05", "FAT-42"))}.body()), []string{"62.05"}, func(p Payload) bool { return p.TxID == "FAT-42" }},
		{"txid of 26", seal(parts{f62: tlv("62", tlv("05", strings.Repeat("T", 26)))}.body()), []string{"62.05"}, func(p Payload) bool { return len(p.TxID) == 26 }},
		{"no field 62", seal(parts{f62: "-"}.body()), []string{"62"}, func(p Payload) bool { return p.TxID == "" }},
		{"62 without 05", seal(parts{f62: tlv("62", tlv("50", tlv("00", "br.gov.bcb.brcode")))}.body()), []string{"62.05"}, func(p Payload) bool { return p.Unknown["62.50"] == "0017br.gov.bcb.brcode" }},
		{"9-digit number not starting with 9", seal(parts{f26: tlv("26", gui+tlv("01", "+5561812345678"))}.body()), []string{"26.01"}, func(p Payload) bool { return p.Key == "+5561812345678" }},
		{"old 8-digit mobile", seal(parts{f26: tlv("26", gui+tlv("01", "+551188887777"))}.body()), []string{"26.01"}, func(p Payload) bool { return p.Key == "+551188887777" }},
		{"foreign phone key", seal(parts{f26: tlv("26", gui+tlv("01", "+15551234567"))}.body()), []string{"26.01"}, func(p Payload) bool { return p.Key == "+15551234567" }},
		{"bad key", seal(parts{f26: tlv("26", gui+tlv("01", "fulano"))}.body()), []string{"26.01"}, func(p Payload) bool { return p.Key == "fulano" }},
		{"CPF with wrong check digits", seal(parts{f26: tlv("26", gui+tlv("01", "12345678900"))}.body()), []string{"26.01"}, func(p Payload) bool { return p.Key == "12345678900" }},
		{"key not in DICT form", seal(parts{f26: tlv("26", gui+tlv("01", "123.456.789-09"))}.body()), []string{"26.01"}, func(p Payload) bool { return p.Key == "123.456.789-09" }},
		{"key and URL", seal(parts{f26: tlv("26", gui+tlv("01", manualKey)+tlv("25", "x.co/a"))}.body()), []string{"26"}, func(p Payload) bool { return p.Key == manualKey && p.URL == "x.co/a" && p.Dynamic }},
		{"neither key nor URL", seal(parts{f26: tlv("26", gui+tlv("02", "oi"))}.body()), []string{"26"}, func(p Payload) bool { return p.Key == "" && p.Description == "oi" }},
		{"URL with scheme", seal(parts{f26: tlv("26", gui+tlv("25", "https://x.co/a"))}.body()), []string{"26.25"}, func(p Payload) bool { return p.URL == "https://x.co/a" }},
		{"name of 26", seal(parts{f59: tlv("59", strings.Repeat("N", 26))}.body()), []string{"59"}, func(p Payload) bool { return len(p.MerchantName) == 26 }},
		{"city of 16", seal(parts{f60: tlv("60", strings.Repeat("C", 16))}.body()), []string{"60"}, func(p Payload) bool { return len(p.MerchantCity) == 16 }},
		{"blank name", seal(parts{f59: tlv("59", "   ")}.body()), []string{"59"}, func(p Payload) bool { return p.MerchantName == "   " }},
		{"country US", seal(parts{f58: tlv("58", "US")}.body()), []string{"58"}, func(p Payload) bool { return p.Key == manualKey }},
		{"category code not digits", seal(parts{f52: tlv("52", "00A0")}.body()), []string{"52"}, func(p Payload) bool { return p.Key == manualKey }},
		{"point of initiation 13", withTop(tlv("01", "13")), []string{"01"}, func(p Payload) bool { return p.Key == manualKey }},
		{"amount 0.00", seal(parts{f54: tlv("54", "0.00")}.body()), []string{"54"}, func(p Payload) bool { return p.Amount == 0 }},
		{"white space around", " \t" + manualStatic + "\r\n", []string{""}, func(p Payload) bool { return p.Key == manualKey && p.CRC == "1D3D" }},
		{"postal code of 7", seal(parts{f61: tlv("61", "1224500")}.body()), []string{"61"}, func(p Payload) bool { return p.PostalCode == "1224500" }},
		{"accents, lengths in bytes", seal(parts{f59: tlv("59", "José Açaí"), f60: tlv("60", "BRASÍLIA")}.body()), []string{"", "59", "60"},
			func(p Payload) bool { return p.MerchantName == "José Açaí" && p.MerchantCity == "BRASÍLIA" }},
		{"accents, lengths in characters", seal(parts{f59: "5909José Açaí", f60: "6008BRASÍLIA"}.body()), []string{"", "", "59", "60"},
			func(p Payload) bool { return p.MerchantName == "José Açaí" && p.MerchantCity == "BRASÍLIA" }},
		{"Latin-1 city", seal(parts{f60: "6008BRAS\xcdLIA"}.body()), []string{"", "60"}, func(p Payload) bool { return p.MerchantCity == "BRAS\xcdLIA" }},
		{"Pix account in 27, another network in 26", seal(parts{f26: tlv("26", tlv("00", "BR.COM.STONE.QRCODE")+tlv("01", "A37F87")) + tlv("27", gui+tlv("25", "qrcode.stone.com.br/api/v2/qr/abc"))}.body()), []string{"27"},
			func(p Payload) bool { return p.Dynamic && p.Unknown["26"] != "" }},
		{"two Pix accounts", seal(parts{f26: tlv("26", gui+tlv("01", manualKey)) + tlv("27", gui+tlv("01", "a@b.co"))}.body()), []string{"27"},
			func(p Payload) bool { return p.Key == manualKey && p.Unknown["27"] != "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Decode(tt.payload)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.payload, err)
			}
			if got := warnedFields(p.Warnings); !reflect.DeepEqual(got, tt.warned) {
				t.Fatalf("warnings on %v, want on %v: %q", got, tt.warned, p.Warnings)
			}
			if !tt.check(p) {
				t.Fatalf("Decode(%q) = %+v", tt.payload, p)
			}
		})
	}
}

// Variants a bank prints that Régua reads without a word.
func TestDecodeWithoutWarnings(t *testing.T) {
	t.Parallel()
	gui := tlv("00", "br.gov.bcb.pix")
	withTop := func(extra string) string {
		return seal(tlv("00", "01") + extra + strings.TrimPrefix(parts{}.body(), tlv("00", "01")))
	}
	tests := []struct {
		name    string
		payload string
		check   func(Payload) bool
	}{
		{"upper-case GUI", seal(parts{f26: tlv("26", tlv("00", "BR.GOV.BCB.PIX")+tlv("01", manualKey))}.body()), func(p Payload) bool { return p.Key == manualKey }},
		{"mixed-case GUI", seal(parts{f26: tlv("26", tlv("00", "Br.Gov.Bcb.Pix")+tlv("01", manualKey))}.body()), func(p Payload) bool { return p.Key == manualKey }},
		{"landline phone key", seal(parts{f26: tlv("26", gui+tlv("01", "+556132345678"))}.body()), func(p Payload) bool { return p.Key == "+556132345678" }},
		{"mobile phone key", seal(parts{f26: tlv("26", gui+tlv("01", "+5511987654321"))}.body()), func(p Payload) bool { return p.Key == "+5511987654321" }},
		{"dynamic, no key", seal(parts{f26: tlv("26", gui+tlv("25", "qrpix.bb.com.br/pix/v2/cobv/0a1b2c"))}.body()), func(p Payload) bool { return p.Dynamic && p.Key == "" }},
		{"amount 1.00", seal(parts{f54: tlv("54", "1.00")}.body()), func(p Payload) bool { return p.Amount == 100 }},
		{"amount 100", seal(parts{f54: tlv("54", "100")}.body()), func(p Payload) bool { return p.Amount == 10000 }},
		{"amount 0.5", seal(parts{f54: tlv("54", "0.5")}.body()), func(p Payload) bool { return p.Amount == 50 }},
		{"category 5812", seal(parts{f52: tlv("52", "5812")}.body()), func(p Payload) bool { return p.Key == manualKey }},
		{"62 with 05 and 50", seal(parts{f62: tlv("62", tlv("05", "ABC123")+tlv("50", tlv("00", "BR.GOV.BCB.BRCODE")+tlv("01", "1.0.0")))}.body()),
			func(p Payload) bool { return p.TxID == "ABC123" && p.Unknown["62.50"] != "" }},
		{"txid ***", seal(parts{}.body()), func(p Payload) bool { return p.TxID == "***" }},
		{"lower-case name", seal(parts{f59: tlv("59", "padaria do joao")}.body()), func(p Payload) bool { return p.MerchantName == "padaria do joao" }},
		{"01 is 11", withTop(tlv("01", "11")), func(p Payload) bool { return !p.Dynamic }},
		{"01 is 12", withTop(tlv("01", "12")), func(p Payload) bool { return !p.Dynamic }},
		{"Pix Saque: 26.03 kept", seal(parts{f26: tlv("26", gui+tlv("01", manualKey)+tlv("03", "12345678"))}.body()), func(p Payload) bool { return p.Unknown["26.03"] == "12345678" }},
		{"tip indicator and language template kept", seal(parts{extra: tlv("55", "01") + tlv("64", tlv("00", "PT")+tlv("01", "Fulano"))}.body()),
			func(p Payload) bool { return p.Unknown["55"] == "01" && p.Unknown["64"] != "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Decode(tt.payload)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.payload, err)
			}
			if len(p.Warnings) > 0 {
				t.Fatalf("warnings %q", p.Warnings)
			}
			if !tt.check(p) {
				t.Fatalf("Decode(%q) = %+v", tt.payload, p)
			}
		})
	}
}

// The encoder stays strict: what Decode reads with a warning about the
// txid, the key or the account, Encode refuses.
func TestEncodeStaysStrict(t *testing.T) {
	t.Parallel()
	for _, s := range []string{brcodeManual, providerPhone, manualRecurrence, longCity} {
		p, err := Decode(s)
		if err != nil {
			t.Fatalf("Decode(%q): %v", s, err)
		}
		if out, err := Encode(p); err == nil {
			t.Fatalf("Encode(%+v) = %q, want a refusal", p, out)
		}
	}
}
