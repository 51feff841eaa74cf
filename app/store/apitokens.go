package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// API tokens let scripts read the statistics API as a user. Only a hash
// of a token is stored, as its _id, so the lookup on every API request is
// by _id and a leaked database does not leak working tokens. The
// collection holds a few tokens per operator, so listing one user's
// tokens (a scan on the embedded server) stays cheap.
const colAPITokens = "api_tokens"

// APITokenPrefix starts every token, so one found in a log or a script is
// recognisable.
const APITokenPrefix = "ymy_"

// APITokenLifetime is how long a token works unless made for another
// span: a forgotten script stops by itself.
const APITokenLifetime = 90 * 24 * time.Hour

// APIToken is a token as listed: never the token itself.
type APIToken struct {
	ID       string    `bson:"_id"` // sha256 of the token, hex
	Username string    `bson:"user"`
	Name     string    `bson:"name"`
	Hint     string    `bson:"hint"` // the token's last four characters
	Created  time.Time `bson:"created"`
	// Expires is when the token stops working; tokens made before expiry
	// existed have none and last APITokenLifetime from their creation.
	Expires time.Time `bson:"expires,omitempty"`
}

// ExpiresAt is when the token stops working.
func (t APIToken) ExpiresAt() time.Time {
	if t.Expires.IsZero() {
		return t.Created.Add(APITokenLifetime)
	}
	return t.Expires
}

// Expired reports whether the token no longer works at now.
func (t APIToken) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt()) }

func apiTokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateAPIToken makes a token for username, working for
// APITokenLifetime, and returns it; it is shown once and cannot be read
// back.
func (s *Store) CreateAPIToken(ctx context.Context, username, name string, now time.Time) (string, APIToken, error) {
	return s.CreateAPITokenUntil(ctx, username, name, now, now.Add(APITokenLifetime))
}

// CreateAPITokenUntil is CreateAPIToken for a token that works until
// expires.
func (s *Store) CreateAPITokenUntil(ctx context.Context, username, name string, now, expires time.Time) (string, APIToken, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", APIToken{}, fmt.Errorf("store: api token: %w", err)
	}
	token := APITokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	t := APIToken{ID: apiTokenID(token), Username: username, Name: name, Hint: token[len(token)-4:],
		Created: now.UTC().Truncate(time.Millisecond), Expires: expires.UTC().Truncate(time.Millisecond)}
	if _, err := s.col(colAPITokens).InsertOne(ctx, t); err != nil {
		return "", APIToken{}, wrap(colAPITokens, err)
	}
	return token, t, nil
}

// APITokenUser returns the user name a token acts for; an unknown token
// is domain.ErrNotFound.
func (s *Store) APITokenUser(ctx context.Context, token string) (string, error) {
	t, err := s.APIToken(ctx, token)
	return t.Username, err
}

// APIToken returns what is known of a token (its owner, its expiry); an
// unknown token is domain.ErrNotFound. Whether it has expired is for the
// caller to decide, with its clock.
func (s *Store) APIToken(ctx context.Context, token string) (APIToken, error) {
	if !strings.HasPrefix(token, APITokenPrefix) || len(token) > 128 {
		return APIToken{}, wrap(colAPITokens, domain.ErrNotFound)
	}
	var t APIToken
	if err := s.col(colAPITokens).FindOne(ctx, byID(apiTokenID(token))).Decode(&t); err != nil {
		return APIToken{}, wrap(colAPITokens, err)
	}
	return t, nil
}

// APITokens lists a user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, username string) ([]APIToken, error) {
	cur, err := s.col(colAPITokens).Find(ctx, bson.D{{Key: "user", Value: username}},
		options.Find().SetSort(bson.D{{Key: "created", Value: -1}}))
	if err != nil {
		return nil, wrap(colAPITokens, err)
	}
	var out []APIToken
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrap(colAPITokens, err)
	}
	return out, nil
}

// RevokeAPIToken deletes a token of username by its id; another user's
// token or an unknown id is domain.ErrNotFound.
func (s *Store) RevokeAPIToken(ctx context.Context, username, id string) error {
	var t APIToken
	if err := s.col(colAPITokens).FindOne(ctx, byID(id)).Decode(&t); err != nil {
		return wrap(colAPITokens, err)
	}
	if t.Username != username {
		return wrap(colAPITokens, domain.ErrNotFound)
	}
	_, err := s.col(colAPITokens).DeleteOne(ctx, byID(id))
	return wrap(colAPITokens, err)
}

// AllAPITokens lists every user's tokens, newest first, for the admins'
// list.
func (s *Store) AllAPITokens(ctx context.Context) ([]APIToken, error) {
	cur, err := s.col(colAPITokens).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "created", Value: -1}}))
	if err != nil {
		return nil, wrap(colAPITokens, err)
	}
	var out []APIToken
	if err := cur.All(ctx, &out); err != nil {
		return nil, wrap(colAPITokens, err)
	}
	return out, nil
}

// APITokenByID returns a token by its id (the hash); unknown is
// domain.ErrNotFound.
func (s *Store) APITokenByID(ctx context.Context, id string) (APIToken, error) {
	var t APIToken
	if err := s.col(colAPITokens).FindOne(ctx, byID(id)).Decode(&t); err != nil {
		return APIToken{}, wrap(colAPITokens, err)
	}
	return t, nil
}

// RevokeUserTokens deletes every token of username and says how many
// there were: a password change or reset, or a disabled account, ends
// what the old credentials gave to scripts.
func (s *Store) RevokeUserTokens(ctx context.Context, username string) (int, error) {
	res, err := s.col(colAPITokens).DeleteMany(ctx, bson.D{{Key: "user", Value: username}})
	if err != nil {
		return 0, wrap(colAPITokens, err)
	}
	return int(res.DeletedCount), nil
}
