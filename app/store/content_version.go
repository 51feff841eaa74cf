package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The content version is a counter bumped by every write to counties, sites
// or signs. Every app node polls it (one lookup by _id) and reloads its
// in-memory catalogue when it moves, so an edit on one node reaches all.

type counterDoc struct {
	ID string `bson:"_id"`
	N  int64  `bson:"n"`
}

func (s *Store) bumpContentVersion(ctx context.Context) error {
	_, err := s.col(colMeta).UpdateOne(ctx, byID("content_version"),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
		options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}

// ContentVersion returns the current content version (0 before any write).
func (s *Store) ContentVersion(ctx context.Context) (int64, error) {
	var d counterDoc
	err := s.col(colMeta).FindOne(ctx, byID("content_version")).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, wrap(colMeta, err)
	}
	return d.N, nil
}
