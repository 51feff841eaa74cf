package store_test

import (
	"context"
	"testing"

	"github.com/yimayou/yimayou/app/store/storetest"
)

// The first day of complete rank-day documents is the one the first
// start recorded: later starts record later days, which do not move it,
// and the generations kept in the same document are untouched.
func TestStatsRankDaysFromKeepsTheFirst(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if d, err := st.StatsRankDaysFrom(ctx); err != nil || d != "" {
		t.Fatalf("before any start: %q, %v", d, err)
	}
	for _, day := range []string{"2026-12-01", "2026-12-05"} {
		if err := st.SetStatsRankDaysFrom(ctx, day); err != nil {
			t.Fatal(err)
		}
	}
	if d, err := st.StatsRankDaysFrom(ctx); err != nil || d != "2026-12-01" {
		t.Fatalf("after two starts: %q, %v", d, err)
	}
	gens, err := st.StatsGenerations(ctx)
	if err != nil || len(gens) != 0 {
		t.Fatalf("generations %v, %v", gens, err)
	}
}
