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
// arrival order, across goroutines and replicas. Each Do call pushes a
// ticket on the conversation's queue; whoever holds the conversation's lock
// runs the queued items in order.
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

var releaseScript = redis.NewScript(`
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0`)

var refreshScript = redis.NewScript(`
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

// Turn is a conversation's turn in as few round trips as Redis allows:
// de-duplicate the message id and join the queue (one round trip), take the
// lock and load the session into sess (one; sess may be nil), run fn, then
// save the session, publish and release (one). Turns of one conversation run
// one at a time in arrival order, across goroutines and replicas: each joins
// a queue in Redis, and the one at its head with the lock runs. A waiter that
// dies leaves a ticket whose heartbeat expires, and the queue moves past it.
// dup is true when the message id was already seen (fn does not run).
func (q *Serial) Turn(ctx context.Context, channel, chat, messageID string, sess any, fn TurnFunc) (dup bool, err error) {
	st, rdb := q.st, q.st.rdb
	lockKey := st.key("lock", channel, chat)
	queueKey := st.key("queue", channel, chat)
	sessKey := st.key("sess", channel, chat)
	seenKey := st.key("seen", channel, chat) + ":" + messageID
	hb := func(t string) string { return queueKey + ":hb:" + t }
	ticket, token := randomID(), randomID()

	var seen *redis.BoolCmd
	var head *redis.StringCmd
	_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		if messageID != "" {
			seen = p.SetNX(ctx, seenKey, 1, 48*time.Hour)
		}
		p.Set(ctx, hb(ticket), 1, q.lockTTL)
		p.RPush(ctx, queueKey, ticket)
		p.PExpire(ctx, queueKey, 10*time.Minute)
		head = p.LIndex(ctx, queueKey, 0)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("redisstore: enqueue: %w", err)
	}
	if seen != nil && !seen.Val() {
		rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.LRem(ctx, queueKey, 1, ticket)
			p.Del(ctx, hb(ticket))
			return nil
		})
		return true, nil
	}
	forget := func() {
		if messageID != "" {
			rdb.Del(context.WithoutCancel(ctx), seenKey)
		}
	}
	wait := q.waitStep
	for {
		h, err := head.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			forget()
			return false, fmt.Errorf("redisstore: queue head: %w", err)
		}
		switch {
		case h == ticket:
			var lock *redis.BoolCmd
			var got *redis.StringCmd
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				lock = p.SetNX(ctx, lockKey, token, q.lockTTL)
				if sess != nil {
					got = p.Get(ctx, sessKey)
				}
				return nil
			})
			if err != nil && !errors.Is(err, redis.Nil) {
				forget()
				return false, fmt.Errorf("redisstore: lock: %w", err)
			}
			if lock.Val() {
				found := false
				if got != nil {
					if b, err := got.Bytes(); err == nil && json.Unmarshal(b, sess) == nil {
						found = true
					}
				}
				err := q.runTurn(ctx, lockKey, queueKey, hb(ticket), sessKey, st.key("events", channel, chat), ticket, token, found, fn)
				if err != nil {
					forget()
				}
				return false, err
			}
		case h == "":
			rdb.RPush(ctx, queueKey, ticket)
		default:
			if n, _ := rdb.Exists(ctx, hb(h)).Result(); n == 0 {
				rdb.LRem(ctx, queueKey, 1, h)
			}
		}
		select {
		case <-ctx.Done():
			rdb.LRem(context.WithoutCancel(ctx), queueKey, 1, ticket)
			forget()
			return false, ctx.Err()
		case <-time.After(wait):
		}
		if wait < 20*time.Millisecond {
			wait += wait / 2
		}
		_, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, hb(ticket), 1, q.lockTTL)
			head = p.LIndex(ctx, queueKey, 0)
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			forget()
			return false, fmt.Errorf("redisstore: queue head: %w", err)
		}
	}
}

func (q *Serial) runTurn(ctx context.Context, lockKey, queueKey, hbKey, sessKey, eventsKey, ticket, token string, found bool, fn TurnFunc) error {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(q.lockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				bg := context.WithoutCancel(ctx)
				refreshScript.Run(bg, q.st.rdb, []string{lockKey}, token, q.lockTTL.Milliseconds())
				q.st.rdb.Set(bg, hbKey, 1, q.lockTTL)
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
	bg := context.WithoutCancel(ctx)
	var setCmd *redis.StatusCmd
	_, perr := q.st.rdb.Pipelined(bg, func(p redis.Pipeliner) error {
		if saveBytes != nil {
			setCmd = p.Set(bg, sessKey, saveBytes, q.st.ttl)
		}
		if err == nil {
			for _, b := range publish {
				p.Publish(bg, eventsKey, b)
			}
		}
		p.LRem(bg, queueKey, 1, ticket)
		p.Del(bg, hbKey)
		releaseScript.Eval(bg, p, []string{lockKey}, token)
		return nil
	})
	if err == nil && setCmd != nil && setCmd.Err() != nil {
		return fmt.Errorf("redisstore: save session: %w", setCmd.Err())
	}
	if err == nil && perr != nil && !errors.Is(perr, redis.Nil) {
		// The turn is stored in PostgreSQL; a lost publish only delays the page.
		return nil
	}
	return err
}
