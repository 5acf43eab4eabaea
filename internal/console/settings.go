package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/regua/regua/payments"
)

type userRow struct {
	ID               int64
	Email, Role      string
	Disabled, Locked bool
	CreatedAt        time.Time
	Sessions         int
}

type apiKeyRow struct {
	ID                int64
	Name, Prefix      string
	CreatedAt         time.Time
	LastUsed, Revoked *time.Time
}

type webhookRow struct {
	ID        int64
	URL       string
	Events    []string
	Active    bool
	CreatedAt time.Time
}

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request) {
	c.renderSettings(w, r, http.StatusOK, map[string]any{"Flash": r.URL.Query().Get("ok")})
}

func (c *Console) renderSettings(w http.ResponseWriter, r *http.Request, status int, data map[string]any) {
	ctx := r.Context()
	now := c.now()
	rows, err := c.pool.Query(ctx, `SELECT u.id, u.email, u.role, u.disabled_at IS NOT NULL, coalesce(u.locked_until > $1, false), u.created_at,
			(SELECT count(*) FROM console_sessions s WHERE s.user_id = u.id)
		FROM console_users u ORDER BY u.email`, now)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (userRow, error) {
		var u userRow
		err := r.Scan(&u.ID, &u.Email, &u.Role, &u.Disabled, &u.Locked, &u.CreatedAt, &u.Sessions)
		return u, err
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows, err = c.pool.Query(ctx, "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id DESC")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (apiKeyRow, error) {
		var k apiKeyRow
		err := r.Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedAt, &k.LastUsed, &k.Revoked)
		return k, err
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows, err = c.pool.Query(ctx, "SELECT id, url, events, active, created_at FROM webhook_endpoints ORDER BY id")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	hooks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (webhookRow, error) {
		var h webhookRow
		err := r.Scan(&h.ID, &h.URL, &h.Events, &h.Active, &h.CreatedAt)
		return h, err
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if _, ok := data["PolicyJSON"]; !ok {
		p, err := c.Policies.Current(ctx)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		b, _ := json.MarshalIndent(p, "", "  ")
		data["PolicyJSON"] = string(b)
		data["PolicyVersion"] = p.Version
	}
	data["Title"] = "Configurações"
	data["Users"], data["Keys"], data["Hooks"] = users, keys, hooks
	data["Business"] = map[string]string{"Name": c.BusinessName, "Document": c.BusinessDocument, "PixKey": c.PixKey, "PixName": c.PixName, "PixCity": c.PixCity}
	if c.Regua != nil {
		data["Regua"] = c.Regua.Title()
	}
	if c.WhatsApp != nil {
		data["WhatsApp"] = c.WhatsApp.Title()
	}
	data["APIKeys"] = c.CreateAPIKey != nil
	data["Roles"] = []string{RoleAgent, RoleSupervisor, RoleAdmin}
	c.render(w, r, "settings", status, data)
}

func (c *Console) userCreatePost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	u := userOf(r)
	nu, err := CreateUser(r.Context(), c.pool, r.PostFormValue("email"), r.PostFormValue("role"), r.PostFormValue("password"), u.Email)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/settings?ok="+url.QueryEscape("Usuário "+nu.Email+" criado.")+"#users", http.StatusSeeOther)
}

// userUpdatePost changes a user's role, disables or enables them, ends
// their sessions, or unlocks them. Any change ends their sessions.
func (c *Console) userUpdatePost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	u := userOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "usuário não encontrado"))
		return
	}
	var email string
	if err := c.pool.QueryRow(r.Context(), "SELECT email FROM console_users WHERE id = $1", id).Scan(&email); err != nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "usuário não encontrado"))
		return
	}
	action := r.PostFormValue("action")
	var sql string
	var args []any
	switch action {
	case "role":
		role := r.PostFormValue("role")
		if roleRank(role) == 0 {
			c.fail(w, r, payments.Invalid("role", "must be agent, supervisor or admin"))
			return
		}
		if id == u.ID && role != RoleAdmin {
			c.fail(w, r, payments.Invalid("role", "você não pode rebaixar a si mesmo"))
			return
		}
		sql, args = "UPDATE console_users SET role = $2, updated_at = now() WHERE id = $1", []any{id, role}
	case "disable":
		if id == u.ID {
			c.fail(w, r, payments.Invalid("user", "você não pode desativar a si mesmo"))
			return
		}
		sql, args = "UPDATE console_users SET disabled_at = coalesce(disabled_at, now()), updated_at = now() WHERE id = $1", []any{id}
	case "enable":
		sql, args = "UPDATE console_users SET disabled_at = NULL, failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1", []any{id}
	case "logout":
		sql, args = "SELECT $1::bigint", []any{id}
	default:
		c.fail(w, r, payments.Invalid("action", "ação desconhecida"))
		return
	}
	err = pgx.BeginFunc(r.Context(), c.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(r.Context(), sql, args...); err != nil {
			return err
		}
		if _, err := tx.Exec(r.Context(), "DELETE FROM console_sessions WHERE user_id = $1", id); err != nil {
			return err
		}
		return auditTx(r.Context(), tx, u.Email, "user."+action, email, 0, map[string]any{"role": r.PostFormValue("role")})
	})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/settings?ok="+url.QueryEscape("Usuário "+email+" atualizado.")+"#users", http.StatusSeeOther)
}

