package stats

import (
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
// like any other).

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
	if e.Bot || e.Site == "" {
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
