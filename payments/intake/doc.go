// Package intake turns the CSV files businesses export (and the single
// records the REST API receives) into validated payments.Debtor and
// payments.Charge values. It is the pure half of an import: it reads, decodes
// and checks; it never touches the database, the network or the clock, so an
// import can be checked completely before anything is written.
//
// ParseDebtors and ParseCharges read a whole file in one streaming pass. They
// return a batch with every valid row and every problem found (an import is
// all-or-nothing, so callers refuse the file when the batch has any problem
// and show the staff the whole list at once), or a *FileError when the file
// as a whole cannot be read: empty, no data rows, a bad header, an encoding
// that is neither UTF-8 nor Windows-1252, a line over 1 MB, a quote never
// closed.
//
// DebtorFromFields and ChargeFromFields hold the rules for one record. The
// CSV path is built on them, and the REST API must call them too, so a debtor
// is valid or invalid in the same way whichever door it comes in by. The one
// difference is the amount: ChargeFromJSON (the JSON API) takes only the
// machine form "1234.56" (payments.ParseDecimal).
//
// Amounts in files: "1234.56", "1234,56", "1.234,56", "1,234.56",
// "1.234.567", "R$ 1.234,56", at most two decimals. A lone separator before
// exactly three digits ("1.500", "1,500") is refused as ambiguous (R$ 1.500,00
// or 1,50?) rather than guessed at; "0.100" has three decimals.
//
// What the files look like (SPEC "CSV files"): separator "," or ";" (or tab),
// detected from the header line; UTF-8 with or without BOM, or Windows-1252,
// detected from the bytes; header names in English or Portuguese, compared
// without regard to case, accents, spaces, underscores or hyphens.
//
// Dates: "2026-11-30", "30/11/2026", "30-11-2026", "30.11.2026", day and
// month with one or two digits, and two-digit years ("30/11/26"), which
// always mean 20YY: the accepted range is 2000-01-01 to 2100-12-31, so a
// two-digit year is never ambiguous. Slash dates are always day/month/year,
// as in Brazil, never the American month/day. A midnight time (" 00:00" or
// " 00:00:00"), as spreadsheets add to dates, is accepted and dropped; any
// other time is refused rather than guessed at.
//
// This package must never log or put in an error a full CPF, CNPJ or phone
// number: values of those columns are masked in every FieldError and
// LineError.
package intake
