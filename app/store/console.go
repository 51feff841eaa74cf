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

// AuditPage returns the newest audit entries of county ("" for all) older
// than the entry before ("" for the newest).
func (s *Store) AuditPage(ctx context.Context, county, before string, limit int) ([]domain.AuditEntry, error) {
	return s.Audit(ctx, AuditFilter{County: county, Before: before, Limit: limit})
}

// SaveMedia stores a file under a content-addressed name.
func (s *Store) SaveMedia(ctx context.Context, name, contentType string, data []byte) error {
	return s.PutMedia(ctx, Media{Name: name, Type: contentType, Data: data})
}

// LoadMedia returns a stored file and its content type.
func (s *Store) LoadMedia(ctx context.Context, name string) (contentType string, data []byte, err error) {
	m, err := s.MediaFile(ctx, name)
	return m.Type, m.Data, err
}
