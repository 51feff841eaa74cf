package tickets

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestGroupBatchesConcurrentCalls(t *testing.T) {
	var batches, items atomic.Int64
	g := newGroup(50, func(_ context.Context, in []int) []error {
		batches.Add(1)
		items.Add(int64(len(in)))
		time.Sleep(2 * time.Millisecond) // a write
		out := make([]error, len(in))
		for i, v := range in {
			if v%7 == 0 {
				out[i] = errors.New("seven")
			}
		}
		return out
	})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for i := 1; i <= 500; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := g.do(context.Background(), i)
			if (err != nil) != (i%7 == 0) {
				bad.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if bad.Load() != 0 || items.Load() != 500 {
		t.Fatalf("%d wrong results, %d items", bad.Load(), items.Load())
	}
	if batches.Load() > 250 {
		t.Fatalf("%d batches for 500 concurrent calls: not batching", batches.Load())
	}
	// An idle group answers a lone call at once.
	start := time.Now()
	if err := g.do(context.Background(), 1); err != nil || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("lone call: %v after %v", err, time.Since(start))
	}
	t.Logf("500 calls in %d batches", batches.Load())
}
