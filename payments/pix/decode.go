package pix

import (
	"strings"
)

// field is one TLV element: its value and the offset of its ID.
type field struct {
	val string
	pos int
	ok  bool
}

// scan reads the TLV elements of s (which starts at offset base in the
// payload) into fields, indexed by ID. prefix names the template for
// errors ("" at the top, "26." inside field 26).
func scan(s string, base int, prefix string, fields *[100]field) error {
	for i := 0; i < len(s); {
		if len(s)-i < 4 {
			return fail("", base+i, ErrLength, "%d stray characters at the end, too short for an ID and a length", len(s)-i)
		}
		idStr := s[i : i+2]
		if !isDigits(idStr) {
			return fail("", base+i, ErrLength, "field ID %q is not two digits", idStr)
		}
		lenStr := s[i+2 : i+4]
		if !isDigits(lenStr) {
			return fail(prefix+idStr, base+i+2, ErrLength, "length %q is not two digits", lenStr)
		}
		n := int(lenStr[0]-'0')*10 + int(lenStr[1]-'0')
		if n == 0 {
			return fail(prefix+idStr, base+i+2, ErrLength, "length is 00")
		}
		if i+4+n > len(s) {
			where := "payload"
			if prefix != "" {
				where = "field " + prefix[:len(prefix)-1]
			}
			return fail(prefix+idStr, base+i+2, ErrLength, "length %d runs past the end of the %s (%d characters left)", n, where, len(s)-i-4)
		}
		id := int(idStr[0]-'0')*10 + int(idStr[1]-'0')
		if fields[id].ok {
			return fail(prefix+idStr, base+i, ErrInvalidValue, "field appears twice")
		}
		fields[id] = field{val: s[i+4 : i+4+n], pos: base + i, ok: true}
		i += 4 + n
	}
	return nil
}

// Decode reads a BR Code. It checks the TLV structure, then the CRC, then
// every field the manual defines for Pix, and returns the first problem
// found as an *Error wrapping a sentinel (ErrLength, ErrCRC,
// ErrMissingField, ErrFormatIndicator, ErrGUI, ErrTooLong, ErrAmount,
// ErrInvalidKey, ErrInvalidTxID or ErrInvalidValue). Fields outside Pix's
// (other payment networks' templates, 80-99) are skipped. The GUI and the
// CRC's hex digits are accepted in either case (CRC comes back in upper
// case); nothing else is rewritten: the Payload holds the values as they are
// in s. On error the Payload is empty.
func Decode(s string) (Payload, error) {
	p, err := decode(s)
	if err != nil {
		return Payload{}, err
	}
	return p, nil
}

