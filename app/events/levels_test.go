package events

import (
	"context"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// The level documents derived from the site and sign documents (for
// rollups written before levels existed) are the ones shipping writes.
func TestDeriveLevelsEqualsShipping(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var evs []domain.Event
	for i := 0; i < 600; i++ {
		e := mixEvent(i)
		if i%5 == 0 {
			e.County, e.Site, e.Sign = "513301", "mugecuo", "" // a second county
		}
		evs = append(evs, e)
	}
	shipAll(t, st, evs)
	shipped := allRollups(t, st, "2026-11")
	isLevel := func(kind string) bool {
		return kind == store.RollupCounty || kind == store.RollupAll || kind == store.RollupRank || kind == store.RollupRankDay
	}
	levels, rankDays := 0, 0
	for id, r := range shipped {
		if r.Kind == store.RollupRankDay {
			rankDays++
		} else if isLevel(r.Kind) {
			levels++
		}
		if isLevel(r.Kind) {
			if err := st.DeleteRollup(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if levels != 5 || rankDays < 2 { // two counties, the prefecture, two rank documents; their days
		t.Fatalf("%d level documents, %d rank days shipped", levels, rankDays)
	}
	// A stale day in a level document is overwritten.
	for _, r := range shipped {
		if r.Kind == store.RollupAll {
			stale := store.Rollup{ID: r.ID, Kind: r.Kind, County: r.County, Key: r.Key, Month: r.Month, Node: r.Node,
				Days: map[string]*store.RollupDay{"28": {Hours: map[string]map[string]int64{"03": {"scan": 99999}}}}}
			if err := st.ReplaceRollupDays(ctx, stale); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := BackfillLevels(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	sameAsShipped(t, "derived", allRollups(t, st, "2026-11"), shipped, isLevel)
	// Once done, never again: a second call leaves a changed document.
	for _, r := range shipped {
		if r.Kind == store.RollupAll {
			if err := st.DeleteRollup(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := BackfillLevels(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(allRollups(t, st, "2026-11")); n != len(shipped)-1 {
		t.Errorf("the backfill ran twice: %d documents", n)
	}
}
