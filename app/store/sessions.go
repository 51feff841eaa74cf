package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yimayou/yimayou/app/domain"
)

const colSessions = "sessions"

type sessionDoc struct {
	ID       string    `bson:"_id"` // sha256 of the cookie token
	Username string    `bson:"user"`
	Created  time.Time `bson:"created"`
	Expires  time.Time `bson:"expires"`
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for username and returns the token for
// the cookie. Only a hash of the token is stored.
func (s *Store) CreateSession(ctx context.Context, username string, ttl time.Duration) (string, domain.Session, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", domain.Session{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := time.Now().UTC().Truncate(time.Millisecond)
	d := sessionDoc{ID: sessionID(token), Username: username, Created: now, Expires: now.Add(ttl)}
	if _, err := s.col(colSessions).InsertOne(ctx, d); err != nil {
		return "", domain.Session{}, wrap(colSessions, err)
	}
	return token, domain.Session{ID: d.ID, Username: username, Created: d.Created, Expires: d.Expires}, nil
}

// Session returns the live session of a cookie token; an expired or unknown
// one is domain.ErrNotFound. It is a lookup by _id.
func (s *Store) Session(ctx context.Context, token string, now time.Time) (domain.Session, error) {
	if token == "" || len(token) > 128 {
		return domain.Session{}, wrap(colSessions, domain.ErrNotFound)
	}
	var d sessionDoc
	if err := s.col(colSessions).FindOne(ctx, byID(sessionID(token))).Decode(&d); err != nil {
		return domain.Session{}, wrap(colSessions, err)
	}
	if !now.Before(d.Expires) {
		return domain.Session{}, wrap(colSessions, domain.ErrNotFound)
	}
	return domain.Session{ID: d.ID, Username: d.Username, Created: d.Created, Expires: d.Expires}, nil
}

// DeleteSession ends a session (logout). Deleting an unknown one is fine.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.col(colSessions).DeleteOne(ctx, byID(sessionID(token)))
	return wrap(colSessions, err)
}

// DeleteUserSessions ends every session of a user (password change, reset).
func (s *Store) DeleteUserSessions(ctx context.Context, username string) error {
	_, err := s.col(colSessions).DeleteMany(ctx, bson.D{{Key: "user", Value: username}})
	return wrap(colSessions, err)
}

// DeleteExpiredSessions removes sessions that ended before now; the
// embedded server has no TTL index, so an app job calls this.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.col(colSessions).DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return 0, wrap(colSessions, err)
	}
	return res.DeletedCount, nil
}
