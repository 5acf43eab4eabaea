package apipixtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestCRC16(t *testing.T) {
	t.Parallel()
	// The check value of CRC-16/CCITT-FALSE.
	if got := crc16("123456789"); got != 0x29B1 {
		t.Fatalf("crc16(123456789) = %04X, want 29B1", got)
	}
}

// parseTLV splits an EMV payload into its top-level fields.
func parseTLV(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for len(s) > 0 {
		if len(s) < 4 {
			t.Fatalf("truncated field %q", s)
		}
		n, err := strconv.Atoi(s[2:4])
		if err != nil || len(s) < 4+n {
			t.Fatalf("bad length in %q", s)
		}
		out[s[:2]] = s[4 : 4+n]
		s = s[4+n:]
	}
	return out
}

func TestDynamicBRCode(t *testing.T) {
	t.Parallel()
	loc := "pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25"
	code := dynamicBRCode(loc, "PADARIA PAO QUENTE E CONFEITARIA LTDA", "SAO JOSE DOS CAMPOS", 12345)
	f := parseTLV(t, code)
	want := map[string]string{
		"00": "01", "01": "12", "52": "0000", "53": "986", "54": "123.45", "58": "BR",
		"59": "PADARIA PAO QUENTE E CONF", "60": "SAO JOSE DOS CA", "62": "0503***",
	}
	for id, v := range want {
		if f[id] != v {
			t.Errorf("field %s = %q, want %q", id, f[id], v)
		}
	}
	mai := parseTLV(t, f["26"])
	if mai["00"] != "br.gov.bcb.pix" || mai["25"] != loc {
		t.Errorf("merchant account = %v", mai)
	}
	if !strings.HasPrefix(code, "000201") {
		t.Errorf("does not start with the payload format: %q", code)
	}
	body, crc := code[:len(code)-4], code[len(code)-4:]
	if !strings.HasSuffix(body, "6304") || crc != fmt.Sprintf("%04X", crc16(body)) {
		t.Errorf("CRC %s does not match %04X", crc, crc16(body))
	}
}
