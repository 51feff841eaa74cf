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
// or signs (only the rank documents grow, by a few numbers per active
// unit and day, and final months of them are digested into one string
// like any other). Each day of a rank document is also kept as its own
// small rank-day document: the days of the open month that are closed
// are read from digests of their rank totals, and only today's (and,
// within ClosedAfter of midnight, yesterday's) from rank-day documents,
// so a view ending today reads no month rank document after a restart.

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
func (r *reading) rankedUnits(ctx context.Context, sites, signs []Unit, days []string, top int) ([]Unit, []Unit, error) {
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
	totals := map[string][2]int64{}
	addUnits := func(m map[string][2]int64) {
		for u, n := range m {
			t := totals[u]
			totals[u] = [2]int64{t[0] + n[0], t[1] + n[1]}
		}
	}
	for i := 0; i < len(days); {
		month := days[i][:7]
		j := i
		for j < len(days) && days[j][:7] == month {
			j++
		}
		first, _ := time.Parse("2006-01", month)
		whole := j-i == first.AddDate(0, 1, -1).Day()
		if whole && len(codes) > 1 {
			// A whole month of several counties: one small digest of
			// the month's totals per unit.
			um, err := r.rankTotals(ctx, codes, month)
			if err != nil {
				return nil, nil, err
			}
			addUnits(um.units)
			i = j
			continue
		}
		if ok, err := r.openRank(ctx, codes, days[i:j], addUnits); err != nil {
			return nil, nil, err
		} else if ok {
			i = j
			continue
		}
		for _, code := range codes {
			um, err := r.month(ctx, store.RollupRank, CountyLevel(code), month)
			if err != nil {
				return nil, nil, err
			}
			if whole {
				addUnits(um.units)
				continue
			}
			for _, d := range days[i:j] {
				if md := um.Days[d[8:]]; md != nil {
					addUnits(md.Units)
				}
			}
		}
		i = j
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

// openRank adds the rank totals of days (sorted, of one month) without
// reading the counties' month rank documents: the closed days (before
// closedDay) from prefix digests of the month, the others (today, and
// yesterday within ClosedAfter of midnight) from the counties' rank-day
// documents. It says false, having added nothing, where rank-day
// documents may be incomplete (days before the first start of a version
// that writes them). Part of a final month of several counties is read
// the same way (all its days are closed): two small digests instead of
// a month digest per county.
func (r *reading) openRank(ctx context.Context, counties, days []string, addUnits func(map[string][2]int64)) (bool, error) {
	final := r.b.final(days[0][:7])
	if final && len(counties) < 2 {
		return false, nil
	}
	if _, ok := r.b.st.(DigestStore); !ok {
		return false, nil
	}
	closed := r.b.closedDay()
	if final {
		closed = "9999"
	}
	var closedDays, openDays []string
	for _, d := range days {
		if d < closed {
			closedDays = append(closedDays, d)
		} else {
			openDays = append(openDays, d)
		}
	}
	if len(openDays) > 0 {
		from, err := r.rankDaysFrom(ctx)
		if err != nil || from == "" || openDays[0] < from {
			return false, err
		}
	}
	month := days[0][:7]
	if n := len(closedDays); n > 0 {
		// Days a..b are the prefix to b less the prefix to a-1.
		hi, err := r.rankPrefix(ctx, counties, month, closedDays[n-1][8:])
		if err != nil {
			return false, err
		}
		addUnits(hi.units)
		if a := closedDays[0][8:]; a != "01" {
			n, _ := strconv.Atoi(a)
			lo, err := r.rankPrefix(ctx, counties, month, fmt.Sprintf("%02d", n-1))
			if err != nil {
				return false, err
			}
			neg := make(map[string][2]int64, len(lo.units))
			for u, v := range lo.units {
				neg[u] = [2]int64{-v[0], -v[1]}
			}
			addUnits(neg)
		}
	}
	for _, d := range openDays {
		for _, code := range counties {
			um, err := r.month(ctx, store.RollupRankDay, Unit{County: code, Key: d}, month)
			if err != nil {
				return false, err
			}
			addUnits(um.units)
		}
	}
	return true, nil
}

// rankPrefixKind names, in digests, the rank totals of a set of counties
// over the first days of a month (01 to the day in the digest's name):
// days that are closed, so that the digest, named by the month's
// generation, which every write into a past day raises, never goes
// stale.
const rankPrefixKind = "rankprefix"

// rankPrefix returns the rank totals of counties over days 01..dd of
// month, all of them closed.
func (r *reading) rankPrefix(ctx context.Context, counties []string, month, dd string) (*unitMonth, error) {
	gen, err := r.generation(ctx, month)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprintf("v%d|p%s|g%d|%s", digestVersion, dd, gen,
		store.RollupID(rankPrefixKind, store.LevelAll, countySetKey(counties), month, "all"))
	return r.cached(ctx, id, month, true, func() (*unitMonth, error) {
		totals := map[string][2]int64{}
		for _, code := range counties {
			um, err := r.month(ctx, store.RollupRank, CountyLevel(code), month)
			if err != nil {
				return nil, err
			}
			for day, md := range um.Days {
				if day > dd {
					continue
				}
				for unit, n := range md.Units {
					t := totals[unit]
					totals[unit] = [2]int64{t[0] + n[0], t[1] + n[1]}
				}
			}
		}
		um := &unitMonth{Days: map[string]*monthDay{}}
		if len(totals) > 0 {
			um.Days["00"] = &monthDay{Counts: map[string]int64{}, Units: totals}
		}
		return um.seal(), nil
	})
}

func countySetKey(counties []string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.Join(counties, ",")))
	return fmt.Sprintf("%d-%x", len(counties), h.Sum64())
}

// rankTotalKind names, in digests and the memory cache, a month's rank
// totals of a set of counties: every unit's scans and page views over the
// whole month, merged from the counties' rank months. It is no rollup
// document, only a digest (a few numbers per site and sign, where the
// counties' rank months hold them per day), so that a prefecture's year
// reads one small digest per month for its top lists.
const rankTotalKind = "ranktotal"

// rankTotals returns the whole-month rank totals of counties (sorted),
// as a month whose units hold them.
func (r *reading) rankTotals(ctx context.Context, counties []string, month string) (*unitMonth, error) {
	key := countySetKey(counties)
	if r.rankSets == nil {
		r.rankSets = map[string][]string{}
	}
	r.rankSets[key] = counties
	return r.month(ctx, rankTotalKind, Unit{County: store.LevelAll, Key: key}, month)
}

// buildRankTotals merges the counties' rank months into one day ("00")
// of month totals.
func (r *reading) buildRankTotals(ctx context.Context, _ string, u Unit, month string) (*unitMonth, error) {
	totals := map[string][2]int64{}
	for _, code := range r.rankSets[u.Key] {
		um, err := r.month(ctx, store.RollupRank, CountyLevel(code), month)
		if err != nil {
			return nil, err
		}
		for unit, n := range um.units {
			t := totals[unit]
			totals[unit] = [2]int64{t[0] + n[0], t[1] + n[1]}
		}
	}
	um := &unitMonth{Days: map[string]*monthDay{}}
	if len(totals) > 0 {
		um.Days["00"] = &monthDay{Counts: map[string]int64{}, Units: totals}
	}
	return um.seal(), nil
}
