package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/yimayou/yimayou/app/store"
)

// BoardStore is what the dashboards read; store.Store implements it. Every
// read is a lookup by _id, the one query the embedded server answers from
// an index, plus one small scan of the node list per month.
type BoardStore interface {
	RollupNodes(ctx context.Context, month string) ([]string, error)
	Rollup(ctx context.Context, id string) (store.Rollup, error)
}

// Board computes the dashboards' figures from rollups only, whatever the
// number of events behind them. A site or sign view reads its units'
// months; a county or prefecture view (OverviewQuery.Levels) reads its
// level documents, its rank documents and its top sites' and signs'
// months: a number of documents that does not grow with its sites.
type Board struct {
	st    BoardStore
	clock func() time.Time
	cache monthCache
	gens  generations
}

// NewBoard returns a board over st. It keeps decoded months in memory
// (seconds for months that still change, an hour for final ones) and, if
// st is a DigestStore, a digest of each final month in the database.
func NewBoard(st BoardStore) *Board {
	return &Board{st: st, cache: monthCache{m: map[string]cachedMonth{}}}
}

// Unit is one site or sign whose rollups a view reads.
type Unit struct {
	County string
	Key    string // site key or sign code
	Site   string // for a sign: the site it stands at
}

// Figures are the headline numbers of a range.
type Figures struct {
	Scans, Visitors, Views, Audio     int64
	Reserved, Paid, CheckIns, Refunds int64
	// RevenueFen is paid minus refunded, in fen.
	RevenueFen int64
}

// Value returns a figure by its metric name (MetricScan…, "visitors",
// "revenue_fen"), for tables driven by a list of names.
func (f Figures) Value(name string) int64 {
	switch name {
	case MetricScan:
		return f.Scans
	case FigureVisitors:
		return f.Visitors
	case MetricView:
		return f.Views
	case MetricAudio:
		return f.Audio
	case MetricReserved:
		return f.Reserved
	case MetricPaid:
		return f.Paid
	case MetricCheckIn:
		return f.CheckIns
	case MetricRefunded:
		return f.Refunds
	case MetricRevenueFen:
		return f.RevenueFen
	}
	return 0
}

// FigureVisitors names the unique-visitor figure next to the metrics.
const FigureVisitors = "visitors"

// FigureNames lists the overview's headline figures in display order.
var FigureNames = []string{MetricScan, FigureVisitors, MetricView, MetricAudio, MetricReserved, MetricPaid, MetricCheckIn, MetricRevenueFen}

func figuresOf(counts map[string]int64, visitors uint64) Figures {
	return Figures{Scans: counts[MetricScan], Visitors: int64(visitors), Views: counts[MetricView],
		Audio: counts[MetricAudio], Reserved: counts[MetricReserved], Paid: counts[MetricPaid],
		CheckIns: counts[MetricCheckIn], Refunds: counts[MetricRefunded],
		RevenueFen: counts[MetricRevenueFen] - counts[MetricRefundFen]}
}

// Point is one bucket of a time series (a day, or an hour of a day).
type Point struct {
	Label    string // "2026-11-29" or "2026-11-29 13"
	Counts   map[string]int64
	Visitors int64 // daily series only
}

// Ranked is one row of a top list.
type Ranked struct {
	Unit
	Figures
}

// OverviewQuery asks for the overview of a set of sites (and their signs)
// over a range of days.
type OverviewQuery struct {
	From, To string
	Sites    []Unit
	// Signs are ranked in the top list; with SignLevel the totals and
	// series come from them too (sign rollups have visitor sketches but
	// no breakdowns, so breakdowns stay empty).
	Signs     []Unit
	SignLevel bool
	// Levels, when set, are the pre-aggregated level documents that
	// cover exactly Sites (PrefectureLevel, or one CountyLevel per
	// county): the totals, series, uniques and breakdowns come from them
	// instead of from every site.
	Levels []Unit
	Hourly bool
	// Top bounds the top lists; 0 means 10.
	Top int
	// PrevFrom..PrevTo is the period compared with; empty means the
	// equal period before From (PreviousPeriod).
	PrevFrom, PrevTo string
	// PrevCutHour, from 1 to 23, counts only the hours before it on the
	// last day of the compared period: the range ends today, which has
	// only had those hours so far. Visitors are counted by whole days.
	PrevCutHour int
}

