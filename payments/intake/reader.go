package intake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// MaxLineBytes is the longest line (and the longest record, for a quoted
// value spanning lines) a file may have. Real exports have lines of a few
// hundred bytes; anything near this is a broken or hostile file, refused
// before it is read into memory.
const MaxLineBytes = 1 << 20

const progressEvery = 10_000

// Encodings a file can be read in, as reported in Report.Encoding.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with BOM"
	EncodingWindows1252 = "Windows-1252"
)

type textEncoding int

const (
	encUnknown textEncoding = iota // only ASCII so far: both readings agree
	encUTF8
	encCP1252
)

// cp1252 maps the bytes 0x80–0xFF of Windows-1252 to runes.
var cp1252 = func() (t [128]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(0x80 + i))
	}
	return t
}()

// cp1252Undefined reports whether b has no character in Windows-1252.
// (x/text maps these bytes to C1 controls, following WHATWG; a file that
// holds them is not text in that encoding.)
func cp1252Undefined(b byte) bool {
	return b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D
}

// lineSource yields a file's physical lines, without their terminators,
// decoded to UTF-8. The encoding is decided from the bytes as they come: the
// first line that is not plain ASCII settles it (valid UTF-8, or else
// Windows-1252), and a later line in the other encoding is an error rather
// than silently garbled text.
type lineSource struct {
	br       *bufio.Reader
	line     int // number of the line last returned
	enc      textEncoding
	bom      bool
	encLine  int // the line that settled the encoding
	long     []byte
	dec      []byte
	progress func(int)
}

func newLineSource(r io.Reader, progress func(int)) (*lineSource, error) {
	s := &lineSource{br: bufio.NewReaderSize(r, 64<<10), progress: progress}
	head, err := s.br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("intake: read: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		s.br.Discard(3)
		s.bom, s.enc, s.encLine = true, encUTF8, 1
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, &FileError{Message: "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\""}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, &FileError{Message: "this is a spreadsheet (Excel) file, not CSV; save it as \"CSV UTF-8\" or \"CSV (separado por vírgulas)\""}
	}
	return s, nil
}

func (s *lineSource) encoding() string {
	switch {
	case s.bom:
		return EncodingUTF8BOM
	case s.enc == encCP1252:
		return EncodingWindows1252
	}
	return EncodingUTF8
}

// next returns the next line, valid until the following call, or io.EOF.
func (s *lineSource) next() ([]byte, error) {
	b, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(s.long) > MaxLineBytes+2 { // room for "\r\n"
				return nil, &FileError{Line: s.line + 1, Message: "is longer than 1 MB"}
			}
			b, err = s.br.ReadSlice('\n')
			s.long = append(s.long, b...)
		}
		b = s.long
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("intake: read: %w", err)
	}
	if len(b) == 0 {
		return nil, io.EOF
	}
	s.line++
	if s.progress != nil && s.line%progressEvery == 0 {
		s.progress(s.line)
	}
	if b[len(b)-1] == '\n' {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && b[len(b)-1] == '\r' {
		b = b[:len(b)-1]
	}
	if len(b) > MaxLineBytes {
		return nil, &FileError{Line: s.line, Message: "is longer than 1 MB"}
	}
	return s.decode(b)
}

func (s *lineSource) decode(b []byte) ([]byte, error) {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return b, nil // ASCII reads the same in both encodings
	}
	valid := utf8.Valid(b[i:])
	switch s.enc {
	case encUnknown:
		s.encLine = s.line
		if valid {
			s.enc = encUTF8
		} else {
			s.enc = encCP1252
		}
	case encUTF8:
		if !valid {
			if pos, c := undefinedByte(b); pos >= 0 {
				return nil, &FileError{Line: s.line, Message: fmt.Sprintf("is neither UTF-8 nor Windows-1252 (byte 0x%02X at position %d)", c, pos+1)}
			}
			why := fmt.Sprintf("line %d is UTF-8", s.encLine)
			if s.bom {
				why = "the file starts with a UTF-8 byte-order mark"
			}
			return nil, &FileError{Line: s.line, Message: fmt.Sprintf("is not valid UTF-8 (position %d), but %s; save the whole file again as \"CSV UTF-8\"", invalidUTF8(b)+1, why)}
		}
	case encCP1252:
		if valid {
			return nil, &FileError{Line: s.line, Message: fmt.Sprintf("is UTF-8, but line %d is Windows-1252; save the whole file again as \"CSV UTF-8\"", s.encLine)}
		}
	}
	if s.enc == encUTF8 {
		return b, nil
	}
	if pos, c := undefinedByte(b); pos >= 0 {
		return nil, &FileError{Line: s.line, Message: fmt.Sprintf("is neither UTF-8 nor Windows-1252 (byte 0x%02X at position %d)", c, pos+1)}
	}
	s.dec = s.dec[:0]
	for _, c := range b {
		if c < utf8.RuneSelf {
			s.dec = append(s.dec, c)
		} else {
			s.dec = utf8.AppendRune(s.dec, cp1252[c-0x80])
		}
	}
	return s.dec, nil
}

