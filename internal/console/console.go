package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/internal/redisstore"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the console's dependencies.
type Deps struct {
	Pool      *pgxpool.Pool
	Bot       *bot.Service
	Sessions  *redisstore.Store
	Ledger    *payments.Ledger
	Store     *payments.Store
	Plans     *payments.Plans
	Policies  *payments.PolicyStore
	Billing   *billing.Service
	Log       *slog.Logger
	Now       func() time.Time
	PublicURL string // REGUA_PUBLIC_URL: cookies are Secure when it is https

	// Business identity as configured (REGUA_BUSINESS_NAME/DOCUMENT, Pix).
	BusinessName, BusinessDocument, PixKey, PixName, PixCity string

	// CreateAPIKey makes an API key (httpapi.CreateAPIKey); nil hides
	// the API keys settings.
	CreateAPIKey func(ctx context.Context, name string) (string, error)

	// Extensions shown when other parts of Régua provide them: the régua
	// (issue 11) and WhatsApp pairing (issue 12). Nil: the settings page
	// says the part is not installed.
	Regua    SettingsSection
	WhatsApp SettingsSection

	// Reminders reads the régua's attempts and step figures (issue 11);
	// nil: the timeline and the KPIs say the régua is not installed.
	Reminders Reminders

	// Media fetches receipts' files, by the media reference's prefix
	// (e.g. "telegram:"); a channel without one shows the receipt's
	// caption and kind only.
	Media map[string]MediaFetcher
}

// SettingsSection is a part of the admin settings that another package
// provides (its own page under /console/settings/NAME).
type SettingsSection interface {
	// Title is the section's name in the menu.
	Title() string
	// ServeSettings serves the section's page and forms; the console has
	// already checked the admin's session and the request's origin.
	ServeSettings(w http.ResponseWriter, r *http.Request, actor string)
}

// Console serves /console.
type Console struct {
	Deps
	pool *pgxpool.Pool
	log  *slog.Logger

	// IdleTimeout ends a session unused this long; MaxSessionAge ends any
	// session this old.
	IdleTimeout, MaxSessionAge time.Duration

	secure bool
	routes []Route
	pages  map[string]*template.Template
	hub    *hub
	once   sync.Once
	stop   context.CancelFunc
	ctx    context.Context
}

// New builds the console.
func New(d Deps) *Console {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	c := &Console{Deps: d, pool: d.Pool, log: d.Log, IdleTimeout: 30 * time.Minute, MaxSessionAge: 12 * time.Hour,
		secure: strings.HasPrefix(d.PublicURL, "https://")}
	c.ctx, c.stop = context.WithCancel(context.Background())
	c.hub = newHub()
	c.pages = parsePages()
	return c
}

// Route is a console route that needs a session, and the least role it
// needs.
type Route struct{ Pattern, Role string }

// Routes lists the routes that need a session (after Register).
func (c *Console) Routes() []Route { return c.routes }

// Close stops the console's background listener.
func (c *Console) Close() { c.stop() }

func (c *Console) now() time.Time { return c.Now() }

func (c *Console) cookieName() string {
	if c.secure {
		return "__Host-regua_console"
	}
	return "regua_console"
}

type ctxKey struct{}

func userOf(r *http.Request) *User {
	u, _ := r.Context().Value(ctxKey{}).(*User)
	return u
}

