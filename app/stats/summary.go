package stats

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/yimayou/yimayou/app/store"
)

// Summaries. A top list, a funnel or a table of sites needs of each
// unit only its totals and unique visitors over the range, not its days.
// For the whole final months of a range these come from a summary of
// each run of them within a year: one digest per unit holding each
// month's totals and one visitor sketch of them all. A year view of a
// top unit reads one small digest instead of eleven month documents. The
// summary is built from the unit's month documents (or, before they
// exist, its day documents) and named by its months and their
// generations, so a write into any of them (which raises its generation)
// gives it a new name: it is never stale.

// summary returns the summary of a unit's months (whole, final, of one
// year, in order), as a month whose "days" are the months ("01".."12"):
// their totals; and whose sketch (held by day "00") is their visitors.
func (r *reading) summary(ctx context.Context, kind string, u Unit, months []string) (*unitMonth, error) {
	id, err := r.monthsID(ctx, kind, u, months)
	if err != nil {
		return nil, err
	}
	last := months[len(months)-1]
	monthDocs, err := r.monthDocs(ctx)
	if err != nil {
		return nil, err
	}
	return r.cached(ctx, id, last, true, true, func() (*unitMonth, error) {
		out := &unitMonth{Days: map[string]*monthDay{}}
		// The visitors of all the months, one sketch (day "00"): a top
		// list reads no month's apart.
		union := NewSketch()
		for _, m := range months {
			// A month's totals and visitors: its month document, or
			// else its days.
			src := kind
			if monthDocs {
				src = store.MonthKind(kind)
			}
			um, err := r.month(ctx, src, u, m)
			if err != nil {
				return nil, err
			}
			d := &monthDay{Counts: map[string]int64{}}
			for _, md := range um.Days {
				add(d.Counts, md.Counts)
			}
			if len(um.Days) == 0 {
				continue
			}
			union.Merge(um.sketch)
			out.Days[m[5:]] = d
		}
		out.Days[store.MonthDay] = &monthDay{Counts: map[string]int64{}, sketch: union}
		return out.seal(), nil
	})
}

// monthsID names the digest of a unit's months (whole, final, of one
// year, in order) by the months and their generations: a write into any
// of them gives the digest a new name.
func (r *reading) monthsID(ctx context.Context, kind string, u Unit, months []string) (string, error) {
	h := fnv.New64a()
	for _, m := range months {
		g, err := r.generation(ctx, m)
		if err != nil {
			return "", err
		}
		h.Write([]byte(m + ":" + strconv.FormatInt(g, 10) + ","))
	}
	first, last := months[0], months[len(months)-1]
	return fmt.Sprintf("v%d|y%s-%s|%x|%s", digestVersion, first[5:], last[5:], h.Sum64(),
		store.RollupID(kind, u.County, u.Key, first[:4], "sum")), nil
}

// unitTotals returns a unit's counts over days (sorted) and, withSketch,
// its unique visitors: whole final months from its year summary, other
// months from their days. They are the sums and merges that reading the
// unit's days gives.
func (r *reading) unitTotals(ctx context.Context, kind string, u Unit, days []string, withSketch bool) (map[string]int64, *Sketch, error) {
	t := map[string]int64{}
	var sk *Sketch
	if withSketch {
		sk = NewSketch()
	}
	// Runs of whole final months of one year, from their summary.
	var run []string
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		ys, err := r.summary(ctx, kind, u, run)
		if err != nil {
			return err
		}
		for _, m := range run {
			if d := ys.Days[m[5:]]; d != nil {
				add(t, d.Counts)
			}
		}
		// The summary holds exactly the run's months: its sketch (their
		// union, made once when it was sealed) is one merge, not one
		// per month.
		if withSketch {
			sk.Merge(ys.sketch)
		}
		run = run[:0]
		return nil
	}
	for i := 0; i < len(days); {
		month := days[i][:7]
		j := i
		for j < len(days) && days[j][:7] == month {
			j++
		}
		first, _ := time.Parse("2006-01", month)
		whole := j-i == first.AddDate(0, 1, -1).Day()
		if len(run) > 0 && run[0][:4] != month[:4] {
			if err := flush(); err != nil {
				return nil, nil, err
			}
		}
		if whole && r.b.final(month) {
			run = append(run, month)
			i = j
			continue
		}
		if err := flush(); err != nil {
			return nil, nil, err
		}
		// The month so far: its month document.
		if ok, err := r.monthDocRun(ctx, days[i:j]); err != nil {
			return nil, nil, err
		} else if ok {
			um, err := r.month(ctx, store.MonthKind(kind), u, month)
			if err != nil {
				return nil, nil, err
			}
			if md := um.Days[store.MonthDay]; md != nil {
				add(t, md.Counts)
				if withSketch && md.sketch != nil {
					sk.Merge(md.sketch)
				}
			}
			i = j
			continue
		}
		um, err := r.month(ctx, kind, u, month)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range days[i:j] {
			md := um.Days[d[8:]]
			if md == nil {
				continue
			}
			add(t, md.Counts)
			if withSketch && !whole && md.sketch != nil {
				sk.Merge(md.sketch)
			}
		}
		if withSketch && whole {
			sk.Merge(um.sketch)
		}
		i = j
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	return t, sk, nil
}
