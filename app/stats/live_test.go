package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// The live view counts every node's events through the store, and a
// restarted node finds its minutes again.
func TestLiveSharedAndSurvivesRestart(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	scan := func(l *stats.Live, site string, n int, at time.Time) {
		for i := 0; i < n; i++ {
			e := domain.NewEvent(domain.EventScan, at)
			e.County, e.Site = "513322", site
			l.Add(e)
		}
	}
	a, b := stats.NewSharedLive("nodeA", st), stats.NewSharedLive("nodeB", st)
	scan(a, "hailuogou", 3, now.Add(-2*time.Minute))
	scan(a, "hailuogou", 2, now)
	scan(b, "hailuogou", 4, now)
	scan(b, "luding-bridge", 5, now)
	for _, l := range []*stats.Live{a, b} {
		if err := l.Sync(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	total := func(l *stats.Live, keep func(string, string) bool) (last, all int64) {
		t.Helper()
		pts, err := l.Last(ctx, now.Add(stats.LiveReadEvery+time.Second), keep)
		if err != nil {
			t.Fatal(err)
		}
		if len(pts) != stats.LiveMinutes {
			t.Fatalf("%d minutes", len(pts))
		}
		for _, p := range pts {
			all += p.Counts[stats.MetricScan]
		}
		return pts[len(pts)-1].Counts[stats.MetricScan], all
	}
	everything := func(string, string) bool { return true }
	if _, all := total(a, everything); all != 14 {
		t.Errorf("node A sees %d scans of both nodes, want 14", all)
	}
	if _, all := total(b, func(_, site string) bool { return site == "hailuogou" }); all != 9 {
		t.Errorf("node B sees %d hailuogou scans, want 9", all)
	}

	// Node A restarts: its minutes come back, and new scans add to them.
	a2 := stats.NewSharedLive("nodeA", st)
	if err := a2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	scan(a2, "hailuogou", 1, now)
	if err := a2.Sync(ctx, now); err != nil {
		t.Fatal(err)
	}
	if _, all := total(a2, everything); all != 15 {
		t.Errorf("after a restart node A sees %d, want 15", all)
	}
	if _, all := total(stats.NewSharedLive("nodeC", st), everything); all != 15 {
		t.Errorf("a third node sees %d, want 15", all)
	}
	// Minutes that left the window are dropped from the store.
	old := stats.NewSharedLive("nodeD", st)
	scan(old, "hailuogou", 7, now.Add(-3*stats.LiveMinutes*time.Minute))
	if err := old.Sync(ctx, now.Add(-3*stats.LiveMinutes*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := old.Sync(ctx, now); err != nil {
		t.Fatal(err)
	}
	all, err := st.LiveMinutes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(all["nodeD"]); n != 0 {
		t.Errorf("node D keeps %d old minutes", n)
	}
}
