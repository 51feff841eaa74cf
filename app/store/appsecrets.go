package store

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Long-lived secrets of the installation (form tokens…), shared by every
// node through MongoDB. Created insert-if-absent: when two nodes race, the
// unique _id lets one win and the other reads the winner's.
const colAppSecrets = "app_secrets"

type appSecretDoc struct {
	Name    string    `bson:"_id"`
	Secret  []byte    `bson:"secret"`
	Created time.Time `bson:"created"`
}

// AppSecret returns the named secret, creating a random 32-byte one on
// first use.
func (s *Store) AppSecret(ctx context.Context, name string) ([]byte, error) {
	for attempt := 0; attempt < 3; attempt++ {
		var d appSecretDoc
		err := s.col(colAppSecrets).FindOne(ctx, byID(name)).Decode(&d)
		if err == nil {
			return d.Secret, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, wrap(colAppSecrets, err)
		}
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		_, err = s.col(colAppSecrets).InsertOne(ctx, appSecretDoc{Name: name, Secret: secret, Created: time.Now().UTC().Truncate(time.Millisecond)})
		if err == nil {
			return secret, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, wrap(colAppSecrets, err)
		}
	}
	return nil, wrap(colAppSecrets, errors.New("secret neither found nor created"))
}
