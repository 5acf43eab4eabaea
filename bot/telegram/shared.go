package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// shared keeps Limits across every replica sending as one bot: a GCRA
// limiter in Redis (github.com/go-redis/redis_rate) with one key for the bot
// and one per chat, so that two processes together stay within what one
// process keeps alone.
//
// As the process's own pacer holds a chat until PerChat after the answer,
// a hold key in Redis (expiring then, or when a 429's retry_after runs out)
// keeps every other replica from writing to that chat before.
//
// Each message takes a slot of the bot's key, then of its chat's key, right
// before its request; when the chat is not free yet the bot slot goes
// unused and both are taken again later, so a request never leaves long
// after its slots were granted. Slots are spaced evenly, Window/Burst apart
// for the bot (no burst: any Window holds at most Burst) and PerChat apart in
// a chat, each widened by a twentieth so that the jitter between the grant
// in Redis and the arrival at Telegram cannot squeeze one more into a
// window. The per-process pacer stays in force behind it (permits held
// while a request is in flight, per-chat order).
//
// When Redis fails, messages still go, paced by the process alone (Redis is
// asked again 5 s later), and the failure is logged once a minute: a
// reminder is worth more than a limit Telegram enforces itself with 429s,
// which Sender waits out.
type shared struct {
	rdb    redis.UniversalClient
	lim    *redis_rate.Limiter
	prefix string // ends in "<bot id>:"
	log    *slog.Logger

	lastWarn  atomic.Int64 // unix nanoseconds of the last "Redis failed" warning
	downUntil atomic.Int64 // unix nanoseconds: Redis failed, do not ask it before
}

// retryRedis is how long the limiter leaves Redis alone after a failure.
const retryRedis = 5 * time.Second

// down reports whether Redis failed less than retryRedis ago.
func (s *shared) down() bool { return time.Now().UnixNano() < s.downUntil.Load() }

// newShared builds the shared limiter for one bot; its keys are prefix +
// "telegram:<bot id>:" + "all", "chat:<chat id>" (both behind redis_rate's
// own "rate:") and "hold:<chat id>" (the bot id is the token's public part,
// before the colon).
func newShared(rdb redis.UniversalClient, prefix string, botID int64, log *slog.Logger) *shared {
	return &shared{rdb: rdb, lim: redis_rate.NewLimiter(rdb), prefix: prefix + "telegram:" + strconv.FormatInt(botID, 10) + ":", log: log}
}

// widen adds the margin against jitter to an interval.
func widen(d time.Duration) time.Duration { return d + d/20 }

// sharedLimits turns Limits into GCRA limits: one request every Window/Burst over
// the bot, one every PerChat in a chat, without bursts.
func sharedLimits(l Limits) (bot, chat redis_rate.Limit) {
	burst := max(l.Burst, 1)
	bot = redis_rate.Limit{Rate: burst, Burst: 1, Period: widen(l.Window)}
	chat = redis_rate.Limit{Rate: 1, Burst: 1, Period: widen(l.PerChat)}
	return bot, chat
}

// wait returns once this replica may send one request to chat.
func (s *shared) wait(ctx context.Context, l Limits, chat int64) error {
	if s.down() {
		return nil
	}
	botLimit, chatLimit := sharedLimits(l)
	id := strconv.FormatInt(chat, 10)
	chatKey := s.prefix + "chat:" + id
	for {
		// Another replica's answer (or 429) in this chat.
		held, err := s.rdb.PTTL(ctx, s.prefix+"hold:"+id).Result()
		if err != nil {
			return s.degraded(ctx, err)
		}
		if held > 0 {
			if err := sleepFor(ctx, held); err != nil {
				return err
			}
			continue
		}
		res, err := s.lim.Allow(ctx, s.prefix+"all", botLimit)
		if err != nil {
			return s.degraded(ctx, err)
		}
		if res.Allowed == 0 {
			if err := sleepFor(ctx, res.RetryAfter); err != nil {
				return err
			}
			continue
		}
		if l.PerChat <= 0 {
			return nil
		}
		res, err = s.lim.Allow(ctx, chatKey, chatLimit)
		if err != nil {
			return s.degraded(ctx, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := sleepFor(ctx, res.RetryAfter); err != nil {
			return err
		}
	}
}

// holdScript sets a chat's hold to ARGV[1] milliseconds unless a longer
// one is already running.
var holdScript = redis.NewScript(`
local left = redis.call("PTTL", KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call("SET", KEYS[1], "1", "PX", ARGV[1])
end
return left
`)

// hold keeps every replica from writing to chat for d: PerChat after an
// answer, as the process's own pacer does, or a 429's retry_after.
func (s *shared) hold(ctx context.Context, chat int64, d time.Duration) {
	if d <= 0 || s.down() {
		return
	}
	key := s.prefix + "hold:" + strconv.FormatInt(chat, 10)
	if err := holdScript.Run(context.WithoutCancel(ctx), s.rdb, []string{key}, d.Milliseconds()).Err(); err != nil {
		_ = s.degraded(ctx, err)
	}
}

// degraded lets a message go on the process's own limits when Redis fails.
func (s *shared) degraded(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	now := time.Now().UnixNano()
	s.downUntil.Store(now + int64(retryRedis))
	if last := s.lastWarn.Load(); now-last > int64(time.Minute) && s.lastWarn.CompareAndSwap(last, now) {
		s.log.Warn("telegram: shared rate limit unavailable, pacing this process alone", "err", err)
	}
	return nil
}

func sleepFor(ctx context.Context, d time.Duration) error {
	return sleepUntil(ctx, time.Now().Add(d))
}

// ShareLimits makes the limits hold across every replica that shares rdb
// and prefix (REGUA's Redis prefix): each message then also takes a slot
// in Redis for the bot and for its chat. Call it before the first Send.
func (s *Sender) ShareLimits(rdb redis.UniversalClient, prefix string) error {
	if rdb == nil {
		return fmt.Errorf("telegram: ShareLimits needs a Redis client")
	}
	s.mu.Lock()
	s.shared = newShared(rdb, prefix, s.api.ID(), s.log)
	s.mu.Unlock()
	return nil
}

// SharesLimits reports whether ShareLimits is in force.
func (s *Sender) SharesLimits() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.shared != nil
}
