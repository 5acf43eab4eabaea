package pix

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestValidateKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, kind string
	}{
		{"12345678909", "12345678909", KeyCPF},
		{"123.456.789-09", "12345678909", KeyCPF},
		{" 529.982.247-25 ", "52998224725", KeyCPF},
		{"11222333000181", "11222333000181", KeyCNPJ},
		{"11.222.333/0001-81", "11222333000181", KeyCNPJ},
		{"12ABC34501DE35", "12ABC34501DE35", KeyCNPJ},     // alphanumeric CNPJ (2026)
		{"12.abc.345/01de-35", "12ABC34501DE35", KeyCNPJ}, // typed in lower case
		{"Fulano@Example.com", "fulano@example.com", KeyEmail},
		{"cobranca+pix@empresa.com.br", "cobranca+pix@empresa.com.br", KeyEmail},
		{"+5511987654321", "+5511987654321", KeyPhone},
		{"+55 (11) 98765-4321", "+5511987654321", KeyPhone},
		{"(21) 99876-5432", "+5521998765432", KeyPhone},
		{"+55 11 8765-4321", "+5511987654321", KeyPhone}, // old 8-digit mobile
		{manualKey, manualKey, KeyEVP},
		{strings.ToUpper(manualKey), manualKey, KeyEVP},
		{"7d9f0335-8dcc-4054-9bf9-0dbd61d36906", "7d9f0335-8dcc-4054-9bf9-0dbd61d36906", KeyEVP},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, kind, err := ValidateKey(tt.in)
			if err != nil || got != tt.want || kind != tt.kind {
				t.Fatalf("ValidateKey(%q) = %q, %q, %v; want %q, %q", tt.in, got, kind, err, tt.want, tt.kind)
			}
			// The DICT form validates to itself.
			again, kind2, err := ValidateKey(got)
			if err != nil || again != got || kind2 != kind {
				t.Fatalf("ValidateKey(%q) = %q, %q, %v; not a fixed point", got, again, kind2, err)
			}
		})
	}
}

func TestValidateKeyRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"spaces", "   "},
		{"word", "fulano"},
		{"CPF with wrong check digit", "12345678900"},
		{"CPF all the same digit", "11111111111"},
		{"bare mobile number reads as CPF", "11987654321"},
		{"CPF of 10 digits", "1234567890"},
		{"CNPJ with wrong check digit", "11222333000182"},
		{"alphanumeric CNPJ with letters in the check digits", "12ABC34501DEAB"},
		{"email without domain dot", "fulano@localhost"},
		{"email with two @", "a@b@c.com"},
		{"email without local part", "@example.com"},
		{"email with a space", "ful ano@example.com"},
		{"email with accent", "joão@example.com"},
		{"email label starting with dash", "a@-x.com"},
		{"email of 78", strings.Repeat("a", 66) + "@example.com"},
		{"foreign phone", "+1 212 555 0100"},
		{"phone too short", "+55 11 8765"},
		{"phone with zero area code", "+55 01 98765-4321"},
		{"UUID with a non-hex digit", "123e4567-e12b-12d1-a456-42665544000g"},
		{"UUID without dashes", "123e4567e12b12d1a456426655440000"},
		{"control character", "a@b.co\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, kind, err := ValidateKey(tt.in)
			if err == nil {
				t.Fatalf("ValidateKey(%q) = %q, %q; want an error", tt.in, got, kind)
			}
			if !isErr(err, ErrInvalidKey) {
				t.Fatalf("ValidateKey(%q): %v does not wrap ErrInvalidKey", tt.in, err)
			}
			if got != "" || kind != "" {
				t.Fatalf("ValidateKey(%q) returned %q, %q with an error", tt.in, got, kind)
			}
		})
	}
	if _, _, err := ValidateKey(strings.Repeat("a", 66) + "@example.com"); !isErr(err, ErrTooLong) {
		t.Fatalf("78-character e-mail: %v does not wrap ErrTooLong", err)
	}
}

func TestValidateKeyRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(55, 11))
	for range 5000 {
		typed, dict := randKey(r)
		got, _, err := ValidateKey(typed)
		if err != nil || got != dict {
			t.Fatalf("ValidateKey(%q) = %q, %v; want %q", typed, got, err, dict)
		}
	}
}
