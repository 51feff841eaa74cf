package stats_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// withoutMonthDocs is a database whose month documents are not complete
// (rollups from before them, not yet backfilled): a board over it reads
// day documents only.
type withoutMonthDocs struct{ *store.Store }

func (withoutMonthDocs) StatsMonthDocs(context.Context) (bool, error) { return false, nil }

// monthDocsSet is the generated data set of 2026-10-20 .. 2026-11-28,
// with rank days complete from its first day, seen at 15:00 on its last.
func monthDocsSet(t *testing.T) (*store.Store, stats.GenOptions, func() time.Time) {
	t.Helper()
	st := storetest.New(t)
	opt := genSet()
	writeGenerated(t, st, opt)
	if err := st.SetStatsRankDaysFrom(context.Background(), opt.From); err != nil {
		t.Fatal(err)
	}
	return st, opt, func() time.Time { return time.Date(2026, 11, 28, 15, 0, 0, 0, domain.ChinaTime) }
}

// TestMonthDocsGiveTheDayDocsFigures: every figure, series point and top
// list a board reads from month documents (top lists, compared periods,
// the month so far, ranks of whole months and of part of one, the
// prefecture's own ranks) is the one it reads from day documents alone.
func TestMonthDocsGiveTheDayDocsFigures(t *testing.T) {
	st, opt, clock := monthDocsSet(t)
	ctx := context.Background()
	var signs, countySites, countySigns []stats.Unit
	for _, s := range opt.Sites {
		for _, code := range opt.Signs[s.Key] {
			u := stats.Unit{County: s.County, Key: code, Site: s.Key}
			signs = append(signs, u)
			if s.County == "513301" {
				countySigns = append(countySigns, u)
			}
		}
		if s.County == "513301" {
			countySites = append(countySites, s)
		}
	}
	prefecture := []stats.Unit{stats.PrefectureLevel}
	county := []stats.Unit{stats.CountyLevel("513301")}
	queries := map[string]stats.OverviewQuery{
		"prefecture, October to today": {From: "2026-10-01", To: "2026-11-28", Sites: opt.Sites, Signs: signs, Levels: prefecture, Top: 3},
		"prefecture, month so far":     {From: "2026-11-01", To: "2026-11-28", Sites: opt.Sites, Signs: signs, Levels: prefecture, Top: 3, PrevCutHour: 15},
		"prefecture, parts of months":  {From: "2026-10-25", To: "2026-11-09", Sites: opt.Sites, Signs: signs, Levels: prefecture, Top: 2},
		"prefecture, October against November": {From: "2026-11-01", To: "2026-11-28", PrevFrom: "2026-10-01", PrevTo: "2026-10-31",
			Sites: opt.Sites, Signs: signs, Levels: prefecture, Top: 4},
		"county, month so far":      {From: "2026-11-01", To: "2026-11-28", Sites: countySites, Signs: countySigns, Levels: county, Top: 2},
		"county, last days":         {From: "2026-11-20", To: "2026-11-28", Sites: countySites, Signs: countySigns, Levels: county, Top: 2},
		"sites, October to today":   {From: "2026-10-01", To: "2026-11-28", Sites: opt.Sites, Signs: signs, Top: 3},
		"sign level, month so far":  {From: "2026-11-01", To: "2026-11-28", Sites: opt.Sites[:1], Signs: signs[:1], SignLevel: true},
		"sign level, late October":  {From: "2026-10-20", To: "2026-10-31", Sites: opt.Sites[:1], Signs: signs[:2], SignLevel: true},
		"two counties, parts":       {From: "2026-10-28", To: "2026-11-03", Sites: opt.Sites, Signs: signs, Levels: []stats.Unit{stats.CountyLevel("513301"), stats.CountyLevel("513322")}, Top: 2},
		"prefecture, hourly":        {From: "2026-11-27", To: "2026-11-28", Sites: opt.Sites, Signs: signs, Levels: prefecture, Hourly: true, PrevCutHour: 15},
		"prefecture, October whole": {From: "2026-10-01", To: "2026-10-31", Sites: opt.Sites, Signs: signs, Levels: prefecture, Top: 3},
	}
	for name, q := range queries {
		for _, restart := range []bool{false, true} {
			withDocs := stats.NewBoard(st).WithClock(clock)
			days := stats.NewBoard(withoutMonthDocs{st}).WithClock(clock)
			if restart {
				// Again, from the digests the first boards wrote.
				withDocs, days = stats.NewBoard(st).WithClock(clock), stats.NewBoard(withoutMonthDocs{st}).WithClock(clock)
			}
			got, err := withDocs.Overview(ctx, q)
			if err != nil {
				t.Fatal(name, err)
			}
			want, err := days.Overview(ctx, q)
			if err != nil {
				t.Fatal(name, err)
			}
			if got.Cur.Scans == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("%s (restart %v): month documents give\n%+v %+v\n%+v\n%+v\nday documents\n%+v %+v\n%+v\n%+v", name, restart,
					got.Cur, got.Prev, got.TopSites, got.TopSigns, want.Cur, want.Prev, want.TopSites, want.TopSigns)
			}
		}
	}
}

// TestRankRangesFromMonthDocs: the rank totals of any range of days
// within a month, read from month rank documents less or plus rank-day
// documents (and for the prefecture from its own), equal those summed
// from the counties' day rank documents.
func TestRankRangesFromMonthDocs(t *testing.T) {
	st, _, clock := monthDocsSet(t)
	ctx := context.Background()
	counties := []string{"513301", "513322"}
	ranges := [][2]string{{"2026-11-01", "2026-11-28"}, {"2026-11-05", "2026-11-28"}, {"2026-11-03", "2026-11-26"},
		{"2026-11-02", "2026-11-09"}, {"2026-11-28", "2026-11-30"}, {"2026-10-01", "2026-10-31"}, {"2026-10-02", "2026-10-30"},
		{"2026-10-20", "2026-10-21"}}
	for _, r := range ranges {
		days, err := stats.DaysBetween(r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		want, err := stats.RankTotals(ctx, stats.NewBoard(withoutMonthDocs{st}).WithClock(clock), counties, days)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%v: no ranks", r)
		}
		for _, set := range [][]string{counties, {store.LevelAll}, {"513301"}} {
			got, err := stats.RankTotals(ctx, stats.NewBoard(st).WithClock(clock), set, days)
			if set[0] == store.LevelAll && r[0] == "2026-10-02" {
				// Rank days are complete from 2026-10-20 only: this range
				// needs the day rank documents, which the prefecture has
				// not (a view reads its counties').
				if err == nil {
					t.Errorf("%v of the prefecture: read from documents it does not have", r)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			w := want
			if len(set) == 1 && set[0] == "513301" {
				w, err = stats.RankTotals(ctx, stats.NewBoard(withoutMonthDocs{st}).WithClock(clock), set, days)
				if err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%v of %v: month documents give %v\nday documents %v", r, set, got, w)
			}
		}
	}
}
