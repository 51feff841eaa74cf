package store

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// HasMedia reports whether a media file is stored, without reading it.
func (s *Store) HasMedia(ctx context.Context, name string) (bool, error) {
	err := s.col(colMedia).FindOne(ctx, byID(name), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if err == nil {
		return true, nil
	}
	if err = wrap(colMedia, err); errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return false, err
}
