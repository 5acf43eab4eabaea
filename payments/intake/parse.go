package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/regua/regua/payments"
)

// DefaultMaxErrors caps the problems listed for one file: enough to fix a
// file in one go, not so many that a wrong file buries the reader.
const DefaultMaxErrors = 1000

// Options tune a parse. The zero value is ready to use.
type Options struct {
	// Progress, when set, is called with the number of lines read so far
	// after every 10,000 lines, and once more with the total at the end, so
	// that a command line can show progress on large files. It runs on the
	// parsing goroutine; keep it quick.
	Progress func(lines int)
	// MaxErrors caps Report.Errors; 0 means DefaultMaxErrors.
	MaxErrors int
}

// Report is what a parse found besides the valid rows.
type Report struct {
	// Errors lists every problem in line order, at most Options.MaxErrors
	// of them; Omitted counts the problems found beyond those. Summary
	// renders both for people, ending with "and N more problems".
	Errors  []LineError
	Omitted int
	// Duplicates counts rows dropped because an identical row (same external
	// id, same values once normalised) came earlier in the file.
	Duplicates int
	// Lines is the number of lines read, blank ones included.
	Lines int
	// Encoding is EncodingUTF8, EncodingUTF8BOM or EncodingWindows1252.
	Encoding string
	// Separator is ",", ";" or "\t".
	Separator string
	// Header holds the column names as written in the file.
	Header []string
}

// Err is nil when the file has no problem, otherwise a *payments.Error (code
// invalid) that counts the problems and quotes the first. An import is
// all-or-nothing: callers must load nothing when Err is not nil.
func (r *Report) Err() error {
	return problemsError(r.Errors, r.Omitted)
}

// Summary lists the problems for people, one a line ("line 12: valor \"abc\"
// is not an amount ..."), ending with "and N more problems" when the list
// was capped; "" when there is none.
func (r *Report) Summary() string {
	var b strings.Builder
	for _, e := range r.Errors {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "and %d more problems\n", r.Omitted)
	}
	return b.String()
}

// DebtorRow is a valid debtor and the line it starts on.
type DebtorRow struct {
	Line   int
	Debtor payments.Debtor
}

// DebtorBatch is a parsed debtors file: the valid rows, in file order, and
// the report with every problem.
type DebtorBatch struct {
	Rows []DebtorRow
	Report
}

// ChargeRow is a valid charge and the line it starts on.
type ChargeRow struct {
	Line   int
	Charge payments.Charge
}

// ChargeBatch is a parsed charges file: the valid rows, in file order, and
// the report with every problem.
type ChargeBatch struct {
	Rows []ChargeRow
	Report
}

// ParseDebtors reads a debtors CSV file (SPEC "CSV files": external_id, name,
// document, phone, and optionally email and preferred_channel) in one pass.
// Each line is checked with DebtorFromFields; the rows that pass are in
// Rows, every problem is in Errors. A row whose external_id repeats an
// earlier one is an error on the later line, unless the two rows are the
// same (then the later is dropped and counted in Duplicates).
//
// The error is a *FileError when the file cannot be checked line by line
// (see the package documentation), or a wrapped read error of r.
func ParseDebtors(r io.Reader, opts Options) (*DebtorBatch, error) {
	rows, rep, err := parse(r, opts, "debtors", debtorColumns, "charges", chargeColumns,
		func(get func(int) string) (payments.Debtor, []FieldError) {
			return DebtorFromFields(DebtorFields{
				ExternalID:       get(0),
				Name:             get(1),
				Document:         get(2),
				Phone:            get(3),
				Email:            get(4),
				PreferredChannel: get(5),
				State:            get(6),
			})
		},
		func(line int, d payments.Debtor) DebtorRow { return DebtorRow{Line: line, Debtor: d} },
		func(row *DebtorRow, d payments.Debtor) bool { return sameDebtor(&row.Debtor, &d) },
	)
	if err != nil {
		return nil, err
	}
	return &DebtorBatch{Rows: rows, Report: rep}, nil
}

