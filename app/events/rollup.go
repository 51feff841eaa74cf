package events

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
)

// RollupStore is what applying rollups needs; store.Store implements it.
type RollupStore interface {
	Rollup(ctx context.Context, id string) (store.Rollup, error)
	RaiseRollups(ctx context.Context, rs []store.Rollup) error
	AddRollupNode(ctx context.Context, node, month string) error
}

// legacyNode stands for events stored without a node (recorded before the
// event log existed); the rebuild files them under it.
const legacyNode = "legacy"

// rollupKey names one rollup document apart from its node.
type rollupKey struct{ kind, county, key, month string }

func (k rollupKey) id(node string) string {
	return store.RollupID(k.kind, k.county, k.key, k.month, node)
}

// rollupKeys returns the documents an event counts in: its site's and its
// sign's, and (for an event of a site) its county's and the prefecture's
// levels and its county's rank documents (the month's and the day's), in
// the month of its day; the month documents of all but the rank-day
// one; and the prefecture's month and rank-day documents.
func rollupKeys(e *domain.Event) []rollupKey {
	if len(e.Day) != len("2006-01-02") || e.County == "" {
		return nil
	}
	month := e.Day[:7]
	var keys []rollupKey
	if e.Site != "" {
		keys = append(keys, rollupKey{store.RollupSite, e.County, e.Site, month},
			rollupKey{store.RollupCounty, e.County, e.County, month},
			rollupKey{store.RollupAll, store.LevelAll, store.LevelAll, month})
		if stats.InRank(e) {
			keys = append(keys, rollupKey{store.RollupRank, e.County, e.County, month},
				rollupKey{store.RollupRankDay, e.County, e.Day, month})
		}
	}
	if e.Sign != "" {
		keys = append(keys, rollupKey{store.RollupSign, e.County, e.Sign, month})
	}
	// And each one's month document, but a rank-day's.
	for _, k := range keys {
		if mk := store.MonthKind(k.kind); mk != "" {
			keys = append(keys, rollupKey{mk, k.county, k.key, month})
		}
	}
	// The prefecture's ranks: a month and a rank-day document (no
	// document of days: it would hold every unit of every day).
	if e.Site != "" && stats.InRank(e) {
		keys = append(keys, rollupKey{store.RollupRankMonth, store.LevelAll, store.LevelAll, month},
			rollupKey{store.RollupRankDay, store.LevelAll, e.Day, month})
	}
	return keys
}

// rollupDay is the day of a document of kind that e counts in ("01".."31",
// or a month document's one day).
func rollupDay(kind string, e *domain.Event) string {
	if store.IsMonthKind(kind) {
		return store.MonthDay
	}
	return e.Day[8:10]
}

// addTo adds e to a day of a document of kind: levels count as a site
// does (breakdowns, visitor sketch), rank documents keep per-unit counts.
func addTo(ds *dayState, kind string, e *domain.Event) {
	switch kind {
	case store.RollupRank, store.RollupRankDay, store.RollupRankMonth:
		stats.AddRank(ds.day, e)
	case store.RollupSiteMonth, store.RollupSignMonth, store.RollupCountyMonth, store.RollupAllMonth:
		addEvent(ds, stats.MonthEvent(e), false)
	default:
		addEvent(ds, e, kind != store.RollupSign)
	}
}

// dayState is one day of a rollup being computed, with its sketch decoded.
type dayState struct {
	day      *store.RollupDay
	sketch   *stats.Sketch
	sketchAt uint64 // version: newest event sequence in the sketch
}

// addEvent adds e to a day of a rollup. It is the one definition of what
// an event counts for, shared by the shipper and the rebuild so that both
// produce the same documents. Site and sign documents get a visitor
// sketch; site documents the breakdowns too.
func addEvent(ds *dayState, e *domain.Event, full bool) {
	d := ds.day
	hour := fmt.Sprintf("%02d", e.Hour)
	if e.Bot {
		incr(&d.Hours, hour, stats.MetricBot, 1)
		return
	}
	if e.Filter != "" {
		// Past its client's recording budget: kept, shown as filtered,
		// counted in no figure and no unique.
		incr(&d.Hours, hour, stats.FilterMetric(e.Filter), 1)
		return
	}
	metric := stats.MetricOf(e.Type)
	if metric == "" {
		return
	}
	incr(&d.Hours, hour, metric, 1)
	switch e.Type {
	case domain.EventTicketPaid:
		if n := amountFen(e); n != 0 {
			incr(&d.Hours, hour, stats.MetricRevenueFen, n)
		}
	case domain.EventTicketRefunded:
		if n := amountFen(e); n != 0 {
			incr(&d.Hours, hour, stats.MetricRefundFen, n)
		}
	}
	if e.VisitorKey != "" {
		if ds.sketch == nil {
			ds.sketch = stats.NewSketch()
		}
		ds.sketch.Add(e.VisitorKey)
		ds.sketchAt = max(ds.sketchAt, e.Seq)
	}
	if full && (e.Type == domain.EventScan || e.Type == domain.EventPageView) {
		count(&d.Lang, string(e.Lang))
		count(&d.Device, e.Device)
		count(&d.Referrer, e.Referrer)
	}
}

