package app

import (
	"context"
	"net/http"

	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/internal/httpapi"
)

// registerConsole mounts the staff console at /console. Hooks for parts
// built elsewhere (the régua's reminders and settings, WhatsApp pairing,
// receipt media) are set on m.Console before Start.
func (m *Main) registerConsole(mux *http.ServeMux) {
	if m.Console == nil {
		cfg := m.Config
		m.Console = console.New(console.Deps{Pool: m.Pool, Bot: m.Bot, Sessions: m.Sessions, Ledger: m.Ledger, Store: m.Store,
			Plans: m.Plans, Policies: m.Policies, Billing: m.Billing, Log: m.Log, Now: m.Now, PublicURL: cfg.PublicURL,
			BusinessName: cfg.BusinessName, BusinessDocument: cfg.BusinessDocument, PixKey: cfg.PixKey, PixName: cfg.PixName, PixCity: cfg.PixCity,
			CreateAPIKey: func(ctx context.Context, name string) (string, error) { return httpapi.CreateAPIKey(ctx, m.Pool, name) }})
		if m.ReguaConfigs != nil {
			m.Console.Regua = m.Console.NewReguaSettings(m.ReguaConfigs)
			m.Console.Reminders = console.ReguaReminders{Pool: m.Pool}
		}
	}
	m.Console.Register(mux)
}

func (m *Main) closeConsole() {
	if m.Console != nil {
		m.Console.Close()
	}
}

// Demo console users (REGUA_DEMO=true only, and only into a database with
// no console user): one per role, sharing DemoConsolePassword, printed in
// the demonstration banner.
const DemoConsolePassword = "demonstracao-regua"

// DemoConsoleUsers are the demo users' emails by role.
var DemoConsoleUsers = []struct{ Email, Role string }{
	{"admin@regua.demo", console.RoleAdmin}, {"supervisor@regua.demo", console.RoleSupervisor}, {"atendente@regua.demo", console.RoleAgent},
}

func seedConsoleDemo(ctx context.Context, m *Main) error {
	var n int
	if err := m.Pool.QueryRow(ctx, "SELECT count(*) FROM console_users").Scan(&n); err != nil || n > 0 {
		return err
	}
	for _, u := range DemoConsoleUsers {
		if _, err := console.CreateUser(ctx, m.Pool, u.Email, u.Role, DemoConsolePassword, "demo"); err != nil {
			return err
		}
	}
	return nil
}
