package stats_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// writeGenerated writes opt's rollups straight into st (as the
// benchmarks do; TestGeneratedRollupsMatchPipeline checks they equal the
// pipeline's).
func writeGenerated(t *testing.T, st *store.Store, opt stats.GenOptions) {
	t.Helper()
	rs, err := stats.GenerateRollups(opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := stats.WriteRollups(context.Background(), st, rs, nil); err != nil {
		t.Fatal(err)
	}
}

// lateScans is node B's shipper raising its own rollup of hailuogou in
// October 2026 by scans at day and hour: late events into a final month.
func lateScans(t *testing.T, st *store.Store, day, hour string, scans int64) {
	t.Helper()
	ctx := context.Background()
	late := store.Rollup{ID: store.RollupID(store.RollupSite, "513322", "hailuogou", "2026-10", "nodeB"), Kind: store.RollupSite,
		County: "513322", Key: "hailuogou", Month: "2026-10", Node: "nodeB", Seq: 1,
		Days: map[string]*store.RollupDay{day: {Hours: map[string]map[string]int64{hour: {stats.MetricScan: scans}}}}}
	if err := st.AddRollupNode(ctx, "nodeB", "2026-10"); err != nil {
		t.Fatal(err)
	}
	// As node B's shipper writes it: with its month document.
	month, _, err := stats.FoldMonth(late)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RaiseRollups(ctx, []store.Rollup{late, month}); err != nil {
		t.Fatal(err)
	}
}

// genSet is the data set of the tests: two counties, five sites, signs
// of unequal pull, 40 days across a month boundary.
func genSet() stats.GenOptions {
	perDay := 60
	if testing.Short() {
		// -short (CI's race run, where the embedded server runs several
		// times slower): the same days and units, fewer events.
		perDay = 12
	}
	return stats.GenOptions{
		Sites: []stats.Unit{{County: "513322", Key: "hailuogou", Site: "hailuogou"}, {County: "513322", Key: "luding-bridge", Site: "luding-bridge"},
			{County: "513301", Key: "mugecuo", Site: "mugecuo"}, {County: "513301", Key: "paoma", Site: "paoma"}, {County: "513301", Key: "tagong", Site: "tagong"}},
		Signs: map[string][]string{"hailuogou": {"HGK2EN", "HGK3GT", "HGK4PK"}, "luding-bridge": {"LDB2AA"},
			"mugecuo": {"MGC2AA", "MGC3BB"}, "paoma": {"PMS2AA"}},
		From: "2026-10-20", Days: 40, PerDay: perDay, Seed: 7,
	}
}

// loadPipeline stores the raw events and builds rollups with the real
// rebuild (the shipper's code).
func loadPipeline(t testing.TB, st *store.Store, opt stats.GenOptions) {
	t.Helper()
	ctx := context.Background()
	var batch []domain.Event
	flush := func() {
		if _, _, err := st.InsertEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	if err := stats.Generate(opt, func(e domain.Event) error {
		batch = append(batch, e)
		if len(batch) == 1000 {
			flush()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	flush()
	days, _ := stats.DaysBetween(opt.From, "2026-11-28")
	if err := events.Rebuild(ctx, st, days[0], days[len(days)-1], nil); err != nil {
		t.Fatal(err)
	}
}

// truth counts the figures directly over the raw events.
type truth struct {
	counts   map[string]int64
	visitors map[string]bool
	byDay    map[string]map[string]int64
	dayVis   map[string]map[string]bool
}

func rawTruth(t testing.TB, st *store.Store, from, to string, keep func(e domain.Event) bool) truth {
	t.Helper()
	tr := truth{counts: map[string]int64{}, visitors: map[string]bool{}, byDay: map[string]map[string]int64{}, dayVis: map[string]map[string]bool{}}
	err := st.Events(context.Background(), store.EventFilter{From: from, To: to}, func(e domain.Event) error {
		if e.Bot || e.Filter != "" || !keep(e) {
			return nil
		}
		m := stats.MetricOf(e.Type)
		tr.counts[m]++
		if tr.byDay[e.Day] == nil {
			tr.byDay[e.Day] = map[string]int64{}
			tr.dayVis[e.Day] = map[string]bool{}
		}
		tr.byDay[e.Day][m]++
		switch e.Type {
		case domain.EventTicketPaid:
			tr.counts["net_fen"] += atoi(e.Extra[stats.ExtraAmountFen])
		case domain.EventTicketRefunded:
			tr.counts["net_fen"] -= atoi(e.Extra[stats.ExtraAmountFen])
		}
		if e.VisitorKey != "" {
			tr.visitors[e.VisitorKey] = true
			tr.dayVis[e.Day][e.VisitorKey] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// withinHLL accepts an estimate within 4 standard errors of p=12
// (1.04/√4096 ≈ 1.6 %) or 2 for small counts.
func withinHLL(est int64, exact int) bool {
	tol := math.Max(2, 4*0.0163*float64(exact))
	return math.Abs(float64(est)-float64(exact)) <= tol
}

func checkFigures(t *testing.T, name string, got stats.Figures, want truth, visitors bool) {
	t.Helper()
	for _, c := range []struct {
		fig  string
		g, w int64
	}{{"scans", got.Scans, want.counts[stats.MetricScan]}, {"views", got.Views, want.counts[stats.MetricView]},
		{"audio", got.Audio, want.counts[stats.MetricAudio]}, {"reserved", got.Reserved, want.counts[stats.MetricReserved]},
		{"paid", got.Paid, want.counts[stats.MetricPaid]}, {"checkins", got.CheckIns, want.counts[stats.MetricCheckIn]},
		{"refunds", got.Refunds, want.counts[stats.MetricRefunded]}, {"revenue", got.RevenueFen, want.counts["net_fen"]}} {
		if c.g != c.w {
			t.Errorf("%s: %s = %d, raw events say %d", name, c.fig, c.g, c.w)
		}
	}
	if visitors && !withinHLL(got.Visitors, len(want.visitors)) {
		t.Errorf("%s: visitors ≈ %d, raw events say %d", name, got.Visitors, len(want.visitors))
	}
}

func TestOverviewMatchesRawEvents(t *testing.T) {
	st := storetest.New(t)
	opt := genSet()
	loadPipeline(t, st, opt)
	board := stats.NewBoard(st)
	ctx := context.Background()
	var signs []stats.Unit
	for _, s := range opt.Sites {
		for _, code := range opt.Signs[s.Key] {
			signs = append(signs, stats.Unit{County: s.County, Key: code, Site: s.Key})
		}
	}
	// From..to crosses the month; the previous period starts before the
	// first event, so its count is partial and still must match.
	from, to := "2026-11-01", "2026-11-20"
	pf, pt := stats.PreviousPeriod(from, to)
	if pf != "2026-10-12" || pt != "2026-10-31" {
		t.Fatalf("previous period %s..%s", pf, pt)
	}

	t.Run("prefecture", func(t *testing.T) {
		ov, err := board.Overview(ctx, stats.OverviewQuery{From: from, To: to, Sites: opt.Sites, Signs: signs,
			Levels: []stats.Unit{stats.PrefectureLevel}})
		if err != nil {
			t.Fatal(err)
		}
		all := func(domain.Event) bool { return true }
		checkFigures(t, "current", ov.Cur, rawTruth(t, st, from, to, all), true)
		checkFigures(t, "previous", ov.Prev, rawTruth(t, st, pf, pt, all), true)
		cur := rawTruth(t, st, from, to, all)
		if len(ov.Series) != 20 {
			t.Fatalf("series of %d days", len(ov.Series))
		}
		for _, p := range ov.Series {
			if p.Counts[stats.MetricScan] != cur.byDay[p.Label][stats.MetricScan] || p.Counts[stats.MetricView] != cur.byDay[p.Label][stats.MetricView] {
				t.Errorf("%s: scans %d views %d, raw %v", p.Label, p.Counts[stats.MetricScan], p.Counts[stats.MetricView], cur.byDay[p.Label])
			}
			if !withinHLL(p.Visitors, len(cur.dayVis[p.Label])) {
				t.Errorf("%s: visitors ≈ %d, raw %d", p.Label, p.Visitors, len(cur.dayVis[p.Label]))
			}
		}
		// Breakdowns: scans and page views by language.
		var langs int64
		for _, n := range ov.Lang {
			langs += n
		}
		if langs != cur.counts[stats.MetricScan]+cur.counts[stats.MetricView] {
			t.Errorf("language breakdown sums to %d, want %d", langs, cur.counts[stats.MetricScan]+cur.counts[stats.MetricView])
		}
		for _, r := range ov.TopSigns {
			code := r.Key
			want := rawTruth(t, st, from, to, func(e domain.Event) bool { return e.Sign == code })
			if r.Scans != want.counts[stats.MetricScan] {
				t.Errorf("sign %s: %d scans, raw %d", code, r.Scans, want.counts[stats.MetricScan])
			}
		}
		for i := 1; i < len(ov.TopSites); i++ {
			if ov.TopSites[i].Scans > ov.TopSites[i-1].Scans {
				t.Error("top sites not ranked by scans")
			}
		}
	})
	t.Run("county", func(t *testing.T) {
		ov, err := board.Overview(ctx, stats.OverviewQuery{From: from, To: to, Sites: opt.Sites[2:],
			Levels: []stats.Unit{stats.CountyLevel("513301")}})
		if err != nil {
			t.Fatal(err)
		}
		checkFigures(t, "county", ov.Cur, rawTruth(t, st, from, to, func(e domain.Event) bool { return e.County == "513301" }), true)
		// Uniques of the county are below the sum of its sites': the
		// same visitors see several sites.
		var sum int64
		for _, r := range ov.TopSites {
			sum += r.Visitors
		}
		if ov.Cur.Visitors >= sum {
			t.Errorf("county visitors %d not below the sum over sites %d", ov.Cur.Visitors, sum)
		}
	})
	t.Run("site hourly", func(t *testing.T) {
		ov, err := board.Overview(ctx, stats.OverviewQuery{From: "2026-11-05", To: "2026-11-06", Sites: opt.Sites[:1], Hourly: true})
		if err != nil {
			t.Fatal(err)
		}
		want := rawTruth(t, st, "2026-11-05", "2026-11-06", func(e domain.Event) bool { return e.Site == "hailuogou" })
		checkFigures(t, "site", ov.Cur, want, true)
		if len(ov.Series) != 48 {
			t.Fatalf("%d hourly points", len(ov.Series))
		}
		var scans int64
		for _, p := range ov.Series {
			scans += p.Counts[stats.MetricScan]
		}
		if scans != want.counts[stats.MetricScan] {
			t.Errorf("hourly scans sum to %d, raw %d", scans, want.counts[stats.MetricScan])
		}
	})
	t.Run("sign", func(t *testing.T) {
		ov, err := board.Overview(ctx, stats.OverviewQuery{From: from, To: to, Sites: opt.Sites[:1], SignLevel: true,
			Signs: []stats.Unit{{County: "513322", Key: "HGK3GT", Site: "hailuogou"}}})
		if err != nil {
			t.Fatal(err)
		}
		want := rawTruth(t, st, from, to, func(e domain.Event) bool { return e.Sign == "HGK3GT" })
		if ov.Cur.Scans != want.counts[stats.MetricScan] || ov.Cur.Scans == 0 {
			t.Errorf("sign scans %d, raw %d", ov.Cur.Scans, want.counts[stats.MetricScan])
		}
		// Signs keep day sketches: their visitors are counted like a
		// site's, over the range and per day.
		if !ov.HasVisitors || ov.HasBreakdowns || len(want.visitors) == 0 || !withinHLL(ov.Cur.Visitors, len(want.visitors)) {
			t.Errorf("sign visitors ≈ %d (has %v), raw %d", ov.Cur.Visitors, ov.HasVisitors, len(want.visitors))
		}
		for _, p := range ov.Series {
			if !withinHLL(p.Visitors, len(want.dayVis[p.Label])) {
				t.Errorf("sign visitors on %s ≈ %d, raw %d", p.Label, p.Visitors, len(want.dayVis[p.Label]))
			}
		}
		if len(ov.TopSigns) != 1 || ov.TopSigns[0].Visitors != ov.Cur.Visitors {
			t.Errorf("top signs %+v", ov.TopSigns)
		}
		prev := rawTruth(t, st, ov.PrevFrom, ov.PrevTo, func(e domain.Event) bool { return e.Sign == "HGK3GT" })
		if !withinHLL(ov.Prev.Visitors, len(prev.visitors)) {
			t.Errorf("sign visitors of %s..%s ≈ %d, raw %d", ov.PrevFrom, ov.PrevTo, ov.Prev.Visitors, len(prev.visitors))
		}
	})
	t.Run("funnel", func(t *testing.T) {
		rows, err := board.Funnel(ctx, from, to, opt.Sites[:1], signs[:3])
		if err != nil {
			t.Fatal(err)
		}
		want := rawTruth(t, st, from, to, func(e domain.Event) bool { return e.Site == "hailuogou" })
		if rows[0].Reserved != want.counts[stats.MetricReserved] || rows[0].CheckIns != want.counts[stats.MetricCheckIn] {
			t.Errorf("site funnel %+v, raw %v", rows[0], want.counts)
		}
		var share int64
		for _, r := range rows[1:] {
			share += r.ShareOfSite
			if !r.Attributed {
				t.Error("sign row not marked attributed")
			}
		}
		if share < 990 || share > 1010 {
			t.Errorf("sign shares sum to %d ‰", share)
		}
	})
	t.Run("dead signs", func(t *testing.T) {
		quiet := stats.Unit{County: "513322", Key: "HGKDED", Site: "hailuogou"}
		dead, err := board.DeadSigns(ctx, "2026-11-20", 7, opt.Sites, append(append([]stats.Unit{}, signs...), quiet))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range dead {
			if d.Key == "HGK2EN" {
				t.Error("the busiest sign reported dead")
			}
			found = found || (d.Key == "HGKDED" && d.LastScan == "" && d.SiteScans > 0)
		}
		if !found {
			t.Errorf("the sign without scans is not reported: %+v", dead)
		}
	})
}

// The rollups GenerateRollups writes directly (used for the large
// benchmark sets) give the same figures as the real pipeline.
func TestGeneratedRollupsMatchPipeline(t *testing.T) {
	opt := genSet()
	opt.Days, opt.PerDay = 12, 40
	pipe := storetest.New(t)
	loadPipeline(t, pipe, opt)
	direct := storetest.New(t)
	writeGenerated(t, direct, opt)
	ctx := context.Background()
	q := stats.OverviewQuery{From: "2026-10-20", To: "2026-10-31", Sites: opt.Sites}
	a, err := stats.NewBoard(pipe).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := stats.NewBoard(direct).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if a.Cur != b.Cur {
		t.Errorf("pipeline %+v\ndirect   %+v", a.Cur, b.Cur)
	}
	// A new board reads the final months from the digests the first one
	// stored, and gets the same figures.
	c, err := stats.NewBoard(direct).Overview(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if c.Cur != b.Cur || len(c.Series) != len(b.Series) || c.Series[3].Visitors != b.Series[3].Visitors {
		t.Errorf("from digests %+v\nfrom rollups %+v", c.Cur, b.Cur)
	}
	hq := stats.OverviewQuery{From: "2026-10-22", To: "2026-10-23", Sites: opt.Sites, Hourly: true}
	h1, err := stats.NewBoard(rollupsOnly{direct}).Overview(ctx, hq)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := stats.NewBoard(direct).Overview(ctx, hq)
	if err != nil {
		t.Fatal(err)
	}
	for i := range h1.Series {
		for m, n := range h1.Series[i].Counts {
			if h2.Series[i].Counts[m] != n {
				t.Fatalf("%s %s: %d from rollups, %d from the digest", h1.Series[i].Label, m, n, h2.Series[i].Counts[m])
			}
		}
	}
	if _, err := direct.StatsDigest(ctx, digestID(t, direct, store.RollupSite, "513322", "hailuogou", "2026-10")); err != nil {
		t.Errorf("no digest stored: %v", err)
	}
	// Sign documents, with their day sketches, are the pipeline's too.
	signDocs := func(st *store.Store) map[string]store.Rollup {
		out := map[string]store.Rollup{}
		if err := st.RollupsInMonth(ctx, "2026-10", func(r store.Rollup) error {
			if r.Kind == store.RollupSign {
				out[r.ID] = r
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ps, ds := signDocs(pipe), signDocs(direct)
	if len(ps) == 0 || len(ps) != len(ds) {
		t.Fatalf("%d sign documents from the pipeline, %d generated", len(ps), len(ds))
	}
	sketches := 0
	for id, p := range ps {
		d := ds[id]
		if !reflect.DeepEqual(p.Days, d.Days) {
			t.Errorf("%s: pipeline and generator differ", id)
		}
		for _, day := range p.Days {
			if day.Visitors != "" {
				sketches++
			}
		}
	}
	if sketches == 0 {
		t.Error("sign documents carry no visitor sketches")
	}
}

func TestRanges(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{{"2026-11-01", "2026-11-01", true}, {"2026-11-02", "2026-11-01", false}, {"2026-13-01", "2026-11-01", false},
		{"2025-01-01", "2026-12-31", false}, {"x", "y", false}} {
		if _, err := stats.CheckRange(c.from, c.to); (err == nil) != c.ok {
			t.Errorf("%s..%s: %v", c.from, c.to, err)
		}
	}
	if stats.Mark(79) != 0 || stats.Mark(80) != 80 || stats.Mark(94) != 90 || stats.Mark(100) != 95 {
		t.Error("marks")
	}
}
