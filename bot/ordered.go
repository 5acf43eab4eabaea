package bot

import (
	"context"
	"sync"
)

// Ordered runs a channel's inbound updates one chat at a time, in the order
// they came, and different chats side by side (at most workers at once).
// Channel libraries hand updates over in order from one goroutine; running
// each in its own goroutine would let a chat's second message overtake its
// first. K is the channel's chat key, U its update.
type Ordered[K comparable, U any] struct {
	handle func(context.Context, U)
	slots  chan struct{}

	mu     sync.Mutex
	queues map[K][]U
	wg     sync.WaitGroup
}

// NewOrdered builds an Ordered that runs handle for each update.
func NewOrdered[K comparable, U any](workers int, handle func(context.Context, U)) *Ordered[K, U] {
	return &Ordered[K, U]{handle: handle, slots: make(chan struct{}, workers), queues: map[K][]U{}}
}

// Push queues u behind the chat's earlier updates. It never blocks.
func (d *Ordered[K, U]) Push(ctx context.Context, chat K, u U) {
	d.mu.Lock()
	q, running := d.queues[chat]
	d.queues[chat] = append(q, u)
	if !running {
		d.wg.Add(1)
		go d.run(ctx, chat)
	}
	d.mu.Unlock()
}

func (d *Ordered[K, U]) run(ctx context.Context, chat K) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[chat]
		if len(q) == 0 {
			delete(d.queues, chat)
			d.mu.Unlock()
			return
		}
		u := q[0]
		d.queues[chat] = q[1:]
		d.mu.Unlock()

		d.slots <- struct{}{}
		d.handle(ctx, u)
		<-d.slots
	}
}

// Wait returns once every queued update has been handled.
func (d *Ordered[K, U]) Wait() { d.wg.Wait() }
