package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/telegram"
	"github.com/regua/regua/bot/webchat"
	"github.com/regua/regua/bot/whatsapp"
	"github.com/regua/regua/conversations"
	"github.com/regua/regua/internal/config"
	"github.com/regua/regua/internal/console"
	"github.com/regua/regua/internal/egress"
	"github.com/regua/regua/internal/httpapi"
	"github.com/regua/regua/internal/jobs"
	"github.com/regua/regua/internal/postgres"
	"github.com/regua/regua/internal/redisstore"
	"github.com/regua/regua/internal/reminders"
	"github.com/regua/regua/payments"
	"github.com/regua/regua/payments/billing"
	"github.com/regua/regua/payments/pix/apipix"
)

// policyReloadEvery is how soon a policy saved through another replica
// takes effect in this one.
const policyReloadEvery = 30 * time.Second

// Version is set at build time (-ldflags "-X ...app.Version=...").
var Version = "dev"

// Main is the whole service.
type Main struct {
	Config *config.Config
	Log    *slog.Logger
	Now    func() time.Time

	Pool    *pgxpool.Pool
	Redis   *redis.Client
	Ledger  *payments.Ledger
	Store   *payments.Store
	Billing *billing.Service
	Jobs    *jobs.Jobs
	PSP     *apipix.Client // nil with static Pix

	Sessions *redisstore.Store
	Bot      *bot.Service
	Telegram *telegram.Channel // nil unless REGUA_TELEGRAM_TOKEN is set
	Console  *console.Console  // the staff console (built by Handler)
	WhatsApp *whatsapp.Channel // nil unless REGUA_WHATSAPP=on
	// WhatsAppClient, when set (tests), replaces whatsmeow as the WhatsApp
	// connection of the replica holding the lease.
	WhatsAppClient func(context.Context) (whatsapp.Client, error)

	Regua        *reminders.Regua       // the régua's planner and dispatcher
	ReguaConfigs *reminders.ConfigStore // the cadence, versioned

	Policies  *payments.PolicyStore
	Plans     *payments.Plans
	stopWatch context.CancelFunc // the policy reload loop

	registry  *prometheus.Registry
	server    *http.Server
	listener  net.Listener
	mtls      *http.Server // provider webhooks over mTLS, when configured
	mtlsLn    net.Listener
	metrics   *http.Server // REGUA_METRICS_ADDR, when set
	metricsLn net.Listener
	serveErr  chan error
	rows      *postgres.Group // chat turns' statements, batched
}

