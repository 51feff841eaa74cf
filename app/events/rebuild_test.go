package events

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// shipAll records events through a log and ships them, like a node does.
func shipAll(t *testing.T, st *store.Store, evs []domain.Event) {
	t.Helper()
	l := openTest(t, t.TempDir(), Options{})
	sh := l.Ship(st, fastShip)
	for _, e := range evs {
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, l, 60*time.Second)
	closeLog(t, l)
	if err := sh.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRebuildReproducesShippedRollups(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var evs []domain.Event
	for i := 0; i < 900; i++ {
		evs = append(evs, mixEvent(i))
	}
	// Events of an older month and a node-less (legacy) event stored
	// directly.
	old := mixEvent(5000)
	old.SetTime(time.Date(2026, 10, 31, 23, 30, 0, 0, domain.ChinaTime))
	evs = append(evs, old)
	shipAll(t, st, evs)
	legacy := mixEvent(6000)
	if _, _, err := st.InsertEvents(ctx, []domain.Event{legacy}); err != nil {
		t.Fatal(err)
	}
	// Ship the legacy event's rollup the way a rebuild would, so the live
	// state is complete before comparing.
	if err := Rebuild(ctx, st, legacy.Day, legacy.Day, nil); err != nil {
		t.Fatal(err)
	}
	live := allRollups(t, st, "2026-11")
	liveOct := allRollups(t, st, "2026-10")
	if len(live) == 0 || len(liveOct) == 0 {
		t.Fatal("no rollups shipped")
	}

	// Damage: inflate one document, delete another.
	var ids []string
	for id := range live {
		ids = append(ids, id)
	}
	bad := live[ids[0]]
	for _, d := range bad.Days {
		for _, h := range d.Hours {
			for m := range h {
				h[m] += 1000
			}
		}
	}
	if err := st.ReplaceRollupDays(ctx, bad); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteRollup(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}

	var calls []int
	if err := Rebuild(ctx, st, "2026-10-01", "2026-11-30", func(done, total int) {
		if total != 61 {
			t.Errorf("total %d", total)
		}
		calls = append(calls, done)
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(calls, []int{31, 61}) {
		t.Fatalf("progress %v", calls)
	}
	checkRollups(t, st, "2026-11-28", "2026-11-30")
	gotOct := allRollups(t, st, "2026-10")
	if !reflect.DeepEqual(gotOct, liveOct) {
		t.Fatal("October rollups changed by a rebuild")
	}

	// A rebuild of a correct state is the identity, whole month or one day.
	before := allRollups(t, st, "2026-11")
	for _, r := range [][2]string{{"2026-11-01", "2026-11-30"}, {"2026-11-29", "2026-11-29"}} {
		if err := Rebuild(ctx, st, r[0], r[1], nil); err != nil {
			t.Fatal(err)
		}
		if after := allRollups(t, st, "2026-11"); !reflect.DeepEqual(before, after) {
			t.Fatalf("rebuild of %v changed correct rollups", r)
		}
	}
}

// Shipping and rebuilding give byte-identical documents.
func TestRebuildEqualsShipping(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var evs []domain.Event
	for i := 0; i < 500; i++ {
		evs = append(evs, mixEvent(i))
	}
	shipAll(t, st, evs)
	shipped := allRollups(t, st, "2026-11")
	// The level and rank documents are shipped, and rebuilt below, like
	// the sites' and signs'.
	kinds := map[string]int{}
	for _, r := range shipped {
		kinds[r.Kind]++
	}
	if kinds[store.RollupCounty] != 1 || kinds[store.RollupAll] != 1 || kinds[store.RollupRank] != 1 ||
		kinds[store.RollupSiteMonth] != 2 || kinds[store.RollupSignMonth] != 4 || kinds[store.RollupCountyMonth] != 1 ||
		kinds[store.RollupAllMonth] != 1 || kinds[store.RollupRankMonth] != 2 || kinds[store.RollupRankDay] != 6 {
		t.Fatalf("documents by kind: %v", kinds)
	}
	// Wipe every rollup document, then rebuild from raw events.
	for id := range shipped {
		if err := st.DeleteRollup(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := Rebuild(ctx, st, "2026-11-28", "2026-11-30", nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := allRollups(t, st, "2026-11")
	if !reflect.DeepEqual(shipped, rebuilt) {
		t.Fatalf("rebuilt rollups differ from shipped ones: %d vs %d documents", len(rebuilt), len(shipped))
	}
}

func TestRebuildRefusesRangeWithoutRawEvents(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	e := mixEvent(1)
	e.SetTime(time.Date(2024, 3, 10, 12, 0, 0, 0, domain.ChinaTime))
	shipAll(t, st, []domain.Event{e})
	if _, err := st.DropEventsBefore(ctx, "2024-04-01"); err != nil {
		t.Fatal(err)
	}
	err := Rebuild(ctx, st, "2024-03-01", "2024-03-31", nil)
	if !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("rebuild over dropped raw events: %v", err)
	}
	if n := len(allRollups(t, st, "2024-03")); n == 0 {
		t.Fatal("rollups were wiped")
	}
	// A month with neither raw events nor rollups is simply empty.
	if err := Rebuild(ctx, st, "2023-01-01", "2023-01-31", nil); err != nil {
		t.Fatal(err)
	}
}

func TestRetentionDropsWholeOldMonths(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var evs []domain.Event
	for i, d := range []time.Time{
		time.Date(2024, 9, 15, 12, 0, 0, 0, domain.ChinaTime),
		time.Date(2025, 10, 1, 12, 0, 0, 0, domain.ChinaTime),
		time.Date(2026, 11, 29, 12, 0, 0, 0, domain.ChinaTime),
	} {
		e := mixEvent(i)
		e.SetTime(d)
		evs = append(evs, e)
	}
	if _, _, err := st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, domain.ChinaTime)
	r := NewRetention(st, 0, quietLogger(), func() time.Time { return now })
	dropped, err := r.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 400 days before 2026-11-29 is 2025-10-25: October 2025 still holds
	// days inside the limit and stays.
	if !reflect.DeepEqual(dropped, []string{"events_202409"}) {
		t.Fatalf("dropped %v", dropped)
	}
	cols, _ := st.EventCollections(ctx)
	if !reflect.DeepEqual(cols, []string{"events_202510", "events_202611"}) {
		t.Fatalf("left %v", cols)
	}
}
