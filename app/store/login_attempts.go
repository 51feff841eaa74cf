package store

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yimayou/yimayou/app/domain"
)

const colLoginAttempts = "login_attempts"

// loginAttemptDoc is the password budget of one key (an account name and
// a client address): Left free attempts, then one attempt each time Until
// passes, with Gen counting the waits so far (and serving as the version
// for compare-and-set).
type loginAttemptDoc struct {
	ID    string    `bson:"_id"`
	Left  int       `bson:"left"`
	Gen   int       `bson:"gen"`
	Until time.Time `bson:"until,omitempty"`
	Exp   time.Time `bson:"exp"`
}

// loginAttemptsKeep is how long an idle key is remembered: a day after its
// last attempt it starts afresh.
const loginAttemptsKeep = 24 * time.Hour

// TakeLoginAttempt takes one password attempt for key at now, before the
// password is checked, and reports whether it may be checked; if not,
// retryAt says when the next one may. Every step is a single-document
// update, conditional on the document's state (left >= 1, or the version
// read), so concurrent attempts can never check more passwords than the
// policy allows, on the embedded server (one connection) as on MongoDB.
func (s *Store) TakeLoginAttempt(ctx context.Context, key string, now time.Time) (ok bool, retryAt time.Time, err error) {
	col := s.col(colLoginAttempts)
	exp := now.Add(loginAttemptsKeep).UTC().Truncate(time.Millisecond)
	for range 8 {
		res, err := col.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "left", Value: bson.D{{Key: "$gte", Value: 1}}}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "left", Value: -1}}}, {Key: "$set", Value: bson.D{{Key: "exp", Value: exp}}}})
		if err != nil {
			return false, time.Time{}, wrap(colLoginAttempts, err)
		}
		if res.MatchedCount == 1 {
			return true, time.Time{}, nil
		}
		var d loginAttemptDoc
		err = col.FindOne(ctx, byID(key)).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			_, err = col.InsertOne(ctx, loginAttemptDoc{ID: key, Left: domain.LoginFreeAttempts - 1, Exp: exp})
			if err == nil {
				return true, time.Time{}, nil
			}
			if mongo.IsDuplicateKeyError(err) {
				continue // made meanwhile by a concurrent attempt
			}
			return false, time.Time{}, wrap(colLoginAttempts, err)
		}
		if err != nil {
			return false, time.Time{}, wrap(colLoginAttempts, err)
		}
		switch {
		case d.Left >= 1:
			continue // refilled meanwhile
		case !d.Until.IsZero() && now.Before(d.Until):
			return false, d.Until, nil
		}
		// The free attempts are used up: the first refusal starts the
		// first wait; once a wait has passed, this attempt is allowed and
		// the next wait is twice as long. The update is conditional on
		// the version read, so of concurrent attempts one wins.
		first := d.Until.IsZero()
		next := now.Add(domain.LoginDelay(d.Gen)).UTC().Truncate(time.Millisecond)
		res, err = col.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "gen", Value: d.Gen}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: next}, {Key: "gen", Value: d.Gen + 1}, {Key: "exp", Value: exp}}}})
		if err != nil {
			return false, time.Time{}, wrap(colLoginAttempts, err)
		}
		if res.MatchedCount == 1 {
			if first {
				return false, next, nil
			}
			return true, time.Time{}, nil
		}
	}
	// Lost every race to concurrent attempts of the same key: refuse.
	return false, now.Add(domain.LoginDelay(0)), nil
}

// ClearLoginAttempts forgets key after a good password.
func (s *Store) ClearLoginAttempts(ctx context.Context, key string) error {
	_, err := s.col(colLoginAttempts).DeleteOne(ctx, byID(key))
	return wrap(colLoginAttempts, err)
}

// DeleteExpiredLoginAttempts drops keys idle for a day.
func (s *Store) DeleteExpiredLoginAttempts(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.col(colLoginAttempts).DeleteMany(ctx, bson.D{{Key: "exp", Value: bson.D{{Key: "$lt", Value: now.UTC()}}}})
	if err != nil {
		return 0, wrap(colLoginAttempts, err)
	}
	return res.DeletedCount, nil
}