func (c *Console) apiKeyCreatePost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	if c.CreateAPIKey == nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "chaves de API indisponíveis"))
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	key, err := c.CreateAPIKey(r.Context(), name)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), userOf(r).Email, "apikey.create", name, 0, nil)
	// Shown once, in this answer only (never in a URL, never logged).
	c.renderSettings(w, r, http.StatusOK, map[string]any{"NewKey": key, "NewKeyName": name})
}

func (c *Console) apiKeyRevokePost(w http.ResponseWriter, r *http.Request) {
	var name string
	err := c.pool.QueryRow(r.Context(), "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING name", r.PathValue("id")).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "chave não encontrada"))
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), userOf(r).Email, "apikey.revoke", name, 0, nil)
	http.Redirect(w, r, "/console/settings?ok="+url.QueryEscape("Chave "+name+" revogada.")+"#apikeys", http.StatusSeeOther)
}

var webhookEvents = []string{"payment.received", "charge.paid"}

func (c *Console) webhookCreatePost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	raw := strings.TrimSpace(r.PostFormValue("url"))
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.fail(w, r, payments.Invalid("url", "informe um endereço http(s) completo"))
		return
	}
	events := r.PostForm["events"]
	for _, e := range events {
		ok := false
		for _, k := range webhookEvents {
			ok = ok || e == k
		}
		if !ok {
			c.fail(w, r, payments.Invalid("events", "evento desconhecido: %s", e))
			return
		}
	}
	if len(events) == 0 {
		events = webhookEvents
	}
	if _, err := c.pool.Exec(r.Context(), "INSERT INTO webhook_endpoints (url, events) VALUES ($1, $2)", raw, events); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), userOf(r).Email, "webhook.create", u.Host, 0, map[string]any{"events": events})
	http.Redirect(w, r, "/console/settings?ok="+url.QueryEscape("Webhook adicionado.")+"#webhooks", http.StatusSeeOther)
}

func (c *Console) webhookTogglePost(w http.ResponseWriter, r *http.Request) {
	var active bool
	var raw string
	err := c.pool.QueryRow(r.Context(), "UPDATE webhook_endpoints SET active = NOT active WHERE id = $1 RETURNING active, url", r.PathValue("id")).Scan(&active, &raw)
	if err != nil {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "webhook não encontrado"))
		return
	}
	c.audit(r.Context(), userOf(r).Email, "webhook.toggle", raw, 0, map[string]any{"active": active})
	http.Redirect(w, r, "/console/settings?ok="+url.QueryEscape("Webhook atualizado.")+"#webhooks", http.StatusSeeOther)
}

// policyPost saves the negotiation policy from its JSON (settings left out
// take their defaults, as PUT /api/v1/policy does).
func (c *Console) policyPost(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		c.fail(w, r, err)
		return
	}
	doc := r.PostFormValue("policy")
	p := payments.DefaultPolicy()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		c.renderSettings(w, r, http.StatusUnprocessableEntity, map[string]any{"PolicyJSON": doc, "PolicyError": "JSON inválido: " + err.Error()})
		return
	}
	v, err := c.Policies.Save(r.Context(), p, "console:"+userOf(r).Email)
	if err != nil {
		c.renderSettings(w, r, http.StatusUnprocessableEntity, map[string]any{"PolicyJSON": doc, "PolicyError": payments.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, "/console/settings?ok="+url.QueryEscape(fmt.Sprintf("Política salva (versão %d).", v))+"#policy", http.StatusSeeOther)
}

// simulateGet shows the offers the current policy makes for a debt of an
// amount and age (what `regua plans simulate` prints).
func (c *Console) simulateGet(w http.ResponseWriter, r *http.Request) {
	amount, err := payments.ParseCents(r.URL.Query().Get("amount"))
	if err != nil || amount <= 0 {
		c.fail(w, r, payments.Invalid("amount", "informe um valor maior que zero"))
		return
	}
	days, err := strconv.Atoi(r.URL.Query().Get("overdue_days"))
	if err != nil || days < 0 || days > 36500 {
		c.fail(w, r, payments.Invalid("overdue_days", "informe os dias de atraso (0 a 36500)"))
		return
	}
	p, err := c.Policies.Current(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.now()
	loc := c.Ledger.Location()
	today := payments.Date(now, loc)
	debt := payments.Debt{DebtorExternalID: "simulação", Charges: []payments.DebtCharge{{ExternalID: "simulação", Principal: amount, DueDate: today.AddDate(0, 0, -days)}}}
	offers, err := p.Offers(debt, now, loc)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "simulate", http.StatusOK, map[string]any{"Title": "Simulação", "Offers": offers, "Amount": amount, "Days": days, "Version": p.Version})
}

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := c.auditEntries(r.Context(), before, 200)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var next int64
	if len(entries) == 200 {
		next = entries[len(entries)-1].ID
	}
	c.render(w, r, "audit", http.StatusOK, map[string]any{"Title": "Registro de auditoria", "Entries": entries, "Next": next})
}

// section serves a settings section another package provides, or says
// plainly that it is not installed.
func (c *Console) section(get func() SettingsSection) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := get()
		if s == nil {
			c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "esta parte ainda não está instalada nesta versão do Régua"))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			c.audit(r.Context(), userOf(r).Email, "settings."+strings.TrimPrefix(r.URL.Path, "/console/settings/"), r.Method, 0, nil)
		}
		s.ServeSettings(w, r, "console:"+userOf(r).Email)
	}
}
