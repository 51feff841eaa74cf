package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RollupMonths returns every month that has rollup documents, by node.
// It reads the small node collection (one document per node that ever
// ran).
func (s *Store) RollupMonths(ctx context.Context) (map[string][]string, error) {
	cur, err := s.col(colRollupNodes).Find(ctx, bson.D{})
	if err != nil {
		return nil, wrap(colRollupNodes, err)
	}
	var docs []struct {
		ID     string   `bson:"_id"`
		Months []string `bson:"months"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colRollupNodes, err)
	}
	out := map[string][]string{}
	for _, d := range docs {
		out[d.ID] = d.Months
	}
	return out, nil
}

// statsLevelsID is the meta document that says the level documents were
// derived for the rollups written before they existed.
const statsLevelsID = "stats_levels"

// StatsLevelsDone says whether the level documents of the rollups written
// before levels existed have been derived.
func (s *Store) StatsLevelsDone(ctx context.Context) (bool, error) {
	err := s.col(colMeta).FindOne(ctx, byID(statsLevelsID)).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, wrap(colMeta, err)
}

// SetStatsLevelsDone records that they have.
func (s *Store) SetStatsLevelsDone(ctx context.Context) error {
	_, err := s.col(colMeta).UpdateOne(ctx, byID(statsLevelsID), bson.D{{Key: "$set", Value: bson.D{{Key: "done", Value: true}}}},
		options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}
