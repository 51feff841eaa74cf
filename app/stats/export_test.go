package stats

import "context"

// RankTotals exposes, to the tests, a board's rank totals ("s:key" and
// "g:code" → scans, page views) of counties (sorted; store.LevelAll for
// the prefecture's own documents) over days of one month, read as a
// view reads them.
func RankTotals(ctx context.Context, b *Board, counties, days []string) (map[string][2]int64, error) {
	um, err := b.reading().rankRange(ctx, counties, days)
	if err != nil {
		return nil, err
	}
	return um.units, nil
}
