package whatsapp

import (
	"context"
	"sync"
)

// dispatcher runs updates one chat at a time, in the order they came, and
// different chats side by side (at most workers at once). The library hands
// updates over in order from one goroutine; running each in its own
// goroutine, as it does by default, would let a chat's second message
// overtake its first.
type dispatcher struct {
	handle func(context.Context, Update)
	slots  chan struct{}

	mu     sync.Mutex
	queues map[string][]Update
	wg     sync.WaitGroup
}

func newDispatcher(workers int, handle func(context.Context, Update)) *dispatcher {
	return &dispatcher{handle: handle, slots: make(chan struct{}, workers), queues: map[string][]Update{}}
}

// push queues u behind the chat's earlier updates. It never blocks.
func (d *dispatcher) push(ctx context.Context, chat string, u Update) {
	d.mu.Lock()
	q, running := d.queues[chat]
	d.queues[chat] = append(q, u)
	if !running {
		d.wg.Add(1)
		go d.run(ctx, chat)
	}
	d.mu.Unlock()
}

func (d *dispatcher) run(ctx context.Context, chat string) {
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

// wait returns once every queued update has been handled.
func (d *dispatcher) wait() { d.wg.Wait() }