func decode(s string) (Payload, error) {
	var p Payload
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return p, fail("", i, ErrInvalidValue, "byte 0x%02X is not printable ASCII (a BR Code is plain ASCII text)", s[i])
		}
	}
	if s == "" {
		return p, fail("", -1, ErrMissingField, "empty payload")
	}
	var top [100]field
	if err := scan(s, 0, "", &top); err != nil {
		return p, err
	}

	// CRC: must be there, last, and right.
	crc := top[63]
	if !crc.ok {
		return p, fail("63", -1, ErrMissingField, "")
	}
	if crc.pos+8 != len(s) {
		if len(crc.val) != 4 {
			return p, fail("63", crc.pos, ErrCRC, "length %d, must be 04", len(crc.val))
		}
		return p, fail("63", crc.pos, ErrInvalidValue, "the CRC must be the last field")
	}
	got, ok := parseHex16(crc.val)
	if !ok {
		return p, fail("63", crc.pos+4, ErrCRC, "%q is not four hexadecimal digits", crc.val)
	}
	if want := CRC16(s[:crc.pos+4]); got != want {
		var w [4]byte
		return p, fail("63", crc.pos+4, ErrCRC, "payload says %s, computed %s", crc.val, appendCRC(w[:0], want))
	}
	p.CRC = strings.ToUpper(crc.val)

	// 00 comes first and says "01".
	if f := top[0]; !f.ok {
		return p, fail("00", -1, ErrMissingField, "")
	} else if f.pos != 0 {
		return p, fail("00", f.pos, ErrInvalidValue, "the payload format indicator must be the first field")
	} else if f.val != "01" {
		return p, fail("00", 4, ErrFormatIndicator, "it is %q", f.val)
	}
	if f := top[1]; f.ok && f.val != "11" && f.val != "12" {
		return p, fail("01", f.pos+4, ErrInvalidValue, "%q is neither 11 (reusable) nor 12 (single use)", f.val)
	}
	if err := decodeAccount(top[26], &p); err != nil {
		return p, err
	}
	if f := top[52]; !f.ok {
		return p, fail("52", -1, ErrMissingField, "")
	} else if len(f.val) != 4 || !isDigits(f.val) {
		return p, fail("52", f.pos+4, ErrInvalidValue, "%q is not four digits", f.val)
	}
	if f := top[53]; !f.ok {
		return p, fail("53", -1, ErrMissingField, "")
	} else if f.val != "986" {
		return p, fail("53", f.pos+4, ErrInvalidValue, "currency %q is not 986 (real)", f.val)
	}
	if f := top[54]; f.ok {
		a, err := parseAmount(f.val)
		if err != nil {
			return p, failWrap("54", f.pos+4, err)
		}
		if a > maxAmount {
			return p, fail("54", f.pos+4, ErrAmount, "%s is more than %s", f.val, maxAmount.Decimal())
		}
		p.Amount = a
	}
	if f := top[58]; !f.ok {
		return p, fail("58", -1, ErrMissingField, "")
	} else if f.val != "BR" {
		return p, fail("58", f.pos+4, ErrInvalidValue, "country %q is not BR", f.val)
	}
	name, err := decodeText(top[59], "59", MaxNameLen)
	if err != nil {
		return p, err
	}
	city, err := decodeText(top[60], "60", MaxCityLen)
	if err != nil {
		return p, err
	}
	p.MerchantName, p.MerchantCity = name, city
	if f := top[61]; f.ok {
		if len(f.val) != 8 || !isDigits(f.val) {
			return p, fail("61", f.pos+4, ErrInvalidValue, "postal code %q is not 8 digits", f.val)
		}
		p.PostalCode = f.val
	}
	if f := top[62]; f.ok {
		var sub [100]field
		if err := scan(f.val, f.pos+4, "62.", &sub); err != nil {
			return p, err
		}
		if t := sub[5]; t.ok {
			if err := validateStaticTxID(t.val); err != nil {
				return p, failWrap("62.05", t.pos+4, err)
			}
			p.TxID = t.val
		}
	}
	return p, nil
}

// decodeText reads a mandatory free-text field (merchant name or city).
func decodeText(f field, id string, max int) (string, error) {
	switch {
	case !f.ok:
		return "", fail(id, -1, ErrMissingField, "")
	case blank(f.val):
		return "", fail(id, f.pos+4, ErrMissingField, "blank")
	case len(f.val) > max:
		return "", fail(id, f.pos+4, ErrTooLong, "%d characters, at most %d", len(f.val), max)
	}
	return f.val, nil
}

// decodeAccount reads field 26: the Pix GUI and a key or a URL.
func decodeAccount(f field, p *Payload) error {
	if !f.ok {
		return fail("26", -1, ErrMissingField, "no Pix merchant account information")
	}
	var sub [100]field
	if err := scan(f.val, f.pos+4, "26.", &sub); err != nil {
		return err
	}
	gui := sub[0]
	if !gui.ok {
		return fail("26.00", f.pos, ErrMissingField, "")
	}
	if !strings.EqualFold(gui.val, guiPix) {
		return fail("26.00", gui.pos+4, ErrGUI, "%q is not %s", gui.val, guiPix)
	}
	key, url := sub[1], sub[25]
	switch {
	case key.ok && url.ok:
		return fail("26", f.pos, ErrInvalidValue, "both a key (01) and a URL (25)")
	case !key.ok && !url.ok:
		return fail("26.01", f.pos, ErrMissingField, "neither a key (01) nor a URL (25)")
	case key.ok:
		if len(key.val) > MaxKeyLen {
			return fail("26.01", key.pos+4, ErrTooLong, "%d characters, at most %d", len(key.val), MaxKeyLen)
		}
		k, _, err := validateKey(key.val)
		if err != nil {
			return failWrap("26.01", key.pos+4, err)
		}
		// The DICT holds keys in one form; a payer's bank looks the key up
		// as written, so only the letter case may differ.
		if !strings.EqualFold(k, key.val) {
			return fail("26.01", key.pos+4, ErrInvalidKey, "%q is not written as the DICT holds it (%s)", key.val, k)
		}
		p.Key = key.val
	default:
		if err := validateURL(url.val); err != nil {
			return failWrap("26.25", url.pos+4, err)
		}
		p.URL = url.val
		p.Dynamic = true
	}
	if d := sub[2]; d.ok {
		if len(d.val) > MaxDescriptionLen {
			return fail("26.02", d.pos+4, ErrTooLong, "%d characters, at most %d", len(d.val), MaxDescriptionLen)
		}
		p.Description = d.val
	}
	return nil
}
