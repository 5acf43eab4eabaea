package telegram

import (
	"context"
	"sync"
	"time"
)

// Limits are how fast the bot may message. Telegram asks for about one
// message a second in a chat and about thirty a second over all chats, and
// answers 429 with retry_after beyond them.
type Limits struct {
	PerChat time.Duration // at least this long between two messages to one chat
	Window  time.Duration // at most Burst messages in any Window over all chats
	Burst   int
}

// DefaultLimits are Telegram's published limits for a bot.
var DefaultLimits = Limits{PerChat: time.Second, Window: time.Second, Burst: 30}

// pacer enforces Limits as the Bot API server sees them.
//
// Each message holds a permit from the moment its request starts until
// Window after its answer arrived (PerChat for the chat's permit). The
// server receives a request while its permit is held, and keeps holding it
// for at least a Window after, so no Window at the server can see more
// requests than there are permits: Burst over all chats, one in a chat. A
// plain token bucket paced on the client would be exceeded at the server
// by network jitter.
type pacer struct {
	limits Limits
	global chan time.Time // Burst permits, each carrying when it may next be used

	mu    sync.Mutex
	chats map[string]*lane
	swept time.Time
}

// lane is one chat's single permit.
type lane struct {
	permit chan time.Time
	refs   int       // holders and waiters
	free   time.Time // when the permit is next usable, as last released
}

func newPacer(l Limits) *pacer {
	if l.Burst <= 0 {
		l.Burst = 1
	}
	p := &pacer{limits: l, global: make(chan time.Time, l.Burst), chats: map[string]*lane{}}
	for range l.Burst {
		p.global <- time.Time{}
	}
	return p
}

// chat waits for the chat's permit and returns it with the instant it may
// be used; release it with done.
func (p *pacer) chat(ctx context.Context, chat string) (*lane, time.Time, error) {
	p.mu.Lock()
	l := p.chats[chat]
	if l == nil {
		l = &lane{permit: make(chan time.Time, 1)}
		l.permit <- time.Time{}
		p.chats[chat] = l
	}
	l.refs++
	p.sweep()
	p.mu.Unlock()
	select {
	case t := <-l.permit:
		return l, t, nil
	case <-ctx.Done():
		p.mu.Lock()
		l.refs--
		p.mu.Unlock()
		return nil, time.Time{}, ctx.Err()
	}
}

// done gives a chat's permit back, usable again at free.
func (p *pacer) done(l *lane, free time.Time) {
	p.mu.Lock()
	l.refs--
	l.free = free
	p.mu.Unlock()
	l.permit <- free
}

// sweep forgets idle chats whose permit is free again (under p.mu), at most
// once a second, so that a long-running process does not keep every chat.
func (p *pacer) sweep() {
	now := time.Now()
	if len(p.chats) < 1024 || now.Sub(p.swept) < time.Second {
		return
	}
	p.swept = now
	for k, l := range p.chats {
		if l.refs == 0 && now.After(l.free) {
			delete(p.chats, k)
		}
	}
}

// slot waits for a global permit, then until it may be used; call the
// returned function once the request has been answered (or failed).
func (p *pacer) slot(ctx context.Context) (release func(), err error) {
	var t time.Time
	select {
	case t = <-p.global:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := sleepUntil(ctx, t); err != nil {
		p.global <- t
		return nil, err
	}
	return func() { p.global <- time.Now().Add(p.limits.Window) }, nil
}

// sleepUntil waits until t or ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
