package telegram

import (
	"context"
	"errors"

	tgbot "github.com/go-telegram/bot"

	"github.com/regua/regua/bot"
	"github.com/regua/regua/conversations"
)

// process handles one translated update (on bot.Ordered: one chat at a
// time, in order).
func (c *Channel) process(ctx context.Context, up Update) {
	log := c.log.With("kind", up.Kind.String())
	var err error
	switch up.Kind {
	case Blocked:
		err = c.chats.blocked(ctx, up.ChatID, c.cfg.Now())
	case Unblocked:
		err = c.chats.unblocked(ctx, up.ChatID)
	case GroupChat:
		err = c.sender.Send(ctx, chatString(up.ChatID), bot.Reply{Text: txtPrivateOnly})
	case OthersContact:
		// Recorded in the conversation like any bot message; the contact
		// itself goes nowhere.
		err = c.cfg.Service.Send(ctx, bot.ChannelTelegram, chatString(up.ChatID), bot.Reply{Text: txtOthersContact,
			Options: []conversations.Option{{Key: "contato", Label: lblShareMyContact, RequestContact: true}}}, "bot")
	case Callback:
		err = c.callback(ctx, up)
	case Message:
		err = c.message(ctx, up)
	}
	switch {
	case err == nil, errors.Is(err, context.Canceled):
	case errors.Is(err, ErrBlocked):
		log.Info("telegram: the person blocked the bot")
	default:
		log.Error("telegram: update", "err", err)
	}
}

func (c *Channel) message(ctx context.Context, up Update) error {
	// Writing again undoes a block (the person unblocked the bot).
	if err := c.chats.unblocked(ctx, up.ChatID); err != nil {
		return err
	}
	if up.StartToken != "" {
		debtor, ok, err := redeemLinkToken(ctx, c.cfg.Pool, up.StartToken, up.Inbound.Chat)
		if err != nil {
			return err
		}
		if ok {
			if err := c.cfg.Service.LinkChat(ctx, bot.ChannelTelegram, up.Inbound.Chat, debtor); err != nil {
				return err
			}
			c.log.Info("telegram: chat linked by deep link", "debtor", debtor)
		}
	}
	return c.turn(ctx, up.Inbound)
}

// callback answers a tap on an inline button. A button of the current menu
// is the typed option; one from an older menu counts only if the current
// menu has the same option under the same key, else the person hears that
// it expired and sees the current options.
func (c *Channel) callback(ctx context.Context, up Update) error {
	answer := func(text string) {
		_, err := c.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: up.CallbackID, Text: text})
		if err != nil {
			c.log.Warn("telegram: answerCallbackQuery", "err", err)
		}
	}
	if up.ChatID == 0 { // a button in someone else's chat: not a menu of ours
		answer("")
		return nil
	}
	st, err := c.chats.load(ctx, up.ChatID)
	if err != nil {
		answer("")
		return err
	}
	if !current(st, up) {
		answer(txtExpiredToast)
		r := bot.Reply{Text: txtExpiredNoMenu}
		if len(st.Menu.Options) > 0 {
			r = bot.Reply{Text: txtExpired, Options: st.Menu.Options}
		}
		return c.cfg.Service.Send(ctx, bot.ChannelTelegram, chatString(up.ChatID), r, "bot")
	}
	answer("")
	in := up.Inbound
	in.Text, in.At = up.Key, c.cfg.Now()
	return c.turn(ctx, in)
}

// current reports whether a tapped button still means what it showed.
func current(st ChatState, up Update) bool {
	for _, o := range st.Menu.Options {
		if o.Key != up.Key || o.RequestContact {
			continue
		}
		if up.Nonce != "" && up.Nonce == st.Nonce {
			return true
		}
		// A stale button whose option is still on offer, unchanged.
		return up.Button != "" && up.Button == ButtonText(o)
	}
	return false
}

// turn runs a conversational turn and delivers its replies in order.
func (c *Channel) turn(ctx context.Context, in bot.Inbound) error {
	replies, err := c.cfg.Service.Handle(ctx, in)
	if errors.Is(err, bot.ErrDuplicate) {
		return nil
	}
	if err != nil {
		// Never silence: a short apology, not recorded (the store may be
		// what failed).
		if serr := c.sender.Send(ctx, in.Chat, bot.Reply{Text: txtTryAgainLater}); serr != nil {
			c.log.Warn("telegram: apology", "err", serr)
		}
		return err
	}
	for _, r := range replies {
		if err := c.sender.Send(ctx, in.Chat, r); err != nil {
			return err // blocked, or Telegram down: the rest would fail too
		}
	}
	return nil
}
