package telegram

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/regua/regua/bot"
)

// ErrBlocked is returned (wrapped) by Send when the person blocked the bot:
// the debtor is marked unreachable on Telegram and the message must go by
// another channel.
var ErrBlocked = fmt.Errorf("telegram: the person blocked the bot: %w", bot.ErrUnreachable)

// maxAttempts bounds how often one message is tried (429s and refused
// connections); each 429 waits what Telegram asked.
const maxAttempts = 8

// Sender delivers every message Régua sends on Telegram: replies, reminders,
// payment confirmations and agents' messages alike, so that one pacer sees
// them all. It keeps Limits (per process, and across replicas once
// ShareLimits is called), waits out 429s for the
// retry_after Telegram asks and tries again (a 429 delivered nothing, so a
// retry cannot duplicate), and marks a chat and its debtor unreachable when
// the person blocked the bot (403).
//
// Send blocks until the reply is delivered or has failed; replies to one
// chat go out in the order Send was called.
type Sender struct {
	api   *tgbot.Bot
	chats chats
	log   *slog.Logger
	now   func() time.Time

	mu     sync.RWMutex
	pacer  *pacer
	shared *shared // nil: limits per process (see ShareLimits)
}

var _ bot.Sender = (*Sender)(nil)

// NewSender builds a Sender on a Bot API client.
func NewSender(api *tgbot.Bot, pool *pgxpool.Pool, limits Limits, log *slog.Logger, now func() time.Time) *Sender {
	if limits == (Limits{}) {
		limits = DefaultLimits
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{api: api, chats: chats{pool}, log: log, now: now, pacer: newPacer(limits)}
}

// SetLimits changes the limits (a bot granted more by Telegram, or a test
// that runs faster). Messages already waiting keep the old pace.
func (s *Sender) SetLimits(l Limits) {
	s.mu.Lock()
	s.pacer = newPacer(l)
	s.mu.Unlock()
}

// Limits are the limits in force.
func (s *Sender) Limits() Limits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.pacer.limits
}

// Send implements bot.Sender: chat is the Telegram chat id.
func (s *Sender) Send(ctx context.Context, chat string, r bot.Reply) error {
	id, err := strconv.ParseInt(chat, 10, 64)
	if err != nil || id == 0 {
		return fmt.Errorf("telegram: %q is not a chat id", chat)
	}
	s.mu.RLock()
	p, sh := s.pacer, s.shared
	s.mu.RUnlock()

	l, free, err := p.chat(ctx, chat)
	if err != nil {
		return err
	}
	defer func() { p.done(l, free) }()

	st, err := s.chats.load(ctx, id)
	if err != nil {
		return err
	}
	calls, next, err := Render(r, st, newNonce())
	if err != nil || len(calls) == 0 {
		return err
	}
	// Saved before sending: a tap on the new buttons may come back before
	// the last call returns.
	if next.Nonce != st.Nonce || next.ReplyKeyboard != st.ReplyKeyboard {
		if err := s.chats.save(ctx, id, next); err != nil {
			return err
		}
	}
	for _, c := range calls {
		if free, err = s.deliver(ctx, p, sh, id, c, free); err != nil {
			if errors.Is(err, tgbot.ErrorForbidden) {
				if merr := s.chats.blocked(context.WithoutCancel(ctx), id, s.now()); merr != nil {
					s.log.Error("telegram: mark blocked", "err", merr)
				}
				return fmt.Errorf("%w: %w", ErrBlocked, err)
			}
			return fmt.Errorf("telegram: %s: %w", c.Method, err)
		}
	}
	return nil
}

// deliver makes one call once the chat may be written to again (free),
// retrying 429s and refused connections, and returns when the chat may be
// written to next.
func (s *Sender) deliver(ctx context.Context, p *pacer, sh *shared, chat int64, c Call, free time.Time) (time.Time, error) {
	for attempt := 1; ; attempt++ {
		if err := sleepUntil(ctx, free); err != nil {
			return free, err
		}
		release, err := p.slot(ctx)
		if err != nil {
			return free, err
		}
		if sh != nil {
			if err := sh.wait(ctx, p.limits, chat); err != nil {
				release()
				return free, err
			}
		}
		switch params := c.params(chat).(type) {
		case *tgbot.SendPhotoParams:
			_, err = s.api.SendPhoto(ctx, params)
		case *tgbot.SendMessageParams:
			_, err = s.api.SendMessage(ctx, params)
		}
		release()
		free = time.Now().Add(p.limits.PerChat)
		var tooMany *tgbot.TooManyRequestsError
		if sh != nil && !refused(err) {
			// Other replicas wait too: PerChat after this answer, or what
			// a 429 asked.
			hold := p.limits.PerChat
			if errors.As(err, &tooMany) {
				hold = max(hold, time.Duration(tooMany.RetryAfter)*time.Second)
			}
			sh.hold(ctx, chat, hold)
		}
		if err == nil {
			return free, nil
		}
		switch {
		case attempt >= maxAttempts:
			return free, err
		case errors.As(err, &tooMany):
			wait := time.Duration(tooMany.RetryAfter) * time.Second
			s.log.Warn("telegram: 429, waiting as asked", "retry_after", tooMany.RetryAfter, "attempt", attempt)
			if wait > p.limits.PerChat {
				free = time.Now().Add(wait)
			}
		case refused(err):
			// The request never left: safe to try again, a little later.
			free = time.Now().Add(time.Duration(attempt) * 200 * time.Millisecond)
		default:
			return free, err
		}
	}
}

// refused reports a connection that could not be made, so nothing was sent.
func refused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func newNonce() string {
	b := make([]byte, 6)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
