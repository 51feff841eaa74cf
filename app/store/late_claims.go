package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

const colLateClaims = "late_claims"

// lateClaimKeep outlives the two days a late-event token is good for.
const lateClaimKeep = 3 * 24 * time.Hour

type lateClaimDoc struct {
	ID   string    `bson:"_id"`
	Left int       `bson:"left,omitempty"` // token documents: events it may still bring
	Exp  time.Time `bson:"exp"`
}

// ClaimLateEvent records, for every node at once, that late event id came
// under token: it answers "" when the event is new and the token had room
// (max events in all), "duplicate" when the id was claimed before (a
// batch sent again, perhaps to another node) and "limit" when the token
// is used up. Both steps are single-document operations, an insert that
// fails on a taken _id and an update conditional on left >= 1, so the
// answers are exact under any concurrency, and a replayed event never
// reaches the rollups twice.
func (s *Store) ClaimLateEvent(ctx context.Context, id, token string, max int, now time.Time) (string, error) {
	col := s.col(colLateClaims)
	exp := now.Add(lateClaimKeep).UTC().Truncate(time.Millisecond)
	if _, err := col.InsertOne(ctx, lateClaimDoc{ID: "e:" + id, Exp: exp}); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return "duplicate", nil
		}
		return "", wrap(colLateClaims, err)
	}
	tid := "t:" + token
	for range 2 {
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: tid}, {Key: "left", Value: bson.D{{Key: "$gte", Value: 1}}}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "left", Value: -1}}}})
		if err != nil {
			return "", wrap(colLateClaims, err)
		}
		if res.MatchedCount == 1 {
			return "", nil
		}
		_, err = col.InsertOne(ctx, lateClaimDoc{ID: tid, Left: max - 1, Exp: exp})
		if err == nil {
			return "", nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return "", wrap(colLateClaims, err)
		}
		// Made meanwhile by a concurrent claim: try the update again.
	}
	return "limit", nil
}

// DeleteExpiredLateClaims drops claims older than any token can be.
func (s *Store) DeleteExpiredLateClaims(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.col(colLateClaims).DeleteMany(ctx, bson.D{{Key: "exp", Value: bson.D{{Key: "$lt", Value: now.UTC()}}}})
	if err != nil {
		return 0, wrap(colLateClaims, err)
	}
	return res.DeletedCount, nil
}

// UnclaimLateEvent forgets the claim of an event that could not be
// recorded after all, so that the client's retry is not taken for a
// duplicate. (The token keeps the use: erring on the side of fewer.)
func (s *Store) UnclaimLateEvent(ctx context.Context, id string) error {
	_, err := s.col(colLateClaims).DeleteOne(ctx, byID("e:"+id))
	return wrap(colLateClaims, err)
}
