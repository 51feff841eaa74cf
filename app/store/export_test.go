package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SetStoredSchemaVersion records version as the applied schema without
// running any migration, so tests can fake a database written by a newer
// binary.
func (s *Store) SetStoredSchemaVersion(ctx context.Context, version int) error {
	_, err := s.col(colMeta).UpdateOne(ctx, byID("schema"),
		bson.D{{Key: "$set", Value: bson.D{{Key: "version", Value: version}}}},
		options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}

// ForgetRecoveryAndRemigrate empties the lost-link index and runs the
// migration that fills it from the reservations, as on an upgrade.
func (s *Store) ForgetRecoveryAndRemigrate(ctx context.Context) error {
	if _, err := s.col(colRecovery).DeleteMany(ctx, bson.D{}); err != nil {
		return err
	}
	return migrateTouristSafety(ctx, s)
}
