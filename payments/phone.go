package payments

import (
	"fmt"
	"strings"
)

// NormalizePhone turns a Brazilian phone number in any common form
// ("(11) 98765-4321", "11987654321", "+55 11 98765-4321", "0 11 98765-4321",
// "0 XX 11 98765-4321" with a carrier code) into E.164: "+5511987654321".
// Mobile numbers with 8 digits after the area code get the ninth digit added,
// as Anatel mandates. Errors never repeat the number (it is personal data).
func NormalizePhone(s string) (string, error) {
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ', r == '-', r == '(', r == ')', r == '.', r == '+', r == '/', r == 'x', r == 'X':
		default:
			return "", fmt.Errorf("phone has an invalid character %q", r)
		}
	}
	n := d.String()
	// "(01) 9…": an area code written in parentheses cannot start with 0,
	// which would otherwise read as a trunk prefix.
	if i, j := strings.IndexByte(s, '('), strings.IndexByte(s, ')'); i >= 0 && j > i {
		if area := strings.Trim(s[i+1:j], " "); len(area) == 2 && area[0] == '0' {
			return "", fmt.Errorf("phone has an invalid area code %s", area)
		}
	}
	switch {
	case strings.HasPrefix(n, "00"): // international prefix
		n = n[2:]
	case strings.HasPrefix(n, "0") && (len(n) == 11 || len(n) == 12): // trunk 0 + area code
		n = n[1:]
	case strings.HasPrefix(n, "0") && (len(n) == 13 || len(n) == 14): // trunk 0 + carrier + area code
		n = n[3:]
	}
	if strings.HasPrefix(n, "55") && (len(n) == 12 || len(n) == 13) {
		n = n[2:]
	}
	if len(n) != 10 && len(n) != 11 {
		return "", fmt.Errorf("phone is not a Brazilian phone number (area code and 8 or 9 digits)")
	}
	if n[0] == '0' || n[1] == '0' {
		return "", fmt.Errorf("phone has an invalid area code %s", n[:2])
	}
	local := n[2:]
	switch {
	case len(local) == 9 && local[0] != '9':
		return "", fmt.Errorf("phone: a 9-digit number must start with 9")
	case len(local) == 8 && local[0] >= '6':
		local = "9" + local // old 8-digit mobile
	case len(local) == 8 && (local[0] < '2' || local[0] > '5'):
		return "", fmt.Errorf("phone: a landline starts with 2 to 5")
	}
	return "+55" + n[:2] + local, nil
}

// MaskPhone hides the middle of an E.164 phone for logs: "+5511*****4321".
func MaskPhone(p string) string {
	if len(p) <= 8 {
		return strings.Repeat("*", len(p))
	}
	return p[:5] + strings.Repeat("*", len(p)-9) + p[len(p)-4:]
}