// Overview is the answer to an OverviewQuery.
type Overview struct {
	From, To         string
	PrevFrom, PrevTo string
	PrevCutHour      int // see OverviewQuery
	Cur, Prev        Figures
	Series           []Point
	TopSites         []Ranked
	TopSigns         []Ranked
	Lang, Device     map[string]int64
	Referrer         map[string]int64
	HasVisitors      bool // unique visitors are counted (site and sign level)
	HasBreakdowns    bool // false for sign level: signs keep no breakdowns
	// Filtered counts, by metric (FilteredMetrics), the events of the
	// range that were recorded but left out of every figure: bots and
	// events past a client's recording budget.
	Filtered map[string]int64
}

// MaxDays bounds a range so a request cannot ask for decades of reads.
const MaxDays = 400

// ErrRange is returned for a range that is malformed, reversed or longer
// than MaxDays.
var ErrRange = errors.New("stats: bad range")

// CheckRange validates a range of days.
func CheckRange(from, to string) (int, error) {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return 0, fmt.Errorf("%w: from %q", ErrRange, from)
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return 0, fmt.Errorf("%w: to %q", ErrRange, to)
	}
	n := int(t.Sub(f).Hours()/24) + 1
	if n < 1 || n > MaxDays {
		return n, fmt.Errorf("%w: %s..%s", ErrRange, from, to)
	}
	return n, nil
}

// PreviousPeriod is the range of equal length that ends the day before
// from.
func PreviousPeriod(from, to string) (string, string) {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	n := int(t.Sub(f).Hours()/24) + 1
	return f.AddDate(0, 0, -n).Format(time.DateOnly), f.AddDate(0, 0, -1).Format(time.DateOnly)
}

// unitDays is what one unit's rollups say about a range: per-day counts,
// per-day sketches, breakdowns.
type unitDays struct {
	counts   map[string]map[string]int64 // day → metric → n
	hours    map[string]*[24]map[string]int64
	sketches map[string]*Sketch // day → merged sketch of all nodes
	raw      map[string]*monthDay
	lang     map[string]int64
	device   map[string]int64
	referrer map[string]int64
}

func newUnitDays() *unitDays {
	return &unitDays{counts: map[string]map[string]int64{}, hours: map[string]*[24]map[string]int64{},
		sketches: map[string]*Sketch{}, raw: map[string]*monthDay{}, lang: map[string]int64{}, device: map[string]int64{}, referrer: map[string]int64{}}
}

func (u *unitDays) total(days []string) map[string]int64 {
	t := map[string]int64{}
	for _, d := range days {
		add(t, u.counts[d])
	}
	return t
}

// reading caches the node list and generation of each month for one
// request.
type reading struct {
	b     *Board
	nodes map[string][]string
	gens  map[string]int64
}

func (b *Board) reading() *reading { return &reading{b: b, nodes: map[string][]string{}} }

// generation is the month's statistics generation as this request sees it
// (0 when the store keeps none).
func (r *reading) generation(ctx context.Context, month string) (int64, error) {
	if r.gens == nil {
		g, err := r.b.gens.get(ctx, r.b)
		if err != nil {
			return 0, err
		}
		r.gens = g
	}
	return r.gens[month], nil
}

func (r *reading) monthNodes(ctx context.Context, month string) ([]string, error) {
	if n, ok := r.nodes[month]; ok {
		return n, nil
	}
	n, err := r.b.st.RollupNodes(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("stats: nodes of %s: %w", month, err)
	}
	r.nodes[month] = n
	return n, nil
}

// unit reads one unit's days (sorted). Breakdowns count only days from
// breakdownFrom on (the current range of a comparison); withHours keeps
// the hourly counts, withSketch the visitor sketches. The counts, hours
// and sketches it returns belong to the month cache: callers add them
// into their own maps and sketches and never change them.
func (r *reading) unit(ctx context.Context, kind string, u Unit, days []string, breakdownFrom string, withHours, withSketch bool) (*unitDays, error) {
	out := newUnitDays()
	for _, month := range monthsOf(days) {
		um, err := r.month(ctx, kind, u, month)
		if err != nil {
			return nil, err
		}
		for _, day := range days {
			if day[:7] != month {
				continue
			}
			d := um.Days[day[8:]]
			if d == nil {
				continue
			}
			// Shared with the cache: read only, by everyone.
			out.counts[day] = d.Counts
			out.raw[day] = d
			if withHours {
				out.hours[day] = d.hourMaps()
			}
			if day >= breakdownFrom {
				add(out.lang, d.Lang)
				add(out.device, d.Device)
				add(out.referrer, d.Referrer)
			}
			if withSketch && d.sketch != nil {
				out.sketches[day] = d.sketch
			}
		}
	}
	return out, nil
}

