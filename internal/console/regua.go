package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/conversations/regua"
	"github.com/regua/regua/internal/reminders"
	"github.com/regua/regua/payments"
)

// ReguaReminders reads the régua's reminders for the console: a debtor's
// attempts for the timeline and, for the KPIs, reply and payment rates by
// step and channel.
type ReguaReminders struct{ Pool *pgxpool.Pool }

var _ Reminders = ReguaReminders{}

var reminderStatus = map[string]string{"planned": "agendado", "sending": "enviando", "sent": "enviado", "delivered": "entregue",
	"read": "lido", "held": "retido", "failed": "falhou"}

// Attempts lists the debtor's last 300 reminders as timeline items.
func (r ReguaReminders) Attempts(ctx context.Context, debtorID int64) ([]TimelineItem, error) {
	rows, err := r.Pool.Query(ctx, `SELECT r.step, r.status, r.channel, r.reason, r.detail, coalesce(r.sent_at, r.updated_at)
		FROM reminders r WHERE r.debtor_id = $1 ORDER BY r.id DESC LIMIT 300`, debtorID)
	if err != nil {
		return nil, fmt.Errorf("console: reminders: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (TimelineItem, error) {
		var step, status, channel, reason, detail string
		var at time.Time
		err := row.Scan(&step, &status, &channel, &reason, &detail, &at)
		text := channelName(channel)
		if reason != "" {
			text = strings.TrimSpace(text + " " + reason)
		}
		if detail != "" {
			text += " (" + detail + ")"
		}
		st := reminderStatus[status]
		if st == "" {
			st = status
		}
		return TimelineItem{At: at, Kind: "reminder", Title: "Lembrete " + step + " · " + st, Text: text, Class: "reminder"}, err
	})
}

// StepStats counts the reminders sent in [from, to) by step and channel,
// those the debtor answered within three days (an inbound message on any
// of their chats) and those followed by a payment within seven.
func (r ReguaReminders) StepStats(ctx context.Context, from, to time.Time) ([]StepStat, error) {
	rows, err := r.Pool.Query(ctx, `
		SELECT r.step, r.channel, count(*),
		       count(*) FILTER (WHERE EXISTS (
		           SELECT 1 FROM conversations c JOIN LATERAL (
		               SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'
		                 AND m.created_at > r.sent_at AND m.created_at <= r.sent_at + interval '3 days' LIMIT 1) x ON true
		           WHERE c.debtor_id = r.debtor_id)),
		       count(*) FILTER (WHERE EXISTS (
		           SELECT 1 FROM payments p WHERE p.debtor_id = r.debtor_id AND p.paid_at > r.sent_at AND p.paid_at <= r.sent_at + interval '7 days'))
		FROM reminders r WHERE r.sent_at >= $1 AND r.sent_at < $2
		GROUP BY r.step_offset, r.step, r.channel ORDER BY r.step_offset, r.step, r.channel`, from, to)
	if err != nil {
		return nil, fmt.Errorf("console: step stats: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (StepStat, error) {
		var s StepStat
		err := row.Scan(&s.Step, &s.Channel, &s.Sent, &s.Replied, &s.Paid)
		return s, err
	})
}

// ReguaSettings is the admin's page for the régua's cadence: steps,
// templates, caps and contact hours (the JSON of PUT /api/v1/regua), with
// a live preview of every step's text.
type ReguaSettings struct {
	Configs *reminders.ConfigStore
	// Business and BusinessDocument fill the preview's texts.
	Business, BusinessDocument string
	render                     func(w http.ResponseWriter, r *http.Request, page string, status int, data map[string]any)
}

// Title implements SettingsSection.
func (s *ReguaSettings) Title() string { return "Régua: etapas, modelos e horários" }

