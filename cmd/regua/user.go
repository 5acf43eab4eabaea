package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/payments"
)

// userCommand is `regua user add --email E --role agent|supervisor|admin`:
// the password is read from the first line of stdin (never from a flag,
// which would leave it in the shell's history and the process list).
func userCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: regua user add --email E --role agent|supervisor|admin  (password on stdin)")
		return 2
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the user's email (their login)")
	role := fs.String("role", "", "agent, supervisor or admin")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *email == "" || *role == "" {
		fmt.Fprintln(stderr, "regua user add: --email and --role are required")
		return 2
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "regua user add: reading the password from stdin: %v\n", err)
		return 1
	}
	password := strings.TrimRight(line, "\r\n")
	if len([]rune(password)) < console.MinPasswordLen {
		fmt.Fprintf(stderr, "regua user add: the password (read from stdin) must have at least %d characters\n", console.MinPasswordLen)
		return 1
	}
	store, _, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	u, err := console.CreateUser(ctx, store.Pool(), *email, *role, password, "cli")
	if err != nil {
		msg := err.Error()
		var pe *payments.Error
		if errors.As(err, &pe) {
			msg = pe.Message
			if pe.Field != "" {
				msg = "--" + pe.Field + " " + msg
			}
		}
		fmt.Fprintf(stderr, "regua user add: %s\n", msg)
		return 1
	}
	fmt.Fprintf(stdout, "user %s (%s) created\n", u.Email, u.Role)
	return 0
}