// Overview computes the overview, with the figures of the previous equal
// period for comparison.
func (b *Board) Overview(ctx context.Context, q OverviewQuery) (Overview, error) {
	if _, err := CheckRange(q.From, q.To); err != nil {
		return Overview{}, err
	}
	pf, pt := q.PrevFrom, q.PrevTo
	if pf == "" || pt == "" {
		pf, pt = PreviousPeriod(q.From, q.To)
	}
	if _, err := CheckRange(pf, pt); err != nil || pt >= q.From {
		return Overview{}, fmt.Errorf("%w: compared period %s..%s", ErrRange, pf, pt)
	}
	cut := q.PrevCutHour
	if cut < 1 || cut > 23 {
		cut = 0
	}
	days, _ := DaysBetween(q.From, q.To)
	prevDays, _ := DaysBetween(pf, pt)
	top := q.Top
	if top <= 0 {
		top = 10
	}
	ov := Overview{From: q.From, To: q.To, PrevFrom: pf, PrevTo: pt, PrevCutHour: cut, Lang: map[string]int64{},
		Device: map[string]int64{}, Referrer: map[string]int64{}, HasVisitors: true, HasBreakdowns: !q.SignLevel}
	rd := b.reading()

	// The figures of a set of units: counts summed, sketches merged.
	type acc struct {
		cur, prev     map[string]int64
		curSk, prevSk *Sketch
		dayCounts     map[string]map[string]int64
		daySk         map[string]*Sketch
		hours         map[string]*[24]map[string]int64
	}
	total := acc{cur: map[string]int64{}, prev: map[string]int64{}, curSk: NewSketch(), prevSk: NewSketch(),
		dayCounts: map[string]map[string]int64{}, daySk: map[string]*Sketch{}, hours: map[string]*[24]map[string]int64{}}
	absorb := func(ud *unitDays) {
		add(total.cur, ud.total(days))
		for _, d := range days {
			if c := ud.counts[d]; c != nil {
				if total.dayCounts[d] == nil {
					total.dayCounts[d] = map[string]int64{}
				}
				add(total.dayCounts[d], c)
			}
			if h := ud.hours[d]; h != nil {
				th := total.hours[d]
				if th == nil {
					th = new([24]map[string]int64)
					total.hours[d] = th
				}
				for i, m := range h {
					if m == nil {
						continue
					}
					if th[i] == nil {
						th[i] = map[string]int64{}
					}
					add(th[i], m)
				}
			}
			if sk := ud.sketches[d]; sk != nil && !q.Hourly {
				if total.daySk[d] == nil {
					total.daySk[d] = newDenseSketch()
				}
				total.daySk[d].Merge(sk)
			}
		}
		add(ov.Lang, ud.lang)
		add(ov.Device, ud.device)
		add(ov.Referrer, ud.referrer)
	}

	// The totals come from the level documents, or else from every site.
	fromLevels := len(q.Levels) > 0 && !q.SignLevel
	type source struct {
		kind string
		u    Unit
	}
	var sources []source
	if fromLevels {
		for _, u := range q.Levels {
			sources = append(sources, source{levelKind(u), u})
		}
	} else if !q.SignLevel {
		for _, u := range q.Sites {
			sources = append(sources, source{store.RollupSite, u})
		}
	}
	// A unit of the totals: its days of the range (series, hours,
	// breakdowns) and its totals of the compared period, which need no
	// days: whole months of it come from month documents.
	read := func(kind string, u Unit) (*unitDays, *Sketch, error) {
		ud, err := rd.unit(ctx, kind, u, days, q.From, q.Hourly, true)
		if err != nil {
			return nil, nil, err
		}
		// Uniques of a range merge whole-month sketches where they can:
		// a year costs twelve merges per unit, not 365.
		sk, err := rd.rangeSketch(ctx, kind, u, days)
		if err != nil {
			return nil, nil, err
		}
		absorb(ud)
		total.curSk.Merge(sk)
		prev, psk, err := rd.unitTotals(ctx, kind, u, prevDays, true)
		if err != nil {
			return nil, nil, err
		}
		if cut > 0 {
			// The hours from cut on of the compared period's last day.
			last := prevDays[len(prevDays)-1]
			um, err := rd.month(ctx, kind, u, last[:7])
			if err != nil {
				return nil, nil, err
			}
			if d := um.Days[last[8:]]; d != nil {
				for h := cut; h < 24; h++ {
					for i, n := range d.Hours[h] {
						prev[hourMetrics[i]] -= n
					}
				}
			}
		}
		add(total.prev, prev)
		total.prevSk.Merge(psk)
		return ud, sk, nil
	}
	for _, src := range sources {
		if _, _, err := read(src.kind, src.u); err != nil {
			return Overview{}, err
		}
	}
	// With levels, the top lists are chosen from the rank documents and
	// only the chosen sites and signs are read.
	topSites, topSigns := q.Sites, q.Signs
	if fromLevels {
		var err error
		prefecture := len(q.Levels) == 1 && q.Levels[0] == PrefectureLevel
		if topSites, topSigns, err = rd.rankedUnits(ctx, q.Sites, q.Signs, days, top, prefecture); err != nil {
			return Overview{}, err
		}
	}
	// A top list needs each unit's totals and uniques only: whole final
	// months come from the units' summaries.
	for _, u := range topSites {
		t, sk, err := rd.unitTotals(ctx, store.RollupSite, u, days, true)
		if err != nil {
			return Overview{}, err
		}
		ov.TopSites = append(ov.TopSites, Ranked{Unit: u, Figures: figuresOf(t, sk.Estimate())})
	}
	for _, u := range topSigns {
		if !q.SignLevel {
			t, sk, err := rd.unitTotals(ctx, store.RollupSign, u, days, true)
			if err != nil {
				return Overview{}, err
			}
			ov.TopSigns = append(ov.TopSigns, Ranked{Unit: u, Figures: figuresOf(t, sk.Estimate())})
			continue
		}
		// At sign level the signs are the totals and series too.
		ud, sk, err := read(store.RollupSign, u)
		if err != nil {
			return Overview{}, err
		}
		ov.TopSigns = append(ov.TopSigns, Ranked{Unit: u, Figures: figuresOf(ud.total(days), sk.Estimate())})
	}
	ov.Cur = figuresOf(total.cur, total.curSk.Estimate())
	ov.Filtered = map[string]int64{}
	for _, m := range FilteredMetrics {
		if n := total.cur[m]; n > 0 {
			ov.Filtered[m] = n
		}
	}
	ov.Prev = figuresOf(total.prev, total.prevSk.Estimate())
	if q.SignLevel {
		ov.Lang, ov.Device, ov.Referrer = map[string]int64{}, map[string]int64{}, map[string]int64{}
	}
	for _, d := range days {
		if q.Hourly {
			h := total.hours[d]
			for i := 0; i < 24; i++ {
				p := Point{Label: fmt.Sprintf("%s %02d", d, i), Counts: map[string]int64{}}
				if h != nil {
					add(p.Counts, h[i])
				}
				ov.Series = append(ov.Series, p)
			}
			continue
		}
		p := Point{Label: d, Counts: map[string]int64{}}
		add(p.Counts, total.dayCounts[d])
		if sk := total.daySk[d]; sk != nil {
			p.Visitors = int64(sk.Estimate())
		}
		ov.Series = append(ov.Series, p)
	}
	rank(ov.TopSites)
	rank(ov.TopSigns)
	if len(ov.TopSites) > top {
		ov.TopSites = ov.TopSites[:top]
	}
	if len(ov.TopSigns) > top {
		ov.TopSigns = ov.TopSigns[:top]
	}
	return ov, nil
}

func rank(rs []Ranked) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Scans != rs[j].Scans {
			return rs[i].Scans > rs[j].Scans
		}
		if rs[i].Views != rs[j].Views {
			return rs[i].Views > rs[j].Views
		}
		return rs[i].Key < rs[j].Key
	})
}
