package events

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// slowTarget stands in for a database whose every call costs 5 ms of work;
// it counts what it was sent. (Not a driver mock: the shipper's pacing is
// under test, not the store.)
type slowTarget struct{ inserted atomic.Int64 }

func (s *slowTarget) InsertEvents(_ context.Context, evs []domain.Event) (int, int, error) {
	time.Sleep(5 * time.Millisecond)
	s.inserted.Add(int64(len(evs)))
	return len(evs), 0, nil
}
func (s *slowTarget) Rollup(context.Context, string) (store.Rollup, error) {
	return store.Rollup{}, domain.ErrNotFound
}
func (s *slowTarget) RaiseRollups(context.Context, []store.Rollup) error  { return nil }
func (s *slowTarget) AddRollupNode(context.Context, string, string) error { return nil }

// While the node records faster than BusyRate, the shipper keeps to its
// small busy duty and the lag grows; once the burst is over it drains.
func TestShipperYieldsDuringBurst(t *testing.T) {
	l := openTest(t, t.TempDir(), Options{})
	tgt := &slowTarget{}
	sh := l.Ship(tgt, ShipOptions{Batch: 20, InsertChunk: 20, Duty: 1, BusyDuty: 0.1, BusyRate: 100})
	defer sh.Close(context.Background())
	defer closeLog(t, l)

	// Two bursty seconds at ~2,000 events/s.
	recorded := 0
	end := time.Now().Add(2 * time.Second)
	for time.Now().Before(end) {
		recordN(t, l, recorded, 20)
		recorded += 20
		time.Sleep(10 * time.Millisecond)
	}
	during := tgt.inserted.Load()
	// At full duty it could ship 20 events per 5 ms, far more than was
	// recorded; at 10 % duty about 800 in two seconds (plus the first
	// quarter second before the rate is known).
	if during > int64(recorded)*6/10 {
		t.Fatalf("shipped %d of %d events during the burst: not yielding", during, recorded)
	}
	if l.Lag().Events == 0 {
		t.Fatal("no lag after the burst")
	}
	drain(t, l, 20*time.Second)
	t.Logf("burst: %d recorded, %d shipped during it; drained after", recorded, during)
}
