package events

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
)

// RebuildStore is what Rebuild needs; store.Store implements it.
type RebuildStore interface {
	Events(ctx context.Context, f store.EventFilter, fn func(domain.Event) error) error
	EventCollections(ctx context.Context) ([]string, error)
	RollupsInMonth(ctx context.Context, month string, fn func(store.Rollup) error) error
	ReplaceRollupDays(ctx context.Context, r store.Rollup) error
	DeleteRollup(ctx context.Context, id string) error
	AddRollupNode(ctx context.Context, node, month string) error
}

// Rebuild recomputes the rollups of days from..to ("2026-11-01",
// inclusive) from the raw events, with the same code the shipper uses, so
// it reproduces exactly what shipping wrote (and repairs whatever was
// wrong). Days whose raw events are gone to retention are refused rather
// than wiped. progress, if not nil, is told how many of the range's days
// are done.
//
// Run it on days that are no longer being recorded, or with the shipper
// stopped: an event shipped while its day is being rebuilt can be counted
// in neither or both.
func Rebuild(ctx context.Context, st RebuildStore, from, to string, progress func(done, total int)) error {
	days, err := stats.DaysBetween(from, to)
	if err != nil {
		return err
	}
	cols, err := st.EventCollections(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, c := range cols {
		have[c] = true
	}
	done := 0
	for len(days) > 0 {
		month := days[0][:7]
		n := 1
		for n < len(days) && days[n][:7] == month {
			n++
		}
		if err := rebuildMonth(ctx, st, month, days[0], days[n-1], have[store.EventsCollection(days[0])]); err != nil {
			return err
		}
		if err := FoldMonths(ctx, st, month); err != nil {
			return err
		}
		done += n
		days = days[n:]
		if progress != nil {
			progress(done, done+len(days))
		}
	}
	return nil
}

type rebuiltDoc struct {
	key    rollupKey
	node   string
	seq    uint64
	states map[string]*dayState
}

func rebuildMonth(ctx context.Context, st RebuildStore, month, from, to string, haveRaw bool) error {
	inRange := func(dd string) bool { d := month + "-" + dd; return d >= from && d <= to }
	existing := map[string]store.Rollup{}
	if err := st.RollupsInMonth(ctx, month, func(r store.Rollup) error {
		existing[r.ID] = r
		return nil
	}); err != nil {
		return err
	}
	if !haveRaw {
		for _, r := range existing {
			for dd := range r.Days {
				if inRange(dd) {
					return fmt.Errorf("events: rebuild %s..%s: the raw events of %s are gone (retention), its rollups are all that is left: %w",
						from, to, month, domain.ErrInvalid)
				}
			}
		}
		return nil // nothing recorded, nothing to rebuild
	}

	docs := map[string]*rebuiltDoc{}
	err := st.Events(ctx, store.EventFilter{From: from, To: to}, func(e domain.Event) error {
		node := e.Node
		if node == "" {
			node = legacyNode
		}
		for _, k := range rollupKeys(&e) {
			if store.IsMonthKind(k.kind) {
				continue // folded from the month's documents below
			}
			id := k.id(node)
			d := docs[id]
			if d == nil {
				d = &rebuiltDoc{key: k, node: node, states: map[string]*dayState{}}
				docs[id] = d
			}
			day := e.Day[8:10]
			ds := d.states[day]
			if ds == nil {
				ds = &dayState{day: &store.RollupDay{}}
				d.states[day] = ds
			}
			addTo(ds, k.kind, &e)
			d.seq = max(d.seq, e.Seq)
		}
		return nil
	})
	if err != nil {
		return err
	}

	nodes := map[string]bool{}
	for _, d := range docs {
		nodes[d.node] = true
	}
	for n := range nodes {
		if err := st.AddRollupNode(ctx, n, month); err != nil {
			return err
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
			Node: d.node, Seq: int64(d.seq), Days: map[string]*store.RollupDay{}}
		for dd, ds := range d.states {
			ds.finish()
			r.Days[dd] = ds.day
		}
		// Days of the range that lost all their events are cleared.
		for dd := range existing[id].Days {
			if _, ok := r.Days[dd]; !ok && inRange(dd) {
				r.Days[dd] = nil
			}
		}
		if err := st.ReplaceRollupDays(ctx, r); err != nil {
			return err
		}
	}
	// Documents with no event left in the range: clear the range's days,
	// or drop the document if nothing outside the range remains.
	for id, old := range existing {
		if docs[id] != nil || store.IsMonthKind(old.Kind) {
			continue
		}
		r := store.Rollup{ID: id, Kind: old.Kind, County: old.County, Key: old.Key, Month: month, Node: old.Node,
			Seq: old.Seq, Days: map[string]*store.RollupDay{}}
		outside := false
		for dd := range old.Days {
			if inRange(dd) {
				r.Days[dd] = nil
			} else {
				outside = true
			}
		}
		var err error
		switch {
		case !outside:
			err = st.DeleteRollup(ctx, id)
		case len(r.Days) > 0:
			err = st.ReplaceRollupDays(ctx, r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// RetentionStore drops raw event partitions and past days' capacity;
// store.Store implements it.
type RetentionStore interface {
	DropEventsBefore(ctx context.Context, day string) ([]string, error)
	DropCapacityBefore(ctx context.Context, day string) (int, error)
}

// DefaultRetentionDays is how long raw events are kept by default; a
// little over a year, so a year-on-year comparison can still be rebuilt.
const DefaultRetentionDays = 400

// Retention drops raw events older than a number of days. Raw events are
// kept in monthly partitions, so a partition goes once its whole month is
// past the limit: events are kept at least that long, at most a month
// more. Capacity days before the same cut go too. Rollups are kept.
type Retention struct {
	st   RetentionStore
	days int
	log  *slog.Logger
	now  func() time.Time
}

// NewRetention returns the job; days <= 0 means DefaultRetentionDays, now
// may be nil (time.Now).
func NewRetention(st RetentionStore, days int, log *slog.Logger, now func() time.Time) *Retention {
	if days <= 0 {
		days = DefaultRetentionDays
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Retention{st: st, days: days, log: log, now: now}
}

// RunOnce drops what is due and returns the partitions dropped.
func (r *Retention) RunOnce(ctx context.Context) ([]string, error) {
	cutoff := r.now().In(domain.ChinaTime).AddDate(0, 0, -r.days).Format(time.DateOnly)
	dropped, err := r.st.DropEventsBefore(ctx, cutoff)
	if len(dropped) > 0 {
		r.log.Info("events: retention dropped raw events", "before", cutoff, "partitions", strings.Join(dropped, ","))
	}
	if err != nil {
		return dropped, err
	}
	// Capacity days go with the same cut: the capacity statistics read
	// them as long as the raw events of those days are kept.
	days, err := r.st.DropCapacityBefore(ctx, cutoff)
	if days > 0 {
		r.log.Info("events: retention dropped past capacity days", "before", cutoff, "days", days)
	}
	return dropped, err
}

// Run runs the job now and then every interval (0 means 6 hours) until
// ctx ends. (The embedded server has no TTL indexes, so retention is an
// app job.)
func (r *Retention) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 6 * time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("events: retention", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
