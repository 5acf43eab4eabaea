package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/regua/regua/internal/httpapi"
)

const apikeyUsage = `usage:
  regua apikey add --name N                create a key (printed once)
  regua apikey list                        name, prefix, created, last used, revoked
  regua apikey revoke ID|PREFIX|NAME       revoke a key: it stops working at once`

func apikeyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, apikeyUsage)
		return 2
	}
	switch args[0] {
	case "add":
		return apikeyAdd(ctx, args[1:], stdout, stderr)
	case "list":
		if len(args) != 1 {
			fmt.Fprintln(stderr, apikeyUsage)
			return 2
		}
		return apikeyList(ctx, stdout, stderr)
	case "revoke":
		if len(args) != 2 {
			fmt.Fprintln(stderr, apikeyUsage)
			return 2
		}
		return apikeyRevoke(ctx, args[1], stdout, stderr)
	}
	fmt.Fprintf(stderr, "regua apikey: unknown subcommand %q\n%s\n", args[0], apikeyUsage)
	return 2
}

func apikeyAdd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apikey add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "what the key is for (e.g. erp)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if strings.TrimSpace(*name) == "" {
		fmt.Fprintln(stderr, "regua: --name is required")
		return 2
	}
	store, _, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	key, err := httpapi.CreateAPIKey(ctx, store.Pool(), *name)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, key)
	fmt.Fprintln(stderr, "Keep this key now: it is stored hashed and cannot be shown again.")
	return 0
}

// apikeyList prints the keys as a table; never a key, only its prefix.
func apikeyList(ctx context.Context, stdout, stderr io.Writer) int {
	store, cfg, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	keys, err := httpapi.ListAPIKeys(ctx, store.Pool())
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.In(cfg.Location).Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, at(&k.CreatedAt), at(k.LastUsedAt), at(k.RevokedAt))
	}
	tw.Flush()
	return 0
}

func apikeyRevoke(ctx context.Context, ref string, stdout, stderr io.Writer) int {
	store, _, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	k, err := httpapi.RevokeAPIKey(ctx, store.Pool(), ref, "cli")
	if err != nil {
		fmt.Fprintf(stderr, "regua apikey revoke: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "revoked key %d %q (%s) at %s\n", k.ID, k.Name, k.Prefix, k.RevokedAt.Format(time.RFC3339))
	return 0
}
