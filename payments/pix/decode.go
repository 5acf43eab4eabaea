package pix

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// field is one TLV element: its value and the offset of its ID.
type field struct {
	val string
	pos int
	ok  bool
}

// digitPairs is "00" to "99" one after the other: twoDigits slices it.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// twoDigits writes a field ID (0 to 99) without allocating.
func twoDigits(n int) string { return digitPairs[2*n : 2*n+2] }

// decoder holds what one Decode call found besides the fields: warnings,
// fields it does not read, and whether lengths count characters.
type decoder struct {
	runes        bool // lengths count characters (UTF-8 runes), not bytes
	account      int  // the field holding the Pix account (26 unless another 26-51 does)
	recurrenceID string
	sub          [100]field // scratch for recurrenceURL
	warnings     []string
	unknown      map[string]string
}

// warn records something Régua would not emit; the code is still read.
func (d *decoder) warn(id, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if id != "" {
		name := FieldName(id)
		if name != "" {
			name = " (" + name + ")"
		}
		msg = "field " + id + name + ": " + msg
	}
	d.warnings = append(d.warnings, msg)
}

// keep records a field this package does not read, by its ID ("80",
// "62.50"), with its raw value.
func (d *decoder) keep(id, val string) {
	if d.unknown == nil {
		d.unknown = map[string]string{}
	}
	d.unknown[id] = val
}

// scan reads the TLV elements of s (which starts at offset base in the
// payload) into fields, indexed by ID. prefix names the template for
// errors ("" at the top, "26." inside field 26).
func (d *decoder) scan(s string, base int, prefix string, fields *[100]field) error {
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
		end, ok := d.advance(s, i+4, n)
		if !ok {
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
		fields[id] = field{val: s[i+4 : end], pos: base + i, ok: true}
		i = end
	}
	return nil
}

