package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// Revisions keep every published state of a site. The _id is an ObjectID
// (time-ordered), so the newest come first by _id alone.
const colRevisions = "site_revisions"

// MaxRevisionsListed bounds the history page; older revisions stay in the
// database.
const MaxRevisionsListed = 100

type revisionDoc struct {
	ID   bson.ObjectID `bson:"_id"`
	Site string        `bson:"site"`
	At   time.Time     `bson:"at"`
	User string        `bson:"user"`
	Doc  siteDoc       `bson:"doc"`
}

func (d revisionDoc) domain() domain.Revision {
	return domain.Revision{ID: d.ID.Hex(), Site: d.Doc.domain(), At: d.At, User: d.User}
}

// AddRevision records a published state of a site and returns its id.
func (s *Store) AddRevision(ctx context.Context, site domain.Site, user string, at time.Time) (string, error) {
	d := revisionDoc{ID: bson.NewObjectIDFromTimestamp(at), Site: site.Key, At: at.UTC().Truncate(time.Millisecond),
		User: user, Doc: siteToDoc(site)}
	if _, err := s.col(colRevisions).InsertOne(ctx, d); err != nil {
		return "", wrap(colRevisions, err)
	}
	return d.ID.Hex(), nil
}

// Revisions returns a site's revisions, newest first.
func (s *Store) Revisions(ctx context.Context, site string) ([]domain.Revision, error) {
	cur, err := s.col(colRevisions).Find(ctx, bson.D{{Key: "site", Value: site}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(MaxRevisionsListed))
	if err != nil {
		return nil, wrap(colRevisions, err)
	}
	var docs []revisionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colRevisions, err)
	}
	out := make([]domain.Revision, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// Revision returns one revision by id; an id that is not an ObjectID is
// domain.ErrNotFound, like a missing one.
func (s *Store) Revision(ctx context.Context, id string) (domain.Revision, error) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return domain.Revision{}, wrap(colRevisions, domain.ErrNotFound)
	}
	var d revisionDoc
	if err := s.col(colRevisions).FindOne(ctx, byID(oid)).Decode(&d); err != nil {
		return domain.Revision{}, wrap(colRevisions, err)
	}
	return d.domain(), nil
}
