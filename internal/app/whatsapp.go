package app

import (
	"context"
	"fmt"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/whatsapp"
	"github.com/regua/regua/internal/postgres"
)

// WhatsAppBudgets are the governor's budgets from the settings.
func (m *Main) WhatsAppBudgets() whatsapp.Budgets {
	s := m.Config.WhatsAppSettings
	return whatsapp.Budgets{Gap: s.Gap, Jitter: s.Jitter, ReplyGap: s.ReplyGap, PerMinute: s.PerMinute, PerHour: s.PerHour,
		PerDay: s.PerDay, StartedDay: s.StartedPerDay, WarmupStart: s.WarmupStart, ColdPerDay: s.ColdDay}
}

// openWhatsApp builds the WhatsApp channel when REGUA_WHATSAPP=on and makes
// its sender the one every WhatsApp message goes through (queued in the
// outbox; the replica holding the connection delivers through the
// governor).
func (m *Main) openWhatsApp() error {
	if !m.Config.WhatsApp {
		return nil
	}
	b := m.WhatsAppBudgets()
	if err := b.Check(); err != nil {
		return err
	}
	ch, err := whatsapp.New(whatsapp.Config{
		Service: m.Bot, Pool: m.Pool, Log: m.Log, Now: m.Now, Loc: m.Config.Location, Budgets: b,
		MediaMax: int64(m.Config.WhatsAppSettings.MediaMaxMB) << 20,
		NewClient: func(ctx context.Context) (whatsapp.Client, error) {
			if m.WhatsAppClient != nil {
				return m.WhatsAppClient(ctx)
			}
			return whatsapp.Open(ctx, postgres.WhatsmeowStore(m.Pool), m.Log)
		},
	})
	if err != nil {
		return fmt.Errorf("whatsapp: %w", err)
	}
	m.WhatsApp = ch
	m.Bot.RegisterSender(bot.ChannelWhatsApp, ch.Sender())
	m.registry.MustRegister(ch.Collectors()...)
	return nil
}

// startWhatsApp takes part in the connection's lease.
func (m *Main) startWhatsApp() error {
	if m.WhatsApp == nil {
		return nil
	}
	return m.WhatsApp.Start(context.Background())
}

func (m *Main) closeWhatsApp() {
	if m.WhatsApp != nil {
		m.WhatsApp.Close()
	}
}

// degraded names what works only in part (WhatsApp down): /readyz says so
// and still answers 200, as the rest of Régua serves.
func (m *Main) degraded(ctx context.Context) map[string]string {
	if m.WhatsApp == nil {
		return nil
	}
	if err := m.WhatsApp.Ready(ctx); err != nil {
		return map[string]string{"whatsapp": err.Error()}
	}
	return nil
}