// Open connects to PostgreSQL and Redis, applies migrations and, in demo
// mode, seeds demo data into an empty database. now may be nil (time.Now).
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger, now func() time.Time) (*Main, error) {
	if now == nil {
		now = time.Now
	}
	m := &Main{Config: cfg, Log: log, Now: now, registry: prometheus.NewRegistry()}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	m.Pool = pool
	if err := postgres.Migrate(ctx, pool, log); err != nil {
		m.Close()
		return nil, err
	}
	ropts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("REGUA_REDIS_URL: %w", err)
	}
	if ropts.PoolSize < 200 {
		ropts.PoolSize = 200 // turns waiting for their conversation poll Redis
	}
	m.Redis = redis.NewClient(ropts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := m.Redis.Ping(pctx).Err(); err != nil {
		m.Close()
		return nil, fmt.Errorf("redis: ping %s: %w", ropts.Addr, err)
	}
	m.Ledger = payments.NewLedger(pool, log, cfg.Location, payments.DefaultLateFeeRules, now)
	m.Store = payments.NewStore(m.Ledger)
	// The ledger's late-charge rules follow the stored policy: read it now,
	// and again every 30 s once serving (policyReloadEvery).
	m.Policies = payments.NewPolicyStore(pool, m.Ledger)
	if _, err := m.Policies.Reload(ctx); err != nil {
		m.Close()
		return nil, err
	}
	m.Plans = payments.NewPlans(m.Ledger, m.Policies, log)
	var provider billing.Provider = billing.Static{Key: cfg.PixKey, MerchantName: cfg.PixName, MerchantCity: cfg.PixCity}
	var reconciler billing.Reconciler
	if cfg.PSPURL != "" {
		pc := apipix.Config{BaseURL: cfg.PSPURL, ClientID: cfg.PSPClientID, ClientSecret: cfg.PSPClientSecret, CertFile: cfg.PSPCert, KeyFile: cfg.PSPKey}
		if cfg.PSPCA != "" {
			pem, err := os.ReadFile(cfg.PSPCA)
			if err != nil {
				m.Close()
				return nil, fmt.Errorf("REGUA_PSP_CA: %w", err)
			}
			pc.RootCAs = x509.NewCertPool()
			if !pc.RootCAs.AppendCertsFromPEM(pem) {
				m.Close()
				return nil, fmt.Errorf("REGUA_PSP_CA: no certificate in %s", cfg.PSPCA)
			}
		}
		if m.PSP, err = apipix.New(pc); err != nil {
			m.Close()
			return nil, fmt.Errorf("REGUA_PSP_URL: %w", err)
		}
		provider = billing.API{Client: m.PSP, Key: cfg.PixKey, Now: now}
		reconciler = m.PSP
	}
	m.Billing = billing.New(m.Ledger, m.Store, provider, nil, log)
	m.Sessions = redisstore.New(m.Redis, redisPrefix(pool), cfg.SessionTTL)
	// Under load each flusher sends the statements of several turns in one
	// round trip and one commit; alone, a turn waits for nothing. Fewer
	// flushers make bigger batches: on 2 cores one flusher (batches of ~8
	// turns' statements) served 3,300-3,700 turns/s against 3,200-3,350
	// with four (batches of ~2.5), and a lower p99.
	m.rows = postgres.NewGroup(pool, max(1, runtime.GOMAXPROCS(0)/2), 32)
	m.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "regua_pg_group_batches_total",
			Help: "Batches the chat's statement group sent to PostgreSQL."},
			func() float64 { b, _ := m.rows.Stats(); return float64(b) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "regua_pg_group_items_total",
			Help: "Statements and read batches of chat turns carried by those batches."},
			func() float64 { _, n := m.rows.Stats(); return float64(n) }))
	m.Bot = bot.New(bot.Deps{Pool: pool, Rows: m.rows, Redis: m.Sessions, Store: m.Store, Ledger: m.Ledger, Billing: m.Billing,
		Engine: conversations.NewEngine(), Log: log, Business: cfg.BusinessName, BusinessDocument: cfg.BusinessDocument, PublicURL: cfg.PublicURL, Chat: bot.ChatInfo(cfg.Chat)})
	m.Bot.RegisterSender(bot.ChannelWebchat, webchat.Sender{})
	if err := m.openRegua(); err != nil {
		m.Close()
		return nil, err
	}
	m.Jobs, err = jobs.New(jobs.Config{Regua: m.Regua, Pool: pool, Log: log, Secret: cfg.WebhookSecret, Now: now, Billing: m.Billing,
		HTTPClient: egress.Client(cfg.WebhookAllowPrivate, 15*time.Second),
		Reconciler: reconciler, Confirmer: confirmer{m.Bot}, Starter: starter{m.Bot}, Ledger: m.Ledger, Plans: m.Plans})
	if err != nil {
		m.Close()
		return nil, err
	}
	m.Billing.SetHook(m.Jobs)
	m.Bot.Scheduler = m.Jobs
	m.Plans.SendViewsWith(m.rows)
	m.Bot.Plans = chatPlans{plans: m.Plans, billing: m.Billing}
	if err := m.openTelegram(); err != nil {
		m.Close()
		return nil, err
	}
	if err := m.openWhatsApp(); err != nil {
		m.Close()
		return nil, err
	}
	if cfg.Demo {
		if err := SeedDemo(ctx, m.Store, m.Ledger, m.Plans, log); err != nil {
			m.Close()
			return nil, fmt.Errorf("demo data: %w", err)
		}
		if err := seedConsoleDemo(ctx, m); err != nil {
			m.Close()
			return nil, fmt.Errorf("demo console users: %w", err)
		}
	}
	m.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m, nil
}

