package stats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// DigestStore keeps digests of final months; store.Store implements it.
// A Board whose store lacks it reads rollups every time.
type DigestStore interface {
	StatsDigest(ctx context.Context, id string) (string, error)
	PutStatsDigest(ctx context.Context, id, month, data string) error
}

// FinalAfter is how long after its last day a month's rollups stop
// changing: the offline queue's late events are refused after 7 days.
// (`stats rebuild` still rewrites old months; it drops their digests.)
// It applies to stores that keep no generations.
const FinalAfter = 8 * 24 * time.Hour

// ClosedAfter is how long after its last day a month is digested when
// the store keeps generations (GenerationStore): a write into the month
// after that raises its generation and so renames its digests, so a
// digest made early is never served stale. The hour covers the clocks
// of the nodes disagreeing on when the month ended.
const ClosedAfter = time.Hour

// Cache lifetimes of a unit's month in memory: short while events still
// arrive, long once the month is final.
const (
	openMonthTTL  = 15 * time.Second
	finalMonthTTL = time.Hour
	maxCached     = 20000
)

// GenerationStore tells which past months had their rollups written
// after they ended; store.Store implements it. A board whose store lacks
// it trusts memory and digests for their whole lifetimes.
type GenerationStore interface {
	StatsGenerations(ctx context.Context) (map[string]int64, error)
}

// GenerationTTL is how long a board trusts the generations it read: a
// write into a past month on any node reaches every node's dashboards
// within this time.
const GenerationTTL = 5 * time.Second

// RankDayStore tells from which day the rank-day documents are complete;
// store.Store implements it. A board whose store lacks it reads the open
// month's rank from the counties' month rank documents.
type RankDayStore interface {
	StatsRankDaysFrom(ctx context.Context) (string, error)
}

// MonthDocStore says whether every month's month documents are stored
// (store.MonthKind); store.Store implements it. A board whose store lacks
// it reads day documents only.
type MonthDocStore interface {
	StatsMonthDocs(ctx context.Context) (bool, error)
}

// generations caches the store's month generations, the first day of
// complete rank-day documents and whether month documents are complete,
// for GenerationTTL.
type generations struct {
	mu        sync.Mutex
	m         map[string]int64
	rankFrom  string
	monthDocs bool
	until     time.Time
}

func (g *generations) get(ctx context.Context, b *Board) (map[string]int64, error) {
	gs, ok := b.st.(GenerationStore)
	if !ok {
		return nil, nil
	}
	now := b.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m != nil && now.Before(g.until) {
		return g.m, nil
	}
	m, err := gs.StatsGenerations(ctx)
	if err != nil {
		return nil, fmt.Errorf("stats: generations: %w", err)
	}
	g.rankFrom = ""
	if rs, ok := b.st.(RankDayStore); ok {
		if g.rankFrom, err = rs.StatsRankDaysFrom(ctx); err != nil {
			return nil, fmt.Errorf("stats: rank days: %w", err)
		}
	}
	g.monthDocs = false
	if ms, ok := b.st.(MonthDocStore); ok {
		if g.monthDocs, err = ms.StatsMonthDocs(ctx); err != nil {
			return nil, fmt.Errorf("stats: month documents: %w", err)
		}
	}
	g.m, g.until = m, now.Add(GenerationTTL)
	return m, nil
}

// monthDocs says whether this request may read month documents.
func (r *reading) monthDocs(ctx context.Context) (bool, error) {
	if _, err := r.generation(ctx, ""); err != nil {
		return false, err
	}
	r.b.gens.mu.Lock()
	defer r.b.gens.mu.Unlock()
	return r.b.gens.monthDocs, nil
}

// monthDocRun says whether a unit's days (of one month, consecutive) are
// the days its month document counts: the whole month, or the month so
// far (from its first day to today or later: no later day has data).
func (r *reading) monthDocRun(ctx context.Context, days []string) (bool, error) {
	if days[0][8:] != "01" {
		return false, nil
	}
	first, _ := time.Parse("2006-01", days[0][:7])
	last := days[len(days)-1]
	if len(days) != first.AddDate(0, 1, -1).Day() && last < r.b.now().In(domain.ChinaTime).Format(time.DateOnly) {
		return false, nil
	}
	return r.monthDocs(ctx)
}