// ServeSettings implements SettingsSection: GET shows, POST saves (or,
// with preview=1, renders the previews of the posted document alone).
func (s *ReguaSettings) ServeSettings(w http.ResponseWriter, r *http.Request, actor string) {
	ctx := r.Context()
	data := map[string]any{"Title": "Régua"}
	switch {
	case r.Method == http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "Formulário inválido.", http.StatusBadRequest)
			return
		}
		doc := r.PostFormValue("config")
		cfg, err := decodeRegua(doc)
		if err == nil {
			err = cfg.Validate()
		}
		if r.PostFormValue("preview") == "1" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if err != nil {
				w.WriteHeader(http.StatusUnprocessableEntity)
				fmt.Fprintf(w, `<p class="error">%s</p>`, template.HTMLEscapeString(payments.ErrorMessage(err)+detailOf(err)))
				return
			}
			w.Write([]byte(s.previews(cfg)))
			return
		}
		if err == nil {
			var v int64
			if v, err = s.Configs.Save(ctx, cfg, actor); err == nil {
				http.Redirect(w, r, "/console/settings/regua?ok="+urlQueryEscape(fmt.Sprintf("Régua salva (versão %d).", v)), http.StatusSeeOther)
				return
			}
		}
		data["Config"], data["Error"] = doc, payments.ErrorMessage(err)+detailOf(err)
		data["Previews"] = template.HTML("")
		s.render(w, r, "regua", http.StatusUnprocessableEntity, data)
		return
	case r.Method != http.MethodGet:
		http.Error(w, "método não permitido", http.StatusMethodNotAllowed)
		return
	}
	cfg, err := s.Configs.Current(ctx)
	if err != nil {
		http.Error(w, "Algo deu errado do nosso lado.", http.StatusInternalServerError)
		return
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	data["Config"], data["Version"], data["Flash"] = string(b), cfg.Version, r.URL.Query().Get("ok")
	data["Previews"] = template.HTML(s.previews(cfg))
	data["Hours"] = cfg.Hours
	data["States"] = cfg.States
	s.render(w, r, "regua", http.StatusOK, data)
}

func detailOf(err error) string {
	if err == nil {
		return ""
	}
	if f := payments.ErrorField(err); f != "" {
		return " (" + f + ")"
	}
	if payments.ErrorMessage(err) == "internal error" {
		return ": " + err.Error()
	}
	return ""
}

func decodeRegua(doc string) (regua.Config, error) {
	cfg := regua.DefaultConfig()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return cfg, payments.Invalid("config", "JSON inválido: %v", err)
	}
	return cfg, nil
}

// previews renders every step as a verified debtor and the unverified
// text, with made-up values.
func (s *ReguaSettings) previews(cfg regua.Config) string {
	v := regua.Vars{FirstName: "Maria", Business: s.Business, BusinessDocument: s.BusinessDocument, Link: "https://t.me/exemplo?start=abc",
		Amount: "R$ 189,90", DueDate: "10/12/2026", Description: "Mensalidade de dezembro", DaysLate: 5, Installment: 2}
	var b bytes.Buffer
	b.WriteString(`<table id="regua-preview"><thead><tr><th>Etapa</th><th>Objetivo</th><th>Canais</th><th>Texto (identidade confirmada)</th></tr></thead><tbody>`)
	row := func(name string, st regua.Step) {
		channels := "todos"
		if len(st.Channels) > 0 {
			channels = strings.Join(st.Channels, ", ")
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", template.HTMLEscapeString(name),
			template.HTMLEscapeString(string(st.Intent)), template.HTMLEscapeString(channels), template.HTMLEscapeString(cfg.Render(st, true, v)))
	}
	for _, st := range cfg.Steps {
		row(regua.StepName(st.Offset, 0), st)
	}
	for _, st := range cfg.PlanSteps {
		row(regua.StepName(st.Offset, 2), st)
	}
	b.WriteString("</tbody></table>")
	if len(cfg.Steps) > 0 {
		fmt.Fprintf(&b, `<p><b>Antes da confirmação de identidade:</b> %s</p>`, template.HTMLEscapeString(cfg.Render(cfg.Steps[0], false, v)))
	}
	return b.String()
}

// NewReguaSettings builds the régua's settings section for c.
func (c *Console) NewReguaSettings(configs *reminders.ConfigStore) *ReguaSettings {
	return &ReguaSettings{Configs: configs, Business: c.BusinessName, BusinessDocument: c.BusinessDocument, render: c.render}
}
