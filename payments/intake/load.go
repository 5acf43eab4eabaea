package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/regua/regua/payments"
)

// Problems is an import refused as a whole: every bad line with its reason.
type Problems struct {
	Lines   []LineError
	Omitted int // problems beyond the listed ones
}

func (p *Problems) Error() string {
	n := len(p.Lines) + p.Omitted
	if n == 1 {
		return "1 bad line; nothing was imported"
	}
	return fmt.Sprintf("%d bad lines; nothing was imported", n)
}

// Unwrap lets callers treat Problems as an invalid-input error.
func (p *Problems) Unwrap() error {
	return &payments.Error{Code: payments.EINVALID, Message: p.Error()}
}

// Load parses a CSV of kind "debtors" or "charges" and applies it through
// store, all or nothing: any bad line (in the file, or against the database,
// such as an unknown debtor) refuses the whole file with *Problems.
func Load(ctx context.Context, store *payments.Store, kind string, r io.Reader, filename, actor string, opts Options) (payments.ImportResult, error) {
	switch kind {
	case "debtors":
		b, err := ParseDebtors(r, opts)
		if err != nil {
			return payments.ImportResult{}, err
		}
		if len(b.Errors) > 0 {
			return payments.ImportResult{}, &Problems{Lines: b.Errors, Omitted: b.Omitted}
		}
		ds := make([]payments.Debtor, len(b.Rows))
		for i, row := range b.Rows {
			ds[i] = row.Debtor
		}
		return store.ImportDebtors(ctx, ds, actor, filename)
	case "charges":
		b, err := ParseCharges(r, opts)
		if err != nil {
			return payments.ImportResult{}, err
		}
		cs := make([]payments.Charge, len(b.Rows))
		for i, row := range b.Rows {
			cs[i] = row.Charge
		}
		var res payments.ImportResult
		if len(b.Errors) > 0 {
			// Also report what the database would refuse among the good lines.
			err = store.CheckCharges(ctx, cs)
		} else {
			res, err = store.ImportCharges(ctx, cs, actor, filename)
		}
		var rerrs payments.RowErrors
		if errors.As(err, &rerrs) || len(b.Errors) > 0 {
			p := &Problems{Lines: b.Errors, Omitted: b.Omitted}
			for _, e := range rerrs {
				row := b.Rows[e.Index]
				value := row.Charge.DebtorExternalID
				if e.Field == "amount" {
					value = row.Charge.Amount.Decimal()
				} else if e.Field == "due_date" {
					value = row.Charge.DueDate.Format("2006-01-02")
				}
				p.Lines = append(p.Lines, LineError{Line: row.Line, Column: e.Field, Field: e.Field, Value: value, Reason: e.Reason})
			}
			sort.SliceStable(p.Lines, func(i, j int) bool { return p.Lines[i].Line < p.Lines[j].Line })
			return payments.ImportResult{}, p
		}
		return res, err
	}
	return payments.ImportResult{}, payments.Invalid("kind", "%q is not debtors or charges", kind)
}
