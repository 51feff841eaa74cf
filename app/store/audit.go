package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// The audit log is append-only. ObjectID _ids sort by time, so the newest
// page is a sort on _id with a limit; on real MongoDB that is the _id index.
const colAudit = "audit"

type auditDoc struct {
	ID      bson.ObjectID    `bson:"_id"`
	At      time.Time        `bson:"at"`
	User    string           `bson:"user"`
	Action  string           `bson:"action"`
	Object  string           `bson:"object"`
	County  string           `bson:"county,omitempty"`
	Changes []fieldChangeDoc `bson:"changes,omitempty"`
}

type fieldChangeDoc struct {
	Field  string `bson:"f"`
	Before string `bson:"b,omitempty"`
	After  string `bson:"a,omitempty"`
}

// AddAudit appends an entry; its ID and, when zero, At are filled in.
func (s *Store) AddAudit(ctx context.Context, e domain.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	d := auditDoc{ID: bson.NewObjectIDFromTimestamp(e.At), At: e.At.UTC().Truncate(time.Millisecond), User: e.User,
		Action: e.Action, Object: e.Object, County: e.County}
	for _, c := range e.Changes {
		d.Changes = append(d.Changes, fieldChangeDoc{Field: c.Field, Before: c.Before, After: c.After})
	}
	_, err := s.col(colAudit).InsertOne(ctx, d)
	return wrap(colAudit, err)
}

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	County string
	Object string
	User   string
	// Before pages back: only entries older than this ID.
	Before string
	Limit  int
}

// Audit returns entries matching f, newest first (at most f.Limit, 50 by
// default, 500 at most).
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]domain.AuditEntry, error) {
	filter := bson.D{}
	if f.County != "" {
		filter = append(filter, bson.E{Key: "county", Value: f.County})
	}
	if f.Object != "" {
		filter = append(filter, bson.E{Key: "object", Value: f.Object})
	}
	if f.User != "" {
		filter = append(filter, bson.E{Key: "user", Value: f.User})
	}
	if f.Before != "" {
		if oid, err := bson.ObjectIDFromHex(f.Before); err == nil {
			filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: oid}}})
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	cur, err := s.col(colAudit).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, wrap(colAudit, err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colAudit, err)
	}
	out := make([]domain.AuditEntry, len(docs))
	for i, d := range docs {
		e := domain.AuditEntry{ID: d.ID.Hex(), At: d.At, User: d.User, Action: d.Action, Object: d.Object, County: d.County}
		for _, c := range d.Changes {
			e.Changes = append(e.Changes, domain.FieldChange{Field: c.Field, Before: c.Before, After: c.After})
		}
		out[i] = e
	}
	return out, nil
}