// rankDaysFrom is the first day of complete rank-day documents as this
// request sees it ("" if none, or the store keeps no generations).
func (r *reading) rankDaysFrom(ctx context.Context) (string, error) {
	if _, err := r.generation(ctx, ""); err != nil {
		return "", err
	}
	r.b.gens.mu.Lock()
	defer r.b.gens.mu.Unlock()
	return r.b.gens.rankFrom, nil
}

// DigestTTL bounds how long a digest is trusted by a board whose store
// keeps no generations. With generations (GenerationStore) a write into
// a month renames its digests at once, so they are trusted for good: a
// restart a day later reads digests, not every month's rollups again.
const DigestTTL = 24 * time.Hour

// digestVersion changes when the digest format does; older digests are
// ignored and rewritten.
const digestVersion = 5

// hourMetrics are the metrics kept by hour in memory and in digests.
var hourMetrics = [...]string{MetricScan, MetricView, MetricAudio, MetricReserved, MetricPaid, MetricCancelled,
	MetricRefunded, MetricExpired, MetricCheckIn, MetricDoubleUse, MetricRevenueFen, MetricRefundFen, MetricBot, MetricOverBudget}

func hourMetricIndex(m string) int {
	for i, x := range hourMetrics {
		if x == m {
			return i
		}
	}
	return -1
}

// hourMaps spells a day's hours out as maps, for the few days of an
// hourly view.
func (d *monthDay) hourMaps() *[24]map[string]int64 {
	out := new([24]map[string]int64)
	for h := range d.Hours {
		for i, n := range d.Hours[h] {
			if n != 0 {
				if out[h] == nil {
					out[h] = map[string]int64{}
				}
				out[h][hourMetrics[i]] = n
			}
		}
	}
	return out
}

// unitMonth is one site's or sign's month, merged across nodes. Once
// built it is never modified: readers copy what they add up.
type unitMonth struct {
	Days   map[string]*monthDay `json:"d"`
	Made   int64                `json:"m"` // unix seconds, for digests
	sketch *Sketch              // every day's visitors merged
	units  map[string][2]int64  // rank documents: every day's units summed
}

// seal merges the month's sketch and folds every sketch's pending
// inserts (Estimate does), so that readers sharing the month only ever
// read them.
func (um *unitMonth) seal() *unitMonth {
	um.sketch = NewSketch()
	for _, d := range um.Days {
		if len(d.Units) > 0 {
			if um.units == nil {
				um.units = map[string][2]int64{}
			}
			addRanks(um.units, d.Units, 1)
		}
		if d.sketch != nil {
			d.sketch.Estimate()
			um.sketch.Merge(d.sketch)
		}
	}
	um.sketch.Estimate()
	return um
}

// rangeSketch merges the visitors of a unit over days (sorted): a whole
// month's sketch where days cover the month, day sketches elsewhere.
func (r *reading) rangeSketch(ctx context.Context, kind string, u Unit, days []string) (*Sketch, error) {
	out := NewSketch()
	for i := 0; i < len(days); {
		month := days[i][:7]
		j := i
		for j < len(days) && days[j][:7] == month {
			j++
		}
		um, err := r.month(ctx, kind, u, month)
		if err != nil {
			return nil, err
		}
		first, _ := time.Parse("2006-01", month)
		if j-i == first.AddDate(0, 1, -1).Day() {
			out.Merge(um.sketch)
		} else {
			for _, d := range days[i:j] {
				if md := um.Days[d[8:]]; md != nil && md.sketch != nil {
					out.Merge(md.sketch)
				}
			}
		}
		i = j
	}
	return out, nil
}

