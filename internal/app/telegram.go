package app

import (
	"context"
	"net/http"
	"time"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/bot/telegram"
)

// openTelegram builds the Telegram channel when REGUA_TELEGRAM_TOKEN is set
// and makes its sender the one every Telegram message goes through
// (replies, confirmations, follow-ups, agents' messages).
func (m *Main) openTelegram() error {
	if m.Config.TelegramToken == "" {
		return nil
	}
	ch, err := telegram.New(telegram.Config{
		Token:         m.Config.TelegramToken,
		APIURL:        m.Config.TelegramAPIURL,
		WebhookSecret: m.Config.TelegramWebhookSecret,
		PublicURL:     m.Config.PublicURL,
		Service:       m.Bot,
		Pool:          m.Pool,
		Log:           m.Log,
		Now:           m.Now,
		Redis:         m.Redis,
		RedisPrefix:   redisPrefix(m.Pool),
	})
	if err != nil {
		return err
	}
	m.Telegram = ch
	m.Bot.RegisterSender(bot.ChannelTelegram, ch.Sender())
	return nil
}

// registerTelegram mounts the webhook in webhook mode.
func (m *Main) registerTelegram(mux *http.ServeMux) {
	if m.Telegram != nil && m.Telegram.Webhook() {
		mux.Handle("POST "+telegram.WebhookPath, m.Telegram.WebhookHandler())
	}
}

// startTelegram starts receiving: long polling, or setWebhook with
// REGUA_PUBLIC_URL + /webhooks/telegram.
func (m *Main) startTelegram() error {
	if m.Telegram == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return m.Telegram.Start(ctx)
}

func (m *Main) closeTelegram() {
	if m.Telegram != nil {
		m.Telegram.Close()
	}
}
