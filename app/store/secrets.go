package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The daily visitor-key secret lives in MongoDB so that every app node
// hashes a visitor to the same key on the same day, and is deleted after
// a day or two so that no key can be linked across days.
const colSecrets = "secrets"

type secretDoc struct {
	Day     string    `bson:"_id"` // "2026-11-29", China time
	Secret  []byte    `bson:"secret"`
	Created time.Time `bson:"created"`
}

// DailySecret returns the secret of day, creating it if no node has yet.
// Creation is an insert of a fresh random secret keyed by the day: when
// two nodes race, the unique _id lets exactly one insert win and the other
// reads the winner's, so every node agrees.
func (s *Store) DailySecret(ctx context.Context, day string) ([]byte, error) {
	if !validDaySecret(day) {
		return nil, fmt.Errorf("store: secret for day %q: invalid day", day)
	}
	for attempt := 0; attempt < 3; attempt++ {
		var d secretDoc
		err := s.col(colSecrets).FindOne(ctx, byID(day)).Decode(&d)
		if err == nil && len(d.Secret) >= 16 {
			return d.Secret, nil
		}
		if err != nil && err != mongo.ErrNoDocuments {
			return nil, wrap(colSecrets, err)
		}
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		_, err = s.col(colSecrets).InsertOne(ctx, secretDoc{Day: day, Secret: secret, Created: time.Now().UTC().Truncate(time.Millisecond)})
		if err == nil {
			return secret, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, wrap(colSecrets, err)
		}
	}
	return nil, fmt.Errorf("store: %s: secret for %s neither found nor created", colSecrets, day)
}

// DeleteSecretsBefore deletes the secrets of days before day. The
// collection holds a couple of small documents, so the scan is cheap.
func (s *Store) DeleteSecretsBefore(ctx context.Context, day string) (int64, error) {
	res, err := s.col(colSecrets).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: day}}}})
	if err != nil {
		return 0, wrap(colSecrets, err)
	}
	return res.DeletedCount, nil
}

func validDaySecret(day string) bool {
	_, err := time.Parse(time.DateOnly, day)
	return err == nil
}