type monthDay struct {
	Counts map[string]int64 `json:"c,omitempty"`
	// Hours are counts by hour and metric (hourMetrics), in an array
	// without pointers: a year of a prefecture stays cheap to hold and
	// for the garbage collector to skip.
	Hours [24][len(hourMetrics)]int64 `json:"-"`
	// Packed is Hours in a digest: pairs of hour×len(hourMetrics)+metric
	// and count, non-zero cells only.
	Packed   []int64          `json:"h,omitempty"`
	Lang     map[string]int64 `json:"l,omitempty"`
	Device   map[string]int64 `json:"v,omitempty"`
	Referrer map[string]int64 `json:"r,omitempty"`
	Sketch   []byte           `json:"u,omitempty"` // Marshal form
	sketch   *Sketch
	// Units (rank documents) maps "s:<site>" and "g:<sign>" to the
	// unit's scans and page views.
	Units map[string][2]int64 `json:"n,omitempty"`
}

type cachedMonth struct {
	m       *unitMonth
	expires time.Time
}

// monthCache holds decoded months; it lives in a Board (no package state).
type monthCache struct {
	mu sync.Mutex
	m  map[string]cachedMonth
}

func (b *Board) now() time.Time {
	if b.clock != nil {
		return b.clock()
	}
	return time.Now()
}

// WithClock sets the clock that decides which months are final; tests and
// benchmarks set it.
func (b *Board) WithClock(now func() time.Time) *Board {
	b.clock = now
	return b
}

func (b *Board) keepsGenerations() bool {
	_, ok := b.st.(GenerationStore)
	return ok
}

func (b *Board) final(month string) bool {
	first, err := time.ParseInLocation("2006-01", month, domain.ChinaTime)
	if err != nil {
		return false
	}
	after := FinalAfter
	if b.keepsGenerations() {
		after = ClosedAfter
	}
	return b.now().Sub(first.AddDate(0, 1, 0)) >= after
}

// month returns a unit's month: from memory, else from its digest when
// the month is final, else from the rollup documents of every node (and
// then writes the digest of a final month).
func (r *reading) month(ctx context.Context, kind string, u Unit, month string) (*unitMonth, error) {
	b := r.b
	gen, err := r.generation(ctx, month)
	if err != nil {
		return nil, err
	}
	// The generation is part of the key of the memory cache and of the
	// digest: a month written after its digest was made is read again.
	id := "v" + strconv.Itoa(digestVersion) + "|"
	if gen > 0 {
		id += "g" + strconv.FormatInt(gen, 10) + "|"
	}
	id += store.RollupID(kind, u.County, u.Key, month, "all")
	final := b.final(month)
	// Month and rank-day documents are as small as their digests.
	digest := final && kind != store.RollupRankDay && !store.IsMonthKind(kind)
	return r.cached(ctx, id, month, final, digest, func() (*unitMonth, error) { return r.fromRollups(ctx, kind, u, month) })
}

// cached returns the month-shaped value named id: from memory, else from
// its digest when it is final (it no longer changes but by writes that
// change its id) and digested, else from build (and then, if final and
// digested, stores its digest, under month for DeleteStatsDigests).
func (r *reading) cached(ctx context.Context, id, month string, final, digested bool, build func() (*unitMonth, error)) (*unitMonth, error) {
	b := r.b
	now := b.now()
	b.cache.mu.Lock()
	c, ok := b.cache.m[id]
	b.cache.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.m, nil
	}
	ds, canDigest := b.st.(DigestStore)
	canDigest = canDigest && digested
	var um *unitMonth
	if final && canDigest {
		data, err := ds.StatsDigest(ctx, id)
		switch {
		case err == nil:
			um, err = decodeMonth(data)
			if err != nil || (!b.keepsGenerations() && now.Sub(time.Unix(um.Made, 0)) > DigestTTL) {
				um = nil // rewritten below
			}
		case !errors.Is(err, domain.ErrNotFound):
			return nil, fmt.Errorf("stats: digest %s: %w", id, err)
		}
	}
	if um == nil {
		var err error
		if um, err = build(); err != nil {
			return nil, err
		}
		if final && canDigest {
			um.Made = now.Unix()
			data, err := encodeMonth(um)
			if err == nil {
				err = ds.PutStatsDigest(ctx, id, month, data)
			}
			if err != nil {
				return nil, fmt.Errorf("stats: digest %s: %w", id, err)
			}
		}
	}
	ttl := openMonthTTL
	if final {
		ttl = finalMonthTTL
	}
	b.cache.mu.Lock()
	if len(b.cache.m) >= maxCached {
		clear(b.cache.m) // crude, and rare: a prefecture has a few thousand unit-months
	}
	b.cache.m[id] = cachedMonth{m: um, expires: now.Add(ttl)}
	b.cache.mu.Unlock()
	return um, nil
}

