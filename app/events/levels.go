package events

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
)

// LevelStore is what deriving the level documents needs; store.Store
// implements it.
type LevelStore interface {
	RollupMonths(ctx context.Context) (map[string][]string, error)
	RollupsInMonth(ctx context.Context, month string, fn func(store.Rollup) error) error
	ReplaceRollupDays(ctx context.Context, r store.Rollup) error
	DeleteRollup(ctx context.Context, id string) error
	StatsLevelsDone(ctx context.Context) (bool, error)
	StatsMonthDocs(ctx context.Context) (bool, error)
	SetStatsMonthDocs(ctx context.Context) error
	SetStatsLevelsDone(ctx context.Context) error
	SetStatsRankDaysFrom(ctx context.Context, day string) error
}

// DeriveLevels builds the county, prefecture and rank documents of a
// month from its site and sign documents, node by node, and overwrites
// the days they hold. The counts, breakdowns and sketches are the ones
// shipping writes (the same events, summed and merged); a rank
// document's seq is the highest of its county's site and sign documents,
// which is at least the one shipping writes and says the same: every
// event of the node up to it is counted. It is for rollups written before
// levels existed, whose raw events retention may have dropped.
func DeriveLevels(ctx context.Context, st LevelStore, month string) error {
	type derived struct {
		key  rollupKey
		node string
		seq  int64
		days map[string]*dayState
	}
	docs := map[string]*derived{}
	get := func(k rollupKey, node string, seq int64) *derived {
		id := k.id(node)
		d := docs[id]
		if d == nil {
			d = &derived{key: k, node: node, days: map[string]*dayState{}}
			docs[id] = d
		}
		d.seq = max(d.seq, seq)
		return d
	}
	day := func(d *derived, dd string) *dayState {
		ds := d.days[dd]
		if ds == nil {
			ds = &dayState{day: &store.RollupDay{}}
			d.days[dd] = ds
		}
		return ds
	}
	rankUnit := func(ds *dayState, unit string, hours map[string]map[string]int64) {
		for _, m := range []string{stats.MetricScan, stats.MetricView} {
			var n int64
			for _, h := range hours {
				n += h[m]
			}
			if n == 0 {
				continue
			}
			if ds.day.Units == nil {
				ds.day.Units = map[string]map[string]int64{}
			}
			if ds.day.Units[unit] == nil {
				ds.day.Units[unit] = map[string]int64{}
			}
			ds.day.Units[unit][m] += n
		}
	}
	err := st.RollupsInMonth(ctx, month, func(r store.Rollup) error {
		rank := rollupKey{store.RollupRank, r.County, r.County, month}
		switch r.Kind {
		case store.RollupSign:
			d := get(rank, r.Node, r.Seq)
			for dd, src := range r.Days {
				if src != nil {
					rankUnit(day(d, dd), "g:"+r.Key, src.Hours)
				}
			}
			return nil
		case store.RollupSite:
		default:
			return nil
		}
		for _, k := range []rollupKey{{store.RollupCounty, r.County, r.County, month}, {store.RollupAll, store.LevelAll, store.LevelAll, month}} {
			d := get(k, r.Node, r.Seq)
			for dd, src := range r.Days {
				if src == nil {
					continue
				}
				ds := day(d, dd)
				for h, counts := range src.Hours {
					for m, n := range counts {
						incr(&ds.day.Hours, h, m, n)
					}
				}
				ds.day.Lang = addCounts(ds.day.Lang, src.Lang)
				ds.day.Device = addCounts(ds.day.Device, src.Device)
				ds.day.Referrer = addCounts(ds.day.Referrer, src.Referrer)
				if src.Visitors != "" {
					at, sk, err := stats.DecodeVersioned(src.Visitors)
					if err != nil {
						return fmt.Errorf("events: levels: %s day %s: %w", r.ID, dd, err)
					}
					if ds.sketch == nil {
						ds.sketch = stats.NewSketch()
					}
					ds.sketch.Merge(sk)
					ds.sketchAt = max(ds.sketchAt, at)
				}
			}
		}
		d := get(rank, r.Node, r.Seq)
		for dd, src := range r.Days {
			if src != nil {
				rankUnit(day(d, dd), "s:"+r.Key, src.Hours)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Each day of a rank document is also its own rank-day document.
	var ranks []*derived
	for _, d := range docs {
		if d.key.kind == store.RollupRank {
			ranks = append(ranks, d)
		}
	}
	// And the prefecture's rank-day documents sum the counties'.
	for _, d := range ranks {
		for dd, ds := range d.days {
			rd := get(rollupKey{store.RollupRankDay, d.key.county, month + "-" + dd, month}, d.node, d.seq)
			rd.days[dd] = &dayState{day: ds.day}
			all := day(get(rollupKey{store.RollupRankDay, store.LevelAll, month + "-" + dd, month}, d.node, d.seq), dd)
			for u, counts := range ds.day.Units {
				if all.day.Units == nil {
					all.day.Units = map[string]map[string]int64{}
				}
				all.day.Units[u] = addCounts(all.day.Units[u], counts)
			}
		}
	}
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		d := docs[id]
		r := store.Rollup{ID: id, Kind: d.key.kind, County: d.key.county, Key: d.key.key, Month: month,
			Node: d.node, Seq: d.seq, Days: map[string]*store.RollupDay{}}
		for dd, ds := range d.days {
			if (d.key.kind == store.RollupRank || d.key.kind == store.RollupRankDay) && len(ds.day.Units) == 0 {
				continue // shipping writes no rank day without scans or views
			}
			ds.finish()
			r.Days[dd] = ds.day
		}
		if len(r.Days) == 0 {
			continue
		}
		if err := st.ReplaceRollupDays(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

func addCounts(dst, src map[string]int64) map[string]int64 {
	for k, n := range src {
		if dst == nil {
			dst = map[string]int64{}
		}
		dst[k] += n
	}
	return dst
}

// FoldStore is what folding a month's documents needs; store.Store
// implements it.
type FoldStore interface {
	RollupsInMonth(ctx context.Context, month string, fn func(store.Rollup) error) error
	ReplaceRollupDays(ctx context.Context, r store.Rollup) error
	DeleteRollup(ctx context.Context, id string) error
}

// FoldMonths writes the month documents (stats.FoldMonth) of every
// document of month, replacing what they held, and deletes those whose
// document is gone. The rebuild runs it after rewriting a month's days,
// the backfill for rollups written before month documents existed. Like
// them, it runs with no shipper writing the month.
func FoldMonths(ctx context.Context, st FoldStore, month string) error {
	var folded []store.Rollup
	stale := map[string]bool{}
	// The prefecture's month rank document of each node sums its
	// rank-day documents (it has no document of days to fold).
	allRanks := map[string]*store.Rollup{}
	err := st.RollupsInMonth(ctx, month, func(r store.Rollup) error {
		if store.IsMonthKind(r.Kind) {
			stale[r.ID] = true
			return nil
		}
		if r.Kind == store.RollupRankDay && r.County == store.LevelAll {
			a := allRanks[r.Node]
			if a == nil {
				a = &store.Rollup{Kind: store.RollupRank, County: store.LevelAll, Key: store.LevelAll, Month: month, Node: r.Node,
					Days: map[string]*store.RollupDay{}}
				allRanks[r.Node] = a
			}
			a.Seq = max(a.Seq, r.Seq)
			maps.Copy(a.Days, r.Days)
			return nil
		}
		m, ok, err := stats.FoldMonth(r)
		if ok && len(m.Days) > 0 {
			folded = append(folded, m)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, a := range allRanks {
		m, _, err := stats.FoldMonth(*a)
		if err != nil {
			return err
		}
		if len(m.Days) > 0 {
			folded = append(folded, m)
		}
	}
	for _, m := range folded {
		delete(stale, m.ID)
		if err := st.ReplaceRollupDays(ctx, m); err != nil {
			return err
		}
	}
	ids := make([]string, 0, len(stale))
	for id := range stale {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := st.DeleteRollup(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// BackfillLevels derives the level documents of every month once, for
// rollups written by a version without levels, and again with the month
// documents (folded from them, FoldMonths) for rollups written by a
// version without those. Run it before the shipper starts (shipping
// continues the derived documents from their seq); on later starts it
// only reads two flags.
//
// It also records, the first time, tomorrow as the first day of complete
// rank-day documents (today's were not written before this start), and,
// once every month's are derived, the first day of the oldest month.
func BackfillLevels(ctx context.Context, st LevelStore, log *slog.Logger) error {
	tomorrow := time.Now().In(domain.ChinaTime).AddDate(0, 0, 1).Format(time.DateOnly)
	if err := st.SetStatsRankDaysFrom(ctx, tomorrow); err != nil {
		return err
	}
	done, err := st.StatsLevelsDone(ctx)
	if err != nil {
		return err
	}
	folded, err := st.StatsMonthDocs(ctx)
	if err != nil || (done && folded) {
		return err
	}
	byNode, err := st.RollupMonths(ctx)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, ms := range byNode {
		for _, m := range ms {
			set[m] = true
		}
	}
	months := make([]string, 0, len(set))
	for m := range set {
		months = append(months, m)
	}
	sort.Strings(months)
	// Levels are derived again with the month documents: the
	// prefecture's rank-day documents are new with them.
	for i, m := range months {
		if err := DeriveLevels(ctx, st, m); err != nil {
			return err
		}
		if !folded {
			if err := FoldMonths(ctx, st, m); err != nil {
				return err
			}
		}
		if log != nil {
			log.Info("stats: levels and month documents derived", "month", m, "done", i+1, "of", len(months))
		}
	}
	if err := st.SetStatsLevelsDone(ctx); err != nil {
		return err
	}
	if folded {
		return nil
	}
	if len(months) > 0 {
		// Every rank-day document of these months is derived now.
		if err := st.SetStatsRankDaysFrom(ctx, months[0]+"-01"); err != nil {
			return err
		}
	}
	return st.SetStatsMonthDocs(ctx)
}
