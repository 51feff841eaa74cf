package stats_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// countingStore counts the day rank documents (a month of days) a board
// reads.
type countingStore struct {
	*store.Store
	rankReads atomic.Int64
}

func (c *countingStore) Rollup(ctx context.Context, id string) (store.Rollup, error) {
	if strings.HasPrefix(id, store.RollupRank+"|") {
		c.rankReads.Add(1)
	}
	return c.Store.Rollup(ctx, id)
}

// TestOpenMonthRankFromDigestsAndRankDays: the top lists of a range
// ending today (the open month), of the last ten days and of the month so
// far, are chosen from the counties' month rank documents (month to date)
// and rank-day documents, and equal the lists ranked from every unit's
// own documents; no day rank document is read, first or after a restart.
// A late write on node B into a closed day (the generation of its month,
// the current one included, is raised) reaches node A within
// GenerationTTL and a node started afterwards.
func TestOpenMonthRankFromDigestsAndRankDays(t *testing.T) {
	opt := genSet()
	opt.PerDay = 20
	start := time.Now().In(domain.ChinaTime)
	opt.From, opt.Days = start.AddDate(0, 0, -9).Format(time.DateOnly), 10
	today := start.Format(time.DateOnly)
	base := storetest.New(t)
	st := &countingStore{Store: base}
	ctx := context.Background()
	writeGenerated(t, base, opt)
	if err := base.SetStatsRankDaysFrom(ctx, opt.From); err != nil {
		t.Fatal(err)
	}
	var signs []stats.Unit
	for _, s := range opt.Sites {
		for _, code := range opt.Signs[s.Key] {
			signs = append(signs, stats.Unit{County: s.County, Key: code, Site: s.Key})
		}
	}
	var mu sync.Mutex
	var offset time.Duration
	// The boards' clock stands still at the start (a test across midnight
	// or 01:00 would otherwise see other closed days between requests).
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return start.Add(offset) }

	// Three of five sites and seven signs: the rank documents choose.
	q := stats.OverviewQuery{From: opt.From, To: today, Sites: opt.Sites, Signs: signs, Top: 3,
		Levels: []stats.Unit{stats.PrefectureLevel}}
	monthSoFar := q
	monthSoFar.From = today[:8] + "01"
	same := func(name string, b *stats.Board) stats.Overview {
		t.Helper()
		var out stats.Overview
		for i, q := range []stats.OverviewQuery{monthSoFar, q} {
			sum := q
			sum.Levels = nil
			lv, err := b.Overview(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			all, err := b.Overview(ctx, sum)
			if err != nil {
				t.Fatal(err)
			}
			if len(lv.TopSigns) != 3 || !reflect.DeepEqual(lv.TopSites, all.TopSites) || !reflect.DeepEqual(lv.TopSigns, all.TopSigns) {
				t.Errorf("%s %s: top lists differ:\nlevels %+v\n%+v\nunits  %+v\n%+v", name, q.From, lv.TopSites, lv.TopSigns, all.TopSites, all.TopSigns)
			}
			if i == 1 {
				out = lv
			}
		}
		return out
	}
	nodeA := stats.NewBoard(st).WithClock(clock)
	same("first", nodeA)
	if n := st.rankReads.Load(); n != 0 {
		t.Errorf("first request: %d month rank documents read", n)
	}
	st.rankReads.Store(0)
	restart := stats.NewBoard(st).WithClock(clock)
	if _, err := restart.Overview(ctx, q); err != nil {
		t.Fatal(err)
	}
	if n := st.rankReads.Load(); n != 0 {
		t.Errorf("after a restart %d month rank documents read", n)
	}

	// Node B writes late events into a closed day: the least scanned
	// sign and site of county 513322, outside the top three, become the
	// first.
	every := q
	every.Levels, every.Top = nil, 20
	ranked, err := nodeA.Overview(ctx, every)
	if err != nil {
		t.Fatal(err)
	}
	var sign, site string
	for _, r := range ranked.TopSigns {
		if r.County == "513322" {
			sign = r.Key
		}
	}
	for _, r := range ranked.TopSites {
		if r.County == "513322" {
			site = r.Key
		}
	}
	day := opt.From
	if first := today[:8] + "01"; first > day && first < today {
		day = first // a closed day of the current month
	}
	month, dd := day[:7], day[8:]
	const more = 100000
	hours := map[string]map[string]int64{"10": {stats.MetricScan: more}}
	late := []store.Rollup{
		{ID: store.RollupID(store.RollupSign, "513322", sign, month, "nodeB"), Kind: store.RollupSign, County: "513322",
			Key: sign, Month: month, Node: "nodeB", Seq: 1, Days: map[string]*store.RollupDay{dd: {Hours: hours}}},
		{ID: store.RollupID(store.RollupSite, "513322", site, month, "nodeB"), Kind: store.RollupSite, County: "513322",
			Key: site, Month: month, Node: "nodeB", Seq: 1, Days: map[string]*store.RollupDay{dd: {Hours: hours}}},
	}
	units := map[string]map[string]int64{"g:" + sign: {stats.MetricScan: more}, "s:" + site: {stats.MetricScan: more}}
	for _, k := range []struct{ kind, county, key, dd string }{{store.RollupRank, "513322", "513322", dd}, {store.RollupRankDay, "513322", day, dd},
		{store.RollupRankDay, store.LevelAll, day, dd}, {store.RollupRankMonth, store.LevelAll, store.LevelAll, store.MonthDay}} {
		late = append(late, store.Rollup{ID: store.RollupID(k.kind, k.county, k.key, month, "nodeB"), Kind: k.kind, County: k.county,
			Key: k.key, Month: month, Node: "nodeB", Seq: 1, Days: map[string]*store.RollupDay{k.dd: {Units: units}}})
	}
	// With their month documents, as node B's shipper writes them.
	for _, r := range late {
		if m, ok, err := stats.FoldMonth(r); err != nil {
			t.Fatal(err)
		} else if ok {
			late = append(late, m)
		}
	}
	if err := base.AddRollupNode(ctx, "nodeB", month); err != nil {
		t.Fatal(err)
	}
	if err := base.RaiseRollups(ctx, late); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	offset = stats.GenerationTTL + time.Second
	mu.Unlock()
	for _, n := range []struct {
		name string
		b    *stats.Board
	}{{"node A after a late write", nodeA}, {"new node after a late write", stats.NewBoard(st).WithClock(clock)}} {
		ov := same(n.name, n.b)
		if ov.TopSigns[0].Key != sign || ov.TopSigns[0].Scans < more || ov.TopSites[0].Key != site {
			t.Errorf("%s: first sign %+v, first site %+v", n.name, ov.TopSigns[0], ov.TopSites[0])
		}
	}
}

