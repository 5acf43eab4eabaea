package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/regua/regua/bot"
)

// Each chat's updates run one at a time in arrival order; different chats
// run side by side, at most workers at once.
func TestOrdered(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	got := map[int][]int{}
	running, peak := 0, 0
	perChat := map[int]int{}
	o := bot.NewOrdered[int](3, func(_ context.Context, u [2]int) {
		mu.Lock()
		running++
		perChat[u[0]]++
		if perChat[u[0]] > 1 {
			t.Errorf("chat %d ran two updates at once", u[0])
		}
		peak = max(peak, running)
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		got[u[0]] = append(got[u[0]], u[1])
		running--
		perChat[u[0]]--
		mu.Unlock()
	})
	for i := 0; i < 50; i++ {
		for chat := 0; chat < 8; chat++ {
			o.Push(context.Background(), chat, [2]int{chat, i})
		}
	}
	o.Wait()
	for chat := 0; chat < 8; chat++ {
		if len(got[chat]) != 50 {
			t.Fatalf("chat %d: %d updates run, want 50", chat, len(got[chat]))
		}
		for i, v := range got[chat] {
			if v != i {
				t.Fatalf("chat %d: update %d ran in place %d", chat, v, i)
			}
		}
	}
	if peak > 3 || peak < 2 {
		t.Fatalf("at most %d ran at once, want 2..3", peak)
	}
}
