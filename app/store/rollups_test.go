package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func rollup(seq int64, scans int64, sketch string) store.Rollup {
	return store.Rollup{ID: store.RollupID(store.RollupSite, "513322", "hailuogou", "2026-11", "n1"),
		Kind: store.RollupSite, County: "513322", Key: "hailuogou", Month: "2026-11", Node: "n1", Seq: seq,
		Days: map[string]*store.RollupDay{"29": {
			Hours:  map[string]map[string]int64{"09": {"scan": scans}, "10": {"view": 1}},
			Lang:   map[string]int64{"zh": scans},
			Device: map[string]int64{"mobile": scans}, Visitors: sketch,
		}}}
}

// Raising is $max on every counter and on the versioned sketch string: a
// repeated or late (older) update changes nothing, a newer one wins.
func TestRollupRaiseIsMonotonic(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	id := rollup(0, 0, "").ID
	if _, err := st.Rollup(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing rollup: %v", err)
	}
	newer := rollup(20, 7, "0000000000000014:BBBB")
	older := rollup(10, 3, "000000000000000a:ZZZZ")
	for _, r := range []store.Rollup{newer, older, newer} {
		if err := st.RaiseRollup(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Rollup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, newer) {
		t.Fatalf("after newer, older, newer:\n got %+v\nwant %+v", got, newer)
	}
	// A day not mentioned is left alone; a new day is added.
	next := rollup(30, 1, "")
	next.Days = map[string]*store.RollupDay{"30": {Hours: map[string]map[string]int64{"00": {"scan": 1}}}}
	if err := st.RaiseRollup(ctx, next); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Rollup(ctx, id)
	if got.Seq != 30 || got.Days["29"].Hours["09"]["scan"] != 7 || got.Days["30"].Hours["00"]["scan"] != 1 {
		t.Fatalf("after a new day: %+v", got)
	}
}

func TestRollupReplaceDaysAndNodes(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	r := rollup(20, 7, "")
	if err := st.RaiseRollup(ctx, r); err != nil {
		t.Fatal(err)
	}
	rep := rollup(5, 2, "")
	rep.Days["28"] = nil // remove a day that is not there: harmless
	if err := st.ReplaceRollupDays(ctx, rep); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Rollup(ctx, r.ID)
	if got.Days["29"].Hours["09"]["scan"] != 2 || got.Seq != 20 {
		t.Fatalf("replace must set days and keep the higher seq: %+v", got)
	}
	for _, n := range []string{"n1", "n2", "n1"} {
		if err := st.AddRollupNode(ctx, n, "2026-11"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddRollupNode(ctx, "n3", "2026-12"); err != nil {
		t.Fatal(err)
	}
	nodes, err := st.RollupNodes(ctx, "2026-11")
	if err != nil || !reflect.DeepEqual(nodes, []string{"n1", "n2"}) {
		t.Fatalf("nodes of 2026-11: %v %v", nodes, err)
	}
	docs, err := st.RollupsOf(ctx, store.RollupSite, "513322", "hailuogou", "2026-11")
	if err != nil || len(docs) != 1 {
		t.Fatalf("RollupsOf: %d docs, %v", len(docs), err)
	}
	n := 0
	if err := st.RollupsInMonth(ctx, "2026-11", func(store.Rollup) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("RollupsInMonth: %d, %v", n, err)
	}
	if err := st.DeleteRollup(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Rollup(ctx, r.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}
