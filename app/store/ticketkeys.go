package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The ticket signing keys and ticketing secrets live in MongoDB so every
// node signs and verifies alike; each is created by an insert keyed by its
// name, so when two nodes race exactly one value wins and both use it.
const colTicketKeys = "ticket_keys"

type ticketKeyDoc struct {
	ID      string    `bson:"_id"` // "ed25519:<generation>" or "secret:<name>"
	Kind    string    `bson:"kind"`
	KeyID   string    `bson:"kid,omitempty"`
	Seed    []byte    `bson:"seed,omitempty"`
	Value   []byte    `bson:"value,omitempty"`
	Created time.Time `bson:"created"`
}

// TicketSigningKeys returns every generation of the signing key. The
// collection holds a handful of documents.
func (s *Store) TicketSigningKeys(ctx context.Context) ([]tickets.SigningKey, error) {
	cur, err := s.col(colTicketKeys).Find(ctx, bson.D{{Key: "kind", Value: "ed25519"}})
	if err != nil {
		return nil, wrap(colTicketKeys, err)
	}
	var docs []ticketKeyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrap(colTicketKeys, err)
	}
	out := make([]tickets.SigningKey, 0, len(docs))
	for _, d := range docs {
		if len(d.Seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("store: %s: key %s has a bad seed", colTicketKeys, d.ID)
		}
		out = append(out, tickets.SigningKey{ID: d.KeyID, Private: ed25519.NewKeyFromSeed(d.Seed), Created: d.Created})
	}
	return out, nil
}

// InsertTicketSigningKey stores a new generation; domain.ErrConflict when
// that generation exists.
func (s *Store) InsertTicketSigningKey(ctx context.Context, k tickets.SigningKey) error {
	d := ticketKeyDoc{ID: "ed25519:" + k.ID, Kind: "ed25519", KeyID: k.ID, Seed: k.Private.Seed(), Created: k.Created}
	if _, err := s.col(colTicketKeys).InsertOne(ctx, d); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return domain.ErrConflict
		}
		return wrap(colTicketKeys, err)
	}
	return nil
}

// TicketSecret returns the named 32-byte secret, creating it if absent.
func (s *Store) TicketSecret(ctx context.Context, name string) ([]byte, error) {
	id := "secret:" + name
	for attempt := 0; attempt < 3; attempt++ {
		var d ticketKeyDoc
		err := s.col(colTicketKeys).FindOne(ctx, byID(id)).Decode(&d)
		if err == nil && len(d.Value) >= 32 {
			return d.Value, nil
		}
		if err != nil && err != mongo.ErrNoDocuments {
			return nil, wrap(colTicketKeys, err)
		}
		v := make([]byte, 32)
		if _, err := rand.Read(v); err != nil {
			return nil, err
		}
		_, err = s.col(colTicketKeys).InsertOne(ctx, ticketKeyDoc{ID: id, Kind: "secret", Value: v, Created: time.Now().UTC().Truncate(time.Millisecond)})
		if err == nil {
			return v, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, wrap(colTicketKeys, err)
		}
	}
	return nil, fmt.Errorf("store: %s: secret %s neither found nor created", colTicketKeys, name)
}

// Make sure the store keeps implementing what ticketing needs.
var _ tickets.Store = (*Store)(nil)
