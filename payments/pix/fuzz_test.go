package pix

import (
	"strings"
	"testing"
)

// FuzzDecode: Decode never panics, never accepts a payload whose CRC is
// wrong (checked here bit by bit), always explains a refusal with an *Error,
// writes its warnings one line each, and whatever it accepts without a
// warning re-encodes to a payload that decodes again and is a fixed point of
// encode∘decode.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		manualStatic, manualDynamic, manualComposite, manualRecurrence, manualDynamicRecurrence,
		brcodeManual, brcodeManualOld, landlineKey,
		seal(parts{f54: tlv("54", "10.50"), f61: tlv("61", "01310100")}.body()),
		seal(parts{f26: tlv("26", tlv("00", "BR.GOV.BCB.PIX")+tlv("01", "+5511987654321")+tlv("02", "Fatura 42"))}.body()),
		seal(parts{f62: tlv("62", tlv("05", "RGCHG4284")+tlv("50", tlv("00", "br.gov.bcb.brcode")))}.body()),
		manualStatic[:len(manualStatic)-1] + "E",
		manualStatic[:40],
		"",
		"000201",
	} {
		f.Add(s)
	}
	f.Fuzz(checkDecode)
}

// FuzzDecodeSealed gives the fuzzer bodies and seals them with the right
// CRC, so that mutations reach the field checks behind the CRC instead of
// dying on it.
func FuzzDecodeSealed(f *testing.F) {
	for _, s := range []string{manualStatic, manualDynamic, manualComposite, manualRecurrence, manualDynamicRecurrence, brcodeManual, brcodeManualOld, landlineKey} {
		f.Add(s[:len(s)-8])
	}
	f.Add(parts{f54: tlv("54", "10.50"), f61: tlv("61", "01310100")}.body())
	f.Add(parts{f26: tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("01", "+5511987654321")+tlv("02", "Fatura 42"))}.body())
	f.Add(parts{f62: tlv("62", tlv("05", "RGCHG4284")+tlv("50", tlv("00", "br.gov.bcb.brcode")))}.body())
	f.Fuzz(func(t *testing.T, body string) {
		checkDecode(t, seal(body))
	})
}

func checkDecode(t *testing.T, s string) {
	t.Helper()
	p, err := Decode(s)
	if err != nil {
		if _, ok := asError(err); !ok {
			t.Fatalf("Decode(%q): error %v is not a *pix.Error", s, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("Decode(%q): error message spans lines: %q", s, err)
		}
		return
	}
	s = strings.Trim(s, " \t\r\n") // Decode ignores white space around the code
	if len(s) < 8 || s[len(s)-8:len(s)-4] != "6304" {
		t.Fatalf("Decode(%q) accepted a payload that does not end in 6304 and a CRC", s)
	}
	if want, ok := parseHex16(s[len(s)-4:]); !ok || crcBitwise(s[:len(s)-4]) != want {
		t.Fatalf("Decode(%q) accepted a wrong CRC", s)
	}
	for _, w := range p.Warnings {
		if w == "" || strings.Contains(w, "\n") {
			t.Fatalf("Decode(%q): warning %q is not one line", s, w)
		}
	}
	for id := range p.Unknown {
		if len(id) != 2 && len(id) != 5 {
			t.Fatalf("Decode(%q): unknown field ID %q", s, id)
		}
	}
	if len(p.Warnings) > 0 {
		// Read, but not what Régua writes: the encoder may refuse it.
		return
	}
	re, err := Encode(p)
	if err != nil {
		t.Fatalf("Decode(%q) = %+v, which does not encode: %v", s, p, err)
	}
	p2, err := Decode(re)
	if err != nil {
		t.Fatalf("re-encoded %q does not decode: %v", re, err)
	}
	if p2.Amount != p.Amount || p2.Dynamic != p.Dynamic || p2.URL != p.URL || !strings.EqualFold(p2.Key, p.Key) {
		t.Fatalf("re-encoding changed the money or the destination: %+v → %+v", p, p2)
	}
	if re2, err := Encode(p2); err != nil || re2 != re {
		t.Fatalf("encode∘decode is not a fixed point: %q → %q (%v)", re, re2, err)
	}
}
