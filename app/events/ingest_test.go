package events

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// timedTarget measures where shipping time goes.
type timedTarget struct {
	Target
	insert, rollup time.Duration
}

func (t *timedTarget) InsertEvents(ctx context.Context, evs []domain.Event) (int, int, error) {
	start := time.Now()
	defer func() { t.insert += time.Since(start) }()
	return t.Target.InsertEvents(ctx, evs)
}

func (t *timedTarget) RaiseRollups(ctx context.Context, rs []store.Rollup) error {
	start := time.Now()
	defer func() { t.rollup += time.Since(start) }()
	return t.Target.RaiseRollups(ctx, rs)
}

// TestIngestRate reports how fast a backlog drains into the store at full
// duty. It is a measurement, run with YIMAYOU_INGEST=N events.
func TestIngestRate(t *testing.T) {
	n := 0
	fmt.Sscan(os.Getenv("YIMAYOU_INGEST"), &n)
	if n == 0 {
		t.Skip("set YIMAYOU_INGEST=100000 to measure")
	}
	st := storetest.New(t)
	l := openTest(t, t.TempDir(), Options{})
	for i := 0; i < n; i++ {
		e := mixEvent(i)
		e.Sign = fmt.Sprintf("S%d", i%50)
		e.VisitorKey = fmt.Sprintf("v%d", i%5000)
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	tt := &timedTarget{Target: st}
	start := time.Now()
	sh := l.Ship(tt, ShipOptions{Duty: 1})
	drain(t, l, 5*time.Minute)
	el := time.Since(start)
	closeLog(t, l)
	_ = sh.Close(context.Background())
	t.Logf("%d events in %v: %.0f events/s; insertMany %v, rollup writes %v", n, el, float64(n)/el.Seconds(), tt.insert, tt.rollup)
}
