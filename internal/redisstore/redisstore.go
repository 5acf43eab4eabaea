// Package redisstore keeps conversation state in Redis: sessions with a TTL,
// inbound de-duplication by channel message id, and an ordered single writer
// per conversation that works across replicas.
//
// Keys carry a prefix (tests give each package its own) and a hash tag
// ({channel:chat}) so that a conversation's keys share one cluster slot.
// Nothing here is the system of record: losing Redis costs a polite restart
// of the conversation, never a payment or a message (those are in
// PostgreSQL).
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store is the Redis side of conversations.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// New builds a Store. prefix namespaces every key ("regua:" in production);
// ttl is how long an idle session lives (REGUA_SESSION_TTL).
func New(rdb redis.UniversalClient, prefix string, ttl time.Duration) *Store {
	return &Store{rdb: rdb, prefix: prefix, ttl: ttl}
}

func (s *Store) key(kind, channel, chat string) string {
	return fmt.Sprintf("%s%s:{%s:%s}", s.prefix, kind, channel, chat)
}

// LoadSession reads a session into v; found is false when there is none (new
// chat, expired, or Redis lost it).
func (s *Store) LoadSession(ctx context.Context, channel, chat string, v any) (found bool, err error) {
	b, err := s.rdb.Get(ctx, s.key("sess", channel, chat)).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redisstore: load session: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		// A session we cannot read is a lost session: restart politely.
		return false, nil
	}
	return true, nil
}

// SaveSession stores a session with the TTL.
func (s *Store) SaveSession(ctx context.Context, channel, chat string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := s.rdb.Set(ctx, s.key("sess", channel, chat), b, s.ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: save session: %w", err)
	}
	return nil
}

// Serial runs work for one conversation strictly one at a time and in
// arrival order, across goroutines and replicas. Each Turn (or Do) pushes a
// ticket on the conversation's queue in Redis; the ticket at the head of the
// queue takes the conversation's lock and runs, then leaves the queue.
type Serial struct {
	st       *Store
	lockTTL  time.Duration
	waitStep time.Duration
}

// Serial returns the ordered runner of this store. lockTTL bounds how long a
// crashed holder can block a conversation.
func (s *Store) Serial(lockTTL time.Duration) *Serial {
	return &Serial{st: s, lockTTL: lockTTL, waitStep: 2 * time.Millisecond}
}

const (
	seenTTL  = 48 * time.Hour   // how long a message id is remembered
	queueTTL = 10 * time.Minute // a queue of dead tickets does not outlive this
)

// The scripts of a turn. Every key is passed in KEYS (a conversation's keys
// share its hash tag, so a script stays in one cluster slot); go-redis runs
// them with EVALSHA and falls back to EVAL when Redis does not have them
// cached (first use, restart).
//
// enter and retry share their KEYS and ARGV:
//
//	KEYS[1] queue, KEYS[2] this ticket's heartbeat, KEYS[3] lock,
//	KEYS[4] session, KEYS[5] enter: the message id's seen key (when there is
//	one); retry: the heartbeat of the head seen by the previous call
//	ARGV[1] ticket, ARGV[2] lock token, ARGV[3] lock TTL (ms),
//	ARGV[4] queue TTL (ms), ARGV[5] "1" to load the session,
//	ARGV[6] enter: seen TTL (ms); retry: the head seen by the previous call
//
// Both reply {turnDup} (enter only: the message id was seen before; nothing
// is left queued), {turnRun, session} or {turnRun} (the lock is ours; the
// session is missing or was not asked for) or {turnWait, head} (someone
// else runs or is ahead: wait and retry).
const (
	turnDup  = 0
	turnRun  = 1
	turnWait = 2
)

// takeLua ends enter and retry: when the ticket is at the head of the queue
// and the lock is free, take the lock and load the session.
const takeLua = `
if head == ARGV[1] and redis.call("set", KEYS[3], ARGV[2], "NX", "PX", ARGV[3]) then
  if ARGV[5] == "1" then
    local sess = redis.call("get", KEYS[4])
    if sess then return {1, sess} end
  end
  return {1}
end
return {2, head}`

// enterScript de-duplicates the message id, joins the queue and, when the
// queue was empty and the lock free, takes the lock.
var enterScript = redis.NewScript(`
if KEYS[5] and not redis.call("set", KEYS[5], ARGV[1], "NX", "PX", ARGV[6]) then
  return {0}
end
redis.call("set", KEYS[2], 1, "PX", ARGV[3])
redis.call("rpush", KEYS[1], ARGV[1])
redis.call("pexpire", KEYS[1], ARGV[4])
local head = redis.call("lindex", KEYS[1], 0)` + takeLua)

// retryScript is a waiting turn's poll: it keeps the ticket's heartbeat
// alive, moves past the head seen last time if its waiter died (its
// heartbeat expired), queues the ticket again if the queue vanished (Redis
// lost it), and takes the lock when the ticket is at the head.
var retryScript = redis.NewScript(`
redis.call("set", KEYS[2], 1, "PX", ARGV[3])
local head = redis.call("lindex", KEYS[1], 0)
if head and head == ARGV[6] and head ~= ARGV[1] and redis.call("exists", KEYS[5]) == 0 then
  redis.call("lrem", KEYS[1], 1, head)
  head = redis.call("lindex", KEYS[1], 0)
end
if not head then
  redis.call("rpush", KEYS[1], ARGV[1])
  redis.call("pexpire", KEYS[1], ARGV[4])
  head = ARGV[1]
end` + takeLua)

