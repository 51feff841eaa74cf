package web

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
)

// countingStats counts the rollup documents the board reads.
type countingStats struct {
	StatsStore
	reads atomic.Int64
}

func (c *countingStats) Rollup(ctx context.Context, id string) (store.Rollup, error) {
	c.reads.Add(1)
	return c.StatsStore.Rollup(ctx, id)
}

// After the warmer ran, the prefecture's views of this year and the last
// 30 days read no rollup document at all.
func TestStatsWarmKeepsTheUsualViewsInMemory(t *testing.T) {
	_, s := statsApp(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(context.Background(), s, log)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, domain.ChinaTime) }
	cs := &countingStats{StatsStore: s}
	h := &statsViews{s: &Server{Deps: Deps{Catalog: cat, Log: log, Stats: StatsDeps{Store: cs, Now: clock}}}, st: cs}
	h.board = stats.NewBoard(cs).WithClock(clock)
	if err := h.warmOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if cs.reads.Load() == 0 {
		t.Fatal("the warmer read nothing")
	}
	before := cs.reads.Load()
	var sites []stats.Unit
	for _, site := range cat.Snapshot().AllSites() {
		sites = append(sites, stats.Unit{County: site.County, Key: site.Key, Site: site.Key})
	}
	ov, err := h.board.Overview(context.Background(), stats.OverviewQuery{From: "2026-10-22", To: "2026-11-20", Sites: sites})
	if err != nil {
		t.Fatal(err)
	}
	if ov.Cur.Scans == 0 {
		t.Fatal("no scans in the warmed view")
	}
	if n := cs.reads.Load() - before; n != 0 {
		t.Fatalf("the last 30 days read %d rollup documents after warming", n)
	}
}
