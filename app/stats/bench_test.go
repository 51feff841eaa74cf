package stats_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// rollupsOnly hides the digest methods: a board over it reads the rollup
// documents on every request.
type rollupsOnly struct{ stats.BoardStore }

// BenchmarkOverviewEvents times the dashboards' heaviest reads on the embedded
// server at two data sizes: two years of 12 sites (4 counties, 3 signs
// each) holding 1M and 10M events. The rollups are written directly
// (GenerateRollups, checked against the real pipeline by
// TestGeneratedRollupsMatchPipeline): storing 10M raw events would take
// the embedded server most of an hour and is not what is measured. The
// time per view must not grow with the number of events.
//
// The clock is 2025-12-15: December is open (read from the rollups),
// earlier months are final (read from digests). Modes: warm (one Board,
// months cached in memory), cold (a new Board per request: after a
// restart, or on another node), rollups (no digests: every month from the
// rollup documents).
//
//	go test ./app/stats/ -run - -bench OverviewEvents -benchtime 10x
//
// Measured 2026-11-29 on the 2-core dev machine (1M → 10M events):
// county-month warm 6.1 → 8.5 ms, cold 33 → 53 ms, rollups only 254 →
// 423 ms; county-this-month warm 11 → 20 ms, cold 94 → 166 ms;
// prefecture-year warm 167 → 252 ms, cold 1.19 → 1.98 s, first request
// ever (writing the digests) 8.9 → 13.8 s.
func BenchmarkOverviewEvents(b *testing.B) {
	var sites []stats.Unit
	signs := map[string][]string{}
	var signUnits []stats.Unit
	for c := 0; c < 4; c++ {
		county := fmt.Sprintf("51330%d", c+1)
		for s := 0; s < 3; s++ {
			key := fmt.Sprintf("site-%d-%d", c, s)
			sites = append(sites, stats.Unit{County: county, Key: key, Site: key})
			for g := 0; g < 3; g++ {
				code := fmt.Sprintf("S%d%d%d", c, s, g)
				signs[key] = append(signs[key], code)
				signUnits = append(signUnits, stats.Unit{County: county, Key: code, Site: key})
			}
		}
	}
	const days = 731 // 2024-01-01 .. 2025-12-31
	clock := func() time.Time { return time.Date(2025, 12, 15, 12, 0, 0, 0, domain.ChinaTime) }
	ctx := context.Background()
	queries := []struct {
		name string
		q    stats.OverviewQuery
	}{
		{"county-month", stats.OverviewQuery{From: "2025-07-01", To: "2025-07-31", Sites: sites[:3], Signs: signUnits[:9]}},
		{"county-this-month", stats.OverviewQuery{From: "2025-12-01", To: "2025-12-15", Sites: sites[:3], Signs: signUnits[:9]}},
		{"prefecture-year", stats.OverviewQuery{From: "2025-01-01", To: "2025-12-15", Sites: sites, Signs: signUnits}},
	}
	for _, size := range []struct {
		name   string
		events int
	}{{"1M", 1_000_000}, {"10M", 10_000_000}} {
		st := storetest.New(b)
		opt := stats.GenOptions{Sites: sites, Signs: signs, From: "2024-01-01", Days: days,
			PerDay: size.events / days / len(sites), Seed: 1}
		rs, err := stats.GenerateRollups(opt)
		if err != nil {
			b.Fatal(err)
		}
		if err := stats.WriteRollups(ctx, st, rs, nil); err != nil {
			b.Fatal(err)
		}
		if err := storetest.Server(b).EnsureIDIndexes(ctx); err != nil {
			b.Fatal(err)
		}
		events := float64(opt.PerDay * len(sites) * days)
		// The very first request of each view computes and stores the
		// digests of its final months.
		for _, q := range queries {
			start := time.Now()
			if _, err := stats.NewBoard(st).WithClock(clock).Overview(ctx, q.q); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s/%s: first request (writes digests) %v", q.name, size.name, time.Since(start).Round(time.Millisecond))
		}
		warm := stats.NewBoard(st).WithClock(clock)
		for _, q := range queries {
			for _, mode := range []string{"warm", "cold", "rollups"} {
				if mode == "rollups" && q.name == "prefecture-year" {
					continue // ~0.6k documents at 10-30 ms each: seconds, see the log above
				}
				b.Run(q.name+"/"+mode+"/"+size.name, func(b *testing.B) {
					var ov stats.Overview
					for b.Loop() {
						board := warm
						switch mode {
						case "cold":
							board = stats.NewBoard(st).WithClock(clock)
						case "rollups":
							board = stats.NewBoard(rollupsOnly{st}).WithClock(clock)
						}
						ov, err = board.Overview(ctx, q.q)
						if err != nil {
							b.Fatal(err)
						}
					}
					if ov.Cur.Scans == 0 {
						b.Fatal("no scans")
					}
					b.ReportMetric(events, "events")
				})
			}
		}
	}
}

