package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yimayou/yimayou/app/domain"
)

// SignsOf returns the signs of a county, or of one site when site != "",
// for callers that should not know SignFilter (the web layer's small
// interfaces).
func (s *Store) SignsOf(ctx context.Context, county, site string) ([]domain.Sign, error) {
	return s.Signs(ctx, SignFilter{County: county, Site: site})
}

// SetUserAccess changes a user's role and counties.
func (s *Store) SetUserAccess(ctx context.Context, username string, role domain.Role, counties []string) error {
	u := domain.User{Username: username, Role: role, Counties: counties}
	if err := u.Validate(); err != nil {
		return err
	}
	res, err := s.col(colUsers).UpdateOne(ctx, byID(username), bson.D{{Key: "$set", Value: bson.D{
		{Key: "role", Value: string(role)}, {Key: "counties", Value: counties},
	}}})
	if err != nil {
		return wrap(colUsers, err)
	}
	if res.MatchedCount == 0 {
		return wrap(colUsers, domain.ErrNotFound)
	}
	return nil
}
