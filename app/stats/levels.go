package stats

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// Pre-aggregated levels. Besides each site's and sign's documents, the
// rollup path keeps for every event of a site its county's and the
// prefecture's level documents (the same counts, breakdowns and day
// sketches as a site's, for all the sites together) and its county's rank
// document (per day, the scans and page views of each site and sign). A
// county or prefecture overview reads the level documents for its
// totals, series, uniques and breakdowns, and the rank documents to pick
// its top lists, then reads only the top sites' and signs' own documents:
// the number of documents it reads does not grow with the number of sites
// or signs.
//
// Ranks are read from the smallest documents that hold them: a county's
// month rank document (store.RollupRankMonth: each unit's month to date,
// a few numbers per unit) for a whole month or the month so far, less or
// plus the rank-day documents (one day each) of the days a range leaves
// out or takes, whichever are fewer. The day rank document, thirty times
// larger, is read only where those may be incomplete (rollups from before
// they existed). A final month's range of several counties is digested.

// Rank unit prefixes in a rank document's day.
const (
	rankSite = "s:"
	rankSign = "g:"
)

// AddRank adds e to a day of a rank document: a scan or page view (not a
// bot's) counts for its site and, if it has one, its sign. It is the one
// definition shared by the shipper, the rebuild and GenerateRollups.
func AddRank(d *store.RollupDay, e *domain.Event) {
	if !InRank(e) {
		return
	}
	m := MetricOf(e.Type)
	bump := func(unit string) {
		if d.Units == nil {
			d.Units = map[string]map[string]int64{}
		}
		c := d.Units[unit]
		if c == nil {
			c = map[string]int64{}
			d.Units[unit] = c
		}
		c[m]++
	}
	if e.Site != "" {
		bump(rankSite + e.Site)
	}
	if e.Sign != "" {
		bump(rankSign + e.Sign)
	}
}

// InRank says whether e counts in its county's rank document: a scan or
// page view of a site, not a bot's. Only such events touch the document,
// so that every day it holds has counts.
func InRank(e *domain.Event) bool {
	if e.Bot || e.Filter != "" || e.Site == "" {
		return false
	}
	m := MetricOf(e.Type)
	return m == MetricScan || m == MetricView
}

// PrefectureLevel is the unit of the prefecture's level documents, for
// OverviewQuery.Levels.
var PrefectureLevel = Unit{County: store.LevelAll, Key: store.LevelAll}

// CountyLevel is the unit of a county's level documents.
func CountyLevel(code string) Unit { return Unit{County: code, Key: code} }

func levelKind(u Unit) string {
	if u.County == store.LevelAll {
		return store.RollupAll
	}
	return store.RollupCounty
}

