package store

import (
	"context"
	"errors"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Rollups hold the counts that dashboards read, so that a dashboard costs
// days × sites and never the number of events.
//
// One document per app node, per site (or sign), per month:
// "site|513322|hailuogou|2026-11|n3f9a…". A node's documents are written
// only by that node's shipper, so no two writers ever race on a document —
// which the embedded server needs (it loses concurrent updates to one
// document from more than one connection), and which makes exactly-once
// cheap: every counter is the node's cumulative count for its bucket, and
// every update raises counters with $max, filtered by _id alone (the one
// filter the embedded server answers from an index). Applying the same
// update twice, or a stale retry after a newer one, changes nothing. A
// reader sums the nodes' documents.
const (
	colRollups     = "rollups"
	colRollupNodes = "rollup_nodes"
)

// Rollup kinds. Site and sign documents count one site or sign; county
// and prefecture ("all") documents are pre-aggregated levels: the same
// counts, breakdowns and visitor sketches for every site of a county or
// of the whole prefecture, written by the same exactly-once path, so that
// a county or prefecture view reads a number of documents that does not
// grow with the number of sites. Rank documents keep, per county and
// day, the scans and page views of each site and sign, for top lists
// without reading every site.
const (
	RollupSite   = "site"
	RollupSign   = "sign"
	RollupCounty = "county" // "county|513322|513322|2026-11|node"
	RollupAll    = "all"    // "all|all|all|2026-11|node"
	RollupRank   = "rank"   // "rank|513322|513322|2026-11|node"
	// RollupRankDay is a rank document of one day: the same numbers as
	// that day of its county's rank document, in a document small enough
	// to read on every request for the days of the open month that are
	// not digested yet. Its key is the day.
	RollupRankDay = "rankday" // "rankday|513322|2026-11-29|2026-11|node"
)

// Month documents: besides each site, sign, county, prefecture and rank
// document (whose days are read for series and breakdowns), one small
// document per node and month holds the same counts folded into one day
// (MonthDay) and one hour ("00"): the month's totals, its merged visitor
// sketch, and for a rank document each unit's month totals. They carry
// no breakdowns. A top list, a compared period or a month's rank reads
// them, a dozen fields, instead of the day documents' thousands, which
// the embedded server decodes one by one (MONGO-SUBSET.md). They are
// written by the same exactly-once path as their day documents: the
// node's cumulative month-to-date counts, raised with $max.
const (
	RollupSiteMonth   = "sitemonth"
	RollupSignMonth   = "signmonth"
	RollupCountyMonth = "countymonth"
	RollupAllMonth    = "allmonth"
	RollupRankMonth   = "rankmonth"
	// MonthDay is the one day of a month document, and MonthHour its
	// one hour.
	MonthDay  = "00"
	MonthHour = "00"
)

// MonthKind returns the kind of the month documents of kind's documents,
// or "" if it has none (rank-day and month documents).
func MonthKind(kind string) string {
	switch kind {
	case RollupSite:
		return RollupSiteMonth
	case RollupSign:
		return RollupSignMonth
	case RollupCounty:
		return RollupCountyMonth
	case RollupAll:
		return RollupAllMonth
	case RollupRank:
		return RollupRankMonth
	}
	return ""
}

// IsMonthKind says whether kind is a month document's.
func IsMonthKind(kind string) bool {
	switch kind {
	case RollupSiteMonth, RollupSignMonth, RollupCountyMonth, RollupAllMonth, RollupRankMonth:
		return true
	}
	return false
}

// LevelAll is the county and key of the prefecture level's documents.
const LevelAll = "all"

// Rollup is one node's counts for one site or sign in one month of China
// time.
type Rollup struct {
	ID     string                `bson:"_id"`
	Kind   string                `bson:"kind"`
	County string                `bson:"county"`
	Key    string                `bson:"key"` // site key or sign code
	Month  string                `bson:"month"`
	Node   string                `bson:"node"`
	Seq    int64                 `bson:"seq"` // highest log sequence applied
	Days   map[string]*RollupDay `bson:"d,omitempty"`
}

// RollupDay holds one day ("01".."31") of a rollup.
type RollupDay struct {
	// Hours maps "00".."23" to metric → count.
	Hours    map[string]map[string]int64 `bson:"h,omitempty"`
	Lang     map[string]int64            `bson:"lang,omitempty"`
	Device   map[string]int64            `bson:"dev,omitempty"`
	Referrer map[string]int64            `bson:"ref,omitempty"`
	// Visitors is the day's unique-visitor sketch with its version in
	// front (see app/stats), so that $max keeps the newest.
	Visitors string `bson:"u,omitempty"`
	// Units (rank documents only) maps "s:<site key>" and "g:<sign
	// code>" to metric → count, for the ranked metrics.
	Units map[string]map[string]int64 `bson:"t,omitempty"`
	// Packed is Units as stored by the kinds that pack them (PacksUnits);
	// the store fills Units from it on read.
	Packed string `bson:"p,omitempty"`
	// HoursPacked is Hours as stored (rollup_packed.go); the store
	// fills Hours from it on read. Days written by older versions keep
	// Hours as fields until their next raise.
	HoursPacked string `bson:"hp,omitempty"`
}

// RollupID names the document of one node's counts for a site or sign in a
// month ("2026-11").
func RollupID(kind, county, key, month, node string) string {
	return kind + "|" + county + "|" + key + "|" + month + "|" + node
}

// Rollup returns one rollup document.
func (s *Store) Rollup(ctx context.Context, id string) (Rollup, error) {
	var r Rollup
	if err := s.col(colRollups).FindOne(ctx, byID(id)).Decode(&r); err != nil {
		return Rollup{}, wrap(colRollups, err)
	}
	if err := unpack(&r); err != nil {
		return Rollup{}, wrap(colRollups, err)
	}
	return r, nil
}

// RaiseRollup raises the counters of r's days to at least the given
// cumulative values, creating the document if needed. It is idempotent and
// commutative: a repeated or late update never lowers a count.
func (s *Store) RaiseRollup(ctx context.Context, r Rollup) error {
	if _, err := s.col(colRollups).UpdateOne(ctx, byID(r.ID), raiseUpdate(r), options.UpdateOne().SetUpsert(true)); err != nil {
		return wrap(colRollups, err)
	}
	return s.bumpStatsGenerations(ctx, rollupMonths([]Rollup{r}))
}

// rollupBulk keeps bulk writes far below the 100 update statements that
// hang the embedded server (MONGO-SUBSET.md).
const rollupBulk = 50

// RaiseRollups is RaiseRollup for many documents, in unordered bulk
// writes of at most 50 updates. After an error some documents may be
// raised and others not, which a retry of the whole set repairs.
func (s *Store) RaiseRollups(ctx context.Context, rs []Rollup) error {
	months := rollupMonths(rs)
	for len(rs) > 0 {
		n := min(len(rs), rollupBulk)
		models := make([]mongo.WriteModel, 0, n)
		for _, r := range rs[:n] {
			models = append(models, mongo.NewUpdateOneModel().SetFilter(byID(r.ID)).
				SetUpdate(raiseUpdate(r)).SetUpsert(true))
		}
		if _, err := s.col(colRollups).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return wrap(colRollups, err)
		}
		rs = rs[n:]
	}
	return s.bumpStatsGenerations(ctx, months)
}

