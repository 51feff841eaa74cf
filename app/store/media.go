package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yimayou/yimayou/app/domain"
)

// Media files (resized photos, audio guides) are kept in the database, one
// document per file found by _id, so every app node serves every file and
// a backup of the database is a backup of the site. GridFS would split
// them into chunks found by files_id, which the embedded server scans; a
// single document stays under MongoDB's 16 MB limit because uploads are
// capped well below it (MaxMediaBytes).
const colMedia = "media"

// MaxMediaBytes is the largest file PutMedia accepts.
const MaxMediaBytes = 12 << 20

// Media is one stored file. Names are content-addressed by the caller, so
// a name never changes meaning and may be cached for ever.
type Media struct {
	Name    string
	Type    string
	Data    []byte
	Created time.Time
}

type mediaDoc struct {
	Name    string    `bson:"_id"`
	Type    string    `bson:"type"`
	Size    int       `bson:"size"`
	Data    []byte    `bson:"data"`
	Created time.Time `bson:"created"`
}

// PutMedia stores a file. Storing a name again is a no-op: the same name
// means the same bytes.
func (s *Store) PutMedia(ctx context.Context, m Media) error {
	if m.Name == "" || len(m.Data) == 0 || len(m.Data) > MaxMediaBytes {
		return &domain.ValidationError{Field: "file", Key: "error.too_large_detail"}
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	_, err := s.col(colMedia).InsertOne(ctx, mediaDoc{Name: m.Name, Type: m.Type, Size: len(m.Data), Data: m.Data,
		Created: m.Created.UTC().Truncate(time.Millisecond)})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return wrap(colMedia, err)
}

// MediaFile returns a stored file by name.
func (s *Store) MediaFile(ctx context.Context, name string) (Media, error) {
	var d mediaDoc
	if err := s.col(colMedia).FindOne(ctx, byID(name)).Decode(&d); err != nil {
		return Media{}, wrap(colMedia, err)
	}
	return Media{Name: d.Name, Type: d.Type, Data: d.Data, Created: d.Created}, nil
}

// DeleteMedia removes a file; removing a missing one is fine.
func (s *Store) DeleteMedia(ctx context.Context, name string) error {
	_, err := s.col(colMedia).DeleteOne(ctx, bson.D{{Key: "_id", Value: name}})
	return wrap(colMedia, err)
}
