package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// A draft is an editor's unpublished copy of a site, in the same shape as
// the site. Drafts live in their own collection, so the catalogue and the
// public pages cannot see them, and saving one does not bump the content
// version (no node reloads for an edit nobody can see yet).
const colDrafts = "site_drafts"

// PutDraft saves the draft of a site, replacing the previous one.
func (s *Store) PutDraft(ctx context.Context, site domain.Site) error {
	if err := site.Validate(); err != nil {
		return err
	}
	if site.UpdatedAt.IsZero() {
		site.UpdatedAt = time.Now()
	}
	_, err := s.col(colDrafts).ReplaceOne(ctx, byID(site.Key), siteToDoc(site), options.Replace().SetUpsert(true))
	return wrap(colDrafts, err)
}

// Draft returns the draft of a site, or domain.ErrNotFound when the site
// has none.
func (s *Store) Draft(ctx context.Context, key string) (domain.Site, error) {
	var d siteDoc
	if err := s.col(colDrafts).FindOne(ctx, byID(key)).Decode(&d); err != nil {
		return domain.Site{}, wrap(colDrafts, err)
	}
	return d.domain(), nil
}

// DeleteDraft drops a site's draft; dropping a missing one is fine.
func (s *Store) DeleteDraft(ctx context.Context, key string) error {
	_, err := s.col(colDrafts).DeleteOne(ctx, byID(key))
	return wrap(colDrafts, err)
}

// DraftKeys returns the keys of the sites of county that have a draft,
// for the site list. Drafts are few, so one filtered find is cheap even
// on the embedded server.
func (s *Store) DraftKeys(ctx context.Context, county string) (map[string]time.Time, error) {
	filter := bson.D{}
	if county != "" {
		filter = bson.D{{Key: "county", Value: county}}
	}
	cur, err := s.col(colDrafts).Find(ctx, filter,
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "updated_at", Value: 1}}))
	if err != nil {
		return nil, wrap(colDrafts, err)
	}
	var docs []struct {
		Key       string    `bson:"_id"`
		UpdatedAt time.Time `bson:"updated_at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colDrafts, err)
	}
	out := make(map[string]time.Time, len(docs))
	for _, d := range docs {
		out[d.Key] = d.UpdatedAt
	}
	return out, nil
}
