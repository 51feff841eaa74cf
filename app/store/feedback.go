package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

const colFeedback = "feedback"

type feedbackDoc struct {
	ID         string    `bson:"_id"`
	Site       string    `bson:"site"`
	County     string    `bson:"county"`
	Rating     int       `bson:"rating"`
	Text       string    `bson:"text,omitempty"`
	Contact    string    `bson:"contact,omitempty"`
	Lang       string    `bson:"lang,omitempty"`
	Created    time.Time `bson:"created"`
	ResolvedAt time.Time `bson:"resolved_at,omitempty"`
	ResolvedBy string    `bson:"resolved_by,omitempty"`
}

func (d feedbackDoc) domain() domain.Feedback {
	return domain.Feedback{ID: d.ID, Site: d.Site, County: d.County, Rating: d.Rating, Text: d.Text,
		Contact: d.Contact, Lang: domain.Lang(d.Lang), Created: d.Created, ResolvedAt: d.ResolvedAt, ResolvedBy: d.ResolvedBy}
}

// AddFeedback stores a visitor's feedback under a new id.
func (s *Store) AddFeedback(ctx context.Context, f domain.Feedback) (domain.Feedback, error) {
	if err := f.Validate(); err != nil {
		return f, err
	}
	f.ID = domain.NewEventID()
	if f.Created.IsZero() {
		f.Created = time.Now()
	}
	f.Created = f.Created.UTC().Truncate(time.Millisecond)
	d := feedbackDoc{ID: f.ID, Site: f.Site, County: f.County, Rating: f.Rating, Text: f.Text,
		Contact: f.Contact, Lang: string(f.Lang), Created: f.Created}
	if _, err := s.col(colFeedback).InsertOne(ctx, d); err != nil {
		return f, wrap(colFeedback, err)
	}
	return f, nil
}

// Feedback returns one feedback by id.
func (s *Store) Feedback(ctx context.Context, id string) (domain.Feedback, error) {
	var d feedbackDoc
	if err := s.col(colFeedback).FindOne(ctx, byID(id)).Decode(&d); err != nil {
		return domain.Feedback{}, wrap(colFeedback, err)
	}
	return d.domain(), nil
}

// ListFeedback returns up to limit feedback newest first, of counties
// (nil: all), only open ones if openOnly. Feedback is a small collection
// (people write rarely), so the filter's scan is cheap.
func (s *Store) ListFeedback(ctx context.Context, counties []string, openOnly bool, limit int) ([]domain.Feedback, error) {
	filter := bson.D{}
	if counties != nil {
		filter = append(filter, bson.E{Key: "county", Value: bson.D{{Key: "$in", Value: counties}}})
	}
	if openOnly {
		filter = append(filter, bson.E{Key: "resolved_at", Value: bson.D{{Key: "$exists", Value: false}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.col(colFeedback).Find(ctx, filter, opts)
	if err != nil {
		return nil, wrap(colFeedback, err)
	}
	var docs []feedbackDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colFeedback, err)
	}
	out := make([]domain.Feedback, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// ResolveFeedback marks feedback resolved, once: resolving it again keeps
// the first time and person (the update is conditional on it being open).
func (s *Store) ResolveFeedback(ctx context.Context, id, by string, at time.Time) error {
	res, err := s.col(colFeedback).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "resolved_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "resolved_at", Value: at.UTC().Truncate(time.Millisecond)}, {Key: "resolved_by", Value: by}}}})
	if err != nil {
		return wrap(colFeedback, err)
	}
	if res.MatchedCount == 0 {
		// Already resolved is fine; unknown is not.
		_, err := s.Feedback(ctx, id)
		return err
	}
	return nil
}
