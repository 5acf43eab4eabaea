package intake

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// FuzzRecordReader checks the record splitter against encoding/csv: what
// csv.Writer writes, recordReader must read back value for value, with the
// line each record starts on.
func FuzzRecordReader(f *testing.F) {
	f.Add([]byte("a\x01b\x00c\x01d"), false)
	f.Add([]byte("x,y\x01\"q\"\x01 lead\x00multi\nline\x01;\x00\x01\x01"), true)
	f.Add([]byte("João\x01Conceição\x00\x01"), true)
	f.Fuzz(func(t *testing.T, data []byte, semicolon bool) {
		text := strings.ToValidUTF8(string(data), "?")
		text = strings.ReplaceAll(text, "\r", "")
		var records [][]string
		for _, rec := range strings.Split(text, "\x00") {
			fields := strings.Split(rec, "\x01")
			if allBlank(fields) {
				continue // the parse layer skips these; csv.Writer may not write them at all
			}
			records = append(records, fields)
		}
		if len(records) == 0 {
			return
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if semicolon {
			w.Comma = ';'
		}
		var startLines []int
		line := 1
		for _, rec := range records {
			startLines = append(startLines, line)
			var one bytes.Buffer
			ow := csv.NewWriter(&one)
			ow.Comma = w.Comma
			if err := ow.Write(rec); err != nil {
				t.Skip()
			}
			ow.Flush()
			line += bytes.Count(one.Bytes(), []byte("\n"))
			buf.Write(one.Bytes())
		}
		src, err := newLineSource(&buf, nil)
		if err != nil {
			t.Skip() // the data happened to start like a BOM or a spreadsheet
		}
		rr := &recordReader{src: src, sep: byte(w.Comma)}
		for i, want := range records {
			got, start, err := rr.read()
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("record %d = %q, want %q", i, got, want)
			}
			if start != startLines[i] {
				t.Fatalf("record %d starts on line %d, want %d", i, start, startLines[i])
			}
		}
		if _, _, err := rr.read(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last record: %v", err)
		}
	})
}

func TestDetectSeparator(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]byte{
		"id;nome;cpf":          ';',
		"id,nome,cpf":          ',',
		"id\tnome\tcpf":        '\t',
		`"a,b";c;d`:            ';',
		`"a;b;c",d`:            ',',
		"id;nome,completo;cpf": ';',
		"id,nome;cpf":          ';', // a tie goes to Brazilian Excel's ";"
		"id":                   ',',
		"a;b,c,d":              ',',
	} {
		if got := detectSeparator([]byte(in)); got != want {
			t.Errorf("detectSeparator(%q) = %q, want %q", in, got, want)
		}
	}
}
