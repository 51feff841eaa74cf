package tickets

import (
	"context"
	"sync"
)

// group is a group commit: calls that arrive while a batch is being
// written wait and go together in the next batch. On the embedded server
// every write is a SQLite transaction with its own sync to disk, so a
// batch of N inserts (one insertMany) costs about what one insert does;
// this is what lets one connection take hundreds of reservations a second.
// A lone call goes at once, so an idle server adds no latency.
type group[T any] struct {
	run func(ctx context.Context, items []T) []error
	max int

	mu      sync.Mutex
	pending []*groupCall[T]
	running bool
}

type groupCall[T any] struct {
	item T
	err  error
	done chan struct{}
}

func newGroup[T any](max int, run func(ctx context.Context, items []T) []error) *group[T] {
	return &group[T]{run: run, max: max}
}

// do adds item to the next batch and returns its own result.
func (g *group[T]) do(ctx context.Context, item T) error {
	c := &groupCall[T]{item: item, done: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if g.running {
		g.mu.Unlock()
		<-c.done
		return c.err
	}
	g.running = true
	g.mu.Unlock()
	// The batch outlives this caller's request: it carries others' items.
	bctx := context.WithoutCancel(ctx)
	g.once(bctx) // this caller's item is first in line, so in this batch
	<-c.done
	// Whoever came meanwhile is served by a fresh goroutine, so a busy
	// server never keeps one request writing others' batches forever.
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.running = false
		g.mu.Unlock()
		return c.err
	}
	g.mu.Unlock()
	go g.drain(bctx)
	return c.err
}

func (g *group[T]) drain(ctx context.Context) {
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		g.once(ctx)
	}
}

// once writes one batch of the pending calls.
func (g *group[T]) once(ctx context.Context) {
	g.mu.Lock()
	n := min(len(g.pending), g.max)
	batch := append([]*groupCall[T](nil), g.pending[:n]...)
	g.pending = append(g.pending[:0:0], g.pending[n:]...)
	g.mu.Unlock()
	items := make([]T, len(batch))
	for i, c := range batch {
		items[i] = c.item
	}
	errs := g.run(ctx, items)
	for i, c := range batch {
		c.err = errs[i]
		close(c.done)
	}
}