// rankedUnits picks the top sites and signs of days (sorted) from the
// rank documents of their counties: the order of rank (scans, page views,
// key) over the given units, of which it keeps the first top of each.
// Only these are then read from their own documents; since their scans
// and page views are the rank documents' numbers, the lists are the ones
// reading every unit gave.
func (r *reading) rankedUnits(ctx context.Context, sites, signs []Unit, days []string, top int, prefecture bool) ([]Unit, []Unit, error) {
	counties := map[string]bool{}
	for _, u := range sites {
		counties[u.County] = true
	}
	for _, u := range signs {
		counties[u.County] = true
	}
	codes := make([]string, 0, len(counties))
	for c := range counties {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	// The prefecture's own rank documents, where they can be read, stand
	// for all its counties': one document where there are eighteen.
	codesFor := func(days []string) ([]string, error) {
		if !prefecture {
			return codes, nil
		}
		sp, err := r.planRank(ctx, days)
		if err != nil || sp.plan == rankByDayDoc {
			return codes, err
		}
		return []string{store.LevelAll}, nil
	}
	totals := map[string][2]int64{}
	addUnits := func(um *unitMonth) { addRanks(totals, um.units, 1) }
	// Runs of whole final months of one year, from one digest.
	var run []string
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		set, err := codesFor(monthDays(run[0]))
		if err != nil {
			return err
		}
		um, err := r.rankMonths(ctx, set, run)
		run = run[:0]
		if err == nil {
			addUnits(um)
		}
		return err
	}
	for i := 0; i < len(days); {
		month := days[i][:7]
		j := i
		for j < len(days) && days[j][:7] == month {
			j++
		}
		first, _ := time.Parse("2006-01", month)
		if len(run) > 0 && run[0][:4] != month[:4] {
			if err := flush(); err != nil {
				return nil, nil, err
			}
		}
		if j-i == first.AddDate(0, 1, -1).Day() && r.b.final(month) {
			run = append(run, month)
			i = j
			continue
		}
		if err := flush(); err != nil {
			return nil, nil, err
		}
		set, err := codesFor(days[i:j])
		if err != nil {
			return nil, nil, err
		}
		um, err := r.rankRange(ctx, set, days[i:j])
		if err != nil {
			return nil, nil, err
		}
		addUnits(um)
		i = j
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	pick := func(units []Unit, prefix string) []Unit {
		rs := make([]Ranked, len(units))
		for i, u := range units {
			n := totals[prefix+u.Key]
			rs[i] = Ranked{Unit: u, Figures: Figures{Scans: n[0], Views: n[1]}}
		}
		rank(rs)
		out := make([]Unit, 0, min(top, len(rs)))
		for _, r := range rs[:min(top, len(rs))] {
			out = append(out, r.Unit)
		}
		return out
	}
	return pick(sites, rankSite), pick(signs, rankSign), nil
}

// rankRangeKind names, in digests and the memory cache, the rank totals
// of a set of counties over days a..b of one month (a "rank range"): a
// few numbers per site and sign, where the counties' rank documents hold
// them per day.
const rankRangeKind = "rankrange"

// rankRange returns the rank totals of counties (sorted) over days (of
// one month, consecutive), as a month whose units hold them. A final
// month's ranges are digested, named by the month's generation. One
// county's month to date is its month rank document itself.
func (r *reading) rankRange(ctx context.Context, counties, days []string) (*unitMonth, error) {
	month := days[0][:7]
	a, b := days[0][8:], days[len(days)-1][8:]
	sp, err := r.planRank(ctx, days)
	if err != nil {
		return nil, err
	}
	if len(counties) == 1 && counties[0] == store.LevelAll && sp.plan == rankByDayDoc {
		return nil, fmt.Errorf("stats: the prefecture's ranks of %s..%s need its counties'", days[0], days[len(days)-1])
	}
	if len(counties) == 1 && sp.plan == rankByMonth && sp.a == 1 && sp.b >= sp.last {
		// The month (so far) of one county: its month rank document.
		return r.month(ctx, store.RollupRankMonth, CountyLevel(counties[0]), month)
	}
	gen, err := r.generation(ctx, month)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprintf("v%d|r%s-%s|g%d|%s", digestVersion, a, b, gen,
		store.RollupID(rankRangeKind, store.LevelAll, countySetKey(counties), month, "all"))
	final := r.b.final(month)
	return r.cached(ctx, id, month, final, final, func() (*unitMonth, error) {
		totals := map[string][2]int64{}
		add := func(m map[string][2]int64, sign int64) { addRanks(totals, m, sign) }
		for _, code := range counties {
			if err := r.countyRank(ctx, code, days, sp, add); err != nil {
				return nil, err
			}
		}
		um := &unitMonth{Days: map[string]*monthDay{}}
		if len(totals) > 0 {
			um.Days[store.MonthDay] = &monthDay{Counts: map[string]int64{}, Units: totals}
		}
		return um.seal(), nil
	})
}

// rankMonths returns the rank totals of counties (sorted) over whole
// final months of one year (in order): one digest, named by the months
// and their generations (as a summary is), so that a year's top lists
// read one digest of a few numbers per unit, not one per month.
func (r *reading) rankMonths(ctx context.Context, counties, months []string) (*unitMonth, error) {
	if len(months) == 1 {
		return r.rankRange(ctx, counties, monthDays(months[0]))
	}
	id, err := r.monthsID(ctx, rankRangeKind, Unit{County: store.LevelAll, Key: countySetKey(counties)}, months)
	if err != nil {
		return nil, err
	}
	return r.cached(ctx, id, months[len(months)-1], true, true, func() (*unitMonth, error) {
		totals := map[string][2]int64{}
		for _, m := range months {
			um, err := r.rankRange(ctx, counties, monthDays(m))
			if err != nil {
				return nil, err
			}
			addRanks(totals, um.units, 1)
		}
		um := &unitMonth{Days: map[string]*monthDay{}}
		if len(totals) > 0 {
			um.Days[store.MonthDay] = &monthDay{Counts: map[string]int64{}, Units: totals}
		}
		return um.seal(), nil
	})
}

// monthDays lists the days of month ("2006-01").
func monthDays(month string) []string {
	first, _ := time.Parse("2006-01", month)
	days, _ := DaysBetween(first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly))
	return days
}