// advance returns the offset n units after i: bytes, or characters when
// the lengths count characters.
func (d *decoder) advance(s string, i, n int) (int, bool) {
	if !d.runes {
		return i + n, i+n <= len(s)
	}
	for ; n > 0; n-- {
		if i >= len(s) {
			return i, false
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i, true
}

// Decode reads a BR Code the way a payer's bank does: every structurally
// valid code is read, and what Régua itself would not emit is reported in
// Payload.Warnings instead of refused.
//
// A code is refused, with an *Error wrapping a sentinel, only when it
// cannot be read: broken TLV (ErrLength), a field twice or a control
// character (ErrInvalidValue), a wrong or misplaced CRC
// (ErrCRC), a mandatory field absent (ErrMissingField: 00, a Pix merchant
// account template, 52, 53, 58, 59, 60, 63), no Pix GUI in any merchant
// account template 26-51 (ErrGUI), a format indicator other than 01
// (ErrFormatIndicator), a currency other than 986, or an amount that is not
// a number with at most two decimals that fits field 54 (ErrAmount,
// ErrTooLong; zero is read as an open amount, with a warning). White space
// around the code is ignored, with a warning.
//
// Everything else is read as it is and warned about: a txid outside
// [A-Za-z0-9]{1,25} (the manual's own "RP12345678-2019"), a phone key that
// is not a Brazilian mobile, a key not written as the DICT holds it, field
// 26 without a key or a URL (the Pix Automático composite code, whose
// recurrence is in field 80), names and cities over their length or with
// accents, no field 62, lengths that count characters rather than bytes,
// and so on. Fields this package does not read (other networks' templates,
// 80-99, 62.50, 26.03, ...) are kept raw in Payload.Unknown. The GUI and
// the CRC's hex digits are accepted in either case (the CRC comes back in
// upper case). On error the Payload is empty.
func Decode(s string) (Payload, error) {
	var d decoder
	p, err := d.decode(s)
	if err != nil {
		return Payload{}, err
	}
	p.Warnings, p.Unknown = d.warnings, d.unknown
	return p, nil
}

func (d *decoder) decode(s string) (Payload, error) {
	var p Payload
	// A code never starts or ends with white space: what surrounds it is
	// the paste's.
	if t := strings.Trim(s, " \t\r\n"); t != s {
		s = t
		d.warn("", "white space around the code ignored (positions count from the code itself)")
	}
	if s == "" {
		return p, fail("", -1, ErrMissingField, "empty payload")
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7F {
			return p, fail("", i, ErrInvalidValue, "byte 0x%02X is a control character (a BR Code is plain text)", c)
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii {
		if i := firstInvalidUTF8(s); i >= 0 {
			// Latin-1 from an old generator, most likely: lengths count
			// bytes there, as here.
			d.warn("", "byte 0x%02X at position %d is not UTF-8 (Latin-1?); values are given as they are", s[i], i)
		} else {
			d.warn("", "the code has characters outside ASCII; Régua writes plain ASCII")
		}
	}
	var top [100]field
	if err := d.scan(s, 0, "", &top); err != nil {
		if ascii {
			return p, err
		}
		// Some generators count characters rather than bytes.
		d.runes = true
		top = [100]field{}
		if d.scan(s, 0, "", &top) != nil {
			return p, err
		}
		d.warn("", "the lengths count characters, not bytes")
	}

	// CRC: must be there, last, and right.
	crc := top[63]
	if !crc.ok {
		return p, fail("63", -1, ErrMissingField, "")
	}
	if crc.pos+4+len(crc.val) != len(s) {
		return p, fail("63", crc.pos, ErrInvalidValue, "the CRC must be the last field")
	}
	if len(crc.val) != 4 {
		return p, fail("63", crc.pos, ErrCRC, "length %d, must be 04", len(crc.val))
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
		d.warn("01", "%q is neither 11 (reusable) nor 12 (single use)", f.val)
	}
	if err := d.decodeAccount(&top, &p); err != nil {
		return p, err
	}
	if f := top[52]; !f.ok {
		return p, fail("52", -1, ErrMissingField, "")
	} else if len(f.val) != 4 || !isDigits(f.val) {
		d.warn("52", "%q is not four digits", f.val)
	}
	if f := top[53]; !f.ok {
		return p, fail("53", -1, ErrMissingField, "")
	} else if f.val != "986" {
		return p, fail("53", f.pos+4, ErrInvalidValue, "currency %q is not 986 (real)", f.val)
	}
	if f := top[54]; f.ok {
		a, err := parseAmount(f.val)
		switch {
		case err != nil && zeroAmount(f.val):
			d.warn("54", "%q is zero: read as an open amount (the payer types it)", f.val)
		case err != nil:
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
		d.warn("58", "country %q is not BR", f.val)
	}
	name, err := d.decodeText(top[59], "59", MaxNameLen)
	if err != nil {
		return p, err
	}
	city, err := d.decodeText(top[60], "60", MaxCityLen)
	if err != nil {
		return p, err
	}
	p.MerchantName, p.MerchantCity = name, city
	if f := top[61]; f.ok {
		if len(f.val) != 8 || !isDigits(f.val) {
			d.warn("61", "postal code %q is not 8 digits", f.val)
		}
		p.PostalCode = f.val
	}
	if f := top[62]; !f.ok {
		d.warn("62", "absent: the manual asks for a txid (62.05), *** when there is none")
	} else {
		var sub [100]field
		if err := d.scan(f.val, f.pos+4, "62.", &sub); err != nil {
			return p, err
		}
		for id := range sub {
			sf := &sub[id]
			switch {
			case !sf.ok:
			case id == 5:
				if err := validateStaticTxID(sf.val); err != nil {
					d.warn("62.05", "%s; Régua would not write it", strings.TrimPrefix(err.Error(), ErrInvalidTxID.Error()+": "))
				}
				p.TxID = sf.val
			default:
				d.keep("62."+twoDigits(id), sf.val)
			}
		}
		if !sub[5].ok {
			d.warn("62.05", "absent: the manual asks for a txid, *** when there is none")
		}
	}
	// Whatever else is there: other networks' accounts (02-25, 27-51 without
	// the Pix GUI), 55-57, 64, 65-99.
	for id := range top {
		f := &top[id]
		switch {
		case !f.ok, id == d.account, id <= 1, id >= 52 && id <= 54, id >= 58 && id <= 63:
		default:
			d.keep(twoDigits(id), f.val)
		}
	}
	return p, nil
}

// pixTemplate reads f as a template and reports whether it carries the Pix
// GUI (in any letter case) in its sub-field 00.
// sub is cleared first.
func (d *decoder) pixTemplate(f field, id int, sub *[100]field) bool {
	if !f.ok {
		return false
	}
	*sub = [100]field{}
	if d.scan(f.val, f.pos+4, twoDigits(id)+".", sub) != nil {
		return false
	}
	return sub[0].ok && strings.EqualFold(sub[0].val, guiPix)
}

// decodeAccount finds the Pix merchant account (field 26, or the first of
// 26-51 with the Pix GUI) and reads its GUI, key or URL and description.
func (d *decoder) decodeAccount(top *[100]field, p *Payload) error {
	id := -1
	var sub, other [100]field
	for i := 26; i <= 51; i++ {
		switch {
		case id < 0:
			if d.pixTemplate(top[i], i, &sub) {
				id = i
			}
		case d.pixTemplate(top[i], i, &other):
			d.warn(twoDigits(i), "a second Pix account; only field %02d is read", id)
		}
	}
	if id < 0 {
		// No Pix account: say what is wrong with field 26, or that the code
		// belongs to another scheme.
		f := top[26]
		if !f.ok {
			for i := 27; i <= 51; i++ {
				if top[i].ok {
					return fail(twoDigits(i), top[i].pos, ErrGUI, "no merchant account template carries %s", guiPix)
				}
			}
			return fail("26", -1, ErrMissingField, "no Pix merchant account information")
		}
		var s [100]field
		if err := d.scan(f.val, f.pos+4, "26.", &s); err != nil {
			return err
		}
		if !s[0].ok {
			return fail("26.00", f.pos, ErrMissingField, "")
		}
		return fail("26.00", s[0].pos+4, ErrGUI, "%q is not %s", s[0].val, guiPix)
	}
	d.account = id
	tid := twoDigits(id)
	if id != 26 {
		d.warn(tid, "the Pix account is in field %s, not 26", tid)
	}
	for i := range sub {
		if sf := &sub[i]; sf.ok && i != 0 && i != 1 && i != 2 && i != 25 {
			d.keep(tid+"."+twoDigits(i), sf.val)
		}
	}
	key, url := sub[1], sub[25]
	rec := d.recurrenceURL(top)
	switch {
	case key.ok && url.ok:
		d.warn(tid, "both a key (01) and a URL (25); a payer's bank follows the URL")
	case !key.ok && !url.ok:
		if rec != "" {
			d.warn(tid, "neither a key nor a URL: a Pix Automático code, its recurrence is at %s (field %s)", rec, d.recurrenceID)
		} else {
			d.warn(tid, "neither a key (01) nor a URL (25): the code does not say whom to pay")
		}
	case rec != "":
		d.warn(d.recurrenceID, "a Pix Automático recurrence at %s; Régua reads only the payment", rec)
	}
	if key.ok {
		d.checkKey(tid+".01", key.val)
		p.Key = key.val
	}
	if url.ok {
		if err := validateURL(url.val); err != nil {
			d.warn(tid+".25", "%v", err)
		}
		p.URL = url.val
		p.Dynamic = true
	}
	if ds := sub[2]; ds.ok {
		if len(ds.val) > MaxDescriptionLen {
			d.warn(tid+".02", "%d characters, at most %d", len(ds.val), MaxDescriptionLen)
		} else if key.ok && !url.ok && len(ds.val) > descriptionRoom(len(key.val)) {
			d.warn(tid+".02", "%d characters, Régua fits at most %d beside this key", len(ds.val), descriptionRoom(len(key.val)))
		}
		p.Description = ds.val
	}
	return nil
}

// recurrenceURL returns the URL of a Pix Automático recurrence: a template
// in 80-99 with the Pix GUI and a URL (25).
func (d *decoder) recurrenceURL(top *[100]field) string {
	for i := 80; i <= 99; i++ {
		if d.pixTemplate(top[i], i, &d.sub) && d.sub[25].ok {
			d.recurrenceID = twoDigits(i)
			return d.sub[25].val
		}
	}
	return ""
}

// checkKey warns about a key Régua would not write: one the DICT would not
// hold as written, or a phone that is not a Brazilian mobile.
func (d *decoder) checkKey(id, key string) {
	k, _, err := validateKey(key)
	switch {
	case err == nil && strings.EqualFold(k, key):
		return
	case isE164(key):
		if strings.HasPrefix(key, "+55") && (len(key) == 13 || len(key) == 14) {
			d.warn(id, "phone key %s is in the DICT's form but is not a mobile (9 and 8 digits) or landline (2-5 and 7 digits) number as Régua writes them", key)
		} else {
			d.warn(id, "phone key %s is not a Brazilian number", key)
		}
	case err == nil:
		d.warn(id, "%q is not written as the DICT holds it (%s)", key, k)
	default:
		d.warn(id, "%v", err)
	}
}

// isE164 reports whether s is a phone key in the DICT's pattern:
// +[1-9][0-9]{1,14}.
func isE164(s string) bool {
	return len(s) >= 3 && len(s) <= 16 && s[0] == '+' && s[1] != '0' && isDigits(s[1:])
}

// decodeText reads a mandatory free-text field (merchant name or city).
func (d *decoder) decodeText(f field, id string, max int) (string, error) {
	if !f.ok {
		return "", fail(id, -1, ErrMissingField, "")
	}
	n := utf8.RuneCountInString(f.val)
	switch {
	case blank(f.val):
		d.warn(id, "blank")
	case n > max:
		d.warn(id, "%d characters, at most %d", n, max)
	}
	if !printable(f.val) {
		d.warn(id, "%q has characters outside ASCII", f.val)
	}
	return f.val, nil
}

// firstInvalidUTF8 returns the offset of the first byte that is not part of
// valid UTF-8 in s.
func firstInvalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// zeroAmount reports whether s is a well-formed amount of zero ("0",
// "0.00"), which parseAmount refuses.
func zeroAmount(s string) bool {
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if len(s) > MaxAmountLen || !isDigits(intPart) || strings.Trim(intPart, "0") != "" {
		return false
	}
	return !hasPoint || len(frac) >= 1 && len(frac) <= 2 && isDigits(frac) && strings.Trim(frac, "0") == ""
}
