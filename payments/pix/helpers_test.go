package pix

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Payloads published in the Banco Central's "Manual de Padrões para
// Iniciação do Pix": §2.6.3 (static, random key, open amount), §2.7.2
// (dynamic) and §2.8.5 (composite: static with amount plus a Pix Automático
// template in field 80, which this package skips).
const (
	manualStatic    = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
	manualDynamic   = "00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4"
	manualComposite = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865406100.505802BR5913Fulano de Tal6008BRASILIA62070503***80740014br.gov.bcb.pix2552pix.example.com/rec/2353c790eefb11eaadc10242ac12000263042875"
	manualKey       = "123e4567-e12b-12d1-a456-426655440000"
	manualURL       = "pix.example.com/8b3da2f39a4140d1a91abd93113bd441"
)

// crcBitwise is CRC-16/CCITT-FALSE the slow way, one bit at a time, written
// apart from the table-driven CRC16 so one checks the other.
func crcBitwise(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		for bit := 7; bit >= 0; bit-- {
			in := (s[i] >> uint(bit)) & 1
			top := byte(crc>>15) & 1
			crc <<= 1
			if in^top == 1 {
				crc ^= 0x1021
			}
		}
	}
	return crc
}

// tlv writes one field; the length is whatever val's length is.
func tlv(id, val string) string { return fmt.Sprintf("%s%02d%s", id, len(val), val) }

// seal appends "6304" and the right CRC (by crcBitwise) to body.
func seal(body string) string {
	body += "6304"
	return body + fmt.Sprintf("%04X", crcBitwise(body))
}

// staticBody builds a static payload without its CRC from overridable parts;
// an empty override keeps the default, "-" drops the field.
type parts struct {
	f00, f26, f52, f53, f54, f58, f59, f60, f61, f62, extra string
}

func (p parts) body() string {
	def := func(v, d string) string {
		switch v {
		case "":
			return d
		case "-":
			return ""
		}
		return v
	}
	return def(p.f00, tlv("00", "01")) +
		def(p.f26, tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("01", manualKey))) +
		def(p.f52, tlv("52", "0000")) +
		def(p.f53, tlv("53", "986")) +
		def(p.f54, "") +
		def(p.f58, tlv("58", "BR")) +
		def(p.f59, tlv("59", "Fulano de Tal")) +
		def(p.f60, tlv("60", "BRASILIA")) +
		def(p.f61, "") +
		def(p.f62, tlv("62", tlv("05", "***"))) +
		p.extra
}

// Random valid inputs for property tests.

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randString(r *rand.Rand, alphabet []rune, min, max int) string {
	n := min + r.IntN(max-min+1)
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

var textRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,-/&'!?*#@áàâãéêíóôõúüçÁÂÃÉÍÓÔÚÇñß–’\t\nºª°\u00a0😀")

func randCPF(r *rand.Rand) string {
	for {
		d := make([]byte, 11)
		for i := range 9 {
			d[i] = byte('0' + r.IntN(10))
		}
		for n := 9; n <= 10; n++ {
			sum := 0
			for i := 0; i < n; i++ {
				sum += int(d[i]-'0') * (n + 1 - i)
			}
			c := sum * 10 % 11 % 10
			d[n] = byte('0' + c)
		}
		if s := string(d); strings.Count(s, s[:1]) != 11 {
			return s
		}
	}
}

func randCNPJ(r *rand.Rand, alpha bool) string {
	for {
		d := make([]byte, 14)
		for i := range 12 {
			if alpha && r.IntN(2) == 0 {
				d[i] = byte('A' + r.IntN(26))
			} else {
				d[i] = byte('0' + r.IntN(10))
			}
		}
		for n := 12; n <= 13; n++ {
			sum, w := 0, 2
			for i := n - 1; i >= 0; i-- {
				sum += int(d[i]-'0') * w
				if w++; w > 9 {
					w = 2
				}
			}
			c := 11 - sum%11
			if c >= 10 {
				c = 0
			}
			d[n] = byte('0' + c)
		}
		if s := string(d); strings.Count(s, s[:1]) != 14 {
			return s
		}
	}
}

// randKey returns a key as someone might type it and its DICT form.
func randKey(r *rand.Rand) (typed, dict string) {
	switch r.IntN(6) {
	case 0:
		c := randCPF(r)
		if r.IntN(2) == 0 {
			return c[:3] + "." + c[3:6] + "." + c[6:9] + "-" + c[9:], c
		}
		return c, c
	case 1:
		c := randCNPJ(r, false)
		return c[:2] + "." + c[2:5] + "." + c[5:8] + "/" + c[8:12] + "-" + c[12:], c
	case 2:
		c := randCNPJ(r, true)
		return strings.ToLower(c), c
	case 3:
		local := randString(r, []rune("abcdefghijklmnopqrstuvwxyz0123456789._+-"), 1, 30)
		local = "a" + local
		e := local + "@" + randString(r, []rune("abcdefghijklmnopqrstuvwxyz"), 1, 20) + ".com.br"
		if len(e) > MaxKeyLen {
			e = e[len(e)-MaxKeyLen:]
			e = "b" + e[1:]
		}
		return strings.ToUpper(e[:1]) + e[1:], strings.ToLower(e)
	case 4:
		ddd := fmt.Sprintf("%d%d", 1+r.IntN(9), 1+r.IntN(9))
		num := fmt.Sprintf("9%08d", r.IntN(100_000_000))
		return "+55 (" + ddd + ") " + num[:5] + "-" + num[5:], "+55" + ddd + num
	default:
		const hex = "0123456789abcdef"
		b := []byte("xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx")
		for i, c := range b {
			if c == 'x' {
				b[i] = hex[r.IntN(16)]
			}
		}
		u := string(b)
		if r.IntN(2) == 0 {
			return strings.ToUpper(u), u
		}
		return u, u
	}
}

// requireField checks that err is an *Error about field, wrapping want.
func requireField(t *testing.T, err error, want error, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v on field %q", want, field)
	}
	if !isErr(err, want) {
		t.Fatalf("error %q does not wrap %q", err, want)
	}
	e, ok := asError(err)
	if !ok {
		t.Fatalf("error %q is not a *pix.Error", err)
	}
	if e.Field != field {
		t.Fatalf("error %q names field %q, want %q", err, e.Field, field)
	}
}
