package stats_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// TestSummariesMatchRawEvents: with October and November final, a top
// list of whole months reads each unit's summary; every figure of every
// site and sign in it equals a direct count over the raw events, from
// memory, from digests after a restart, and with a partial month in
// front. A late write into October (node B) reaches node A within
// GenerationTTL and a node started afterwards: the summary made before it
// is not served again.
func TestSummariesMatchRawEvents(t *testing.T) {
	st := storetest.New(t)
	opt := genSet()
	loadPipeline(t, st, opt)
	ctx := context.Background()
	var signs []stats.Unit
	for _, s := range opt.Sites {
		for _, code := range opt.Signs[s.Key] {
			signs = append(signs, stats.Unit{County: s.County, Key: code, Site: s.Key})
		}
	}
	var mu sync.Mutex
	now := time.Date(2026, 12, 20, 12, 0, 0, 0, domain.ChinaTime)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	truths := map[string]map[string]truth{}
	check := func(name string, b *stats.Board, from, to string, extra map[string]int64) {
		t.Helper()
		if truths[from+to] == nil {
			truths[from+to] = truthByUnit(t, st, from, to)
		}
		byUnit := truths[from+to]
		for _, levels := range [][]stats.Unit{{stats.PrefectureLevel}, nil} {
			ov, err := b.Overview(ctx, stats.OverviewQuery{From: from, To: to, Sites: opt.Sites, Signs: signs, Levels: levels, Top: 20})
			if err != nil {
				t.Fatal(err)
			}
			if len(ov.TopSites) != len(opt.Sites) || len(ov.TopSigns) != len(signs) {
				t.Fatalf("%s: %d top sites, %d top signs", name, len(ov.TopSites), len(ov.TopSigns))
			}
			for _, r := range ov.TopSites {
				key := r.Key
				want := byUnit["s:"+key]
				f := r.Figures
				f.Scans -= extra[key]
				checkFigures(t, name+"/site "+key, f, want, true)
			}
			for _, r := range ov.TopSigns {
				checkFigures(t, name+"/sign "+r.Key, r.Figures, byUnit["g:"+r.Key], true)
			}
		}
	}
	nodeA := stats.NewBoard(st).WithClock(clock)
	check("memory", nodeA, "2026-10-01", "2026-11-30", nil)
	check("partial October", nodeA, "2026-10-25", "2026-11-30", nil)
	check("restart", stats.NewBoard(st).WithClock(clock), "2026-10-01", "2026-11-30", nil)

	lateScans(t, st, "25", "10", 7)
	advance(stats.GenerationTTL + time.Second)
	plus := map[string]int64{"hailuogou": 7}
	check("node A after a late write", nodeA, "2026-10-01", "2026-11-30", plus)
	check("new node after a late write", stats.NewBoard(st).WithClock(clock), "2026-10-01", "2026-11-30", plus)
}

// truthByUnit is rawTruth for every site ("s:key") and sign ("g:code")
// in one pass over the events.
func truthByUnit(t *testing.T, st *store.Store, from, to string) map[string]truth {
	t.Helper()
	out := map[string]truth{}
	get := func(k string) truth {
		tr, ok := out[k]
		if !ok {
			tr = truth{counts: map[string]int64{}, visitors: map[string]bool{}}
			out[k] = tr
		}
		return tr
	}
	err := st.Events(context.Background(), store.EventFilter{From: from, To: to}, func(e domain.Event) error {
		if e.Bot || e.Filter != "" {
			return nil
		}
		for _, k := range []string{"s:" + e.Site, "g:" + e.Sign} {
			if len(k) == 2 {
				continue
			}
			tr := get(k)
			tr.counts[stats.MetricOf(e.Type)]++
			switch e.Type {
			case domain.EventTicketPaid:
				tr.counts["net_fen"] += atoi(e.Extra[stats.ExtraAmountFen])
			case domain.EventTicketRefunded:
				tr.counts["net_fen"] -= atoi(e.Extra[stats.ExtraAmountFen])
			}
			if e.VisitorKey != "" {
				tr.visitors[e.VisitorKey] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMonthDigestedAnHourAfterItEnds: with generations, a month is
// digested from an hour after its end (not a week: late events raise its
// generation), and a late write after that still reaches a new node.
func TestMonthDigestedAnHourAfterItEnds(t *testing.T) {
	opt := genSet()
	opt.Days, opt.PerDay = 12, 20
	st := storetest.New(t)
	ctx := context.Background()
	writeGenerated(t, st, opt)
	q := stats.OverviewQuery{From: "2026-10-20", To: "2026-10-31", Sites: opt.Sites}
	at := func(h, m int) func() time.Time {
		return func() time.Time { return time.Date(2026, 11, 1, h, m, 0, 0, domain.ChinaTime) }
	}
	id := digestID(t, st, store.RollupSite, "513322", "hailuogou", "2026-10")
	before, err := stats.NewBoard(st).WithClock(at(0, 30)).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StatsDigest(ctx, id); err == nil {
		t.Fatal("October digested half an hour after its end")
	}
	if _, err := stats.NewBoard(st).WithClock(at(1, 30)).Overview(ctx, q); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StatsDigest(ctx, id); err != nil {
		t.Fatalf("October not digested an hour and a half after its end: %v", err)
	}
	lateScans(t, st, "31", "23", 5)
	after, err := stats.NewBoard(st).WithClock(at(2, 0)).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if after.Cur.Scans != before.Cur.Scans+5 {
		t.Errorf("after a late write: %d scans, want %d", after.Cur.Scans, before.Cur.Scans+5)
	}
}