func (r *reading) fromRollups(ctx context.Context, kind string, u Unit, month string) (*unitMonth, error) {
	nodes, err := r.monthNodes(ctx, month)
	if err != nil {
		return nil, err
	}
	um := &unitMonth{Days: map[string]*monthDay{}}
	for _, node := range nodes {
		doc, err := r.b.st.Rollup(ctx, store.RollupID(kind, u.County, u.Key, month, node))
		if errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stats: %s %s %s: %w", kind, u.Key, month, err)
		}
		for dd, d := range doc.Days {
			if d == nil {
				continue
			}
			md := um.Days[dd]
			if md == nil {
				md = &monthDay{Counts: map[string]int64{}}
				um.Days[dd] = md
			}
			for h, counts := range d.Hours {
				add(md.Counts, counts)
				hi, err := strconv.Atoi(h)
				if err != nil || hi < 0 || hi > 23 {
					continue
				}
				for m, n := range counts {
					if i := hourMetricIndex(m); i >= 0 {
						md.Hours[hi][i] += n
					}
				}
			}
			for unit, c := range d.Units {
				if md.Units == nil {
					md.Units = map[string][2]int64{}
				}
				t := md.Units[unit]
				md.Units[unit] = [2]int64{t[0] + c[MetricScan], t[1] + c[MetricView]}
			}
			md.Lang = addInto(md.Lang, d.Lang)
			md.Device = addInto(md.Device, d.Device)
			md.Referrer = addInto(md.Referrer, d.Referrer)
			if d.Visitors != "" {
				_, sk, err := DecodeVersioned(d.Visitors)
				if err != nil {
					return nil, fmt.Errorf("stats: %s: %w", doc.ID, err)
				}
				if md.sketch == nil {
					md.sketch = NewSketch()
				}
				md.sketch.Merge(sk)
			}
		}
	}
	return um.seal(), nil
}

func addInto(dst, src map[string]int64) map[string]int64 {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]int64{}
	}
	add(dst, src)
	return dst
}

func encodeMonth(um *unitMonth) (string, error) {
	for _, d := range um.Days {
		if d.sketch != nil {
			d.Sketch = d.sketch.Marshal()
		}
		d.Packed = d.Packed[:0]
		for h := range d.Hours {
			for i, n := range d.Hours[h] {
				if n != 0 {
					d.Packed = append(d.Packed, int64(h*len(hourMetrics)+i), n)
				}
			}
		}
	}
	data := marshalMonth(um)
	for _, d := range um.Days {
		d.Sketch, d.Packed = nil, nil
	}
	return data, nil
}

func decodeMonth(data string) (*unitMonth, error) {
	um, err := unmarshalMonth(data)
	if err != nil {
		return nil, err
	}
	if um.Days == nil {
		um.Days = map[string]*monthDay{}
	}
	for _, d := range um.Days {
		if len(d.Sketch) > 0 {
			sk, err := ParseSketch(d.Sketch)
			if err != nil {
				return nil, err
			}
			d.sketch, d.Sketch = sk, nil
		}
		if d.Counts == nil {
			d.Counts = map[string]int64{}
		}
		for i := 0; i+1 < len(d.Packed); i += 2 {
			cell := int(d.Packed[i])
			if h, m := cell/len(hourMetrics), cell%len(hourMetrics); cell >= 0 && h < 24 {
				d.Hours[h][m] = d.Packed[i+1]
			}
		}
		d.Packed = nil
	}
	return um.seal(), nil
}
