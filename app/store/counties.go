package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

const colCounties = "counties"

type countyDoc struct {
	Code   string            `bson:"_id"`
	Pinyin string            `bson:"pinyin,omitempty"`
	Name   map[string]string `bson:"name,omitempty"`
	Phone  string            `bson:"phone,omitempty"`
}

func countyToDoc(c domain.County) countyDoc {
	return countyDoc{Code: c.Code, Pinyin: c.Pinyin, Name: textDoc(c.Name), Phone: c.Phone}
}

func (d countyDoc) domain() domain.County {
	return domain.County{Code: d.Code, Pinyin: d.Pinyin, Name: textFromDoc(d.Name), Phone: d.Phone}
}

// PutCounty creates or replaces a county.
func (s *Store) PutCounty(ctx context.Context, c domain.County) error {
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := s.col(colCounties).ReplaceOne(ctx, byID(c.Code), countyToDoc(c), options.Replace().SetUpsert(true))
	if err != nil {
		return wrap(colCounties, err)
	}
	return s.bumpContentVersion(ctx)
}

// County returns one county by code.
func (s *Store) County(ctx context.Context, code string) (domain.County, error) {
	var d countyDoc
	if err := s.col(colCounties).FindOne(ctx, byID(code)).Decode(&d); err != nil {
		return domain.County{}, wrap(colCounties, err)
	}
	return d.domain(), nil
}

// Counties returns every county ordered by code.
func (s *Store) Counties(ctx context.Context) ([]domain.County, error) {
	cur, err := s.col(colCounties).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrap(colCounties, err)
	}
	var docs []countyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colCounties, err)
	}
	out := make([]domain.County, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}