// Register mounts /console on mux. Every route but the login form and the
// static files needs a session; every state-changing request must come
// from the console's own origin (http.CrossOriginProtection).
func (c *Console) Register(mux *http.ServeMux) {
	inner := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	inner.Handle("GET /console/static/", http.StripPrefix("/console/static/", cacheStatic(http.FileServerFS(static))))
	inner.HandleFunc("GET /console/login", c.loginForm)
	inner.HandleFunc("POST /console/login", c.loginPost)

	handle := func(role, pattern string, h http.HandlerFunc) {
		inner.Handle(pattern, c.require(role, h))
		c.routes = append(c.routes, Route{Pattern: pattern, Role: role})
	}
	agent := func(pattern string, h http.HandlerFunc) { handle(RoleAgent, pattern, h) }
	super := func(pattern string, h http.HandlerFunc) { handle(RoleSupervisor, pattern, h) }
	admin := func(pattern string, h http.HandlerFunc) { handle(RoleAdmin, pattern, h) }

	agent("POST /console/logout", c.logoutPost)
	agent("POST /console/logout-all", c.logoutAllPost)
	agent("GET /console/{$}", c.inboxPage)
	agent("GET /console/inbox/rows", c.inboxRows)
	agent("GET /console/events", c.inboxEvents)
	agent("GET /console/conversations/{id}", c.conversationPage)
	agent("GET /console/conversations/{id}/events", c.conversationEvents)
	agent("POST /console/conversations/{id}/claim", c.claimPost)
	agent("POST /console/conversations/{id}/reply", c.replyPost)
	agent("POST /console/conversations/{id}/quick", c.quickPost)
	agent("POST /console/conversations/{id}/note", c.notePost)
	agent("POST /console/conversations/{id}/release", c.releasePost)
	agent("POST /console/conversations/{id}/close", c.closePost)
	agent("GET /console/receipts/{id}", c.receiptGet)
	agent("POST /console/alerts/{id}/resolve", c.resolveAlertPost)
	agent("GET /console/debtors", c.debtorSearch)
	agent("GET /console/debtors/{external_id}", c.debtorPage)
	agent("POST /console/debtors/{external_id}/unlock", c.unlockPost)
	agent("POST /console/debtors/{external_id}/pause", c.pausePost)
	super("POST /console/debtors/{external_id}/payment", c.manualPaymentPost)
	super("POST /console/debtors/{external_id}/charges/{charge}/cancel", c.cancelChargePost)
	super("POST /console/debtors/{external_id}/charges/{charge}/writeoff", c.writeOffPost)
	admin("GET /console/debtors/{external_id}/export", c.exportGet)
	admin("POST /console/debtors/{external_id}/erase", c.erasePost)
	super("GET /console/kpis", c.kpiPage)
	super("GET /console/kpis/{file}", c.kpiCSV)
	admin("GET /console/settings", c.settingsPage)
	admin("POST /console/settings/users", c.userCreatePost)
	admin("POST /console/settings/users/{id}", c.userUpdatePost)
	admin("POST /console/settings/apikeys", c.apiKeyCreatePost)
	admin("POST /console/settings/apikeys/{id}/revoke", c.apiKeyRevokePost)
	admin("POST /console/settings/webhooks", c.webhookCreatePost)
	admin("POST /console/settings/webhooks/{id}/toggle", c.webhookTogglePost)
	admin("POST /console/settings/policy", c.policyPost)
	admin("GET /console/settings/simulate", c.simulateGet)
	admin("GET /console/settings/audit", c.auditPage)
	admin("/console/settings/regua", c.section(func() SettingsSection { return c.Regua }))
	admin("/console/settings/regua/", c.section(func() SettingsSection { return c.Regua }))
	admin("/console/settings/whatsapp", c.section(func() SettingsSection { return c.WhatsApp }))
	admin("/console/settings/whatsapp/", c.section(func() SettingsSection { return c.WhatsApp }))
	agent("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, payments.Errorf(payments.ENOTFOUND, "página não encontrada"))
	})

	protect := http.NewCrossOriginProtection()
	protect.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.log.Warn("console: cross-origin request refused", "method", r.Method, "path", r.URL.Path)
		http.Error(w, "Pedido de outra origem recusado.", http.StatusForbidden)
	}))
	h := protect.Handler(securityHeaders(inner))
	mux.Handle("/console", http.RedirectHandler("/console/", http.StatusFound))
	mux.Handle("/console/", h)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// require refuses a request without a live session (a page redirects to
