package intake

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/regua/regua/payments"
)

// Field names, as in SPEC, the CSV header and the JSON API.
const (
	FieldExternalID       = "external_id"
	FieldName             = "name"
	FieldDocument         = "document"
	FieldPhone            = "phone"
	FieldPhones           = "phones"
	FieldEmail            = "email"
	FieldPreferredChannel = "preferred_channel"
	FieldState            = "state"
	FieldDebtorExternalID = "debtor_external_id"
	FieldDescription      = "description"
	FieldAmount           = "amount"
	FieldDueDate          = "due_date"
)

// Limits of the record rules.
const (
	MaxExternalIDLen  = 100 // characters, for external_id and debtor_external_id
	MaxNameLen        = 200
	MaxDescriptionLen = 500
	MaxEmailLen       = 254
	MaxPhones         = 10 // distinct phone numbers per debtor

	// MaxAmount is R$ 10.000.000.000,00: anything above is a typing error.
	MaxAmount payments.Cents = 1_000_000_000_000
)

var (
	minDueDate = payments.CivilDate(2000, time.January, 1)
	maxDueDate = payments.CivilDate(2100, time.December, 31)
)

// DebtorFields is one debtor as text, as it comes from a CSV line or a JSON
// request body (the JSON names are SPEC's).
type DebtorFields struct {
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Document   string `json:"document"` // CPF or CNPJ, with or without punctuation
	// Phone holds one or more numbers separated by "/", "|", ";" or ",", in
	// any common Brazilian form.
	Phone string `json:"phone,omitempty"`
	// Phones is the API's list form; its numbers are added to Phone's.
	Phones           []string `json:"phones,omitempty"`
	Email            string   `json:"email,omitempty"`
	PreferredChannel string   `json:"preferred_channel,omitempty"` // whatsapp, telegram, email or empty
	State            string   `json:"state,omitempty"`             // UF such as RJ, or empty
}

// ChargeFields is one charge as text, as it comes from a CSV line or a JSON
// request body. In JSON the amount is a string ("1234.56"), as SPEC writes
// amounts; a JSON number does not decode into it.
type ChargeFields struct {
	ExternalID       string `json:"external_id"`
	DebtorExternalID string `json:"debtor_external_id"`
	Description      string `json:"description,omitempty"`
	Amount           string `json:"amount"`   // CSV: "1234.56", "1234,56", "1.234,56", "R$ 1.234,56"; JSON: "1234.56" only (ChargeFromJSON)
	DueDate          string `json:"due_date"` // "2026-11-30", "30/11/2026", "30/11/26"
}

// DebtorFromFields checks f against Régua's rules for a debtor and returns
// the debtor, normalised: trimmed text, canonical document and its kind,
// phones in E.164 (duplicates dropped), email in lower case, channel as
// payments.ChannelWhatsApp, payments.ChannelTelegram or "". When any field
// is invalid it returns the zero Debtor and one FieldError per problem, in
// field order. Only the fields of f are set; IDs, flags and times are left
// to the store.
func DebtorFromFields(f DebtorFields) (payments.Debtor, []FieldError) {
	var d payments.Debtor
	var errs []FieldError
	d.ExternalID = checkID(FieldExternalID, f.ExternalID, &errs)
	d.Name = checkText(FieldName, f.Name, MaxNameLen, true, false, &errs)
	d.Document, d.DocumentKind = checkDocument(f.Document, &errs)
	d.Phones = checkPhones(f.Phone, f.Phones, &errs)
	d.Email = checkEmail(f.Email, &errs)
	d.PreferredChannel = checkChannel(f.PreferredChannel, &errs)
	d.State = checkState(f.State, &errs)
	if len(errs) > 0 {
		return payments.Debtor{}, errs
	}
	return d, nil
}

// ChargeFromFields checks f against Régua's rules for a charge and returns
// the charge: trimmed ids and description, the amount in centavos (greater
// than zero, at most MaxAmount), the due date as a payments.CivilDate between
// 2000-01-01 and 2100-12-31. When any field is invalid it returns the zero
// Charge and one FieldError per problem. Whether the debtor exists is not
// checked here: that needs the database. Status and IDs are left to the store.
func ChargeFromFields(f ChargeFields) (payments.Charge, []FieldError) {
	return chargeFrom(f, checkAmount, checkDueDate)
}

