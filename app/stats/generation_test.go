package stats_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// TestLateWriteReachesEveryNode is the stale-digest case: node A has read
// a final month (and stored its digest); node B then writes into that
// month (a late rollup, a rebuild, the generator). Node A, within
// GenerationTTL, and a node started afterwards both show the new figures
// instead of the digest made before the write.
func TestLateWriteReachesEveryNode(t *testing.T) {
	opt := genSet()
	opt.Days, opt.PerDay = 12, 40
	st := storetest.New(t)
	ctx := context.Background()
	writeGenerated(t, st, opt)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	q := stats.OverviewQuery{From: "2026-10-20", To: "2026-10-31", Sites: opt.Sites}
	nodeA := stats.NewBoard(st).WithClock(clock)
	before, err := nodeA.Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if before.Cur.Scans == 0 {
		t.Fatal("no scans generated")
	}
	// The digest of October exists now; a board started later would read it.
	if _, err := st.StatsDigest(ctx, digestID(t, st, store.RollupSite, "513322", "hailuogou", "2026-10")); err != nil {
		t.Fatalf("digest not written: %v", err)
	}

	// Node B's shipper raises its own document in October (late events).
	lateScans(t, st, "25", "10", 7)

	advance(stats.GenerationTTL + time.Second)
	afterA, err := nodeA.Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if afterA.Cur.Scans != before.Cur.Scans+7 {
		t.Errorf("node A after the late write: %d scans, want %d", afterA.Cur.Scans, before.Cur.Scans+7)
	}
	nodeC, err := stats.NewBoard(st).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if nodeC.Cur.Scans != before.Cur.Scans+7 {
		t.Errorf("new node after the late write: %d scans, want %d (stale digest?)", nodeC.Cur.Scans, before.Cur.Scans+7)
	}

	// The current month never gets a generation: its cache lives seconds.
	gens, err := st.StatsGenerations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if gens["2026-10"] == 0 {
		t.Errorf("October has no generation after a late write: %v", gens)
	}
	// The current month's generation is raised only by writes into its
	// past days: a write into today raises nothing.
	wall := time.Now().In(domain.ChinaTime)
	cur, today := wall.Format("2006-01"), wall.Format("02")
	w := store.Rollup{ID: store.RollupID(store.RollupSite, "513322", "hailuogou", cur, "nodeB"), Kind: store.RollupSite,
		County: "513322", Key: "hailuogou", Month: cur, Node: "nodeB", Seq: 2,
		Days: map[string]*store.RollupDay{today: {Hours: map[string]map[string]int64{"00": {stats.MetricScan: 1}}}}}
	if err := st.AddRollupNode(ctx, "nodeB", cur); err != nil {
		t.Fatal(err)
	}
	if err := st.RaiseRollups(ctx, []store.Rollup{w}); err != nil {
		t.Fatal(err)
	}
	after, err := st.StatsGenerations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if time.Now().In(domain.ChinaTime).Format("02") == today && after[cur] != gens[cur] {
		t.Errorf("a write into today raised the current month's generation: %d → %d", gens[cur], after[cur])
	}
	if today == "01" {
		return // no past day in the month
	}
	w.Seq, w.Days = 3, map[string]*store.RollupDay{"01": {Hours: map[string]map[string]int64{"00": {stats.MetricScan: 1}}}}
	if err := st.RaiseRollups(ctx, []store.Rollup{w}); err != nil {
		t.Fatal(err)
	}
	past, err := st.StatsGenerations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if past[cur] != after[cur]+1 {
		t.Errorf("a write into the 1st of the current month: generation %d → %d", after[cur], past[cur])
	}
}

// digestID names the digest a board stores for a unit's month at the
// month's current generation.
func digestID(t *testing.T, st *store.Store, kind, county, key, month string) string {
	t.Helper()
	gens, err := st.StatsGenerations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := "v5|"
	if g := gens[month]; g > 0 {
		id += fmt.Sprintf("g%d|", g)
	}
	return id + store.RollupID(kind, county, key, month, "all")
}

// TestComparedPeriodCutAtTheSameHour: flat traffic (one scan an hour)
// over 7 days ending with a partial today compares equal with the 7 days
// before when the last compared day is cut at the same hour; uncut it
// reads as a fall (the −12 % of flat traffic that was reported).
func TestComparedPeriodCutAtTheSameHour(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	r := store.Rollup{ID: store.RollupID(store.RollupSite, "513322", "hailuogou", "2026-09", "n1"), Kind: store.RollupSite,
		County: "513322", Key: "hailuogou", Month: "2026-09", Node: "n1", Seq: 1, Days: map[string]*store.RollupDay{}}
	for d := 1; d <= 14; d++ {
		day := &store.RollupDay{Hours: map[string]map[string]int64{}}
		hours := 24
		if d == 14 { // "today", at 14:xx
			hours = 15
		}
		for h := 0; h < hours; h++ {
			day.Hours[fmt.Sprintf("%02d", h)] = map[string]int64{stats.MetricScan: 1}
		}
		r.Days[fmt.Sprintf("%02d", d)] = day
	}
	if err := st.AddRollupNode(ctx, "n1", "2026-09"); err != nil {
		t.Fatal(err)
	}
	if err := st.RaiseRollups(ctx, []store.Rollup{r}); err != nil {
		t.Fatal(err)
	}
	sites := []stats.Unit{{County: "513322", Key: "hailuogou", Site: "hailuogou"}}
	b := stats.NewBoard(st)
	cut, err := b.Overview(ctx, stats.OverviewQuery{From: "2026-09-08", To: "2026-09-14", Sites: sites, PrevCutHour: 15})
	if err != nil {
		t.Fatal(err)
	}
	if cut.PrevFrom != "2026-09-01" || cut.PrevTo != "2026-09-07" {
		t.Errorf("compared with %s..%s", cut.PrevFrom, cut.PrevTo)
	}
	if cut.Cur.Scans != 6*24+15 || cut.Prev.Scans != cut.Cur.Scans {
		t.Errorf("cut at 15:00: %d now, %d before; want %d both", cut.Cur.Scans, cut.Prev.Scans, 6*24+15)
	}
	whole, err := b.Overview(ctx, stats.OverviewQuery{From: "2026-09-08", To: "2026-09-14", Sites: sites})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Prev.Scans != 7*24 {
		t.Errorf("uncut: %d before, want %d", whole.Prev.Scans, 7*24)
	}
	// A compared period that overlaps the range is refused.
	if _, err := b.Overview(ctx, stats.OverviewQuery{From: "2026-09-08", To: "2026-09-14", Sites: sites,
		PrevFrom: "2026-09-02", PrevTo: "2026-09-08"}); err == nil {
		t.Error("overlapping compared period accepted")
	}
}
