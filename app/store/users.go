package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

const colUsers = "users"

type userDoc struct {
	Username     string    `bson:"_id"`
	PasswordHash string    `bson:"password_hash"`
	Role         string    `bson:"role"`
	Counties     []string  `bson:"counties,omitempty"`
	CreatedAt    time.Time `bson:"created_at"`
	FailedLogins int       `bson:"failed_logins,omitempty"`
	LockedUntil  time.Time `bson:"locked_until,omitempty"`
	Disabled     bool      `bson:"disabled,omitempty"`
}

func (d userDoc) domain() domain.User {
	return domain.User{Username: d.Username, PasswordHash: d.PasswordHash, Role: domain.Role(d.Role),
		Counties: d.Counties, CreatedAt: d.CreatedAt, FailedLogins: d.FailedLogins, LockedUntil: d.LockedUntil, Disabled: d.Disabled}
}

// CreateUser inserts a user and fails with domain.ErrConflict if the name
// is taken.
func (s *Store) CreateUser(ctx context.Context, u domain.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return &domain.ValidationError{Field: "password", Key: "error.required"}
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now()
	}
	d := userDoc{Username: u.Username, PasswordHash: u.PasswordHash, Role: string(u.Role),
		Counties: u.Counties, CreatedAt: u.CreatedAt.UTC().Truncate(time.Millisecond)}
	if _, err := s.col(colUsers).InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return domain.ErrConflict
		}
		return wrap(colUsers, err)
	}
	return nil
}

// User returns one user by name.
func (s *Store) User(ctx context.Context, username string) (domain.User, error) {
	var d userDoc
	if err := s.col(colUsers).FindOne(ctx, byID(username)).Decode(&d); err != nil {
		return domain.User{}, wrap(colUsers, err)
	}
	return d.domain(), nil
}

// SetPasswordHash replaces a user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, username, hash string) error {
	if hash == "" {
		return &domain.ValidationError{Field: "password", Key: "error.required"}
	}
	res, err := s.col(colUsers).UpdateOne(ctx, byID(username),
		bson.D{{Key: "$set", Value: bson.D{{Key: "password_hash", Value: hash}}}})
	if err != nil {
		return wrap(colUsers, err)
	}
	if res.MatchedCount == 0 {
		return wrap(colUsers, domain.ErrNotFound)
	}
	return nil
}

// Users returns every user ordered by name.
func (s *Store) Users(ctx context.Context) ([]domain.User, error) {
	cur, err := s.col(colUsers).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, wrap(colUsers, err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colUsers, err)
	}
	out := make([]domain.User, len(docs))
	for i, d := range docs {
		out[i] = d.domain()
	}
	return out, nil
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	n, err := s.col(colUsers).CountDocuments(ctx, bson.D{})
	return n, wrap(colUsers, err)
}

// RecordLoginFailure counts a wrong password and locks the account for
// domain.LockFor once domain.LockAfterFailures are reached. Each step is one
// single-document update, so concurrent attempts cannot undercount.
func (s *Store) RecordLoginFailure(ctx context.Context, username string, now time.Time) (locked bool, err error) {
	var d userDoc
	err = s.col(colUsers).FindOneAndUpdate(ctx, byID(username),
		bson.D{{Key: "$inc", Value: bson.D{{Key: "failed_logins", Value: 1}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if err != nil {
		return false, wrap(colUsers, err)
	}
	if d.FailedLogins < domain.LockAfterFailures {
		return false, nil
	}
	_, err = s.col(colUsers).UpdateOne(ctx, byID(username), bson.D{{Key: "$set", Value: bson.D{
		{Key: "locked_until", Value: now.Add(domain.LockFor).UTC().Truncate(time.Millisecond)},
		{Key: "failed_logins", Value: 0},
	}}})
	return true, wrap(colUsers, err)
}

// ResetLoginFailures clears the failure count after a good password.
func (s *Store) ResetLoginFailures(ctx context.Context, username string) error {
	_, err := s.col(colUsers).UpdateOne(ctx, byID(username),
		bson.D{{Key: "$set", Value: bson.D{{Key: "failed_logins", Value: 0}}}})
	return wrap(colUsers, err)
}