// Handler builds the HTTP surface.
func (m *Main) Handler() http.Handler {
	mux := http.NewServeMux()
	api := httpapi.New(httpapi.Deps{Pool: m.Pool, Store: m.Store, Ledger: m.Ledger, Log: m.Log, Ready: m.ready, Degraded: m.degraded, Metrics: m.mainMetrics(),
		Policies: m.Policies, Plans: m.Plans})
	api.Register(mux)
	api.RegisterPix(mux, httpapi.PixDeps{Billing: m.Billing, Secret: m.Config.WebhookSecret, PublicURL: m.Config.PublicURL, Now: m.Now,
		AllowPrivateWebhooks: m.Config.WebhookAllowPrivate})
	api.RegisterPlans(mux, httpapi.PlansDeps{Billing: m.Billing, PublicURL: m.Config.PublicURL})
	m.registerChat(mux, api)
	m.registerTelegram(mux)
	m.registerConsole(mux)
	m.registerRegua(mux, api)
	m.registerWhatsApp(mux, api)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if m.Config.Demo {
			http.Redirect(w, r, "/chat", http.StatusFound)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"service": "regua", "version": Version})
	})
	return httpapi.Observe(m.Log, httpapi.NewMetrics(m.registry), mux)
}

func (m *Main) ready(ctx context.Context) error {
	if err := m.Pool.Ping(ctx); err != nil {
		return &httpapi.ReadyError{Component: "postgres", Err: err}
	}
	if err := m.Redis.Ping(ctx).Err(); err != nil {
		return &httpapi.ReadyError{Component: "redis", Err: err}
	}
	return nil
}

// Start listens on REGUA_HTTP_ADDR (":0" picks a free port) and serves in
// the background.
func (m *Main) Start() error {
	ln, err := net.Listen("tcp", m.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("REGUA_HTTP_ADDR: %w", err)
	}
	m.listener = ln
	// The server's own complaints go through the masking JSON logger too.
	m.server = &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	if m.Config.WebhookTLSAddr != "" {
		if err := m.startMTLS(); err != nil {
			ln.Close()
			return err
		}
	}
	if err := m.startMetrics(); err != nil {
		ln.Close()
		return err
	}
	if err := m.startTelegram(); err != nil {
		ln.Close()
		return err
	}
	if err := m.startWhatsApp(); err != nil {
		ln.Close()
		return err
	}
	if err := m.Jobs.Start(context.Background()); err != nil {
		ln.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	var wctx context.Context
	wctx, m.stopWatch = context.WithCancel(context.Background())
	go m.Policies.Watch(wctx, policyReloadEvery, m.Log)
	m.serveErr = make(chan error, 1)
	go func() { m.serveErr <- m.server.Serve(ln) }()
	m.Log.Info("serving", "addr", ln.Addr().String(), "public_url", m.Config.PublicURL, "demo", m.Config.Demo, "version", Version)
	if m.Config.Demo {
		m.Log.Warn("DEMONSTRATION MODE (REGUA_DEMO=true): made-up data and Pix settings, web chat open to anyone; not for real debtors")
	}
	return nil
}

// URL is the base URL the service listens on (after Start).
func (m *Main) URL() string {
	addr := m.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Run starts the service and blocks until ctx is done (SIGINT/SIGTERM in
// main) or the server fails, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Start(); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.Log.Info("shutting down")
		return nil
	case err := <-m.serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// Close stops serving (waiting up to 15 s for requests in flight) and
// closes connections.
func (m *Main) Close() error {
	if m.stopWatch != nil {
		m.stopWatch()
	}
	m.closeTelegram()
	m.closeConsole()
	m.closeWhatsApp()
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		m.server.Shutdown(ctx)
		if m.mtls != nil {
			m.mtls.Shutdown(ctx)
		}
		if m.metrics != nil {
			m.metrics.Shutdown(ctx)
		}
		m.Jobs.Stop(ctx)
	}
	if m.PSP != nil {
		m.PSP.Close()
	}
	if m.rows != nil {
		m.rows.Close()
	}
	if m.Redis != nil {
		m.Redis.Close()
	}
	if m.Pool != nil {
		m.Pool.Close()
	}
	return nil
}

// redisPrefix namespaces Redis keys by database, so that deployments (and
// test databases) sharing one Redis never see each other's sessions.
func redisPrefix(pool *pgxpool.Pool) string {
	return "regua:" + pool.Config().ConnConfig.Database + ":"
}
