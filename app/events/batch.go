package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Sink stores events; store.Store implements it. Storing an event whose id
// is already stored must count it as a duplicate, not fail.
type Sink interface {
	InsertEvents(ctx context.Context, events []domain.Event) (inserted, duplicates int, err error)
}

// BatchWriter collects events in memory and inserts them in batches. It is
// the simple recorder: events still in memory are lost if the process dies.
type BatchWriter struct {
	sink     Sink
	log      *slog.Logger
	maxBatch int
	every    time.Duration
	in       chan domain.Event
	done     chan struct{}
	stopOnce sync.Once
}

// NewBatchWriter starts a writer that inserts up to maxBatch events at least
// every interval.
func NewBatchWriter(sink Sink, log *slog.Logger, maxBatch int, every time.Duration) *BatchWriter {
	w := &BatchWriter{sink: sink, log: log, maxBatch: maxBatch, every: every,
		in: make(chan domain.Event, maxBatch*4), done: make(chan struct{})}
	go w.run()
	return w
}

// Record queues an event. It blocks only when the queue is full.
func (w *BatchWriter) Record(ctx context.Context, e domain.Event) error {
	select {
	case w.in <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close flushes what is queued and stops the writer.
func (w *BatchWriter) Close(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.in) })
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *BatchWriter) run() {
	defer close(w.done)
	t := time.NewTicker(w.every)
	defer t.Stop()
	batch := make([]domain.Event, 0, w.maxBatch)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		for attempt := 0; ; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, _, err := w.sink.InsertEvents(ctx, batch)
			cancel()
			if err == nil {
				break
			}
			w.log.Error("events: insert batch", "events", len(batch), "attempt", attempt, "err", err)
			if attempt >= 2 {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		batch = batch[:0]
	}
	for {
		select {
		case e, ok := <-w.in:
			if !ok {
				flush()
				return
			}
			batch = append(batch, e)
			if len(batch) >= w.maxBatch {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