func undefinedByte(b []byte) (int, byte) {
	for i, c := range b {
		if cp1252Undefined(c) {
			return i, c
		}
	}
	return -1, 0
}

func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

// detectSeparator picks the separator from the header line: whichever of
// ";", "," and tab occurs most outside quotes (";" first on a tie, as
// Brazilian Excel writes it), "," when there is none.
func detectSeparator(line []byte) byte {
	var semi, comma, tab int
	quoted := false
	for _, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				semi++
			}
		case ',':
			if !quoted {
				comma++
			}
		case '\t':
			if !quoted {
				tab++
			}
		}
	}
	sep, n := byte(','), 0
	for _, c := range []struct {
		sep byte
		n   int
	}{{';', semi}, {',', comma}, {'\t', tab}} {
		if c.n > n {
			sep, n = c.sep, c.n
		}
	}
	return sep
}

// quoteError is a record that cannot be split because a closing quote is
// followed by something other than a separator: `"abc"def`. The rest of the
// line is skipped and reading goes on with the next line.
type quoteError struct {
	field int // index of the field where it happened
}

func (e *quoteError) Error() string { return "stray quote" }

// recordReader splits lines into records (RFC 4180, tolerant: a quote inside
// an unquoted value is kept as it is, blanks around a quoted value are
// ignored). A quoted value may span lines; the record's line is the line it
// starts on.
type recordReader struct {
	src        *lineSource
	sep        byte
	buf        []byte // the record's values, one after the other
	ends       []int  // where each value ends in buf
	fields     []string
	pending    []byte // a line already read (the header, read to detect the separator)
	hasPending bool
}

func (r *recordReader) isBlank(c byte) bool {
	return c == ' ' || (c == '\t' && r.sep != '\t')
}

// read returns the next record's values (valid until the next call) and the
// line it starts on. Empty lines are skipped. Errors: io.EOF at the end, a
// *quoteError (with the values read so far) for a record to report and skip,
// a *FileError when the file cannot be read on.
func (r *recordReader) read() ([]string, int, error) {
	var line []byte
	var err error
	for {
		if r.hasPending {
			line, r.hasPending, r.pending = r.pending, false, nil
		} else if line, err = r.src.next(); err != nil {
			return nil, 0, err
		}
		if len(line) > 0 {
			break
		}
	}
	start := r.src.line
	r.buf, r.ends = r.buf[:0], r.ends[:0]
	pos := 0
	for {
		j := pos
		for j < len(line) && r.isBlank(line[j]) {
			j++
		}
		if j < len(line) && line[j] == '"' {
			pos = j + 1
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					r.buf = append(r.buf, line[pos:]...)
					r.buf = append(r.buf, '\n')
					if len(r.buf) > MaxLineBytes {
						return nil, 0, &FileError{Line: start, Message: "a quoted value starting on this line runs on for more than 1 MB; is a closing quote missing?"}
					}
					line, err = r.src.next()
					if errors.Is(err, io.EOF) {
						return nil, 0, &FileError{Line: start, Message: "a quoted value starting on this line is never closed"}
					}
					if err != nil {
						return nil, 0, err
					}
					pos = 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				break
			}
			for pos < len(line) && r.isBlank(line[pos]) {
				pos++
			}
			r.ends = append(r.ends, len(r.buf))
			if pos == len(line) {
				break
			}
			if line[pos] != r.sep {
				return r.finish(), start, &quoteError{field: len(r.ends) - 1}
			}
			pos++
			continue
		}
		i := bytes.IndexByte(line[pos:], r.sep)
		if i < 0 {
			r.buf = append(r.buf, line[pos:]...)
			r.ends = append(r.ends, len(r.buf))
			break
		}
		r.buf = append(r.buf, line[pos:pos+i]...)
		r.ends = append(r.ends, len(r.buf))
		pos += i + 1
	}
	return r.finish(), start, nil
}

// finish turns buf into strings with one allocation per record.
func (r *recordReader) finish() []string {
	all := string(r.buf)
	r.fields = r.fields[:0]
	prev := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, all[prev:e])
		prev = e
	}
	return r.fields
}
