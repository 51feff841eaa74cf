package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Settings are the few facts of a deployment every node and command must
// agree on, kept in the meta collection (made by the first migration)
// under "setting:NAME".

// SettingPublicURL is the base URL printed in QR codes.
const SettingPublicURL = "public_url"

type settingDoc struct {
	ID      string    `bson:"_id"`
	Value   string    `bson:"value"`
	Updated time.Time `bson:"updated"`
}

// Setting returns a stored setting, or domain.ErrNotFound.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var d settingDoc
	if err := s.col(colMeta).FindOne(ctx, byID("setting:"+name)).Decode(&d); err != nil {
		return "", wrap(colMeta, err)
	}
	return d.Value, nil
}

// PutSetting stores a setting.
func (s *Store) PutSetting(ctx context.Context, name, value string) error {
	_, err := s.col(colMeta).UpdateOne(ctx, byID("setting:"+name),
		bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: value}, {Key: "updated", Value: time.Now().UTC().Truncate(time.Millisecond)}}}},
		options.UpdateOne().SetUpsert(true))
	return wrap(colMeta, err)
}
