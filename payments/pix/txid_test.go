package pix

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestStaticTxIDRules(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"***", "A", "abcXYZ019", strings.Repeat("Z", 25), "RGCHG4284"} {
		if err := ValidateStaticTxID(ok); err != nil {
			t.Errorf("ValidateStaticTxID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "**", "****", "FAT-42", "fat 42", "ação", strings.Repeat("Z", 26), "a*"} {
		if err := ValidateStaticTxID(bad); !isErr(err, ErrInvalidTxID) {
			t.Errorf("ValidateStaticTxID(%q) = %v, want ErrInvalidTxID", bad, err)
		}
	}
}

func TestAPITxIDRules(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{strings.Repeat("a", 26), strings.Repeat("Z9", 17) + "x", "fc9a4366ff3d4964b5dbc6c91a8722d3"} {
		if err := ValidateAPITxID(ok); err != nil {
			t.Errorf("ValidateAPITxID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "***", strings.Repeat("a", 25), strings.Repeat("a", 36), strings.Repeat("a", 25) + "-", strings.Repeat("a", 25) + "ç"} {
		if err := ValidateAPITxID(bad); !isErr(err, ErrInvalidTxID) {
			t.Errorf("ValidateAPITxID(%q) = %v, want ErrInvalidTxID", bad, err)
		}
	}
}

func TestTxIDScheme(t *testing.T) {
	t.Parallel()
	// Pinned: these strings reach the provider and come back in webhooks, so
	// the scheme must never change under a stored charge.
	tests := []struct {
		kind        string
		id          int64
		static, api string
	}{
		{TxIDKindCharge, 42, "RGCHG4284", "RGCHG000000000000000004239"},
		{TxIDKindInstallment, 7, "RGINST798", "RGINST00000000000000000740"},
		{"c", 0, "RGC087", "RGC00000000000000000000067"},
	}
	for _, tt := range tests {
		s, err := NewTxID(tt.kind, tt.id)
		if err != nil || s != tt.static {
			t.Errorf("NewTxID(%q, %d) = %q, %v; want %q", tt.kind, tt.id, s, err, tt.static)
		}
		a, err := NewAPITxID(tt.kind, tt.id)
		if err != nil || a != tt.api {
			t.Errorf("NewAPITxID(%q, %d) = %q, %v; want %q", tt.kind, tt.id, a, err, tt.api)
		}
	}
}

// Every id fits the API form; static forms fit while they can; both parse
// back to the same (kind, id) and satisfy their rules.
func TestTxIDRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(42, 7))
	kinds := []string{TxIDKindCharge, TxIDKindInstallment, "A", "plan", "ABCDEF"}
	ids := []int64{0, 1, 9, 10, 99, 100, math.MaxInt64, math.MaxInt64 - 1, 999_999_999_999_999}
	for range 5000 {
		ids = append(ids, r.Int64N(math.MaxInt64))
		ids = append(ids, r.Int64N(1_000_000))
	}
	for _, kind := range kinds {
		for _, id := range ids {
			a, err := NewAPITxID(kind, id)
			if err != nil {
				t.Fatalf("NewAPITxID(%q, %d): %v", kind, id, err)
			}
			if err := ValidateAPITxID(a); err != nil {
				t.Fatalf("NewAPITxID(%q, %d) = %q breaks the API Pix rule: %v", kind, id, a, err)
			}
			k, got, err := ParseTxID(a)
			if err != nil || k != strings.ToUpper(kind) || got != id {
				t.Fatalf("ParseTxID(%q) = %q, %d, %v; want %q, %d", a, k, got, err, kind, id)
			}
			s, err := NewTxID(kind, id)
			fits := 2+len(kind)+len(itoa(id))+2 <= MaxStaticTxIDLen
			if fits != (err == nil) {
				t.Fatalf("NewTxID(%q, %d) = %q, %v; should fit: %v", kind, id, s, err, fits)
			}
			if err != nil {
				if !isErr(err, ErrTooLong) {
					t.Fatalf("NewTxID(%q, %d): %v does not wrap ErrTooLong", kind, id, err)
				}
				continue
			}
			if err := ValidateStaticTxID(s); err != nil {
				t.Fatalf("NewTxID(%q, %d) = %q breaks the static rule: %v", kind, id, s, err)
			}
			k, got, err = ParseTxID(s)
			if err != nil || k != strings.ToUpper(kind) || got != id {
				t.Fatalf("ParseTxID(%q) = %q, %d, %v; want %q, %d", s, k, got, err, kind, id)
			}
		}
	}
	// A charge id the size of a database serial fits a static txid.
	if _, err := NewTxID(TxIDKindInstallment, 999_999_999_999_999); err != nil {
		t.Fatalf("15-digit id: %v", err)
	}
}

// Every single-character change and every swap of neighbours is caught.
func TestTxIDCheckDigitsCatchTypos(t *testing.T) {
	t.Parallel()
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcz"
	for _, id := range []int64{42, 7, 123456789, 1_000_000_000_000} {
		for _, s := range []string{must(NewTxID(TxIDKindCharge, id)), must(NewAPITxID(TxIDKindInstallment, id))} {
			for i := 0; i < len(s); i++ {
				for j := 0; j < len(chars); j++ {
					if chars[j] == s[i] {
						continue
					}
					typo := s[:i] + string(chars[j]) + s[i+1:]
					if k, got, err := ParseTxID(typo); err == nil {
						t.Fatalf("ParseTxID(%q) (typo of %q) = %q, %d, accepted", typo, s, k, got)
					}
				}
				if i+1 < len(s) && s[i] != s[i+1] {
					swap := s[:i] + string(s[i+1]) + string(s[i]) + s[i+2:]
					if _, _, err := ParseTxID(swap); err == nil {
						t.Fatalf("ParseTxID(%q) (swap in %q) accepted", swap, s)
					}
				}
			}
		}
	}
}

func TestParseTxIDRejects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"", "***", "RG", "RGCHG", "RGCHG4", "RGCHG42", "RGCHG4285", "rgchg4284", "XXCHG4284",
		"RG4284", "RGABCDEFG4284", "RGCHG42A84", "fc9a4366ff3d4964b5dbc6c91a8722d3",
		"RGCHG" + strings.Repeat("0", 29) + "1", // too long
		"RGCHG99999999999999999999999",          // id beyond int64
	} {
		if k, id, err := ParseTxID(bad); !isErr(err, ErrInvalidTxID) {
			t.Errorf("ParseTxID(%q) = %q, %d, %v; want ErrInvalidTxID", bad, k, id, err)
		}
	}
	for _, kind := range []string{"", "SEVENLL", "CH4", "ç"} {
		if _, err := NewAPITxID(kind, 1); !isErr(err, ErrInvalidTxID) {
			t.Errorf("NewAPITxID(%q, 1) = %v; want ErrInvalidTxID", kind, err)
		}
	}
	if _, err := NewTxID(TxIDKindCharge, -1); !isErr(err, ErrInvalidTxID) {
		t.Errorf("negative id: %v", err)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}