// leaveScript ends a turn: it saves the session, publishes the turn's
// events, leaves the queue, drops the heartbeat, releases the lock if it is
// still ours and, when the turn failed, forgets the message id (if it is
// still this ticket's) so that the message can be delivered again. A failed
// save does not stop the rest; it is the script's error reply.
//
//	KEYS[1] queue, KEYS[2] heartbeat, KEYS[3] lock, KEYS[4] session,
//	KEYS[5] the message id's seen key (when there is one)
//	ARGV[1] ticket, ARGV[2] lock token, ARGV[3] events channel,
//	ARGV[4] "1" when the turn failed (no events), ARGV[5] session TTL (ms,
//	0: none), ARGV[6] "1" to save ARGV[7] as the session, ARGV[8...] events
var leaveScript = redis.NewScript(`
local failed = ARGV[4] == "1"
local err
if ARGV[6] == "1" then
  local r
  if tonumber(ARGV[5]) > 0 then
    r = redis.pcall("set", KEYS[4], ARGV[7], "PX", ARGV[5])
  else
    r = redis.pcall("set", KEYS[4], ARGV[7])
  end
  if type(r) == "table" and r.err then err = r end
end
if not failed then
  for i = 8, #ARGV do redis.pcall("publish", ARGV[3], ARGV[i]) end
end
redis.call("lrem", KEYS[1], 1, ARGV[1])
redis.call("del", KEYS[2])
if redis.call("get", KEYS[3]) == ARGV[2] then redis.call("del", KEYS[3]) end
if (failed or err) and KEYS[5] and redis.call("get", KEYS[5]) == ARGV[1] then
  redis.call("del", KEYS[5])
end
if err then return err end
return 1`)

// delIfScript deletes KEYS[1] if its value is ARGV[1].
var delIfScript = redis.NewScript(`
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0`)

// refreshScript extends a running turn's lock (if still ours) and heartbeat.
var refreshScript = redis.NewScript(`
redis.call("set", KEYS[2], 1, "PX", ARGV[2])
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end
return 0`)

// Do runs fn for (channel, chat) after every earlier Do or Turn for the
// same conversation has run, and never at the same time as another: Turn
// without a message id or a session.
func (q *Serial) Do(ctx context.Context, channel, chat string, fn func(ctx context.Context) error) error {
	_, err := q.Turn(ctx, channel, chat, "", nil, func(ctx context.Context, _ bool) (any, [][]byte, error) {
		return nil, nil, fn(ctx)
	})
	return err
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Publish announces new messages of a conversation to its subscribers (the
// web chat's event streams), on every replica, in one round trip.
func (s *Store) Publish(ctx context.Context, channel, chat string, payloads ...[]byte) error {
	if len(payloads) == 0 {
		return nil
	}
	key := s.key("events", channel, chat)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, b := range payloads {
			p.Publish(ctx, key, b)
		}
		return nil
	})
	return err
}

// Subscribe listens to a conversation's new messages. Close the PubSub when done.
func (s *Store) Subscribe(ctx context.Context, channel, chat string) *redis.PubSub {
	return s.rdb.Subscribe(ctx, s.key("events", channel, chat))
}

// TurnFunc runs one conversational turn. found says whether the session was
// in Redis (it was decoded into the value given to Turn). It returns the
// session to save (nil: keep as is) and the event payloads to publish.
type TurnFunc func(ctx context.Context, found bool) (save any, publish [][]byte, err error)