// countingRollups counts every rollup document a board reads.
type countingRollups struct {
	*store.Store
	reads atomic.Int64
}

func (c *countingRollups) Rollup(ctx context.Context, id string) (store.Rollup, error) {
	c.reads.Add(1)
	return c.Store.Rollup(ctx, id)
}

// TestDigestsOutliveADay: with generations, a board started days after
// the digests were made reads them, not the months' rollups.
func TestDigestsOutliveADay(t *testing.T) {
	opt := genSet()
	opt.Days, opt.PerDay = 12, 10
	base := storetest.New(t)
	ctx := context.Background()
	writeGenerated(t, base, opt)
	st := &countingRollups{Store: base}
	q := stats.OverviewQuery{From: "2026-10-20", To: "2026-10-31", Sites: opt.Sites}
	at := func(days int) func() time.Time {
		return func() time.Time { return time.Date(2026, 11, 10+days, 12, 0, 0, 0, domain.ChinaTime) }
	}
	first, err := stats.NewBoard(st).WithClock(at(0)).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if st.reads.Load() == 0 {
		t.Fatal("the first request read no rollups")
	}
	st.reads.Store(0)
	later, err := stats.NewBoard(st).WithClock(at(3)).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if n := st.reads.Load(); n != 0 {
		t.Errorf("three days later %d rollup documents read instead of the digests", n)
	}
	if later.Cur != first.Cur {
		t.Errorf("three days later %+v, first %+v", later.Cur, first.Cur)
	}
}
