package pix

// crcTable is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection,
// no final xor) one byte at a time. Computed once, never written again.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC16 returns the CRC-16/CCITT-FALSE of s, the checksum of field 63. For a
// BR Code, s is everything up to and including "6304".
func CRC16(s string) uint16 { return crc16(s) }

func crc16[T ~string | ~[]byte](s T) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^s[i]]
	}
	return crc
}

const hexUpper = "0123456789ABCDEF"

// appendCRC appends the four upper-case hex digits of crc.
func appendCRC(b []byte, crc uint16) []byte {
	return append(b, hexUpper[crc>>12], hexUpper[crc>>8&0xF], hexUpper[crc>>4&0xF], hexUpper[crc&0xF])
}

// parseHex16 reads exactly four hex digits, either case.
func parseHex16(s string) (uint16, bool) {
	if len(s) != 4 {
		return 0, false
	}
	var v uint16
	for i := 0; i < 4; i++ {
		c := s[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}