func raiseUpdate(r Rollup) bson.D {
	r = packed(r)
	maxes := bson.D{{Key: "seq", Value: r.Seq}}
	var unset bson.D
	for _, day := range sortedKeys(r.Days) {
		d := r.Days[day]
		if d == nil || !safeField(day) {
			continue
		}
		p := "d." + day + "."
		// Packed strings are raised whole (their seq in front keeps the
		// newest); the fields an older version wrote instead go.
		if d.HoursPacked != "" {
			maxes = append(maxes, bson.E{Key: p + hoursField, Value: d.HoursPacked})
			unset = append(unset, bson.E{Key: p + "h", Value: ""})
		}
		if d.Packed != "" {
			maxes = append(maxes, bson.E{Key: p + packField, Value: d.Packed})
			unset = append(unset, bson.E{Key: p + "t", Value: ""})
		}
		for _, u := range sortedKeys(d.Units) {
			if !safeField(u) {
				continue
			}
			maxes = appendCounts(maxes, p+"t."+u+".", d.Units[u])
		}
		maxes = appendCounts(maxes, p+"lang.", d.Lang)
		maxes = appendCounts(maxes, p+"dev.", d.Device)
		maxes = appendCounts(maxes, p+"ref.", d.Referrer)
		if d.Visitors != "" {
			maxes = append(maxes, bson.E{Key: p + "u", Value: d.Visitors})
		}
	}
	update := bson.D{
		{Key: "$setOnInsert", Value: rollupHeader(r)},
		{Key: "$max", Value: maxes},
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	return update
}

// ReplaceRollupDays overwrites whole days of a rollup document (nil days
// are removed) and raises its seq. The rebuild uses it: it may lower
// counts that were wrong, which RaiseRollup never does.
func (s *Store) ReplaceRollupDays(ctx context.Context, r Rollup) error {
	r = packed(r)
	set := bson.D{}
	unset := bson.D{}
	for _, day := range sortedKeys(r.Days) {
		if !safeField(day) {
			continue
		}
		if d := r.Days[day]; d != nil {
			set = append(set, bson.E{Key: "d." + day, Value: d})
		} else {
			unset = append(unset, bson.E{Key: "d." + day, Value: ""})
		}
	}
	update := bson.D{
		{Key: "$setOnInsert", Value: rollupHeader(r)},
		{Key: "$max", Value: bson.D{{Key: "seq", Value: r.Seq}}},
	}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	if _, err := s.col(colRollups).UpdateOne(ctx, byID(r.ID), update, options.UpdateOne().SetUpsert(true)); err != nil {
		return wrap(colRollups, err)
	}
	return s.bumpStatsGenerations(ctx, rollupMonths([]Rollup{r}))
}

func rollupHeader(r Rollup) bson.D {
	return bson.D{{Key: "kind", Value: r.Kind}, {Key: "county", Value: r.County},
		{Key: "key", Value: r.Key}, {Key: "month", Value: r.Month}, {Key: "node", Value: r.Node}}
}

func appendCounts(d bson.D, prefix string, m map[string]int64) bson.D {
	for _, k := range sortedKeys(m) {
		if safeField(k) {
			d = append(d, bson.E{Key: prefix + k, Value: m[k]})
		}
	}
	return d
}

// safeField keeps values that become field names (days, hours, languages,
// device and referrer classes, metric names) from spelling a path or an
// operator.
func safeField(k string) bool {
	return k != "" && len(k) <= 64 && !strings.ContainsAny(k, ".$\x00")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AddRollupNode records that node has rollup documents in month, so that
// readers know which node documents to sum.
func (s *Store) AddRollupNode(ctx context.Context, node, month string) error {
	_, err := s.col(colRollupNodes).UpdateOne(ctx, byID(node),
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "months", Value: month}}}},
		options.UpdateOne().SetUpsert(true))
	return wrap(colRollupNodes, err)
}