func amountFen(e *domain.Event) int64 {
	n, err := strconv.ParseInt(e.Extra[stats.ExtraAmountFen], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func incr(m *map[string]map[string]int64, hour, metric string, n int64) {
	if *m == nil {
		*m = map[string]map[string]int64{}
	}
	h := (*m)[hour]
	if h == nil {
		h = map[string]int64{}
		(*m)[hour] = h
	}
	h[metric] += n
}

func count(m *map[string]int64, k string) {
	if k == "" {
		return
	}
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[k]++
}

// finish writes the day's sketch back into its stored form.
func (ds *dayState) finish() {
	if ds.sketch != nil {
		ds.day.Visitors = stats.EncodeVersioned(ds.sketchAt, ds.sketch)
	}
}

// loadDay starts a day state from a stored day (deep-copied, since the
// counts are raised in place).
func loadDay(d *store.RollupDay) (*dayState, error) {
	ds := &dayState{day: &store.RollupDay{}}
	if d == nil {
		return ds, nil
	}
	if d.Hours != nil {
		ds.day.Hours = make(map[string]map[string]int64, len(d.Hours))
		for h, m := range d.Hours {
			ds.day.Hours[h] = maps.Clone(m)
		}
	}
	if d.Units != nil {
		ds.day.Units = make(map[string]map[string]int64, len(d.Units))
		for u, m := range d.Units {
			ds.day.Units[u] = maps.Clone(m)
		}
	}
	ds.day.Lang = maps.Clone(d.Lang)
	ds.day.Device = maps.Clone(d.Device)
	ds.day.Referrer = maps.Clone(d.Referrer)
	if d.Visitors != "" {
		at, sk, err := stats.DecodeVersioned(d.Visitors)
		if err != nil {
			return nil, err
		}
		ds.sketch, ds.sketchAt = sk, at
	}
	return ds, nil
}

// rollupCacheMax bounds the applier's cache: a node touches a few hundred
// documents a month.
const rollupCacheMax = 4096

// rollupApplier applies shipped events to one node's rollup documents.
type rollupApplier struct {
	st     RollupStore
	node   string
	months map[string]bool // months already registered for this node
	// cache holds this node's documents as last written. The node is
	// their only writer, so after the first read the database has
	// nothing newer to say; a rebuild, which rewrites them, runs with the
	// shipper stopped.
	cache map[string]*store.Rollup
	// keys is rollupKeys; BenchmarkShipBatch measures against a set
	// without month documents.
	keys func(*domain.Event) []rollupKey
}

func newRollupApplier(st RollupStore, node string) *rollupApplier {
	return &rollupApplier{st: st, node: node, months: map[string]bool{}, cache: map[string]*store.Rollup{}, keys: rollupKeys}
}

// apply adds events (all of this node, in sequence order) to the node's
// rollups, exactly once: each document keeps the highest sequence it has
// applied, events at or below it are skipped, and the new cumulative
// counts are written with $max in one bulk write. A crash between
// documents, a retry of the whole batch or a late duplicate write leaves
// every count right, because every value written is a function of the
// set of events applied, and $max never lowers one.
func (a *rollupApplier) apply(ctx context.Context, evs []domain.Event) error {
	groups := map[rollupKey][]*domain.Event{}
	for i := range evs {
		for _, k := range a.keys(&evs[i]) {
			groups[k] = append(groups[k], &evs[i])
		}
	}
	keys := make([]rollupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].id("") < keys[j].id("") })
	var updates []store.Rollup
	for _, k := range keys {
		if !a.months[k.month] {
			// Registered before the first write, so a reader never misses
			// a document that exists.
			if err := a.st.AddRollupNode(ctx, a.node, k.month); err != nil {
				return err
			}
			a.months[k.month] = true
		}
		r, err := a.update(ctx, k, groups[k])
		if err != nil {
			return err
		}
		if r != nil {
			updates = append(updates, *r)
		}
	}
	if len(updates) == 0 {
		return nil
	}
	if err := a.st.RaiseRollups(ctx, updates); err != nil {
		// Some documents may be raised and some not; read them afresh.
		clear(a.cache)
		return err
	}
	if len(a.cache)+len(updates) > rollupCacheMax {
		clear(a.cache)
	}
	for _, r := range updates {
		c := a.cache[r.ID]
		if c == nil {
			continue // not cached: read again next time
		}
		c.Seq = r.Seq
		if c.Days == nil {
			c.Days = map[string]*store.RollupDay{}
		}
		maps.Copy(c.Days, r.Days)
	}
	return nil
}

// update computes the new cumulative state of the touched days of one
// document, or nil if every event was applied before.
func (a *rollupApplier) update(ctx context.Context, k rollupKey, evs []*domain.Event) (*store.Rollup, error) {
	id := k.id(a.node)
	old := a.cache[id]
	if old == nil {
		r, err := a.st.Rollup(ctx, id)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return nil, err
		}
		if errors.Is(err, domain.ErrNotFound) {
			r = store.Rollup{ID: id, Kind: k.kind, County: k.county, Key: k.key, Month: k.month, Node: a.node}
		}
		old = &r
		a.cache[id] = old
	}
	r := store.Rollup{ID: id, Kind: k.kind, County: k.county, Key: k.key, Month: k.month,
		Node: a.node, Seq: old.Seq, Days: map[string]*store.RollupDay{}}
	states := map[string]*dayState{}
	for _, e := range evs {
		if int64(e.Seq) <= old.Seq {
			continue // applied before: a replay or a retried batch
		}
		day := rollupDay(k.kind, e)
		ds := states[day]
		if ds == nil {
			var err error
			if ds, err = loadDay(old.Days[day]); err != nil {
				return nil, fmt.Errorf("events: rollup %s day %s: %w", id, day, err)
			}
			states[day] = ds
		}
		addTo(ds, k.kind, e)
		r.Seq = max(r.Seq, int64(e.Seq))
	}
	if len(states) == 0 {
		return nil, nil
	}
	for day, ds := range states {
		ds.finish()
		r.Days[day] = ds.day
	}
	return &r, nil
}
