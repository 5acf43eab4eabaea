package redisstore

import (
	"context"
	"fmt"
)

// Forget deletes what Redis keeps about a chat (its session and its
// message de-duplication keys), for an LGPD erase. The queue and lock keys
// expire on their own and hold no personal data.
func (s *Store) Forget(ctx context.Context, channel, chat string) error {
	keys := []string{s.key("sess", channel, chat)}
	iter := s.rdb.Scan(ctx, 0, s.key("seen", channel, chat)+":*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("redisstore: forget: %w", err)
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("redisstore: forget: %w", err)
	}
	return nil
}

// Prefix is the namespace of every key of this store.
func (s *Store) Prefix() string { return s.prefix }
