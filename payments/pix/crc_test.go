package pix

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func isErr(err, target error) bool { return errors.Is(err, target) }

func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func TestCRC16CheckValue(t *testing.T) {
	t.Parallel()
	// The catalogued check value of CRC-16/CCITT-FALSE.
	if got := CRC16("123456789"); got != 0x29B1 {
		t.Fatalf("CRC16(123456789) = %04X, want 29B1", got)
	}
	if got := crcBitwise("123456789"); got != 0x29B1 {
		t.Fatalf("crcBitwise(123456789) = %04X, want 29B1", got)
	}
	if got := CRC16(""); got != 0xFFFF {
		t.Fatalf("CRC16(\"\") = %04X, want FFFF", got)
	}
}

func TestCRC16MatchesBitwise(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(16, 0x1021))
	for range 20000 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		if got, want := CRC16(string(b)), crcBitwise(string(b)); got != want {
			t.Fatalf("CRC16(%x) = %04X, bitwise %04X", b, got, want)
		}
	}
}

func TestCRCOfManualExamples(t *testing.T) {
	t.Parallel()
	for _, p := range []string{manualStatic, manualDynamic, manualComposite} {
		body, crc := p[:len(p)-4], p[len(p)-4:]
		want, ok := parseHex16(crc)
		if !ok || crcBitwise(body) != want || CRC16(body) != want {
			t.Errorf("CRC of %s: payload says %s, bitwise %04X, table %04X", p, crc, crcBitwise(body), CRC16(body))
		}
	}
}
