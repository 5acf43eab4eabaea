package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/regua/regua/bot"
)

// WebhookPath is where Telegram posts updates in webhook mode.
const WebhookPath = "/webhooks/telegram"

// SecretHeader carries the webhook's secret token on Telegram's requests.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// allowedUpdates are the updates the bot asks for: messages, button taps
// and being blocked or unblocked. Edits, channel posts and the rest never
// come.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember}

// Service is what the channel needs of the conversation service (*bot.Service).
type Service interface {
	Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error)
	Send(ctx context.Context, channel, chat string, r bot.Reply, sender string) error
	LinkChat(ctx context.Context, channel, chat string, debtorID int64) error
}

// Config configures a Channel.
type Config struct {
	Token         string // REGUA_TELEGRAM_TOKEN, from @BotFather
	APIURL        string // REGUA_TELEGRAM_API_URL; default https://api.telegram.org
	WebhookSecret string // REGUA_TELEGRAM_WEBHOOK_SECRET; empty: long polling
	PublicURL     string // REGUA_PUBLIC_URL: the webhook is PublicURL + WebhookPath

	Service Service
	Pool    *pgxpool.Pool
	Log     *slog.Logger
	Now     func() time.Time // default time.Now

	Limits      Limits                // zero: DefaultLimits
	Redis       redis.UniversalClient // set: Limits hold across every replica sharing it and RedisPrefix
	RedisPrefix string                // namespaces the limiter's keys (the deployment's Redis prefix)
	PollTimeout time.Duration         // long polling's wait; default 50 s
	Workers     int                   // chats handled at once; default 32
}

// Channel is the Telegram channel: it receives updates (long polling, or
// the webhook), turns them into conversation turns and delivers the replies
// through its Sender.
type Channel struct {
	cfg    Config
	api    *tgbot.Bot
	sender *Sender
	chats  chats
	disp   *bot.Ordered[int64, Update]
	log    *slog.Logger

	mu      sync.Mutex
	stop    context.CancelFunc // stops receiving
	cancel  context.CancelFunc // stops work in progress
	workCtx context.Context    // set by Start before anything is received
	running sync.WaitGroup

	nameMu   sync.Mutex
	username string
}

// New builds the channel without touching the network.
func New(cfg Config) (*Channel, error) {
	if cfg.Token == "" {
		return nil, fmt.Errorf("REGUA_TELEGRAM_TOKEN: is empty")
	}
	if cfg.Service == nil || cfg.Pool == nil {
		return nil, fmt.Errorf("telegram: a service and a pool are required")
	}
	if err := checkSecret(cfg.WebhookSecret); err != nil {
		return nil, err
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://api.telegram.org"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	c := &Channel{cfg: cfg, chats: chats{cfg.Pool}, log: cfg.Log.With("channel", "telegram")}
	c.disp = bot.NewOrdered[int64](cfg.Workers, c.process)
	// Timeouts: a long poll waits PollTimeout; uploads and answers get a
	// little more.
	client := &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	api, err := tgbot.New(cfg.Token,
		tgbot.WithServerURL(strings.TrimRight(cfg.APIURL, "/")),
		tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(cfg.PollTimeout, client),
		tgbot.WithAllowedUpdates(allowedUpdates),
		tgbot.WithDefaultHandler(c.receive),
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithWebhookSecretToken(cfg.WebhookSecret),
		tgbot.WithErrorsHandler(func(err error) { c.log.Warn("telegram client", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("REGUA_TELEGRAM_TOKEN: %w", err)
	}
	c.api = api
	c.sender = NewSender(api, cfg.Pool, cfg.Limits, c.log, cfg.Now)
	if cfg.Redis != nil {
		if err := c.sender.ShareLimits(cfg.Redis, cfg.RedisPrefix); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkSecret applies Telegram's rule for secret_token: 1 to 256 of
// [A-Za-z0-9_-].
func checkSecret(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > 256 {
		return fmt.Errorf("REGUA_TELEGRAM_WEBHOOK_SECRET: longer than 256 characters")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("REGUA_TELEGRAM_WEBHOOK_SECRET: only letters, digits, _ and - are allowed")
		}
	}
	return nil
}

// Sender is the channel's one sender (register it with the service).
func (c *Channel) Sender() *Sender { return c.sender }

// Webhook reports whether the channel runs in webhook mode.
func (c *Channel) Webhook() bool { return c.cfg.WebhookSecret != "" }

// Start asks Telegram who the bot is, then starts receiving: long polling,
// or in webhook mode registers PublicURL + WebhookPath with the secret (the
// HTTP server must serve WebhookHandler there). A token Telegram refuses
// stops start-up; an unreachable Telegram does not (the client keeps
// trying), so the rest of Régua still serves.
func (c *Channel) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		return fmt.Errorf("telegram: already started")
	}
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	me, err := c.api.GetMe(tctx)
	name := ""
	switch {
	case errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound):
		return fmt.Errorf("REGUA_TELEGRAM_TOKEN: Telegram refused the token (%v)", err)
	case err != nil:
		c.log.Warn("telegram: getMe failed; receiving anyway", "err", err)
	default:
		name = me.Username
		c.nameMu.Lock()
		c.username = name
		c.nameMu.Unlock()
	}
	recv, stop := context.WithCancel(context.Background())
	c.workCtx, c.cancel = context.WithCancel(context.Background())
	c.stop = stop
	c.running.Add(1)
	if c.Webhook() {
		url := strings.TrimRight(c.cfg.PublicURL, "/") + WebhookPath
		if !strings.HasPrefix(url, "https://") {
			c.log.Warn("telegram: Telegram only delivers webhooks to https URLs", "url", url)
		}
		go c.setWebhook(recv, url)
		go func() { defer c.running.Done(); c.api.StartWebhook(recv) }()
	} else {
		if _, err := c.api.DeleteWebhook(tctx, &tgbot.DeleteWebhookParams{}); err != nil {
			c.log.Warn("telegram: deleteWebhook failed", "err", err)
		}
		go func() { defer c.running.Done(); c.api.Start(recv) }()
	}
	c.log.Info("telegram: receiving", "bot", name, "webhook", c.Webhook())
	return nil
}

// setWebhook registers the webhook, trying again until Telegram accepts it.
func (c *Channel) setWebhook(ctx context.Context, url string) {
	wait := time.Second
	for {
		_, err := c.api.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: url, SecretToken: c.cfg.WebhookSecret, AllowedUpdates: allowedUpdates})
		if err == nil {
			c.log.Info("telegram: webhook set", "url", url)
			return
		}
		c.log.Error("telegram: setWebhook failed", "url", url, "err", err)
		if sleepUntil(ctx, time.Now().Add(wait)) != nil {
			return
		}
		wait = min(2*wait, time.Minute)
	}
}