// ParseCharges reads a charges CSV file (SPEC "CSV files": external_id,
// debtor_external_id, amount, due_date, and optionally description) in one
// pass, checking each line with ChargeFromFields. Results and errors are as
// for ParseDebtors. Whether each debtor exists is for the loader to check.
func ParseCharges(r io.Reader, opts Options) (*ChargeBatch, error) {
	rows, rep, err := parse(r, opts, "charges", chargeColumns, "debtors", debtorColumns,
		func(get func(int) string) (payments.Charge, []FieldError) {
			return ChargeFromFields(ChargeFields{
				ExternalID:       get(0),
				DebtorExternalID: get(1),
				Description:      get(2),
				Amount:           get(3),
				DueDate:          get(4),
			})
		},
		func(line int, c payments.Charge) ChargeRow { return ChargeRow{Line: line, Charge: c} },
		func(row *ChargeRow, c payments.Charge) bool { return sameCharge(&row.Charge, &c) },
	)
	if err != nil {
		return nil, err
	}
	return &ChargeBatch{Rows: rows, Report: rep}, nil
}

func sameDebtor(a, b *payments.Debtor) bool {
	return a.ExternalID == b.ExternalID && a.Name == b.Name && a.Document == b.Document &&
		a.DocumentKind == b.DocumentKind && slices.Equal(a.Phones, b.Phones) &&
		a.Email == b.Email && a.PreferredChannel == b.PreferredChannel && a.State == b.State
}

func sameCharge(a, b *payments.Charge) bool {
	return a.ExternalID == b.ExternalID && a.DebtorExternalID == b.DebtorExternalID &&
		a.Description == b.Description && a.Amount == b.Amount && a.DueDate.Equal(b.DueDate)
}

// seenID is where an external id first appeared: its line and its index in
// the rows, or -1 when that row was invalid.
type seenID struct {
	line, row int
}

