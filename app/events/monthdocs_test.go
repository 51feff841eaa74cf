package events

import (
	"context"
	"reflect"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// olderRollups is a database written by a version with level documents
// but without month documents: BackfillLevels finds them missing.
type olderRollups struct {
	*store.Store
	folded bool
}

func (o *olderRollups) StatsMonthDocs(context.Context) (bool, error)  { return o.folded, nil }
func (o *olderRollups) SetStatsMonthDocs(context.Context) error       { o.folded = true; return nil }
func (o *olderRollups) StatsLevelsDone(context.Context) (bool, error) { return true, nil }

// Every document shipping writes, but a rank-day's, has a month document
// equal to its days folded (stats.FoldMonth), batch after batch, and the
// prefecture has rank-day and month rank documents; the backfill of
// rollups written without them (levels derived again, month documents
// folded) gives the same documents.
func TestMonthDocsEqualFoldedDays(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	var evs []domain.Event
	for i := 0; i < 700; i++ {
		e := mixEvent(i)
		if i%7 == 0 {
			e.County, e.Site, e.Sign = "513301", "mugecuo", "" // a second county
		}
		evs = append(evs, e)
	}
	// Two shipping runs: the second continues documents written by the
	// first (read back from the database, not from its cache).
	shipAll(t, st, evs[:300])
	shipAll(t, st, evs[300:])
	shipped := allRollups(t, st, "2026-11")
	months := 0
	for _, r := range shipped {
		want, ok, err := stats.FoldMonth(r)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		months++
		got, found := shipped[want.ID]
		if !found {
			t.Errorf("%s: no month document", r.ID)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: shipped %+v\nfolded %+v", want.ID, got.Days[store.MonthDay], want.Days[store.MonthDay])
		}
	}
	if months < 10 {
		t.Fatalf("%d documents with month documents", months)
	}
	prefectureRanks := 0
	for _, r := range shipped {
		if r.County == store.LevelAll && isRank(r.Kind) {
			prefectureRanks++
		}
	}
	if prefectureRanks != 2*(1+3) { // two nodes: a month rank document, three days
		t.Fatalf("%d prefecture rank documents shipped", prefectureRanks)
	}
	for id, r := range shipped {
		if store.IsMonthKind(r.Kind) {
			if err := st.DeleteRollup(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	older := &olderRollups{Store: st}
	if err := BackfillLevels(ctx, older, nil); err != nil {
		t.Fatal(err)
	}
	if !older.folded {
		t.Fatal("backfill did not record the month documents")
	}
	sameAsShipped(t, "backfilled", allRollups(t, st, "2026-11"), shipped, func(string) bool { return true })
}

// sameAsShipped compares derived documents with the shipped ones whose
// kind is kept. Derived rank documents say every event up to the newest
// of their county's is counted, which is true (see DeriveLevels), and
// may name a later seq than shipping did.
func sameAsShipped(t *testing.T, what string, got, shipped map[string]store.Rollup, kept func(kind string) bool) {
	t.Helper()
	n := 0
	for id, want := range shipped {
		if !kept(want.Kind) {
			continue
		}
		n++
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: not %s", id, what)
			continue
		}
		if isRank(want.Kind) {
			if g.Seq < want.Seq {
				t.Errorf("%s: seq %d below the shipped %d", id, g.Seq, want.Seq)
			}
			g.Seq = want.Seq
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("%s: %s %+v\nshipped %+v", id, what, g, want)
		}
	}
	if len(got) != len(shipped) {
		t.Errorf("%d documents %s, %d shipped", len(got), what, len(shipped))
	}
}

func isRank(kind string) bool {
	return kind == store.RollupRank || kind == store.RollupRankDay || kind == store.RollupRankMonth
}
