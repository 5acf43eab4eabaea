package payments

import (
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	good := map[string]string{
		"(11) 98765-4321":     "+5511987654321",
		"11987654321":         "+5511987654321",
		"+55 11 98765-4321":   "+5511987654321",
		"5511987654321":       "+5511987654321",
		"0055 11 98765 4321":  "+5511987654321",
		"011 98765-4321":      "+5511987654321",
		"0 21 9 8765 4321":    "+5521987654321",
		"0 15 11 98765-4321":  "+5511987654321", // carrier 15
		"(21) 8765-4321":      "+5521987654321", // old 8-digit mobile
		"(21) 3456-7890":      "+552134567890",  // landline
		"+55 (48) 3222-1100":  "+554832221100",
		"0xx11 98765-4321":    "+5511987654321",
		"11 98765 4321 / ":    "+5511987654321",
		"(61) 9 9999-0000":    "+5561999990000",
		" +55 61 99999 0000 ": "+5561999990000",
	}
	for in, want := range good {
		got, err := NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "123", "(01) 98765-4321", "(11) 0000-0000", "(11) 1234-5678", "(11) 88765-4321", "11 98765-4321 ramal 2", "+1 415 555 0100 22"} {
		got, err := NormalizePhone(in)
		if err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
			continue
		}
		if d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, in); len(d) > 4 && strings.Contains(err.Error(), d) {
			t.Errorf("error repeats the number: %v", err)
		}
	}
}

func TestNormalizeDocument(t *testing.T) {
	for in, want := range map[string]string{"123.456.789-09": "12345678909", "11.222.333/0001-81": "11222333000181", " 52998224725 ": "52998224725"} {
		if got, _, err := NormalizeDocument(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, in := range []string{"123.456.789-00", "111.111.111-11", "11.222.333/0001-82", "1234", "abc", "12345678909#"} {
		_, _, err := NormalizeDocument(in)
		if err == nil {
			t.Errorf("%q accepted", in)
		} else if len(in) > 6 && strings.Contains(err.Error(), in) {
			t.Errorf("error repeats the document: %v", err)
		}
	}
}

func TestParseCents(t *testing.T) {
	good := map[string]Cents{"1234.56": 123456, "1234,56": 123456, "1.234,56": 123456, "1,234.56": 123456, "R$ 1.234,56": 123456,
		"1234": 123400, "12,5": 1250, "0,01": 1, "1.234.567,89": 123456789, "-10,00": -1000,
		"1.500,00": 150000, "1500.00": 150000, "1.234.567": 123456700, "1,234,567": 123456700, "12.5": 1250}
	for in, want := range good {
		if got, err := ParseCents(in); err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1,2,3", "12.345,678", "1.23.4", "12,", "R$", "1e5", "9999999999999999999",
		"1.500", "1,500", "0.100", "0.001", "12.345", "R$ 1.500", ".500"} {
		if got, err := ParseCents(in); err == nil {
			t.Errorf("ParseCents(%q) = %d, want an error", in, got)
		}
	}
	if s := Cents(123456789).String(); s != "R$ 1.234.567,89" {
		t.Errorf("String: %s", s)
	}
	if s := Cents(-5).Decimal(); s != "-0.05" {
		t.Errorf("Decimal: %s", s)
	}
}
