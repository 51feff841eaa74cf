package store

import (
	"context"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The live view's minutes: one small document per app node holding its
// counts per minute for the last hour, keyed "county|site|metric". Each
// node writes only its own document, with $max of cumulative counts (the
// rollups' exactly-once rule), so the live view covers every node and
// survives a restart. Readers read the whole collection: one document per
// node that ever ran.
const colLive = "live_minutes"

type liveDoc struct {
	ID      string                      `bson:"_id"`
	Minutes map[string]map[string]int64 `bson:"m"`
	Updated time.Time                   `bson:"updated"`
}

// RaiseLiveMinutes raises node's counts (unix minute → key → count) and
// removes the minutes in drop.
func (s *Store) RaiseLiveMinutes(ctx context.Context, node string, counts map[int64]map[string]int64, drop []int64) error {
	maxes := bson.D{}
	for m, byKey := range counts {
		for k, n := range byKey {
			if safeField(k) {
				maxes = append(maxes, bson.E{Key: "m." + strconv.FormatInt(m, 10) + "." + k, Value: n})
			}
		}
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "updated", Value: time.Now().UTC().Truncate(time.Millisecond)}}}}
	if len(maxes) > 0 {
		update = append(update, bson.E{Key: "$max", Value: maxes})
	}
	if len(drop) > 0 {
		unset := bson.D{}
		for _, m := range drop {
			unset = append(unset, bson.E{Key: "m." + strconv.FormatInt(m, 10), Value: ""})
		}
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	_, err := s.col(colLive).UpdateOne(ctx, byID(node), update, options.UpdateOne().SetUpsert(true))
	return wrap(colLive, err)
}

// LiveMinutes returns every node's minutes: node → unix minute → key → count.
func (s *Store) LiveMinutes(ctx context.Context) (map[string]map[int64]map[string]int64, error) {
	cur, err := s.col(colLive).Find(ctx, bson.D{})
	if err != nil {
		return nil, wrap(colLive, err)
	}
	var docs []liveDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colLive, err)
	}
	out := map[string]map[int64]map[string]int64{}
	for _, d := range docs {
		node := map[int64]map[string]int64{}
		for m, byKey := range d.Minutes {
			if n, err := strconv.ParseInt(m, 10, 64); err == nil {
				node[n] = byKey
			}
		}
		out[d.ID] = node
	}
	return out, nil
}
