package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

const colSigns = "signs"

type signDoc struct {
	Code      string    `bson:"_id"`
	Site      string    `bson:"site"`
	County    string    `bson:"county"`
	Label     string    `bson:"label,omitempty"`
	Campaign  string    `bson:"campaign,omitempty"`
	Installed string    `bson:"installed,omitempty"`
	Enabled   bool      `bson:"enabled"`
	CreatedAt time.Time `bson:"created_at"`
}

func signToDoc(s domain.Sign) signDoc {
	return signDoc{Code: s.Code, Site: s.Site, County: s.County, Label: s.Label, Campaign: s.Campaign,
		Installed: s.Installed, Enabled: s.Enabled, CreatedAt: s.CreatedAt.UTC().Truncate(time.Millisecond)}
}

func (d signDoc) domain() domain.Sign {
	return domain.Sign{Code: d.Code, Site: d.Site, County: d.County, Label: d.Label, Campaign: d.Campaign,
		Installed: d.Installed, Enabled: d.Enabled, CreatedAt: d.CreatedAt}
}

// PutSign creates or replaces a sign. Its site must exist and belong to the
// sign's county.
func (s *Store) PutSign(ctx context.Context, sign domain.Sign) error {
	if err := sign.Validate(); err != nil {
		return err
	}
	if err := s.checkSignSite(ctx, sign); err != nil {
		return err
	}
	if sign.CreatedAt.IsZero() {
		sign.CreatedAt = time.Now()
	}
	_, err := s.col(colSigns).ReplaceOne(ctx, byID(sign.Code), signToDoc(sign), options.Replace().SetUpsert(true))
	if err != nil {
		return wrap(colSigns, err)
	}
	return s.bumpContentVersion(ctx)
}

// checkSignSite makes sure the sign's site exists and belongs to the sign's
// county.
func (s *Store) checkSignSite(ctx context.Context, sign domain.Sign) error {
	site, err := s.Site(ctx, sign.Site)
	if err != nil {
		return err
	}
	if site.County != sign.County {
		return &domain.ValidationError{Field: "county", Key: "error.sign_county"}
	}
	return nil
}

// CreateSign inserts a new sign and fails with domain.ErrConflict if the
// code is taken. Its site must exist and belong to the sign's county.
func (s *Store) CreateSign(ctx context.Context, sign domain.Sign) error {
	if err := sign.Validate(); err != nil {
		return err
	}
	if err := s.checkSignSite(ctx, sign); err != nil {
		return err
	}
	if sign.CreatedAt.IsZero() {
		sign.CreatedAt = time.Now()
	}
	if _, err := s.col(colSigns).InsertOne(ctx, signToDoc(sign)); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return domain.ErrConflict
		}
		return wrap(colSigns, err)
	}
	return s.bumpContentVersion(ctx)
}

// Sign returns one sign by code.
func (s *Store) Sign(ctx context.Context, code string) (domain.Sign, error) {
	var d signDoc
	if err := s.col(colSigns).FindOne(ctx, byID(code)).Decode(&d); err != nil {
		return domain.Sign{}, wrap(colSigns, err)
	}
	return d.domain(), nil
}

// SignFilter selects signs; empty fields match everything.
type SignFilter struct {
	County string
	Site   string
}

// Signs returns the signs matching f, ordered by site then code.
func (s *Store) Signs(ctx context.Context, f SignFilter) ([]domain.Sign, error) {
	filter := bson.D{}
	if f.County != "" {
		filter = append(filter, bson.E{Key: "county", Value: f.County})
	}
	if f.Site != "" {
		filter = append(filter, bson.E{Key: "site", Value: f.Site})
	}
	cur, err := s.col(colSigns).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "site", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrap(colSigns, err)
	}
	var docs []signDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colSigns, err)
	}
	out := make([]domain.Sign, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// SignsAll returns every sign; the catalogue loads them all at once.
func (s *Store) SignsAll(ctx context.Context) ([]domain.Sign, error) {
	return s.Signs(ctx, SignFilter{})
}
