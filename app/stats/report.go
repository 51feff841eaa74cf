package stats

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/yimayou/yimayou/app/store"
)

// Store is what the read side needs; store.Store implements it.
type Store interface {
	RollupsOf(ctx context.Context, kind, county, key, month string) ([]store.Rollup, error)
}

// Reader answers statistics questions from rollup documents only: a
// report costs a few _id lookups per site and month, whatever the number
// of events.
type Reader struct{ st Store }

// NewReader returns a reader over st.
func NewReader(st Store) *Reader { return &Reader{st: st} }

// Report sums one or more sites (or signs) over a range of days.
type Report struct {
	From, To string
	// Totals maps a metric (MetricScan…) to its count over the range.
	Totals map[string]int64
	Days   []DayReport
	// Breakdowns of scans and page views over the range.
	Lang, Device, Referrer map[string]int64
	// Visitors estimates the distinct visitors over the whole range and
	// every site in the report (not the sum of daily uniques).
	Visitors uint64
}

// DayReport is one day of a report.
type DayReport struct {
	Day    string
	Counts map[string]int64
	// Hours holds the counts of each hour, 0-23, China time.
	Hours    [24]map[string]int64
	Visitors uint64
}

// Site reports one site over days from..to ("2026-11-01", inclusive).
func (r *Reader) Site(ctx context.Context, county, site, from, to string) (Report, error) {
	return r.Sites(ctx, county, []string{site}, from, to)
}

// Sites reports several sites of a county together; uniques are merged,
// so a visitor of two sites counts once.
func (r *Reader) Sites(ctx context.Context, county string, sites []string, from, to string) (Report, error) {
	return r.report(ctx, store.RollupSite, county, sites, from, to)
}

// Sign reports one printed code over days from..to.
func (r *Reader) Sign(ctx context.Context, county, sign, from, to string) (Report, error) {
	return r.report(ctx, store.RollupSign, county, []string{sign}, from, to)
}

func (r *Reader) report(ctx context.Context, kind, county string, keys []string, from, to string) (Report, error) {
	days, err := DaysBetween(from, to)
	if err != nil {
		return Report{}, err
	}
	rep := Report{From: from, To: to, Totals: map[string]int64{}, Lang: map[string]int64{},
		Device: map[string]int64{}, Referrer: map[string]int64{}}
	byDay := make(map[string]*DayReport, len(days))
	daySketch := map[string]*Sketch{}
	for _, d := range days {
		dr := &DayReport{Day: d, Counts: map[string]int64{}}
		byDay[d] = dr
	}
	total := NewSketch()
	for _, month := range monthsOf(days) {
		for _, key := range keys {
			docs, err := r.st.RollupsOf(ctx, kind, county, key, month)
			if err != nil {
				return Report{}, fmt.Errorf("stats: %s %s %s: %w", kind, key, month, err)
			}
			for _, doc := range docs {
				for dd, d := range doc.Days {
					dr := byDay[month+"-"+dd]
					if dr == nil || d == nil {
						continue
					}
					for h, counts := range d.Hours {
						hi, err := strconv.Atoi(h)
						if err != nil || hi < 0 || hi > 23 {
							continue
						}
						if dr.Hours[hi] == nil {
							dr.Hours[hi] = map[string]int64{}
						}
						for m, n := range counts {
							dr.Hours[hi][m] += n
							dr.Counts[m] += n
							rep.Totals[m] += n
						}
					}
					add(rep.Lang, d.Lang)
					add(rep.Device, d.Device)
					add(rep.Referrer, d.Referrer)
					if d.Visitors != "" {
						_, sk, err := DecodeVersioned(d.Visitors)
						if err != nil {
							return Report{}, fmt.Errorf("stats: %s: %w", doc.ID, err)
						}
						if daySketch[dr.Day] == nil {
							daySketch[dr.Day] = NewSketch()
						}
						daySketch[dr.Day].Merge(sk)
						total.Merge(sk)
					}
				}
			}
		}
	}
	for _, d := range days {
		dr := byDay[d]
		if sk := daySketch[d]; sk != nil {
			dr.Visitors = sk.Estimate()
		}
		rep.Days = append(rep.Days, *dr)
	}
	rep.Visitors = total.Estimate()
	return rep, nil
}

func add(dst, src map[string]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// DaysBetween lists the days from..to inclusive; at most about ten years.
func DaysBetween(from, to string) ([]string, error) {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, fmt.Errorf("stats: from %q: %w", from, err)
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, fmt.Errorf("stats: to %q: %w", to, err)
	}
	if t.Before(f) || t.Sub(f) > 3700*24*time.Hour {
		return nil, fmt.Errorf("stats: range %s..%s", from, to)
	}
	var days []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	return days, nil
}

func monthsOf(days []string) []string {
	var months []string
	for _, d := range days {
		if m := d[:7]; len(months) == 0 || months[len(months)-1] != m {
			months = append(months, m)
		}
	}
	return months
}