// rankPlan is how a range of days of one month is ranked.
type rankPlan int

const (
	// rankByMonth: the month rank document (month to date), less the
	// rank-day documents of the month's other days that have data.
	rankByMonth rankPlan = iota
	// rankByDays: the rank-day documents of the range's days.
	rankByDays
	// rankByDayDoc: the day rank document of the month, where rank-day
	// or month documents may be incomplete (rollups from before them).
	// The prefecture has none: its counties' are read.
	rankByDayDoc
)

// rankSpan is a plan for days a..b of a month whose days with data end
// at last.
type rankSpan struct {
	plan       rankPlan
	a, b, last int
}

// planRank chooses how to rank days (of one month, consecutive): from
// the fewest documents that hold them.
func (r *reading) planRank(ctx context.Context, days []string) (rankSpan, error) {
	month := days[0][:7]
	first, _ := time.Parse("2006-01", month)
	sp := rankSpan{last: first.AddDate(0, 1, -1).Day()}
	if today := r.b.now().In(domain.ChinaTime).Format(time.DateOnly); today[:7] == month {
		sp.last, _ = strconv.Atoi(today[8:]) // no later day has data
	}
	sp.a, _ = strconv.Atoi(days[0][8:])
	sp.b, _ = strconv.Atoi(days[len(days)-1][8:])
	from, err := r.rankDaysFrom(ctx)
	if err != nil {
		return sp, err
	}
	complete := func(d int) bool { return from != "" && fmt.Sprintf("%s-%02d", month, d) >= from }
	monthDocs, err := r.monthDocs(ctx)
	if err != nil {
		return sp, err
	}
	inside, outside := sp.b-sp.a+1, (sp.a-1)+max(0, sp.last-sp.b)
	switch {
	case monthDocs && (outside == 0 || (outside < inside && complete(1))):
		sp.plan = rankByMonth
	case monthDocs && complete(sp.a):
		sp.plan = rankByDays
	default:
		sp.plan = rankByDayDoc
	}
	return sp, nil
}

// countyRank adds one county's rank totals over days (of one month,
// consecutive) with add, as planned (planRank). code may be the
// prefecture (store.LevelAll) but for rankByDayDoc.
func (r *reading) countyRank(ctx context.Context, code string, days []string, sp rankSpan, add func(map[string][2]int64, int64)) error {
	month := days[0][:7]
	rankDays := func(lo, hi int, sign int64) error {
		for d := lo; d <= hi; d++ {
			um, err := r.month(ctx, store.RollupRankDay, Unit{County: code, Key: fmt.Sprintf("%s-%02d", month, d)}, month)
			if err != nil {
				return err
			}
			add(um.units, sign)
		}
		return nil
	}
	switch sp.plan {
	case rankByMonth:
		um, err := r.month(ctx, store.RollupRankMonth, CountyLevel(code), month)
		if err != nil {
			return err
		}
		add(um.units, 1)
		if err := rankDays(1, sp.a-1, -1); err != nil {
			return err
		}
		return rankDays(sp.b+1, sp.last, -1)
	case rankByDays:
		return rankDays(sp.a, min(sp.b, sp.last), 1)
	}
	um, err := r.month(ctx, store.RollupRank, CountyLevel(code), month)
	if err != nil {
		return err
	}
	for _, d := range days {
		if md := um.Days[d[8:]]; md != nil {
			add(md.Units, 1)
		}
	}
	return nil
}

// addRanks adds sign × each unit's scans and page views of src to dst.
func addRanks(dst, src map[string][2]int64, sign int64) {
	for u, n := range src {
		t := dst[u]
		dst[u] = [2]int64{t[0] + sign*n[0], t[1] + sign*n[1]}
	}
}

func countySetKey(counties []string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(counties, ",")))
	return fmt.Sprintf("%d-%x", len(counties), h.Sum64())
}
