package pix

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/regua/regua/payments"
)

// Payload is what a BR Code says. Encode writes one; Decode fills one in.
//
// A static code carries Key; a dynamic one carries URL (the location the
// payer's bank fetches the charge from, without "https://") instead.
type Payload struct {
	Key          string         // 26.01, static only; see ValidateKey
	Description  string         // 26.02, optional, shown to the payer
	URL          string         // 26.25, dynamic only, without "https://"
	Amount       payments.Cents // 54; 0 means open (the payer types the amount)
	MerchantName string         // 59, at most 25
	MerchantCity string         // 60, at most 15
	PostalCode   string         // 61, optional CEP, 8 digits
	TxID         string         // 62.05; "" or "***" means none
	Dynamic      bool           // field 26 holds a URL (Decode sets it; Encode wants a URL with it)
	CRC          string         // 63 as read by Decode; Encode ignores it

	// Decode only (Encode ignores them):
	Warnings []string          // what Régua itself would not emit, one line each; the code was still read
	Unknown  map[string]string // fields this package does not read, raw, by ID ("80", "62.50", "26.03")
}

// payloadJSON is the outside contract (SPEC: regua pix decode).
type payloadJSON struct {
	Key          string `json:"key"`
	Description  string `json:"description"`
	URL          string `json:"url"`
	Amount       string `json:"amount"`
	MerchantName string `json:"merchant_name"`
	MerchantCity string `json:"merchant_city"`
	PostalCode   string `json:"postal_code"`
	TxID         string `json:"txid"`
	Dynamic      bool   `json:"dynamic"`
	CRC          string `json:"crc"`
	// Written always (an empty array and object when there is nothing).
	Warnings      []string          `json:"warnings"`
	UnknownFields map[string]string `json:"unknown_fields"`
}

