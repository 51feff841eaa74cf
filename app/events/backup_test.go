package events

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
)

// A snapshot holds exactly the events past the shipped mark; replaying
// them stores each once and raises the rollups once, and neither a second
// replay nor the node's own shipper sending them again counts anything
// twice.
func TestSnapshotUnshippedAndReplay(t *testing.T) {
	ctx := context.Background()
	if snap, err := SnapshotUnshipped(filepath.Join(t.TempDir(), "none")); snap != nil || err != nil {
		t.Fatalf("snapshot of no log: %v, %v", snap, err)
	}
	shipped := storetest.New(t)
	dir := t.TempDir()
	l := openTest(t, dir, Options{SegmentBytes: 8 << 10})
	sh := l.Ship(shipped, fastShip)
	for i := range 300 {
		if err := l.Record(ctx, mixEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, l, 30*time.Second)
	closeLog(t, l)
	if err := sh.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// 200 more that never reach the database.
	l = openTest(t, dir, Options{SegmentBytes: 8 << 10})
	node := l.Node()
	for i := 300; i < 500; i++ {
		if err := l.Record(ctx, mixEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	closeLog(t, l)
	segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(segs) < 2 {
		t.Fatalf("want several segments, have %d", len(segs))
	}

	snap, err := SnapshotUnshipped(dir)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Node != node || len(snap.Events) != 200 || snap.ShippedMark != 300 || snap.LastSeq != 500 {
		t.Fatalf("snapshot: node %s, %d events, mark %d, last %d", snap.Node, len(snap.Events), snap.ShippedMark, snap.LastSeq)
	}
	for i, e := range snap.Events {
		if want := mixEvent(300 + i); e.ID != want.ID || e.Seq != uint64(301+i) || e.Node != node || e.Site != want.Site {
			t.Fatalf("snapshot event %d: %+v", i, e)
		}
	}

	// The shipped store is the "backup"; a copy of it takes the replay.
	restored := storetest.New(t)
	var all []domain.Event
	if err := shipped.Events(ctx, store.EventFilter{From: "2000-01-01", To: "2100-01-01"}, func(e domain.Event) error {
		all = append(all, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n, _, err := restored.InsertEvents(ctx, all); err != nil || n != 300 {
		t.Fatalf("copy: %d, %v", n, err)
	}
	// Rollups of the copy come from replaying the shipped events: the
	// first replay makes them, a second changes nothing.
	for range 2 {
		if _, err := Replay(ctx, restored, node, all, nil); err != nil {
			t.Fatal(err)
		}
	}
	checkRollups(t, restored, "2026-11-28", "2026-11-30")

	for round := range 2 {
		n, err := Replay(ctx, restored, node, snap.Events, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{200, 0}[round]; n != want {
			t.Errorf("replay %d inserted %d, want %d", round, n, want)
		}
	}
	if n := countEvents(t, restored); n != 500 {
		t.Fatalf("events after replay: %d", n)
	}
	totals := checkRollups(t, restored, "2026-11-28", "2026-11-30")

	// The node starts again on the restored database and ships its log:
	// everything is there already, and nothing is counted twice.
	l = openTest(t, dir, Options{SegmentBytes: 8 << 10})
	sh = l.Ship(restored, fastShip)
	drain(t, l, 30*time.Second)
	closeLog(t, l)
	if err := sh.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, restored); n != 500 {
		t.Fatalf("events after reshipping: %d", n)
	}
	if again := checkRollups(t, restored, "2026-11-28", "2026-11-30"); !sameTotals(again, totals) {
		t.Fatalf("totals after reshipping %v, before %v", again, totals)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}

func sameTotals(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The retention job drops capacity days before its cut and keeps the
// rest, so per-day collections do not pile up.
func TestRetentionDropsPastCapacityDays(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	days := []string{"2025-10-24", "2025-10-25", "2026-11-29", "2026-12-31"}
	for _, d := range days {
		if err := st.EnsureCapacity(ctx, tickets.Capacity{Site: "hailuogou", Date: d, Limit: 10, Online: 10, Remaining: 10}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, domain.ChinaTime)
	if _, err := NewRetention(st, 0, quietLogger(), func() time.Time { return now }).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// 400 days before 2026-11-29 is 2025-10-25.
	for i, d := range days {
		_, err := st.Capacity(ctx, "hailuogou", d, "")
		if gone := errors.Is(err, domain.ErrNotFound); gone != (i == 0) {
			t.Errorf("capacity of %s: %v", d, err)
		}
	}
}
