package stats_test

import (
	"context"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// When ticket events carry the sign the tourist booked from, the funnel of
// a sign is exact: every figure equals a count over the raw events of
// that sign, and the generator's direct rollups agree with the pipeline.
func TestFunnelExactPerSign(t *testing.T) {
	opt := genSet()
	opt.Days, opt.PerDay, opt.TicketSigns = 12, 60, true
	st := storetest.New(t)
	loadPipeline(t, st, opt)
	ctx := context.Background()
	from, to := "2026-10-20", "2026-10-31"
	sites := opt.Sites[:3] // hailuogou and luding-bridge with signs, mugecuo too
	var signs []stats.Unit
	for _, s := range sites {
		for _, code := range opt.Signs[s.Key] {
			signs = append(signs, stats.Unit{County: s.County, Key: code, Site: s.Key})
		}
	}
	rows, err := stats.NewBoard(st).Funnel(ctx, from, to, sites, signs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(sites)+len(signs) {
		t.Fatalf("%d rows", len(rows))
	}
	signTickets := map[string]int64{}
	for _, r := range rows {
		keep := func(e domain.Event) bool { return e.Site == r.Key }
		if r.Sign {
			keep = func(e domain.Event) bool { return e.Sign == r.Key }
		}
		want := rawTruth(t, st, from, to, keep)
		if r.Scans != want.counts[stats.MetricScan] || r.Reserved != want.counts[stats.MetricReserved] ||
			r.Paid != want.counts[stats.MetricPaid] || r.CheckIns != want.counts[stats.MetricCheckIn] {
			t.Errorf("%s: funnel %+v, raw events %v", r.Key, r, want.counts)
		}
		if r.Sign {
			if r.Attributed {
				t.Errorf("%s: estimated although its tickets carry the sign", r.Key)
			}
			signTickets[r.Site] += r.Reserved
		}
	}
	// Some reservations came without a sign: the signs' share is below
	// the site's, and nothing was spread over them.
	if r := rows[0]; signTickets[r.Key] == 0 || signTickets[r.Key] >= r.Reserved {
		t.Errorf("%s: signs account for %d of %d reservations", r.Key, signTickets[r.Key], r.Reserved)
	}

	direct := storetest.New(t)
	writeGenerated(t, direct, opt)
	got, err := stats.NewBoard(direct).Funnel(ctx, from, to, sites, signs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if got[i] != rows[i] {
			t.Errorf("generated %+v\npipeline  %+v", got[i], rows[i])
		}
	}
}
