package stats_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// BenchmarkOverview times the dashboards' heaviest reads on the embedded
// server at two data sizes: two years of 12 sites (4 counties, 3 signs
// each) holding 1M and 10M events. The rollups are written directly
// (GenerateRollups, checked against the real pipeline by
// TestGeneratedRollupsMatchPipeline): storing 10M raw events would take
// the embedded server most of an hour and is not what is measured. The
// time per view must not grow with the number of events.
//
//	go test ./app/stats/ -run - -bench Overview -benchtime 20x
func BenchmarkOverview(b *testing.B) {
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
	ctx := context.Background()
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
		board := stats.NewBoard(st)
		for _, q := range []struct {
			name string
			q    stats.OverviewQuery
		}{
			{"county-month", stats.OverviewQuery{From: "2025-07-01", To: "2025-07-31", Sites: sites[:3], Signs: signUnits[:9]}},
			{"prefecture-year", stats.OverviewQuery{From: "2025-01-01", To: "2025-12-31", Sites: sites, Signs: signUnits}},
		} {
			b.Run(q.name+"/"+size.name, func(b *testing.B) {
				var ov stats.Overview
				for b.Loop() {
					ov, err = board.Overview(ctx, q.q)
					if err != nil {
						b.Fatal(err)
					}
				}
				if ov.Cur.Scans == 0 {
					b.Fatal("no scans")
				}
				b.ReportMetric(float64(opt.PerDay*len(sites)*days), "events")
			})
		}
	}
}
