package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRollupDecodeCostMeasure measures where a rank document's read
// goes on the embedded server: 18 rank documents shaped like a county's
// of 300 sites in 18 counties (30 days × ~72 units × scans and views,
// ~4,300 counters), read by findOne into a Rollup, into bson.Raw (no
// driver-side decoding), and the same numbers packed as one string per
// day. Run with YIMAYOU_MEASURE=1.
//
// Measured 2026-11-30 on the shared 2-core machine, three rounds, per
// document: into Rollup 51, 51, 51 ms; raw 48, 48, 48 ms; packed day
// strings 2.5, 3.1, 1.7 ms. A CPU profile puts ~70% of the time in the
// server's find (its JSON decoding of the stored document field by
// field, ~50%, and its conversion to BSON), ~5% in the driver: the cost
// is the number of fields, not the round trip, so fewer fields (a
// month's totals per unit, or packed days) would speed up the stats'
// first request where batching ($in, TestRollupBatchReadMeasure) does
// not.
func TestRollupDecodeCostMeasure(t *testing.T) {
	if os.Getenv("YIMAYOU_MEASURE") == "" {
		t.Skip("measurement: set YIMAYOU_MEASURE=1")
	}
	s := newMeasureStore(t)
	ctx := context.Background()
	var ranks []any
	var ids []string
	for c := 0; c < 18; c++ {
		id := fmt.Sprintf("rank|%d", c)
		ids = append(ids, id)
		r := Rollup{ID: id, Kind: RollupRank, Days: map[string]*RollupDay{}}
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
	if _, err := s.col(colRollups).InsertMany(ctx, ranks); err != nil {
		t.Fatal(err)
	}
	var packed []any
	for c := 0; c < 18; c++ {
		days := bson.D{}
		for d := 1; d <= 30; d++ {
			str := ""
			for u := 0; u < 17; u++ {
				str += fmt.Sprintf("s:site-%d-%d=%d,%d;", c, u, 10+u+d, 3+u)
			}
			for u := 0; u < 55; u++ {
				str += fmt.Sprintf("g:G%d%04d=%d,%d;", c, u, 2+u%7, d%5)
			}
			days = append(days, bson.E{Key: fmt.Sprintf("%02d", d), Value: str})
		}
		packed = append(packed, bson.D{{Key: "_id", Value: fmt.Sprintf("packed|%d", c)}, {Key: "d", Value: days}})
	}
	if _, err := s.col(colRollups).InsertMany(ctx, packed); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	for round := 0; round < 3; round++ {
		start := time.Now()
		for _, id := range ids {
			if _, err := s.Rollup(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		a := time.Since(start)
		start = time.Now()
		for _, id := range ids {
			var raw bson.Raw
			if err := s.col(colRollups).FindOne(ctx, byID(id)).Decode(&raw); err != nil {
				t.Fatal(err)
			}
		}
		b := time.Since(start)
		start = time.Now()
		for c := 0; c < 18; c++ {
			var raw bson.Raw
			if err := s.col(colRollups).FindOne(ctx, byID(fmt.Sprintf("packed|%d", c))).Decode(&raw); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("findOne+decode Rollup %v/doc, findOne raw %v/doc, packed day strings raw %v/doc", a/18, b/18, time.Since(start)/18)
	}
}
