package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InsertRollups stores whole new rollup documents with insertMany, the
// embedded server's fast path: a $max update of a month document touches
// thousands of fields and costs the embedded server seconds, an insert
// milliseconds. It is for generated data sets (gen-events --direct and
// the benchmarks) written into an empty month; documents that exist
// already are left as they are (duplicate keys are not an error).
func (s *Store) InsertRollups(ctx context.Context, rs []Rollup) error {
	docs := make([]any, len(rs))
	for i := range rs {
		docs[i] = packed(rs[i])
	}
	_, err := s.col(colRollups).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return wrap(colRollups, err)
	}
	return s.bumpStatsGenerations(ctx, rollupMonths(rs))
}