// ChargeFromJSON is ChargeFromFields for the JSON API, whose amount contract
// is the machine form only (payments.ParseDecimal: "1234.56", "12", "12.5"):
// "0.100", "1.500", "1,50" or "1.234,56" are refused naming the field, where
// a file's Brazilian forms would be read or refused as ambiguous. Dates
// likewise: YYYY-MM-DD only.
func ChargeFromJSON(f ChargeFields) (payments.Charge, []FieldError) {
	return chargeFrom(f, checkDecimalAmount, checkISODueDate)
}

// checkISODueDate is checkDueDate for the JSON API: YYYY-MM-DD only.
func checkISODueDate(v string, errs *[]FieldError) time.Time {
	v = trim(v)
	if v != "" {
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			fail(errs, FieldDueDate, v, "must be a date as YYYY-MM-DD")
			return time.Time{}
		}
	}
	return checkDueDate(v, errs)
}

func chargeFrom(f ChargeFields, amount func(string, *[]FieldError) payments.Cents, dueDate func(string, *[]FieldError) time.Time) (payments.Charge, []FieldError) {
	var c payments.Charge
	var errs []FieldError
	c.ExternalID = checkID(FieldExternalID, f.ExternalID, &errs)
	c.DebtorExternalID = checkID(FieldDebtorExternalID, f.DebtorExternalID, &errs)
	c.Description = checkText(FieldDescription, f.Description, MaxDescriptionLen, false, true, &errs)
	c.Amount = amount(f.Amount, &errs)
	c.DueDate = dueDate(f.DueDate, &errs)
	if len(errs) > 0 {
		return payments.Charge{}, errs
	}
	return c, nil
}

func fail(errs *[]FieldError, field, value, reason string) {
	*errs = append(*errs, FieldError{Field: field, Value: shorten(value), Reason: reason})
}

func trim(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "\ufeff") || strings.HasSuffix(s, "\ufeff") {
		s = strings.TrimSpace(strings.Trim(s, "\ufeff"))
	}
	return s
}

func checkID(field, v string, errs *[]FieldError) string {
	v = trim(v)
	switch {
	case v == "":
		fail(errs, field, "", "is required")
	case utf8.RuneCountInString(v) > MaxExternalIDLen:
		fail(errs, field, v, fmt.Sprintf("is longer than %d characters", MaxExternalIDLen))
	case hasControl(v, false):
		fail(errs, field, v, "contains a line break or control character")
	default:
		return v
	}
	return ""
}

// checkText checks free text. Multi-line text (a description) may hold line
// breaks and tabs, normalised to "\n"; no text may hold other control
// characters, which have no business in a name and break terminals and SQL
// COPY alike.
func checkText(field, v string, max int, required, multiline bool, errs *[]FieldError) string {
	v = trim(v)
	if multiline && strings.IndexByte(v, '\r') >= 0 {
		v = strings.ReplaceAll(v, "\r\n", "\n")
		v = strings.ReplaceAll(v, "\r", "\n")
	}
	switch {
	case v == "":
		if required {
			fail(errs, field, "", "is required")
		}
	case utf8.RuneCountInString(v) > max:
		fail(errs, field, v, fmt.Sprintf("is longer than %d characters", max))
	case hasControl(v, multiline):
		fail(errs, field, v, "contains a line break or control character")
	default:
		return v
	}
	return ""
}

// hasControl reports whether s holds a C0 or C1 control character (tab and
// line feed allowed when multiline).
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			if multiline && (r == '\n' || r == '\t') {
				continue
			}
			return true
		}
	}
	return false
}

func checkDocument(v string, errs *[]FieldError) (doc, kind string) {
	v = trim(v)
	if v == "" {
		fail(errs, FieldDocument, "", "is required")
		return "", ""
	}
	doc, kind, err := payments.NormalizeDocument(v)
	if err == nil {
		return doc, kind
	}
	// payments' messages may quote the whole document; ours never do.
	*errs = append(*errs, FieldError{Field: FieldDocument, Value: mask(v, 2), Reason: documentReason(v)})
	return "", ""
}

func documentReason(v string) string {
	if isScientific(v) {
		return spreadsheetNumberReason
	}
	var canon strings.Builder
	letters := false
	for _, r := range strings.ToUpper(v) {
		switch {
		case r >= '0' && r <= '9':
			canon.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			letters = true
			canon.WriteRune(r)
		case r == '.', r == '-', r == '/', r == ' ':
		default:
			return fmt.Sprintf("has an invalid character %q", r)
		}
	}
	n := canon.Len()
	switch {
	case n == 11 && !letters:
		return "is not a valid CPF (wrong check digits)"
	case n == 14:
		return "is not a valid CNPJ (wrong check digits)"
	case !letters && (n == 9 || n == 10 || n == 12 || n == 13):
		return fmt.Sprintf("has %d digits; a CPF has 11 and a CNPJ 14 (did a spreadsheet drop leading zeros?)", n)
	}
	return "is neither a CPF (11 digits) nor a CNPJ (14 characters)"
}