// prefectureSet is a prefecture of n sites spread over counties counties,
// with signs signs spread over the sites (the first sites get one more).
func prefectureSet(n, counties, signs int) ([]stats.Unit, map[string][]string, []stats.Unit) {
	var sites []stats.Unit
	for i := 0; i < n; i++ {
		county := fmt.Sprintf("5133%02d", i%counties+1)
		key := fmt.Sprintf("site-%03d", i)
		sites = append(sites, stats.Unit{County: county, Key: key, Site: key})
	}
	bySite := map[string][]string{}
	var signUnits []stats.Unit
	for g := 0; g < signs; g++ {
		s := sites[g%n]
		code := fmt.Sprintf("G%04d", g)
		bySite[s.Key] = append(bySite[s.Key], code)
		signUnits = append(signUnits, stats.Unit{County: s.County, Key: code, Site: s.Key})
	}
	return sites, bySite, signUnits
}

// BenchmarkOverview times the views of issue #13's targets on the
// embedded server: 300 published sites and 1,000 signs in 18 counties,
// and 12 sites and 40 signs in 4 counties, each with three years of data
// (2023-01-01 .. 2025-12-15, 20 events per site and day: 6.6M and 260k
// events), written directly as rollups month by month (GenerateRollups,
// whose documents TestLevelsEqualSumOfSites and TestMonthDocsEqualFoldedDays
// check equal the pipeline's). The clock is 2025-12-15: December is open
// (data up to the 15th), earlier months final.
//
// Views, as the web layer asks them: prefecture-year (2025-01-01 ..
// 2025-12-15 against the same days of 2024, levels), county-year (one
// county, levels), custom (a prefecture range of six months with partial
// months at both ends, levels), sign-month (one sign, November).
// Modes: first (every digest dropped before each request, then a new
// Board: the first request ever), restart (a new Board per request,
// digests present: after a restart, no warmer), warm (one Board).
//
// Both data sets are built first; then each iteration times the view on
// 12 sites and then on 300, one after the other, so that the machine's
// load falls on both alike. Reported: ms12 and ms300 (the means) and their
// ratio.
//
//	go test ./app/stats/ -run - -bench 'Overview$' -benchtime 20x -timeout 60m
//
// Measured 2026-11-30 on the shared 2-core machine: see the closing note
// of issue #13 and README (Events and statistics).
func BenchmarkOverview(b *testing.B) {
	clock := func() time.Time { return time.Date(2025, 12, 15, 12, 0, 0, 0, domain.ChinaTime) }
	ctx := context.Background()
	type query struct {
		name string
		q    stats.OverviewQuery
	}
	type dataset struct {
		name    string
		st      *store.Store
		queries []query
		warm    *stats.Board
	}
	first, _ := time.Parse(time.DateOnly, "2023-01-01")
	var sets []*dataset
	for _, size := range []struct {
		name                   string
		sites, counties, signs int
	}{{"12sites", 12, 4, 40}, {"300sites", 300, 18, 1000}} {
		sites, bySite, signUnits := prefectureSet(size.sites, size.counties, size.signs)
		st := storetest.New(b)
		start := time.Now()
		docs := 0
		for m := 0; m < 36; m++ {
			from := first.AddDate(0, m, 0)
			days := from.AddDate(0, 1, -1).Day()
			if m == 35 {
				days = 15 // December 2025 up to today, the clock's day
			}
			opt := stats.GenOptions{Sites: sites, Signs: bySite, From: from.Format(time.DateOnly), Days: days,
				PerDay: 20, Seed: uint64(m + 1)}
			rs, err := stats.GenerateRollups(opt)
			if err != nil {
				b.Fatal(err)
			}
			if err := stats.WriteRollups(ctx, st, rs, nil); err != nil {
				b.Fatal(err)
			}
			docs += len(rs)
		}
		if err := storetest.Server(b).EnsureIDIndexes(ctx); err != nil {
			b.Fatal(err)
		}
		// Written by a version that keeps rank-day documents.
		if err := st.SetStatsRankDaysFrom(ctx, "2023-01-01"); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d rollup documents written in %v", size.name, docs, time.Since(start).Round(time.Second))
		county := sites[0].County
		var cSites, cSigns []stats.Unit
		for _, u := range sites {
			if u.County == county {
				cSites = append(cSites, u)
			}
		}
		for _, u := range signUnits {
			if u.County == county {
				cSigns = append(cSigns, u)
			}
		}
		prefecture := []stats.Unit{stats.PrefectureLevel}
		sets = append(sets, &dataset{name: size.name, st: st, warm: stats.NewBoard(st).WithClock(clock), queries: []query{
			{"prefecture-year", stats.OverviewQuery{From: "2025-01-01", To: "2025-12-15", PrevFrom: "2024-01-01", PrevTo: "2024-12-15",
				Sites: sites, Signs: signUnits, Levels: prefecture}},
			{"county-year", stats.OverviewQuery{From: "2025-01-01", To: "2025-12-15", PrevFrom: "2024-01-01", PrevTo: "2024-12-15",
				Sites: cSites, Signs: cSigns, Levels: []stats.Unit{stats.CountyLevel(county)}}},
			{"custom-6-months", stats.OverviewQuery{From: "2025-03-10", To: "2025-09-09", Sites: sites, Signs: signUnits, Levels: prefecture}},
			{"sign-month", stats.OverviewQuery{From: "2025-11-01", To: "2025-11-30", Sites: []stats.Unit{sites[0]},
				Signs: []stats.Unit{signUnits[0]}, SignLevel: true}},
		}})
	}
	dropDigests := func(b *testing.B, st *store.Store) {
		for m := 0; m < 36; m++ {
			if err := st.DeleteStatsDigests(ctx, first.AddDate(0, m, 0).Format("2006-01")); err != nil {
				b.Fatal(err)
			}
		}
	}
	for qi, q := range sets[0].queries {
		for _, mode := range []string{"first", "restart", "warm"} {
			b.Run(q.name+"/"+mode, func(b *testing.B) {
				spent := make([]time.Duration, len(sets))
				for _, ds := range sets {
					if mode == "warm" {
						// Warm means filled: one untimed request first.
						if _, err := ds.warm.Overview(ctx, ds.queries[qi].q); err != nil {
							b.Fatal(err)
						}
					}
				}
				for i := 0; i < b.N; i++ {
					for k, ds := range sets {
						q := ds.queries[qi].q
						board := ds.warm
						if mode != "warm" {
							if mode == "first" {
								dropDigests(b, ds.st)
							}
							board = stats.NewBoard(ds.st).WithClock(clock)
							runtime.GC() // a restarted process starts with a clean heap
						}
						start := time.Now()
						ov, err := board.Overview(ctx, q)
						spent[k] += time.Since(start)
						if err != nil {
							b.Fatal(err)
						}
						if ov.Cur.Scans == 0 || (!q.SignLevel && (ov.Cur.Visitors == 0 || len(ov.TopSites) == 0)) ||
							!strings.HasPrefix(ov.TopSigns[0].Key, "G") {
							b.Fatalf("%s: empty overview %+v", ds.name, ov.Cur)
						}
					}
				}
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
				b.ReportMetric(ms(spent[0]), "ms12")
				b.ReportMetric(ms(spent[1]), "ms300")
				b.ReportMetric(float64(spent[1])/float64(spent[0]), "ratio")
			})
		}
	}
}