// parse is the CSV half shared by both kinds. Column 0 of every kind is
// external_id.
func parse[T, R any](
	r io.Reader, opts Options, kind string, cols []column, otherKind string, otherCols []column,
	build func(get func(int) string) (T, []FieldError),
	mkRow func(line int, v T) R,
	same func(prev *R, v T) bool,
) ([]R, Report, error) {
	var rep Report
	maxErrs := opts.MaxErrors
	if maxErrs <= 0 {
		maxErrs = DefaultMaxErrors
	}
	addErr := func(e LineError) {
		if len(rep.Errors) < maxErrs {
			rep.Errors = append(rep.Errors, e)
		} else {
			rep.Omitted++
		}
	}

	src, err := newLineSource(r, opts.Progress)
	if err != nil {
		return nil, rep, err
	}
	// The first line with text is the header; it decides the separator.
	// Lines before it that are blank, or only separators as spreadsheets
	// write empty rows, are skipped.
	var first []byte
	for {
		first, err = src.next()
		if errors.Is(err, io.EOF) {
			return nil, rep, &FileError{Message: "the file is empty"}
		}
		if err != nil {
			return nil, rep, err
		}
		if len(bytes.Trim(first, " \t,;\"")) > 0 {
			break
		}
	}
	if bytes.IndexByte(first, 0) >= 0 {
		return nil, rep, &FileError{Line: src.line, Message: "holds NUL bytes: the file is UTF-16 or binary, not CSV text; save it as \"CSV UTF-8\""}
	}
	if bytes.IndexByte(first, '\r') >= 0 {
		return nil, rep, &FileError{Line: src.line, Message: "lines end in a lone carriage return (old Mac format); save the file again as \"CSV UTF-8\""}
	}
	rr := &recordReader{src: src, sep: detectSeparator(first), pending: first, hasPending: true}
	rep.Separator = string(rr.sep)
	rec, headerLine, err := rr.read()
	var qe *quoteError
	if errors.As(err, &qe) {
		return nil, rep, &FileError{Line: headerLine, Message: "the header has a stray quote"}
	}
	if err != nil {
		return nil, rep, err
	}
	h, err := matchHeader(cols, rec)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.Line = headerLine
			if _, otherErr := matchHeader(otherCols, rec); otherErr == nil {
				fe.Message = fmt.Sprintf("this is a %s file, not a %s file: its header is %s", otherKind, kind, quoteList(trimAll(rec)))
			}
		}
		return nil, rep, err
	}
	rep.Header = slices.Clone(h.names)
	fieldName := make(map[string]string, len(cols)) // SPEC field → column as written
	for ci, c := range cols {
		if h.fieldCol[ci] >= 0 {
			fieldName[c.field] = h.names[h.fieldCol[ci]]
		}
	}
	columnOf := func(field string) string {
		if n, ok := fieldName[field]; ok {
			return n
		}
		return field
	}

	var rows []R
	seen := make(map[string]seenID)
	records := 0
	var fields []string
	get := func(ci int) string {
		if i := h.fieldCol[ci]; i >= 0 && i < len(fields) {
			return fields[i]
		}
		return ""
	}
	for {
		var line int
		fields, line, err = rr.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &qe) {
			records++
			col, field := "", ""
			if qe.field < len(h.names) {
				col = h.names[qe.field]
				if ci := h.colField[qe.field]; ci >= 0 {
					field = cols[ci].field
				}
			}
			addErr(LineError{Line: line, Column: col, Field: field, Reason: `has a stray quote after a quoted value (inside quotes, write a quote as "")`})
			continue
		}
		if err != nil {
			return nil, rep, err
		}
		if allBlank(fields) {
			continue // Excel writes empty rows as ";;;;"
		}
		records++
		if len(fields) != len(h.names) && !(len(fields) > len(h.names) && allBlank(fields[len(h.names):])) {
			reason := fmt.Sprintf("has %d values but the header has %d columns", len(fields), len(h.names))
			if len(fields) > len(h.names) {
				reason += fmt.Sprintf(` (a value that holds %q must be in quotes)`, rep.Separator)
			}
			addErr(LineError{Line: line, Reason: reason})
			continue
		}
		bad := false
		for i, f := range fields[:len(h.names)] {
			if h.colField[i] < 0 && trim(f) != "" {
				addErr(LineError{Line: line, Column: fmt.Sprintf("column %d", i+1), Value: shorten(trim(f)), Reason: "has a value but no name in the header"})
				bad = true
			}
		}
		v, ferrs := build(get)
		for _, fe := range ferrs {
			addErr(LineError{Line: line, Column: columnOf(fe.Field), Field: fe.Field, Value: fe.Value, Reason: fe.Reason})
		}
		bad = bad || len(ferrs) > 0

		id := trim(get(0))
		if id == "" {
			continue
		}
		if prev, ok := seen[id]; ok {
			if !bad && prev.row >= 0 && same(&rows[prev.row], v) {
				rep.Duplicates++
				continue
			}
			addErr(LineError{Line: line, Column: columnOf(FieldExternalID), Field: FieldExternalID, Value: shorten(id),
				Reason: fmt.Sprintf("is already used on line %d", prev.line)})
			continue
		}
		if bad {
			seen[id] = seenID{line: line, row: -1}
			continue
		}
		seen[id] = seenID{line: line, row: len(rows)}
		if len(rows) == cap(rows) {
			// Double: append's gentler growth for large slices copies
			// these big rows several times over on a 100,000-line file.
			rows = slices.Grow(rows, max(len(rows), 256))
		}
		rows = append(rows, mkRow(line, v))
	}
	rep.Lines = src.line
	rep.Encoding = src.encoding()
	if opts.Progress != nil {
		opts.Progress(src.line)
	}
	if records == 0 {
		return nil, rep, &FileError{Message: "the file has a header but no rows"}
	}
	return rows, rep, nil
}

func trimAll(rec []string) []string {
	names := make([]string, len(rec))
	for i, r := range rec {
		names[i] = trim(r)
	}
	return names
}

func allBlank(fields []string) bool {
	for _, f := range fields {
		if trim(f) != "" {
			return false
		}
	}
	return true
}
