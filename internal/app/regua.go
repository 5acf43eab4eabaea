package app

import (
	"context"
	"net/http"
	"time"

	"github.com/regua/regua/bot/email"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/reminders"
)

// openRegua builds the régua (cadence store, planner, dispatcher with its
// channels) before the River client that runs it.
func (m *Main) openRegua() error {
	cfg := m.Config
	m.ReguaConfigs = reminders.NewConfigStore(m.Pool)
	now, speed := m.Now, 1.0
	if cfg.Demo && cfg.Regua.DemoDay > 0 && cfg.Regua.DemoDay < 24*time.Hour {
		now, speed = reminders.Compressed(m.Now, cfg.Regua.DemoDay)
	}
	d := &reminders.Dispatcher{Pool: m.Pool, Bot: m.Bot, Configs: m.ReguaConfigs, Ledger: m.Ledger, Log: m.Log, Loc: cfg.Location,
		Now: now, Speed: speed, Metrics: reminders.NewMetrics(m.registry), Business: cfg.BusinessName, Document: conversations.FormatDocument(cfg.BusinessDocument),
		Webchat: cfg.Demo, Demo: cfg.Demo}
	if cfg.Regua.SMTPURL != "" {
		snd, err := email.New(email.Config{URL: cfg.Regua.SMTPURL, From: cfg.Regua.MailFrom, BusinessName: cfg.BusinessName,
			BusinessDocument: cfg.BusinessDocument, PublicURL: cfg.PublicURL, Secret: cfg.WebhookSecret})
		if err != nil {
			return err
		}
		d.Mail = snd
	}
	d.Telegram = func(ctx context.Context, debtorID int64) (string, bool, error) {
		if m.Telegram == nil {
			return "", false, nil
		}
		return telegram.Reachable(ctx, m.Pool, debtorID)
	}
	d.Link = func(ctx context.Context, debtorID int64, phone string) string {
		if m.Telegram != nil {
			if l, err := m.Telegram.DeepLink(ctx, debtorID); err == nil {
				return l
			}
		}
		if cfg.Demo && phone != "" {
			return cfg.PublicURL + "/chat#" + phone
		}
		return ""
	}
	every := cfg.Regua.Every
	if cfg.Demo && every > 15*time.Second { // the compressed clock needs a faster planner
		every = 15 * time.Second
	}
	planner := reminders.NewPlanner(m.Pool, m.ReguaConfigs, cfg.Location)
	planner.Speed = speed
	m.Regua = &reminders.Regua{Planner: planner, Dispatcher: d, Every: every, Log: m.Log}
	return nil
}

// registerRegua mounts the régua's API and the email unsubscribe link.
func (m *Main) registerRegua(mux *http.ServeMux, api *httpapi.Server) {
	api.RegisterRegua(mux, httpapi.ReguaDeps{Configs: m.ReguaConfigs})
	mux.Handle("/unsubscribe/{token}", email.Handler(m.Config.WebhookSecret, func(ctx context.Context, id int64) error {
		return reminders.OptOutEmail(ctx, m.Pool, id)
	}))
}
