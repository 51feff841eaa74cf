package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A county bureau's emblem for the centre of its QR codes: one small PNG
// per county (app/qr checks and caps it), found by the county code.
const colLogos = "county_logos"

type logoDoc struct {
	County  string    `bson:"_id"`
	PNG     []byte    `bson:"png"`
	Updated time.Time `bson:"updated"`
}

// CountyLogo returns a county's logo PNG; none is domain.ErrNotFound.
func (s *Store) CountyLogo(ctx context.Context, county string) ([]byte, error) {
	var d logoDoc
	if err := s.col(colLogos).FindOne(ctx, byID(county)).Decode(&d); err != nil {
		return nil, wrap(colLogos, err)
	}
	return d.PNG, nil
}

// SetCountyLogo stores or replaces a county's logo.
func (s *Store) SetCountyLogo(ctx context.Context, county string, png []byte, now time.Time) error {
	_, err := s.col(colLogos).ReplaceOne(ctx, byID(county),
		logoDoc{County: county, PNG: png, Updated: now.UTC().Truncate(time.Millisecond)}, options.Replace().SetUpsert(true))
	return wrap(colLogos, err)
}

// DeleteCountyLogo removes a county's logo; removing none is fine.
func (s *Store) DeleteCountyLogo(ctx context.Context, county string) error {
	_, err := s.col(colLogos).DeleteOne(ctx, bson.D{{Key: "_id", Value: county}})
	return wrap(colLogos, err)
}
