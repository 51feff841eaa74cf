package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Collection gives tests the driver's handle on a collection, to write
// documents of every BSON type and to list indexes.
func (s *Store) Collection(name string) *mongo.Collection { return s.col(name) }

// MigrateTo migrates up to version, for tests of older schemas.
func (s *Store) MigrateTo(ctx context.Context, version int) (int, error) {
	return s.migrateTo(ctx, version)
}