const spreadsheetNumberReason = "was turned into a number in scientific notation by a spreadsheet; format the column as text"

// isScientific spots what Excel does to long digit strings: "5,51199E+12".
func isScientific(v string) bool {
	i := strings.IndexAny(v, "eE")
	return i > 0 && i+1 < len(v) && v[i+1] == '+' && v[0] >= '0' && v[0] <= '9'
}

// splitPhones separates the numbers of a phone cell.
func splitPhones(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '/' || r == '|' || r == ';' || r == ','
	})
}

func checkPhones(phone string, list []string, errs *[]FieldError) []string {
	type part struct{ field, v string }
	var parts []part
	if p := trim(phone); isScientific(p) {
		// "5,51199E+12" must not be split at its comma.
		*errs = append(*errs, FieldError{Field: FieldPhone, Value: mask(p, 4), Reason: spreadsheetNumberReason})
		return nil
	}
	for _, p := range splitPhones(phone) {
		if p = trim(p); p != "" {
			parts = append(parts, part{FieldPhone, p})
		}
	}
	for _, item := range list {
		for _, p := range splitPhones(item) {
			if p = trim(p); p != "" {
				parts = append(parts, part{FieldPhones, p})
			}
		}
	}
	if len(parts) > 4*MaxPhones {
		// Refused before normalising: a cell of thousands of numbers is
		// not a debtor's phone list, and checking it would cost quadratic time.
		fail(errs, parts[0].field, "", fmt.Sprintf("has %d numbers; at most %d are allowed", len(parts), MaxPhones))
		return nil
	}
	if len(parts) == 0 {
		field := FieldPhone
		if list != nil && phone == "" {
			field = FieldPhones
		}
		fail(errs, field, "", "is required (at least one number)")
		return nil
	}
	var out []string
	bad := false
	for _, p := range parts {
		e164, err := payments.NormalizePhone(p.v)
		if err != nil {
			bad = true
			*errs = append(*errs, FieldError{Field: p.field, Value: mask(p.v, 4), Reason: phoneReason(p.v, err)})
			continue
		}
		dup := false
		for _, o := range out {
			if o == e164 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e164)
		}
	}
	if bad {
		return nil
	}
	if len(out) > MaxPhones {
		fail(errs, parts[0].field, "", fmt.Sprintf("has %d numbers; at most %d are allowed", len(out), MaxPhones))
		return nil
	}
	return out
}

// phoneReason turns a payments.NormalizePhone error (which never repeats
// the number) into a reason.
func phoneReason(p string, err error) string {
	if isScientific(p) {
		return spreadsheetNumberReason
	}
	msg := strings.TrimLeft(strings.TrimPrefix(err.Error(), "phone"), ": ")
	if msg == "" {
		return "is not a Brazilian phone number (area code and 8 or 9 digits)"
	}
	if !strings.HasPrefix(msg, "is ") && !strings.HasPrefix(msg, "has ") {
		msg = "is invalid: " + msg
	}
	return msg
}

func checkEmail(v string, errs *[]FieldError) string {
	v = strings.ToLower(trim(v))
	if v == "" {
		return ""
	}
	if utf8.RuneCountInString(v) > MaxEmailLen {
		fail(errs, FieldEmail, v, fmt.Sprintf("is longer than %d characters", MaxEmailLen))
		return ""
	}
	if !plausibleEmail(v) {
		fail(errs, FieldEmail, v, "is not an email address")
		return ""
	}
	return v
}

// plausibleEmail is a light check: one @, something before it, a dot inside
// the domain, no spaces or control characters. Deliverability is the mail
// server's business.
func plausibleEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || strings.Count(v, "@") != 1 {
		return false
	}
	domain := v[at+1:]
	dot := strings.IndexByte(domain, '.')
	if dot <= 0 || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == ',' || r == ';' || r == '<' || r == '>' || r == '"' || r == '\u00a0' {
			return false
		}
	}
	return true
}

func checkChannel(v string, errs *[]FieldError) string {
	v = trim(v)
	switch foldKey(v) {
	case "":
		return ""
	case "whatsapp", "whats", "whatsap", "watsapp", "watsap", "wats", "zap", "zapzap", "wpp", "wapp", "wa":
		return payments.ChannelWhatsApp
	case "telegram", "telegrama", "tg", "tele":
		return payments.ChannelTelegram
	case "email", "mail", "correioeletronico":
		return payments.ChannelEmail
	}
	fail(errs, FieldPreferredChannel, v, "must be whatsapp, telegram, email or empty")
	return ""
}