// Turn is a conversation's turn in two round trips when no other turn of the
// conversation is running: one script de-duplicates the message id, joins
// the queue, takes the lock and loads the session into sess (sess may be
// nil); fn runs; one script saves the session, publishes, leaves the queue
// and releases the lock. Turns of one conversation run one at a time in
// arrival order, across goroutines and replicas: each joins a queue in
// Redis, and the one at its head takes the lock and runs; the others poll,
// one round trip a poll. A waiter that dies leaves a ticket whose heartbeat
// expires, and the queue moves past it. dup is true when the message id was
// already seen in the last 48 hours (fn does not run). When the turn fails
// (fn, the save, Redis or ctx), the message id is forgotten so that the
// message can be handled again.
func (q *Serial) Turn(ctx context.Context, channel, chat, messageID string, sess any, fn TurnFunc) (dup bool, err error) {
	st := q.st
	t := &turn{
		q:      q,
		queue:  st.key("queue", channel, chat),
		lock:   st.key("lock", channel, chat),
		sess:   st.key("sess", channel, chat),
		events: st.key("events", channel, chat),
		ticket: randomID(),
		token:  randomID(),
	}
	if messageID != "" {
		t.seen = st.key("seen", channel, chat) + ":" + messageID
	}
	loadSession := "0"
	if sess != nil {
		loadSession = "1"
	}
	lockMS := q.lockTTL.Milliseconds()

	keys := []string{t.queue, t.hb(t.ticket), t.lock, t.sess}
	if t.seen != "" {
		keys = append(keys, t.seen)
	}
	reply, err := enterScript.Run(ctx, st.rdb, keys, t.ticket, t.token, lockMS, queueTTL.Milliseconds(), loadSession, seenTTL.Milliseconds()).Slice()
	if err != nil {
		t.abandon(ctx)
		return false, fmt.Errorf("redisstore: enter: %w", err)
	}
	wait := q.waitStep
	for {
		status, val, err := parseReply(reply)
		if err != nil {
			t.abandon(ctx)
			return false, err
		}
		switch status {
		case turnDup:
			return true, nil
		case turnRun:
			// A session that is missing or that we cannot read is a lost
			// session: the turn starts the conversation again.
			found := val != nil && json.Unmarshal(val, sess) == nil
			return false, t.run(ctx, found, fn)
		}
		head := string(val)
		select {
		case <-ctx.Done():
			t.abandon(ctx)
			return false, ctx.Err()
		case <-time.After(wait):
		}
		if wait < 20*time.Millisecond {
			wait += wait / 2
		}
		keys := []string{t.queue, t.hb(t.ticket), t.lock, t.sess, t.hb(head)}
		reply, err = retryScript.Run(ctx, st.rdb, keys, t.ticket, t.token, lockMS, queueTTL.Milliseconds(), loadSession, head).Slice()
		if err != nil {
			t.abandon(ctx)
			return false, fmt.Errorf("redisstore: queue head: %w", err)
		}
	}
}

// parseReply reads the reply of enterScript or retryScript: the status and
// the session (turnRun) or the queue's head (turnWait).
func parseReply(reply []any) (status int64, val []byte, err error) {
	if len(reply) > 0 {
		status, _ = reply[0].(int64)
	}
	switch {
	case len(reply) == 1 && (status == turnDup || status == turnRun):
		return status, nil, nil
	case len(reply) == 2 && (status == turnRun || status == turnWait):
		if s, ok := reply[1].(string); ok {
			return status, []byte(s), nil
		}
	}
	return 0, nil, fmt.Errorf("redisstore: unexpected reply %v", reply)
}

// turn is one Turn call's keys and identity.
type turn struct {
	q                         *Serial
	queue, lock, sess, events string
	seen                      string // "" without a message id
	ticket, token             string
}

// hb is the heartbeat key of a ticket: it lives while its waiter does.
func (t *turn) hb(ticket string) string { return t.queue + ":hb:" + ticket }

// run runs fn holding the lock, then leaves.
func (t *turn) run(ctx context.Context, found bool, fn TurnFunc) error {
	rdb, lockTTL := t.q.st.rdb, t.q.lockTTL
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(lockTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				refreshScript.Run(context.WithoutCancel(ctx), rdb, []string{t.lock, t.hb(t.ticket)}, t.token, lockTTL.Milliseconds())
			}
		}
	}()
	save, publish, err := fn(ctx, found)
	close(done)
	var saveBytes []byte
	if err == nil && save != nil {
		if saveBytes, err = json.Marshal(save); err != nil {
			err = fmt.Errorf("redisstore: save session: %w", err)
		}
	}
	if err != nil {
		publish = nil
	}
	lerr := t.leave(ctx, err != nil, saveBytes, publish)
	if err == nil && saveBytes != nil && lerr != nil {
		err = fmt.Errorf("redisstore: save session: %w", lerr)
	}
	if err != nil && lerr != nil {
		// leave may not have run: forget the message id here.
		t.forget(ctx)
	}
	// Without a session to save, a failed leave costs at most a lost publish
	// (the turn is stored in PostgreSQL; the page catches up) and a queue
	// that waits for the lock and heartbeat to expire.
	return err
}

// leave runs leaveScript, even when ctx is done.
func (t *turn) leave(ctx context.Context, failed bool, save []byte, publish [][]byte) error {
	ctx = context.WithoutCancel(ctx)
	keys := []string{t.queue, t.hb(t.ticket), t.lock, t.sess}
	if t.seen != "" {
		keys = append(keys, t.seen)
	}
	args := make([]any, 0, 7+len(publish))
	args = append(args, t.ticket, t.token, t.events, flag(failed), t.q.st.ttl.Milliseconds(), flag(save != nil), save)
	for _, b := range publish {
		args = append(args, b)
	}
	return leaveScript.Run(ctx, t.q.st.rdb, keys, args...).Err()
}

// abandon gives up a turn that did not run: it leaves the queue (releasing
// the lock in case Redis gave it to us but the reply was lost) and forgets
// the message id.
func (t *turn) abandon(ctx context.Context) {
	if t.leave(ctx, true, nil, nil) != nil {
		t.forget(ctx)
	}
}

// forget deletes the message id's seen key if this turn set it.
func (t *turn) forget(ctx context.Context) {
	if t.seen != "" {
		delIfScript.Run(context.WithoutCancel(ctx), t.q.st.rdb, []string{t.seen}, t.ticket)
	}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