// Close stops receiving, lets the updates already received finish (up to
// 10 s) and returns.
func (c *Channel) Close() {
	c.mu.Lock()
	stop, cancel := c.stop, c.cancel
	c.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	c.running.Wait()
	done := make(chan struct{})
	go func() { c.disp.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cancel()
		<-done
	}
	cancel()
}

// WebhookHandler serves WebhookPath: it refuses (401) a request whose
// secret header is missing or wrong before anything reads its body, and
// hands the others to the library.
func (c *Channel) WebhookHandler() http.Handler {
	lib := c.api.WebhookHandler()
	want := sha256.Sum256([]byte(c.cfg.WebhookSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
		if c.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			c.log.Warn("telegram: webhook refused: wrong or missing secret", "remote", r.RemoteAddr)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintln(w, `{"error":{"code":"unauthorized","message":"wrong or missing X-Telegram-Bot-Api-Secret-Token"}}`)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		lib(w, r)
	})
}

// Username is the bot's @username, learnt at Start ("" if Telegram could
// not be asked yet).
func (c *Channel) Username(ctx context.Context) string {
	c.nameMu.Lock()
	defer c.nameMu.Unlock()
	if c.username == "" {
		if me, err := c.api.GetMe(ctx); err == nil {
			c.username = me.Username
		}
	}
	return c.username
}

// DeepLink mints a link token for a debtor and returns the t.me link that
// carries it, for a reminder on another channel.
func (c *Channel) DeepLink(ctx context.Context, debtorID int64) (string, error) {
	name := c.Username(ctx)
	if name == "" {
		return "", fmt.Errorf("telegram: the bot's username is not known yet")
	}
	tok, err := NewLinkToken(ctx, c.cfg.Pool, debtorID)
	if err != nil {
		return "", err
	}
	return DeepLink(name, tok), nil
}

// receive is the library's handler: it runs on one goroutine, in update
// order, and only queues.
func (c *Channel) receive(_ context.Context, _ *tgbot.Bot, u *models.Update) {
	up := Translate(u)
	if up.Kind == Ignore {
		return
	}
	// workCtx was set before the goroutine that calls receive started.
	c.disp.Push(c.workCtx, up.ChatID, up)
}
