package payments

import (
	"fmt"
	"strings"
)

// NormalizePhone turns a Brazilian phone number in any common form
// ("(11) 98765-4321", "11987654321", "+55 11 98765-4321", "055 11 9 8765 4321",
// "0xx11987654321") into E.164: "+5511987654321". Mobile numbers with 8 digits
// after the area code get the ninth digit added, as Anatel mandates.
func NormalizePhone(s string) (string, error) {
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ', r == '-', r == '(', r == ')', r == '.', r == '+', r == '/':
		case r == 'x' || r == 'X':
		default:
			return "", fmt.Errorf("%q has an invalid character %q", s, r)
		}
	}
	n := d.String()
	n = strings.TrimLeft(n, "0") // trunk prefix 0, international 00
	if strings.HasPrefix(n, "55") && (len(n) == 12 || len(n) == 13) {
		n = n[2:]
	}
	// Carrier selection code after the trunk 0: 0 XX 11 987654321.
	if len(n) == 12 || len(n) == 13 {
		n = n[2:]
	}
	if len(n) != 10 && len(n) != 11 {
		return "", fmt.Errorf("%q is not a Brazilian phone number (area code and 8 or 9 digits)", s)
	}
	if n[0] == '0' || n[1] == '0' {
		return "", fmt.Errorf("%q has an invalid area code %s", s, n[:2])
	}
	local := n[2:]
	if len(local) == 9 && local[0] != '9' {
		return "", fmt.Errorf("%q: a 9-digit number must start with 9", s)
	}
	if len(local) == 8 && local[0] >= '6' {
		local = "9" + local // old 8-digit mobile
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
