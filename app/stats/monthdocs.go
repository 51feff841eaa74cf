package stats

import (
	"fmt"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// FoldMonth returns the month document (store.MonthKind) of a site,
// sign, county, prefecture or rank document: its counts summed over its
// days and hours into one day and hour, its day sketches merged (at the
// newest of their versions), its units' counts summed; no breakdowns. It
// is the definition of a month document: shipping keeps the same numbers
// event by event (AddMonth), and the rebuild, the backfill and
// GenerateRollups fold. ok is false for a kind without month documents.
func FoldMonth(r store.Rollup) (out store.Rollup, ok bool, err error) {
	kind := store.MonthKind(r.Kind)
	if kind == "" {
		return store.Rollup{}, false, nil
	}
	out = store.Rollup{ID: store.RollupID(kind, r.County, r.Key, r.Month, r.Node), Kind: kind, County: r.County,
		Key: r.Key, Month: r.Month, Node: r.Node, Seq: r.Seq}
	d := &store.RollupDay{}
	var sk *Sketch
	var at uint64
	for dd, day := range r.Days {
		if day == nil {
			continue
		}
		for _, counts := range day.Hours {
			for m, n := range counts {
				if d.Hours == nil {
					d.Hours = map[string]map[string]int64{store.MonthHour: {}}
				}
				d.Hours[store.MonthHour][m] += n
			}
		}
		for u, counts := range day.Units {
			for m, n := range counts {
				if d.Units == nil {
					d.Units = map[string]map[string]int64{}
				}
				if d.Units[u] == nil {
					d.Units[u] = map[string]int64{}
				}
				d.Units[u][m] += n
			}
		}
		if day.Visitors != "" {
			v, s, err := DecodeVersioned(day.Visitors)
			if err != nil {
				return store.Rollup{}, false, fmt.Errorf("stats: fold %s day %s: %w", r.ID, dd, err)
			}
			if sk == nil {
				sk = NewSketch()
			}
			sk.Merge(s)
			at = max(at, v)
		}
	}
	if sk != nil {
		d.Visitors = EncodeVersioned(at, sk)
	}
	out.Days = map[string]*store.RollupDay{}
	if d.Hours != nil || d.Units != nil || d.Visitors != "" {
		out.Days[store.MonthDay] = d
	}
	return out, true, nil
}

// MonthEvent is the event as a month document counts it: at MonthHour.
// Adding it to a month document's day as its day document adds e (with
// no breakdowns) gives FoldMonth's numbers.
func MonthEvent(e *domain.Event) *domain.Event {
	m := *e
	m.Hour = 0
	return &m
}
