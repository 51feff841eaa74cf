package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Statistics digests: the rollups of a site or sign for a month that can
// no longer change (late events are refused after a week), merged across
// nodes and kept as one string field. The embedded server converts a
// stored document field by field, which makes a rollup document of a
// busy month (thousands of counters) cost 10-30 ms to read; a digest
// costs a fraction of a millisecond, so a year of a prefecture stays
// fast after a restart.
const colStatsDigests = "stats_digests"

type statsDigestDoc struct {
	ID    string    `bson:"_id"`
	Month string    `bson:"month"`
	Data  string    `bson:"data"`
	Made  time.Time `bson:"made"`
}

// StatsDigest returns a stored digest; domain.ErrNotFound if none.
func (s *Store) StatsDigest(ctx context.Context, id string) (string, error) {
	var d statsDigestDoc
	if err := s.col(colStatsDigests).FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return "", wrap(colStatsDigests, err)
	}
	return d.Data, nil
}

// PutStatsDigest stores (or replaces) a digest.
func (s *Store) PutStatsDigest(ctx context.Context, id, month, data string) error {
	_, err := s.col(colStatsDigests).ReplaceOne(ctx, byID(id),
		statsDigestDoc{ID: id, Month: month, Data: data, Made: time.Now().UTC().Truncate(time.Millisecond)},
		options.Replace().SetUpsert(true))
	return wrap(colStatsDigests, err)
}

// DeleteStatsDigests drops the digests of a month, so that the next read
// recomputes them from the rollups: `stats rebuild` must call it for
// every month it rewrites.
func (s *Store) DeleteStatsDigests(ctx context.Context, month string) error {
	_, err := s.col(colStatsDigests).DeleteMany(ctx, bson.D{{Key: "month", Value: month}})
	return wrap(colStatsDigests, err)
}
