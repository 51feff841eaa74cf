package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/store/embedded"
)

// TestRollupFilterCostMeasure measures the choice documented in
// rollups.go: an update filtered by _id alone against one that also checks
// the applied sequence ({_id, seq: {$lt: n}}), which the embedded server
// answers with a full scan. Run with YIMAYOU_MEASURE=1; it starts its own
// embedded server (or uses TEST_MONGODB_URI).
func TestRollupFilterCostMeasure(t *testing.T) {
	if os.Getenv("YIMAYOU_MEASURE") == "" {
		t.Skip("measurement: set YIMAYOU_MEASURE=1")
	}
	s := newMeasureStore(t)
	ctx := context.Background()
	day := &RollupDay{Hours: map[string]map[string]int64{}, Lang: map[string]int64{"zh": 40, "en": 3, "bo": 9}}
	for h := 7; h < 20; h++ {
		day.Hours[fmt.Sprintf("%02d", h)] = map[string]int64{"scan": 12, "view": 3}
	}
	created := 0
	for _, n := range []int{1000, 5000} {
		var docs []any
		for ; created < n; created++ {
			r := Rollup{ID: RollupID(RollupSign, "513322", fmt.Sprintf("S%05d", created), "2026-11", "n1"),
				Kind: RollupSign, County: "513322", Key: "x", Month: "2026-11", Node: "n1", Seq: 10,
				Days: map[string]*RollupDay{}}
			for d := 1; d <= 28; d++ {
				r.Days[fmt.Sprintf("%02d", d)] = day
			}
			docs = append(docs, r)
		}
		if _, err := s.col(colRollups).InsertMany(ctx, docs); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2500 * time.Millisecond) // let the _id index fix catch up
		for _, withSeq := range []bool{false, true} {
			ops := 50
			if withSeq {
				ops = 5 // each is a full scan: seconds
			}
			start := time.Now()
			for i := 0; i < ops; i++ {
				id := RollupID(RollupSign, "513322", fmt.Sprintf("S%05d", i*7%n), "2026-11", "n1")
				filter := bson.D{{Key: "_id", Value: id}}
				if withSeq {
					filter = append(filter, bson.E{Key: "seq", Value: bson.D{{Key: "$lt", Value: int64(1 << 40)}}})
				}
				if _, err := s.col(colRollups).UpdateOne(ctx, filter,
					bson.D{{Key: "$max", Value: bson.D{{Key: "d.05.h.09.scan", Value: int64(100 + i)}}}}); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%5d documents, filter by _id%-14s: %v per update", n, map[bool]string{true: " and seq < n", false: " only"}[withSeq],
				time.Since(start)/time.Duration(ops))
		}
	}
}

func newMeasureStore(t *testing.T) *Store {
	uri := os.Getenv("TEST_MONGODB_URI")
	if uri == "" {
		srv, err := embedded.Start(context.Background(), embedded.Options{Dir: t.TempDir(), FixInterval: time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Stop)
		uri = srv.URI()
	}
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetMaxPoolSize(1))
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("measure_%d", time.Now().UnixNano())
	t.Cleanup(func() { _ = c.Database(db).Drop(context.Background()); _ = c.Disconnect(context.Background()) })
	return &Store{client: c, db: c.Database(db)}
}
