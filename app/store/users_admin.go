package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yimayou/yimayou/app/domain"
)

// SetUserDisabled disables or re-enables an account. Disabling does not end
// sessions or tokens by itself: the caller does that (DeleteUserSessions,
// RevokeUserTokens), and the web layer refuses a disabled user's session
// anyway.
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	res, err := s.col(colUsers).UpdateOne(ctx, byID(username),
		bson.D{{Key: "$set", Value: bson.D{{Key: "disabled", Value: disabled}}}})
	if err != nil {
		return wrap(colUsers, err)
	}
	if res.MatchedCount == 0 {
		return wrap(colUsers, domain.ErrNotFound)
	}
	return nil
}

// DeleteUser removes an account. The audit log keeps the name in its
// entries: it is not touched.
func (s *Store) DeleteUser(ctx context.Context, username string) error {
	res, err := s.col(colUsers).DeleteOne(ctx, byID(username))
	if err != nil {
		return wrap(colUsers, err)
	}
	if res.DeletedCount == 0 {
		return wrap(colUsers, domain.ErrNotFound)
	}
	return nil
}
