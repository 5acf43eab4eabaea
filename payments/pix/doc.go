// Package pix writes and reads Pix BR Codes (the "copia e cola" text and the
// QR code that carries it), validates Pix keys and builds the txids Régua
// uses to tie an incoming payment back to a charge or an installment.
//
// A BR Code is EMV QRCPS merchant-presented TLV text, as the Banco Central's
// "Manual de Padrões para Iniciação do Pix" specifies: two-digit ID, two-digit
// length, value; field 26 holds the Pix GUI and either the key (static) or
// the location URL (dynamic); field 63 is a CRC-16/CCITT-FALSE over
// everything before its value. Encode writes one; Decode reads one and
// returns errors that errors.Is can tell apart (ErrCRC, ErrLength,
// ErrMissingField, ErrGUI, ErrTooLong, ErrFormatIndicator, ErrAmount, ...),
// wrapped in *Error, which names the field and the position. Encode is
// strict: it writes only what the manual allows and the DICT would find.
// Decode reads what banks print: every structurally valid code (TLV, CRC,
// mandatory fields, a Pix GUI in a merchant account template) is read, and
// what Régua would not write (a txid with a hyphen, a phone key that is not
// a mobile, field 26 without a key beside a Pix Automático recurrence, a
// long city, accents) is reported in Payload.Warnings; fields it does not
// read (other networks' templates, 62.50, 80-99) are kept raw in
// Payload.Unknown.
//
// # Txid scheme
//
// Régua's own txids are upper-case ASCII:
//
//	"RG" + KIND + ID + CC
//
// KIND is 1 to 6 letters naming what is being paid (TxIDKindCharge "CHG",
// TxIDKindInstallment "INST", or any other letters the caller picks), ID is
// the decimal database id (zero-padded when the txid must be longer) and CC
// are two check digits, ISO 7064 MOD 97-10 over everything before them, each
// character one base-100 digit (0..9 as 00..09, A..Z as 10..35), so any one
// mistyped character or swapped pair is caught. Charge 42 is "RGCHG4284" as
// a static txid and "RGCHG000000000000000004239" for the API Pix. NewTxID writes the short form for static BR Codes (at most 25
// characters, so an ID of up to 25-2-len(KIND)-2 digits); NewAPITxID writes
// the same thing zero-padded to 26 characters, the API Pix minimum (the two
// rules cannot both hold for one string: static txids are at most 25
// characters, API Pix ones at least 26). ParseTxID reads either form back
// into KIND and ID and refuses anything whose check digits are wrong, so a
// txid made by another system, or mistyped, is never tied to a charge.
// Stored charges depend on these strings: TestTxIDScheme pins them, and the
// scheme must not change.
//
// # What this package must never do
//
// It is pure: no network, no database, no clock, no logging, no package
// state that changes. It never uses floats for money: amounts are
// payments.Cents, parsed digit by digit. It never trusts a decoded BR Code's
// amount or key as proof of payment: only the provider's notification
// (end-to-end id and amount) credits the ledger. And it never "repairs" a
// payload it reads: a code with a wrong CRC, broken TLV, a missing mandatory
// field, a currency other than the real or an unreadable amount is refused,
// not guessed at; anything else is reported as it is, with warnings.
package pix
