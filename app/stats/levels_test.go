package stats_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// sameOverview compares an overview read from the level documents with
// the one summed over every site: every count equal, uniques within the
// HyperLogLog bound of each other, the same top lists.
func sameOverview(t *testing.T, name string, lv, sum stats.Overview) {
	t.Helper()
	cv, sv := lv.Cur, sum.Cur
	cv.Visitors, sv.Visitors = 0, 0
	pv, ps := lv.Prev, sum.Prev
	pv.Visitors, ps.Visitors = 0, 0
	if cv != sv || pv != ps {
		t.Errorf("%s: levels %+v / %+v\nsites  %+v / %+v", name, lv.Cur, lv.Prev, sum.Cur, sum.Prev)
	}
	if !withinHLL(lv.Cur.Visitors, int(sum.Cur.Visitors)) || !withinHLL(lv.Prev.Visitors, int(sum.Prev.Visitors)) {
		t.Errorf("%s: visitors %d/%d from levels, %d/%d from sites", name, lv.Cur.Visitors, lv.Prev.Visitors, sum.Cur.Visitors, sum.Prev.Visitors)
	}
	if len(lv.Series) != len(sum.Series) {
		t.Fatalf("%s: %d points vs %d", name, len(lv.Series), len(sum.Series))
	}
	for i := range lv.Series {
		a, b := lv.Series[i], sum.Series[i]
		if a.Label != b.Label || !reflect.DeepEqual(a.Counts, b.Counts) || !withinHLL(a.Visitors, int(b.Visitors)) {
			t.Errorf("%s: point %d: levels %+v, sites %+v", name, i, a, b)
		}
	}
	for _, m := range []struct {
		what string
		a, b map[string]int64
	}{{"languages", lv.Lang, sum.Lang}, {"devices", lv.Device, sum.Device}, {"referrers", lv.Referrer, sum.Referrer}} {
		if !reflect.DeepEqual(m.a, m.b) {
			t.Errorf("%s: %s %v from levels, %v from sites", name, m.what, m.a, m.b)
		}
	}
	if !reflect.DeepEqual(lv.TopSites, sum.TopSites) || !reflect.DeepEqual(lv.TopSigns, sum.TopSigns) {
		t.Errorf("%s: top lists differ:\nlevels %+v\n%+v\nsites  %+v\n%+v", name, lv.TopSites, lv.TopSigns, sum.TopSites, sum.TopSigns)
	}
}

// A prefecture or county overview from the level documents gives the
// numbers summing every site gave, over the pipeline's rollups and over
// generated ones, from rollups and from digests.
func TestLevelsEqualSumOfSites(t *testing.T) {
	opt := genSet()
	pipe := storetest.New(t)
	loadPipeline(t, pipe, opt)
	direct := storetest.New(t)
	writeGenerated(t, direct, opt)
	ctx := context.Background()
	var signs []stats.Unit
	for _, s := range opt.Sites {
		for _, code := range opt.Signs[s.Key] {
			signs = append(signs, stats.Unit{County: s.County, Key: code, Site: s.Key})
		}
	}
	scopes := []struct {
		name   string
		sites  []stats.Unit
		signs  []stats.Unit
		levels []stats.Unit
	}{
		{"prefecture", opt.Sites, signs, []stats.Unit{stats.PrefectureLevel}},
		{"two counties", opt.Sites, signs, []stats.Unit{stats.CountyLevel("513322"), stats.CountyLevel("513301")}},
		{"county", opt.Sites[2:], signs[4:], []stats.Unit{stats.CountyLevel("513301")}},
	}
	ranges := []struct {
		name, from, to string
		hourly         bool
		top            int
	}{
		{"custom across months", "2026-10-25", "2026-11-20", false, 3},
		{"whole month", "2026-11-01", "2026-11-30", false, 2},
		{"whole final months", "2026-10-01", "2026-11-30", false, 2},
		{"hourly", "2026-11-05", "2026-11-06", true, 0},
	}
	for _, st := range []struct {
		name string
		st   *store.Store
	}{{"pipeline", pipe}, {"generated", direct}} {
		for _, round := range []string{"rollups", "digests"} {
			board := stats.NewBoard(st.st)
			for _, sc := range scopes {
				for _, r := range ranges {
					name := st.name + "/" + round + "/" + sc.name + "/" + r.name
					q := stats.OverviewQuery{From: r.from, To: r.to, Sites: sc.sites, Signs: sc.signs, Hourly: r.hourly, Top: r.top}
					sum, err := board.Overview(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					q.Levels = sc.levels
					lv, err := board.Overview(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if sum.Cur.Scans == 0 {
						t.Fatalf("%s: no scans", name)
					}
					sameOverview(t, name, lv, sum)
				}
			}
		}
	}
	// The generated documents are the pipeline's, level and rank
	// documents included.
	for _, month := range []string{"2026-10", "2026-11"} {
		a, b := rollupsOf(t, pipe, month), rollupsOf(t, direct, month)
		for _, kind := range []string{store.RollupCounty, store.RollupAll, store.RollupRank} {
			if n, _ := a[kind].(int); n == 0 {
				t.Errorf("%s: no %s documents", month, kind)
			}
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: generated documents differ from the pipeline's", month)
		}
	}
}

// rollupsOf returns the number of documents of each kind of a month, and
// under "" a fingerprint of every document.
func rollupsOf(t *testing.T, st *store.Store, month string) map[string]any {
	t.Helper()
	out := map[string]any{}
	docs := map[string]store.Rollup{}
	if err := st.RollupsInMonth(context.Background(), month, func(r store.Rollup) error {
		n, _ := out[r.Kind].(int)
		out[r.Kind] = n + 1
		docs[r.ID] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	out[""] = docs
	return out
}
