package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/regua/regua/internal/app"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/intake"
)

// settings loads .env and the environment as the tools need them (no Pix
// or business settings required); a bad setting is one line.
func settings(stderr io.Writer) (*config.Config, bool) {
	return loadSettings(stderr, config.LoadTool)
}

// serveSettings are settings as `regua serve` needs them: production ones
// required unless REGUA_DEMO=true.
func serveSettings(stderr io.Writer) (*config.Config, bool) {
	return loadSettings(stderr, config.Load)
}

func loadSettings(stderr io.Writer, load func(func(string) string) (*config.Config, error)) (*config.Config, bool) {
	if err := config.LoadDotEnv(".env"); err != nil {
		fmt.Fprintf(stderr, "regua: .env: %v\n", err)
		return nil, false
	}
	cfg, err := load(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "regua: setting %v\n", err)
		return nil, false
	}
	return cfg, true
}

func logger(stderr io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("REGUA_LOG_LEVEL") == "debug" {
		level = slog.LevelDebug
	}
	return app.NewLogger(stderr, level)
}

func serveCommand(ctx context.Context, stderr io.Writer) int {
	cfg, ok := serveSettings(stderr)
	if !ok {
		return 1
	}
	log := logger(stderr)
	m, err := app.Open(ctx, cfg, log, nil)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	defer m.Close()
	if cfg.Demo {
		fmt.Fprintf(stderr, "\n  DEMONSTRATION: Régua is running in demo mode (REGUA_DEMO=true).\n"+
			"  Made-up debtors, a fake Pix key unless REGUA_PIX_KEY is set, and a web chat open to anyone\n"+
			"  that shows every debtor. Never run it like this for real debtors.\n"+
			"  Web chat (be a debtor): %s/chat\n  API: %s/api/v1 (create a key with: regua apikey add --name me)\n"+
			"  Staff console: %s/console (demo users admin@regua.demo, supervisor@regua.demo, atendente@regua.demo; password %s)\n\n",
			cfg.PublicURL, cfg.PublicURL, cfg.PublicURL, app.DemoConsolePassword)
	}
	if addr := os.Getenv("REGUA_DEBUG_ADDR"); addr != "" {
		// Profiling for operators (go tool pprof http://ADDR/debug/pprof/profile).
		go func() { log.Warn("debug listener stopped", "err", http.ListenAndServe(addr, nil)) }()
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	return 0
}

func migrateCommand(ctx context.Context, stderr io.Writer) int {
	cfg, ok := settings(stderr)
	if !ok {
		return 1
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool, logger(stderr)); err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	fmt.Fprintln(stderr, "migrations applied")
	return 0
}

// openStore opens the database (migrated) for the command-line tools.
func openStore(ctx context.Context, stderr io.Writer) (*payments.Store, *config.Config, func(), bool) {
	cfg, ok := settings(stderr)
	if !ok {
		return nil, nil, nil, false
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return nil, nil, nil, false
	}
	if err := postgres.Migrate(ctx, pool, nil); err != nil {
		pool.Close()
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return nil, nil, nil, false
	}
	ledger := payments.NewLedger(pool, nil, cfg.Location, payments.DefaultLateFeeRules, time.Now)
	return payments.NewStore(ledger), cfg, pool.Close, true
}

func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || (args[0] != "debtors" && args[0] != "charges") {
		fmt.Fprintln(stderr, "usage: regua import debtors|charges FILE.csv")
		return 2
	}
	kind, path := args[0], args[1]
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "regua: %v\n", err)
		return 1
	}
	defer f.Close()
	store, _, closeDB, ok := openStore(ctx, stderr)
	if !ok {
		return 1
	}
	defer closeDB()
	start := time.Now()
	progress := func(lines int) { fmt.Fprintf(stderr, "\r  %d lines read…", lines) }
	res, err := intake.Load(ctx, store, kind, f, path, "cli", intake.Options{Progress: progress})
	if err != nil {
		fmt.Fprintln(stderr)
		var p *intake.Problems
		if errors.As(err, &p) {
			fmt.Fprintf(stderr, "%s: %s\n", path, p.Error())
			for _, l := range p.Lines {
				fmt.Fprintf(stderr, "  %s\n", l.Error())
			}
			if p.Omitted > 0 {
				fmt.Fprintf(stderr, "  … and %d more\n", p.Omitted)
			}
			return 1
		}
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
		return 1
	}
	fmt.Fprintf(stderr, "\r")
	fmt.Fprintf(stdout, "%s: %d rows: %d new, %d updated, %d unchanged (%.1fs)\n", kind, res.Rows, res.Inserted, res.Updated, res.Unchanged, time.Since(start).Seconds())
	return 0
}

// plansMain simulates with the policy stored in the database (the one the
// service uses); help and usage errors need no database.
func plansMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, ok := settings(stderr)
	if !ok {
		return 1
	}
	policy := payments.DefaultPolicy()
	if len(args) > 0 && args[0] == "simulate" && !slices.ContainsFunc(args[1:], func(a string) bool {
		return a == "-h" || a == "-help" || a == "--help"
	}) {
		store, _, closeDB, ok := openStore(ctx, stderr)
		if !ok {
			return 1
		}
		defer closeDB()
		var err error
		if policy, err = payments.NewPolicyStore(store.Pool(), nil).Current(ctx); err != nil {
			fmt.Fprintf(stderr, "regua plans simulate: %v\n", err)
			return 1
		}
	}
	return plansCommand(args, policy, time.Now(), cfg.Location, stdout, stderr)
}

func versionCommand(stdout io.Writer) int {
	fmt.Fprintf(stdout, "regua %s\n", app.Version)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(stdout, "go %s\n", bi.GoVersion)
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.time" {
				fmt.Fprintf(stdout, "%s %s\n", s.Key, s.Value)
			}
		}
	}
	return 0
}
