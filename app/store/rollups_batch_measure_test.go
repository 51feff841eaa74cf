package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRollupBatchReadMeasure measures, for the stats' first request
// (issue #13), whether reading the rank documents of a month in one
// find with {_id: {$in: [...]}} beats one findOne each. The rollups
// collection holds rank documents shaped like a county's of 300 sites in
// 18 counties (per day, ~17 sites and ~55 signs with scans and views)
// among filler documents, as many as a few months of the benchmark's.
// Run with YIMAYOU_MEASURE=1; it starts its own embedded server (or uses
// TEST_MONGODB_URI).
//
// Measured 2026-11-30 on the shared 2-core machine (embedded server,
// maxPoolSize=1), two rounds each, findOne each → one $in find:
//
//	collection  read   findOne each    one $in find   ratio
//	   198 docs   18   1.28 s, 2.89 s   8.19 s, 10.8 s   0.16, 0.27
//	   198 docs  198   15.7 s, 16.8 s   18.7 s, 13.1 s   0.84, 1.28
//	 2,198 docs   18   0.87 s, 1.24 s   23.9 s, 26.2 s   0.04, 0.05
//	 2,198 docs  198   13.4 s, 13.3 s   33.6 s, 28.8 s   0.40, 0.46
//	10,198 docs   18   0.71 s, 0.60 s   65.3 s, 57.3 s   0.01, 0.01
//	10,198 docs  198   10.4 s, 11.1 s   58.0 s, 59.7 s   0.18, 0.19
//
// The embedded server answers {_id: {$in: ...}} with a full scan that
// decodes every document of the collection (it pushes down only
// {_id: x}), and reading a rank document costs its decoding (tens of ms),
// not the round trip: one find of every document is no faster than a
// findOne each. So the stats read rollups one findOne at a time.
func TestRollupBatchReadMeasure(t *testing.T) {
	if os.Getenv("YIMAYOU_MEASURE") == "" {
		t.Skip("measurement: set YIMAYOU_MEASURE=1")
	}
	s := newMeasureStore(t)
	ctx := context.Background()
	const counties, months = 18, 11
	rankID := func(c, m int) string {
		return RollupID(RollupRank, fmt.Sprintf("5133%02d", c), fmt.Sprintf("5133%02d", c), fmt.Sprintf("2025-%02d", m+1), "n1")
	}
	var ranks []any
	for c := 0; c < counties; c++ {
		for m := 0; m < months; m++ {
			r := Rollup{ID: rankID(c, m), Kind: RollupRank, County: "x", Key: "x", Month: fmt.Sprintf("2025-%02d", m+1),
				Node: "n1", Days: map[string]*RollupDay{}}
			for d := 1; d <= 30; d++ {
				units := map[string]map[string]int64{}
				for u := 0; u < 17; u++ {
					units[fmt.Sprintf("s:site-%d-%d", c, u)] = map[string]int64{"scan": int64(10 + u + d), "view": int64(3 + u)}
				}
				for u := 0; u < 55; u++ {
					units[fmt.Sprintf("g:G%d%04d", c, u)] = map[string]int64{"scan": int64(2 + u%7), "view": int64(d % 5)}
				}
				r.Days[fmt.Sprintf("%02d", d)] = &RollupDay{Units: units}
			}
			ranks = append(ranks, r)
		}
	}
	if _, err := s.col(colRollups).InsertMany(ctx, ranks); err != nil {
		t.Fatal(err)
	}
	day := &RollupDay{Hours: map[string]map[string]int64{}, Lang: map[string]int64{"zh": 40, "en": 3, "bo": 9}}
	for h := 7; h < 20; h++ {
		day.Hours[fmt.Sprintf("%02d", h)] = map[string]int64{"scan": 12, "view": 3}
	}
	created := 0
	read := func(ids []string, batch bool) time.Duration {
		start := time.Now()
		got := 0
		if batch {
			cur, err := s.col(colRollups).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
			if err != nil {
				t.Fatal(err)
			}
			for cur.Next(ctx) {
				var r Rollup
				if err := cur.Decode(&r); err != nil {
					t.Fatal(err)
				}
				got++
			}
			if err := cur.Err(); err != nil {
				t.Fatal(err)
			}
			_ = cur.Close(ctx)
		} else {
			for _, id := range ids {
				if _, err := s.Rollup(ctx, id); err != nil {
					t.Fatal(err)
				}
				got++
			}
		}
		if got != len(ids) {
			t.Fatalf("read %d of %d", got, len(ids))
		}
		return time.Since(start)
	}
	for _, n := range []int{0, 2000, 10000} {
		var docs []any
		for ; created < n; created++ {
			r := Rollup{ID: RollupID(RollupSign, "513322", fmt.Sprintf("S%05d", created), "2024-11", "n1"),
				Kind: RollupSign, County: "513322", Key: "x", Month: "2024-11", Node: "n1", Seq: 10,
				Days: map[string]*RollupDay{}}
			for d := 1; d <= 28; d++ {
				r.Days[fmt.Sprintf("%02d", d)] = day
			}
			docs = append(docs, r)
		}
		if len(docs) > 0 {
			if _, err := s.col(colRollups).InsertMany(ctx, docs); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2500 * time.Millisecond) // let the _id index fix catch up
		// One month's rank documents of every county, then every month's.
		var month, all []string
		for c := 0; c < counties; c++ {
			month = append(month, rankID(c, 3))
			for m := 0; m < months; m++ {
				all = append(all, rankID(c, m))
			}
		}
		for _, ids := range [][]string{month, all} {
			for round := 0; round < 2; round++ {
				one := read(ids, false)
				in := read(ids, true)
				t.Logf("%5d documents (%d rank), %3d rank documents: findOne each %v (%v per doc), one $in find %v: ratio %.2f",
					len(ranks)+n, len(ranks), len(ids), one.Round(time.Millisecond), (one / time.Duration(len(ids))).Round(100*time.Microsecond),
					in.Round(time.Millisecond), float64(one)/float64(in))
			}
		}
	}
}