// the login form, anything else gets 401) or below role (403).
func (c *Console) require(role string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var token string
		if ck, err := r.Cookie(c.cookieName()); err == nil {
			token = ck.Value
		}
		u, err := c.session(r.Context(), token)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if u == nil {
			if token != "" {
				c.clearCookie(w)
			}
			if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/events") {
				http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "Sessão expirada ou ausente: entre novamente.", http.StatusUnauthorized)
			return
		}
		if !u.Can(role) {
			c.audit(r.Context(), u.Email, "forbidden", r.Method+" "+r.URL.Path, 0, nil)
			c.render(w, r, "error", http.StatusForbidden, map[string]any{"Title": "Acesso negado",
				"Message": "Sua função (" + u.RoleName() + ") não permite esta página ou ação."})
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, u)))
	})
}

func (c *Console) setCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(), Value: token, Path: "/", HttpOnly: true, Secure: c.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(c.MaxSessionAge / time.Second)})
}

func (c *Console) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(), Value: "", Path: "/", HttpOnly: true, Secure: c.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, "login", http.StatusOK, map[string]any{"Title": "Entrar", "Next": safeNext(r.URL.Query().Get("next"))})
}

func (c *Console) loginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Formulário inválido.", http.StatusBadRequest)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	token, _, err := c.login(r.Context(), r.PostFormValue("email"), r.PostFormValue("password"), r.UserAgent())
	if errors.Is(err, errLogin) || errors.Is(err, errLocked) {
		status := http.StatusUnauthorized
		if errors.Is(err, errLocked) {
			status = http.StatusTooManyRequests
		}
		c.render(w, r, "login", status, map[string]any{"Title": "Entrar", "Error": err.Error(), "Email": r.PostFormValue("email"), "Next": next})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func safeNext(n string) string {
	if !strings.HasPrefix(n, "/console/") || strings.HasPrefix(n, "//") || strings.ContainsAny(n, "\\\r\n") {
		return "/console/"
	}
	return n
}

func (c *Console) logoutPost(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(c.cookieName()); err == nil {
		c.logout(r.Context(), ck.Value)
	}
	c.audit(r.Context(), userOf(r).Email, "logout", "", 0, nil)
	c.clearCookie(w)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

func (c *Console) logoutAllPost(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	if err := c.logoutEverywhere(r.Context(), u.ID); err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r.Context(), u.Email, "logout.everywhere", "", 0, nil)
	c.clearCookie(w)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// fail answers an error: application errors with their message, anything
// else logged and answered as a generic failure.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "Algo deu errado do nosso lado. Tente de novo."
	var ae *payments.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case payments.EINVALID:
			status = http.StatusUnprocessableEntity
		case payments.ENOTFOUND:
			status = http.StatusNotFound
		case payments.ECONFLICT:
			status = http.StatusConflict
		case payments.EUNAUTHORIZED:
			status = http.StatusUnauthorized
		}
		if status != http.StatusInternalServerError {
			msg = ae.Message
			if ae.Field != "" {
				msg = ae.Field + ": " + ae.Message
			}
		}
	}
	if status == http.StatusInternalServerError {
		c.log.Error("console", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if r.Header.Get("X-Requested-With") == "fetch" {
		http.Error(w, msg, status)
		return
	}
	c.render(w, r, "error", status, map[string]any{"Title": "Não foi possível", "Message": msg})
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, page string, status int, data map[string]any) {
	t := c.pages[page]
	if t == nil {
		http.Error(w, "page "+page+" missing", http.StatusInternalServerError)
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["User"] = userOf(r)
	data["Path"] = r.URL.Path
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		c.log.Error("console: render", "page", page, "err", err)
		http.Error(w, "Algo deu errado do nosso lado.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if status != 0 && status != http.StatusOK {
		w.WriteHeader(status)
	}
	w.Write(buf.Bytes())
}

// back redirects to the page the form came from (or fallback), with a
// flash message in the query.
func back(w http.ResponseWriter, r *http.Request, fallback, flash string) {
	to := fallback
	if f := r.PostFormValue("back"); f != "" {
		to = safeNext(f)
	}
	if flash != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "ok=" + urlQueryEscape(flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func formKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return payments.Invalid("form", "could not be read")
	}
	return nil
}