// MarshalJSON writes the fields with the names SPEC gives them; the amount is
// a decimal string ("12.34"), empty when the code is open.
func (p Payload) MarshalJSON() ([]byte, error) {
	j := payloadJSON{
		Key: p.Key, Description: p.Description, URL: p.URL,
		MerchantName: p.MerchantName, MerchantCity: p.MerchantCity, PostalCode: p.PostalCode,
		TxID: p.TxID, Dynamic: p.Dynamic, CRC: p.CRC,
		Warnings: p.Warnings, UnknownFields: p.Unknown,
	}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	if j.UnknownFields == nil {
		j.UnknownFields = map[string]string{}
	}
	if p.Amount != 0 {
		j.Amount = p.Amount.Decimal()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Payload) UnmarshalJSON(b []byte) error {
	var j payloadJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var amount payments.Cents
	if j.Amount != "" {
		a, err := parseAmount(j.Amount)
		if err != nil {
			return fmt.Errorf("pix: amount: %w", err)
		}
		amount = a
	}
	*p = Payload{
		Key: j.Key, Description: j.Description, URL: j.URL, Amount: amount,
		MerchantName: j.MerchantName, MerchantCity: j.MerchantCity, PostalCode: j.PostalCode,
		TxID: j.TxID, Dynamic: j.Dynamic, CRC: j.CRC,
	}
	if len(j.Warnings) > 0 {
		p.Warnings = j.Warnings
	}
	if len(j.UnknownFields) > 0 {
		p.Unknown = j.UnknownFields
	}
	return nil
}

// maxAmount is the largest amount whose decimal form fits field 54.
const maxAmount = payments.Cents(999_999_999_999) // "9999999999.99"

// Encode writes p as a BR Code. The merchant name and city are normalised
// (accents removed, printable ASCII, cut to 25 and 15 characters), the key
// is normalised with ValidateKey, the description loses its accents (and
// must fit: field 26 holds at most 99 characters in all), "https://" is
// taken off the URL. A static code needs Key; a dynamic one (URL set) gets
// field 01 = "12" and, unless TxID says otherwise, txid "***".
func Encode(p Payload) (string, error) {
	const noPos = -1
	name := NormalizeText(p.MerchantName, MaxNameLen)
	if name == "" {
		return "", fail("59", noPos, ErrMissingField, "")
	}
	city := NormalizeText(p.MerchantCity, MaxCityLen)
	if city == "" {
		return "", fail("60", noPos, ErrMissingField, "")
	}
	url := strings.TrimPrefix(p.URL, "https://")
	dynamic := url != "" || p.Dynamic
	var key string
	if dynamic {
		if url == "" {
			return "", fail("26.25", noPos, ErrMissingField, "a dynamic code needs the location URL")
		}
		if p.Key != "" {
			return "", fail("26.01", noPos, ErrInvalidValue, "a code carries either a key (static) or a URL (dynamic), not both")
		}
		if err := validateURL(url); err != nil {
			return "", failWrap("26.25", noPos, err)
		}
	} else {
		if p.Key == "" {
			return "", fail("26.01", noPos, ErrMissingField, "a static code needs a Pix key")
		}
		k, _, err := validateKey(p.Key)
		if err != nil {
			return "", failWrap("26.01", noPos, err)
		}
		key = k
	}
	desc := NormalizeText(p.Description, 0)
	account := 4 + len(guiPix) + 4 + len(key) + len(url)
	if desc != "" {
		if room := descriptionRoom(len(key) + len(url)); len(desc) > room {
			return "", fail("26.02", noPos, ErrTooLong, "%d characters, at most %d with this key", len(desc), room)
		}
		account += 4 + len(desc)
	}
	if p.Amount < 0 {
		return "", fail("54", noPos, ErrAmount, "%s is negative", p.Amount.Decimal())
	}
	if p.Amount > maxAmount {
		return "", fail("54", noPos, ErrTooLong, "%s is more than %s", p.Amount.Decimal(), maxAmount.Decimal())
	}
	cep := stripAny(p.PostalCode, "-. ")
	if cep != "" && (len(cep) != 8 || !isDigits(cep)) {
		return "", fail("61", noPos, ErrInvalidValue, "postal code %q is not 8 digits", p.PostalCode)
	}
	txid := p.TxID
	if txid == "" {
		txid = "***"
	}
	if err := validateStaticTxID(txid); err != nil {
		return "", failWrap("62.05", noPos, err)
	}

	b := make([]byte, 0, 64+account+len(name)+len(city)+len(txid))
	b = appendField(b, "00", "01")
	if dynamic {
		b = appendField(b, "01", "12")
	}
	b = append(b, "26"...)
	b = appendLen(b, account)
	b = appendField(b, "00", guiPix)
	if dynamic {
		b = appendField(b, "25", url)
	} else {
		b = appendField(b, "01", key)
	}
	if desc != "" {
		b = appendField(b, "02", desc)
	}
	b = appendField(b, "52", "0000")
	b = appendField(b, "53", "986")
	if p.Amount > 0 {
		var num [24]byte
		a := appendAmount(num[:0], p.Amount)
		b = append(b, "54"...)
		b = appendLen(b, len(a))
		b = append(b, a...)
	}
	b = appendField(b, "58", "BR")
	b = appendField(b, "59", name)
	b = appendField(b, "60", city)
	if cep != "" {
		b = appendField(b, "61", cep)
	}
	b = append(b, "62"...)
	b = appendLen(b, 4+len(txid))
	b = appendField(b, "05", txid)
	b = append(b, "6304"...)
	b = appendCRC(b, crc16(b))
	return string(b), nil
}

// DescriptionRoom returns how many characters of description fit in a code
// with p's key (as ValidateKey writes it) or URL: field 26 holds at most 99
// characters, so the longer the key, the shorter the description (37 beside
// a random key, 0 beside a 77-character e-mail). Cut with NormalizeText(d,
// DescriptionRoom(p)) rather than guess.
func DescriptionRoom(p Payload) int {
	n := len(strings.TrimPrefix(p.URL, "https://"))
	if n == 0 {
		n = len(p.Key)
		if k, _, err := validateKey(p.Key); err == nil {
			n = len(k)
		}
	}
	return descriptionRoom(n)
}

func descriptionRoom(keyOrURL int) int {
	return max(0, min(MaxDescriptionLen, maxTemplateLen-(4+len(guiPix))-(4+keyOrURL)-4))
}

func appendField(b []byte, id, val string) []byte {
	b = append(b, id...)
	b = appendLen(b, len(val))
	return append(b, val...)
}

func appendLen(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

func appendAmount(b []byte, c payments.Cents) []byte {
	b = strconv.AppendInt(b, int64(c)/100, 10)
	f := int64(c) % 100
	return append(b, '.', byte('0'+f/10), byte('0'+f%10))
}

// validateURL checks a dynamic code's location: printable ASCII without
// spaces, at most 77 characters, and no scheme (the manual leaves https://
// out; the payer's bank adds it).
func validateURL(u string) error {
	switch {
	case len(u) > MaxURLLen:
		return fmt.Errorf("%w: %d characters, at most %d", ErrTooLong, len(u), MaxURLLen)
	case !printable(u) || strings.IndexByte(u, ' ') >= 0:
		return fmt.Errorf("%w: url %q has spaces or characters outside printable ASCII", ErrInvalidValue, u)
	case strings.Contains(u, "://"):
		return fmt.Errorf("%w: url %q must not include the scheme (https:// is implied)", ErrInvalidValue, u)
	case u == "" || u[0] == '/' || strings.IndexByte(u, '.') < 0:
		return fmt.Errorf("%w: url %q has no host", ErrInvalidValue, u)
	}
	return nil
}

// parseAmount reads field 54 exactly: digits, optionally a point and one or
// two decimals. No sign, no exponent, no comma, no float.
func parseAmount(s string) (payments.Cents, error) {
	if len(s) > MaxAmountLen {
		return 0, fmt.Errorf("%w: %w: %q has %d characters, at most %d", ErrAmount, ErrTooLong, s, len(s), MaxAmountLen)
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case !isDigits(intPart):
		return 0, fmt.Errorf("%w: %q is not a number like 10.50", ErrAmount, s)
	case hasPoint && frac == "":
		return 0, fmt.Errorf("%w: %q has a point but no decimals", ErrAmount, s)
	case len(frac) > 2:
		return 0, fmt.Errorf("%w: %q has more than two decimal places", ErrAmount, s)
	case frac != "" && !isDigits(frac):
		return 0, fmt.Errorf("%w: %q is not a number like 10.50", ErrAmount, s)
	}
	var v int64
	for i := 0; i < len(intPart); i++ {
		v = v*10 + int64(intPart[i]-'0')
	}
	for i := 0; i < 2; i++ {
		v *= 10
		if i < len(frac) {
			v += int64(frac[i] - '0')
		}
	}
	if v == 0 {
		return 0, fmt.Errorf("%w: %q is zero (leave field 54 out for an open amount)", ErrAmount, s)
	}
	return payments.Cents(v), nil
}
