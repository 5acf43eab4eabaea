package apipixtest

import (
	"fmt"
	"strings"

	"github.com/regua/regua/payments"
)

// dynamicBRCode builds the copia-e-cola of a dynamic charge, as a provider
// does: EMV TLV pointing at the charge's location, "***" as the txid (the
// charge's own txid lives behind the location), CRC-16/CCITT-FALSE last.
// It is written here rather than imported so the fake stays independent of
// Régua's own encoder.
func dynamicBRCode(location, name, city string, amount payments.Cents) string {
	var b strings.Builder
	b.WriteString(tlv("00", "01"))
	b.WriteString(tlv("01", "12"))
	b.WriteString(tlv("26", tlv("00", "br.gov.bcb.pix")+tlv("25", location)))
	b.WriteString(tlv("52", "0000"))
	b.WriteString(tlv("53", "986"))
	if amount > 0 {
		b.WriteString(tlv("54", amount.Decimal()))
	}
	b.WriteString(tlv("58", "BR"))
	b.WriteString(tlv("59", truncate(name, 25)))
	b.WriteString(tlv("60", truncate(city, 15)))
	b.WriteString(tlv("62", tlv("05", "***")))
	b.WriteString("6304")
	return b.String() + fmt.Sprintf("%04X", crc16(b.String()))
}

func tlv(id, v string) string { return fmt.Sprintf("%s%02d%s", id, len(v), v) }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// crc16 is CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF.
func crc16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