// checkState accepts a UF code in any case ("rj", " RJ "), or empty.
func checkState(v string, errs *[]FieldError) string {
	uf := strings.ToUpper(trim(v))
	if uf == "" || payments.ValidState(uf) {
		return uf
	}
	fail(errs, FieldState, v, "must be a state code (UF) such as SP or RJ, or empty")
	return ""
}

func checkAmount(v string, errs *[]FieldError) payments.Cents {
	v = trim(v)
	if v == "" {
		fail(errs, FieldAmount, "", "is required")
		return 0
	}
	c, err := payments.ParseCents(v)
	switch {
	case err != nil:
		fail(errs, FieldAmount, v, amountReason(v, err))
	case c <= 0:
		fail(errs, FieldAmount, v, "must be greater than zero")
	case c > MaxAmount:
		fail(errs, FieldAmount, v, "must be at most R$ 10.000.000.000,00")
	default:
		return c
	}
	return 0
}

func checkDecimalAmount(v string, errs *[]FieldError) payments.Cents {
	if v == "" {
		fail(errs, FieldAmount, "", "is required")
		return 0
	}
	c, err := payments.ParseDecimal(v)
	switch {
	case err != nil:
		fail(errs, FieldAmount, v, err.Error())
	case c <= 0:
		fail(errs, FieldAmount, v, "must be greater than zero")
	case c > MaxAmount:
		fail(errs, FieldAmount, v, "must be at most 10000000000.00")
	default:
		return c
	}
	return 0
}

// amountReason turns a payments.ParseCents error ("\"x\" is not an amount")
// into a reason without the value.
func amountReason(v string, err error) string {
	const generic = "is not an amount (write 1234.56 or 1.234,56)"
	msg, q := err.Error(), strconv.Quote(v)
	if !strings.HasPrefix(msg, q) {
		return generic
	}
	msg = strings.TrimSpace(msg[len(q):])
	switch {
	case msg == "is not an amount":
		return generic
	case msg == "is too large":
		return "must be at most R$ 10.000.000.000,00"
	case strings.HasPrefix(msg, "is ") || strings.HasPrefix(msg, "has "):
		return msg
	}
	return generic
}

func checkDueDate(v string, errs *[]FieldError) time.Time {
	v = trim(v)
	if v == "" {
		fail(errs, FieldDueDate, "", "is required")
		return time.Time{}
	}
	d, reason := parseDate(v)
	if reason != "" {
		fail(errs, FieldDueDate, v, reason)
		return time.Time{}
	}
	return d
}

// parseDate reads the date forms described in the package documentation.
func parseDate(s string) (time.Time, string) {
	const notADate = "is not a date (write 2026-11-30 or 30/11/2026)"
	s = strings.TrimSuffix(s, " 00:00:00")
	s = strings.TrimSuffix(s, " 00:00")
	// Three groups of digits joined by one kind of separator.
	var sep byte
	var cuts [2]int
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if (c != '-' && c != '/' && c != '.') || (sep != 0 && c != sep) || n == 2 {
			return time.Time{}, notADate
		}
		sep = c
		cuts[n] = i
		n++
	}
	if n != 2 {
		return time.Time{}, notADate
	}
	parts := [3]string{s[:cuts[0]], s[cuts[0]+1 : cuts[1]], s[cuts[1]+1:]}
	var y, m, d int
	switch {
	case len(parts[0]) == 4 && sep != '.': // 2026-11-30, 2026/11/30
		if len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
			return time.Time{}, notADate
		}
		y, m, d = atoi(parts[0]), atoi(parts[1]), atoi(parts[2])
	case len(parts[0]) >= 1 && len(parts[0]) <= 2 && len(parts[1]) >= 1 && len(parts[1]) <= 2:
		d, m = atoi(parts[0]), atoi(parts[1])
		switch len(parts[2]) {
		case 4:
			y = atoi(parts[2])
		case 2:
			y = 2000 + atoi(parts[2])
		default:
			return time.Time{}, notADate
		}
	default:
		return time.Time{}, notADate
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return time.Time{}, "is not a real calendar date"
	}
	t := payments.CivilDate(y, time.Month(m), d)
	if t.Before(minDueDate) || t.After(maxDueDate) {
		return time.Time{}, "must be between 2000-01-01 and 2100-12-31"
	}
	return t, ""
}

// atoi converts at most four ASCII digits, already checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
