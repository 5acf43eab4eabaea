package httpapi

import "testing"

func TestHasNULEscape(t *testing.T) {
	for in, want := range map[string]bool{
		`{"text":"oi\u0000"}`:     true,
		`{"text":"\u0000"}`:       true,
		`{"text":"a\\\u0000"}`:    true,  // an escaped backslash, then NUL
		`{"text":"a\\u0000"}`:     false, // a backslash, then the text u0000
		`{"text":"\u00001"}`:      true,
		`{"text":"\u0001"}`:       false,
		`{"text":"oi"}`:           false,
		`{"text":"\n\t\"\u00e9"}`: false,
	} {
		if got := hasNULEscape([]byte(in)); got != want {
			t.Errorf("hasNULEscape(%s) = %v, want %v", in, got, want)
		}
	}
}
