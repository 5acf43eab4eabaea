package payments

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	for in, want := range map[string]Cents{"1234.56": 123456, "12": 1200, "12.5": 1250, "0.01": 1, "0": 0, "007.10": 710} {
		if got, err := ParseDecimal(in); err != nil || got != want {
			t.Errorf("ParseDecimal(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0.100", "0.001", "1.500", "1,50", "1.234,56", "-1", "", "1e3", " 1", "1 ", "12.", ".5",
		"+1", "R$1", "1_000", "１２", "1234567890123456", "NaN"} {
		if got, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %d, want an error", in, got)
		}
	}
}

func TestCentsJSON(t *testing.T) {
	var v struct{ A, B Cents }
	if err := json.Unmarshal([]byte(`{"A":"12.5","B":"-0.05"}`), &v); err != nil || v.A != 1250 || v.B != -5 {
		t.Fatalf("decoded %+v, %v", v, err)
	}
	for _, bad := range []string{`{"A":12.5}`, `{"A":"0.100"}`, `{"A":"1.234,56"}`, `{"A":"--1"}`, `{"A":true}`} {
		err := json.Unmarshal([]byte(bad), &v)
		var typ *json.UnmarshalTypeError
		if err == nil || !strings.Contains(err.Error(), "Cents") {
			t.Errorf("%s: %v, want an error about Cents", bad, err)
		} else if !errors.As(err, &typ) || typ.Field != "A" {
			t.Errorf("%s: %v does not name the field", bad, err)
		}
	}
}

// What the API accepts, ParseCents reads the same; what Decimal writes, the
// API reads back.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1234.56", "12", "12.5", "0.100", "1.500", "1,50", "-1", "", "1e3", "99999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseDecimal(s)
		if err != nil {
			return
		}
		if c < 0 {
			t.Fatalf("ParseDecimal(%q) = %d: negative", s, c)
		}
		if p, err := ParseCents(s); err != nil || p != c {
			t.Fatalf("ParseDecimal(%q) = %d but ParseCents = %d, %v", s, c, p, err)
		}
		if back, err := ParseDecimal(c.Decimal()); err != nil || back != c {
			t.Fatalf("%d → %q → %d, %v", c, c.Decimal(), back, err)
		}
	})
}
