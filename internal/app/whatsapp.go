package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/whatsapp"
	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/payments"
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

// whatsAppPairing serves the pairing API from the channel.
type whatsAppPairing struct {
	ch   *whatsapp.Channel
	pool *pgxpool.Pool
}

func (p whatsAppPairing) WhatsAppStatus(ctx context.Context) (any, error) {
	st, err := p.ch.State(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"state": st.State, "usable": st.Usable, "detail": st.Detail, "changed_at": st.ChangedAt,
		"held_by_this_replica": p.ch.Holding()}
	if st.Number != "" {
		out["number"] = "+" + st.Number
	}
	if st.PairedAt != nil {
		out["paired_at"] = st.PairedAt
	}
	return out, nil
}

func (p whatsAppPairing) WhatsAppPair(ctx context.Context, phone string, show func(event, code string, valid time.Duration)) (string, error) {
	jid, err := p.ch.Pair(ctx, phone, func(ev whatsapp.PairEvent) { show(ev.Event, ev.Code, ev.Timeout) })
	if err != nil {
		return "", pairingError(err)
	}
	return "+" + jid.User, nil
}

func (p whatsAppPairing) WhatsAppLogout(ctx context.Context) error {
	return pairingError(p.ch.Logout(ctx))
}

func (p whatsAppPairing) WhatsAppMedia(ctx context.Context, id int64) (string, string, []byte, error) {
	mt, name, data, err := whatsapp.ReadMedia(ctx, p.pool, id)
	if errors.Is(err, whatsapp.ErrNoMedia) {
		return "", "", nil, payments.Errorf(payments.ENOTFOUND, "no file %d", id)
	}
	return mt, name, data, err
}

// pairingError gives the API's codes to the channel's refusals.
func pairingError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, whatsapp.ErrNotHolder):
		return payments.Errorf(payments.ECONFLICT, "%s; ask again (another replica holds it) or use `regua whatsapp pair`", err.Error())
	case errors.Is(err, whatsapp.ErrAlreadyPaired):
		return payments.Errorf(payments.ECONFLICT, "%s", err.Error())
	case errors.Is(err, whatsapp.ErrBadPhone):
		return payments.Invalid("phone", "%s", err.Error())
	}
	return err
}

// registerWhatsApp mounts the pairing API when WhatsApp is on.
func (m *Main) registerWhatsApp(mux *http.ServeMux, api *httpapi.Server) {
	if m.WhatsApp != nil {
		pairing := whatsAppPairing{ch: m.WhatsApp, pool: m.Pool}
		api.RegisterWhatsApp(mux, pairing)
		if m.Console != nil {
			m.Console.WhatsApp = m.Console.NewWhatsAppSettings(pairing)
			if m.Console.Media == nil {
				m.Console.Media = map[string]console.MediaFetcher{}
			}
			m.Console.Media["whatsapp-media:"] = whatsAppMedia{m.Pool}
		}
	}
}

// whatsAppMedia gives the console the files debtors sent on WhatsApp (a
// receipt's image), by their whatsapp-media:ID reference.
type whatsAppMedia struct{ pool *pgxpool.Pool }

func (w whatsAppMedia) FetchMedia(ctx context.Context, ref string) (string, []byte, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(ref, "whatsapp-media:"), 10, 64)
	if err != nil {
		return "", nil, payments.Errorf(payments.ENOTFOUND, "comprovante não encontrado")
	}
	mt, _, data, err := whatsapp.ReadMedia(ctx, w.pool, id)
	if errors.Is(err, whatsapp.ErrNoMedia) {
		return "", nil, payments.Errorf(payments.ENOTFOUND, "arquivo não encontrado")
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	return mt, data, err
}