// RollupNodes returns the nodes that have rollup documents in month. The
// collection holds one small document per node that ever ran, so the scan
// the embedded server does for this filter stays cheap.
func (s *Store) RollupNodes(ctx context.Context, month string) ([]string, error) {
	cur, err := s.col(colRollupNodes).Find(ctx, bson.D{{Key: "months", Value: month}})
	if err != nil {
		return nil, wrap(colRollupNodes, err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colRollupNodes, err)
	}
	nodes := make([]string, 0, len(docs))
	for _, d := range docs {
		nodes = append(nodes, d.ID)
	}
	sort.Strings(nodes)
	return nodes, nil
}

// RollupsOf returns the documents of every node for one site or sign and
// month, each found by _id.
func (s *Store) RollupsOf(ctx context.Context, kind, county, key, month string) ([]Rollup, error) {
	nodes, err := s.RollupNodes(ctx, month)
	if err != nil {
		return nil, err
	}
	var out []Rollup
	for _, n := range nodes {
		r, err := s.Rollup(ctx, RollupID(kind, county, key, month, n))
		if errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RollupsInMonth calls fn for every rollup document of month. It scans the
// collection: it is for the rebuild and tests, never for dashboards.
func (s *Store) RollupsInMonth(ctx context.Context, month string, fn func(Rollup) error) error {
	cur, err := s.col(colRollups).Find(ctx, bson.D{{Key: "month", Value: month}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return wrap(colRollups, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var r Rollup
		if err := cur.Decode(&r); err != nil {
			return wrap(colRollups, err)
		}
		if err := unpack(&r); err != nil {
			return wrap(colRollups, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return wrap(colRollups, cur.Err())
}

// DeleteRollup removes one rollup document; the rebuild uses it for a
// document none of whose days has events any more.
func (s *Store) DeleteRollup(ctx context.Context, id string) error {
	if _, err := s.col(colRollups).DeleteOne(ctx, byID(id)); err != nil {
		return wrap(colRollups, err)
	}
	return s.bumpStatsGenerations(ctx, deletedMonths([]string{id}))
}
