package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/pix"
)

const pixUsage = `usage:
  regua pix encode --key K --name N --city C [--amount 12.34] [--txid T] [--description D]
                   [--postal-code CEP] [--url LOCATION]
  regua pix decode PAYLOAD

encode prints a BR Code (Pix copia e cola). Without --amount the payer types
the amount. --url makes a dynamic code (the PSP's location, instead of --key).
decode prints the fields of a BR Code as JSON; quote the payload, it may hold
spaces. Every structurally valid code is read: what Régua would not write
(a txid with a hyphen, a key the DICT would not hold as written, ...) is
listed in "warnings", fields it does not read in "unknown_fields".
`

// pixFlags names, for a BR Code field, the encode flag that set it.
var pixFlags = map[string]string{
	"26.01": "--key", "26.02": "--description", "26.25": "--url", "54": "--amount",
	"59": "--name", "60": "--city", "61": "--postal-code", "62.05": "--txid",
}

// pixCommand runs "regua pix …"; args are the words after "pix". It returns
// the exit status: 0 on success, 1 for a payload or code that is wrong, 2
// for a bad command line.
func pixCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "regua pix: missing subcommand (want encode or decode)")
		return 2
	}
	switch args[0] {
	case "encode":
		return pixEncode(args[1:], stdout, stderr)
	case "decode":
		return pixDecode(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, pixUsage)
		return 0
	}
	fmt.Fprintf(stderr, "regua pix: unknown subcommand %q (want encode or decode)\n", args[0])
	return 2
}

func pixEncode(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("regua pix encode", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, on one line
	var p pix.Payload
	fs.StringVar(&p.Key, "key", "", "Pix key: CPF, CNPJ, e-mail, +55 phone or random key")
	fs.StringVar(&p.MerchantName, "name", "", "receiver's name (accents removed, cut to 25)")
	fs.StringVar(&p.MerchantCity, "city", "", "receiver's city (accents removed, cut to 15)")
	fs.StringVar(&p.TxID, "txid", "", "transaction id: up to 25 letters and digits")
	fs.StringVar(&p.Description, "description", "", "message shown to the payer")
	fs.StringVar(&p.PostalCode, "postal-code", "", "receiver's CEP")
	fs.StringVar(&p.URL, "url", "", "location of a dynamic charge, from the PSP")
	fs.Func("amount", "amount, e.g. 12.34 (omit for an open amount)", func(s string) error {
		// "1.234" is R$ 1.234,00 to ParseCents but may be a typo of 1.23;
		// a Pix amount is too important to guess.
		t := strings.TrimSpace(s)
		if i := strings.LastIndexAny(t, ".,"); i >= 0 && strings.Count(t, ".")+strings.Count(t, ",") == 1 && len(t)-i-1 == 3 {
			return fmt.Errorf("%q is ambiguous: write %s.00 or %s.%s", s, t[:i]+t[i+1:], t[:i], t[i+1:i+3])
		}
		v, err := payments.ParseCents(s)
		if err != nil {
			return err
		}
		if v <= 0 {
			return errors.New("must be more than zero")
		}
		p.Amount = v
		return nil
	})
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "regua pix encode: "+format+"\n", args...)
		return 2
	}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, pixUsage)
		return 0
	case err != nil:
		return fail("%v", err)
	case fs.NArg() > 0:
		return fail("unexpected argument %q", fs.Arg(0))
	case p.Key == "" && p.URL == "":
		return fail("--key is required")
	case strings.TrimSpace(p.MerchantName) == "":
		return fail("--name is required")
	case strings.TrimSpace(p.MerchantCity) == "":
		return fail("--city is required")
	}
	code, err := pix.Encode(p)
	if err != nil {
		var pe *pix.Error
		if errors.As(err, &pe) && pixFlags[pe.Field] != "" {
			fmt.Fprintf(stderr, "regua pix encode: %s: %v\n", pixFlags[pe.Field], pe.Err)
		} else {
			fmt.Fprintf(stderr, "regua pix encode: %v\n", err)
		}
		return 1
	}
	fmt.Fprintln(stdout, code)
	return 0
}

func pixDecode(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("regua pix decode", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, pixUsage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "regua pix decode: %v\n", err)
		return 2
	case fs.NArg() == 0:
		fmt.Fprintln(stderr, "regua pix decode: missing PAYLOAD")
		return 2
	}
	// An unquoted payload arrives split at its spaces ("Fulano de Tal");
	// put it back together. Surrounding white space is the terminal's.
	payload := strings.TrimSpace(strings.Join(fs.Args(), " "))
	p, err := pix.Decode(payload)
	if err != nil {
		fmt.Fprintf(stderr, "regua pix decode: %v\n", err)
		return 1
	}
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "regua pix decode: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", out)
	return 0
}
