package pix

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits from the manual.
const (
	MaxKeyLen         = 77 // 26.01
	MaxDescriptionLen = 72 // 26.02
	MaxURLLen         = 77 // 26.25
	MaxNameLen        = 25 // 59
	MaxCityLen        = 15 // 60
	MaxAmountLen      = 13 // 54, "9999999999.99"
	MaxStaticTxIDLen  = 25 // 62.05
	maxTemplateLen    = 99 // any field
	guiPix            = "br.gov.bcb.pix"
)

// foldSpecial covers letters and signs that compatibility decomposition does
// not reduce to ASCII but that turn up in Brazilian names and addresses.
var foldSpecial = map[rune]string{
	'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o",
	'Đ': "D", 'đ': "d", 'Ð': "D", 'ð': "d", 'Ł': "L", 'ł': "l", 'Þ': "TH", 'þ': "th",
	'‘': "'", '’': "'", '‚': "'", '′': "'", '´': "'",
	'“': `"`, '”': `"`, '„': `"`, '″': `"`, '«': `"`, '»': `"`,
	'–': "-", '—': "-", '‐': "-", '‑': "-", '‒': "-", '−': "-",
	'°': "o", '•': "-", '·': "-",
}

// NormalizeText makes s fit for a BR Code text field: accents removed
// ("São João" → "Sao Joao"), anything that is not printable ASCII dropped,
// runs of white space collapsed, trimmed, and cut to max bytes (max <= 0: no
// cut). Case is kept. It is idempotent.
func NormalizeText(s string, max int) string {
	if isCleanASCII(s) && (max <= 0 || len(s) <= max) {
		return s
	}
	b := make([]byte, 0, len(s))
	space := true // drops leading spaces and collapses runs
	put := func(c byte) {
		if c == ' ' {
			if space {
				return
			}
			space = true
		} else {
			space = false
		}
		b = append(b, c)
	}
	for _, r := range s {
		switch {
		case r == ' ' || unicode.IsSpace(r):
			put(' ')
		case r > 0x20 && r < 0x7F:
			put(byte(r))
		case r == utf8.RuneError, unicode.IsControl(r):
		default:
			if f, ok := foldSpecial[r]; ok {
				for i := 0; i < len(f); i++ {
					put(f[i])
				}
				continue
			}
			var buf [32]byte
			d := norm.NFKD.AppendString(buf[:0], string(r))
			for i := 0; i < len(d); i++ {
				if d[i] > 0x20 && d[i] < 0x7F {
					put(d[i])
				} else if d[i] == ' ' {
					put(' ')
				}
			}
		}
	}
	if max > 0 && len(b) > max {
		b = b[:max]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// isCleanASCII reports whether s is printable ASCII without leading, trailing
// or doubled spaces: what NormalizeText returns unchanged.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7E {
			return false
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// printable reports whether s is printable ASCII (space included).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return s != ""
}

// stripAny returns s without the bytes in cutset (allocating only when
// there is something to take out).
func stripAny(s, cutset string) string {
	if !strings.ContainsAny(s, cutset) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(cutset, s[i]) < 0 {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// blank reports whether s has nothing but spaces.
func blank(s string) bool { return strings.TrimLeft(s, " ") == "" }
