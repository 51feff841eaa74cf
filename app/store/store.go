// Package store is the only importer of the MongoDB driver. It maps domain
// values to documents, one file per collection, and keeps to the subset of
// MongoDB that both MongoDB ≥ 6 and the embedded FerretDB 1.24 serve (see
// shared/MONGO-SUBSET.md): lookups by _id on the request path, small
// filtered collections, no transactions, at most one accumulator per $group,
// bulk updates under 100 statements.
package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/yimayou/yimayou/app/domain"
)

// Options configure Open.
type Options struct {
	URI      string
	Database string
	// SingleConnection limits the driver to one connection. The embedded
	// server loses concurrent updates to one document with more than one
	// connection (measured: 20 of 1,000 $inc kept), so it needs this.
	SingleConnection bool
	// Timeout bounds server selection and connecting; 0 means 10 s.
	Timeout time.Duration
}

// Store is a handle on the yimayou database.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	// partitions holds the partition collections ensurePartition has made
	// (with their indexes) through this handle.
	partitions sync.Map
}

// Open connects to the database. It does not migrate; call Migrate.
func Open(ctx context.Context, opt Options) (*Store, error) {
	if opt.Database == "" {
		opt.Database = "yimayou"
	}
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	co := options.Client().ApplyURI(opt.URI).
		SetServerSelectionTimeout(opt.Timeout).
		SetConnectTimeout(opt.Timeout).
		SetAppName("yimayou")
	if opt.SingleConnection {
		co.SetMaxPoolSize(1)
	}
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := &Store{client: client, db: client.Database(opt.Database)}
	pingCtx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return s, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close disconnects from the database.
func (s *Store) Close(ctx context.Context) error {
	return s.client.Disconnect(ctx)
}

// DatabaseName is the name of the database in use.
func (s *Store) DatabaseName() string { return s.db.Name() }

// Drop deletes the whole database. Only tests and `yimayou reset` use it.
func (s *Store) Drop(ctx context.Context) error {
	if err := s.db.Drop(ctx); err != nil {
		return fmt.Errorf("store: drop: %w", err)
	}
	return nil
}

func (s *Store) col(name string) *mongo.Collection { return s.db.Collection(name) }

// notFound turns the driver's "no documents" into domain.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.ErrNotFound
	}
	return err
}

// wrap adds the collection's name to a store error, keeping domain errors
// recognisable with errors.Is.
func wrap(collection string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", collection, notFound(err))
}

// byID is the one filter the embedded server answers from an index.
func byID(id any) bson.D { return bson.D{{Key: "_id", Value: id}} }

func textDoc(t domain.Text) map[string]string {
	if len(t) == 0 {
		return nil
	}
	m := make(map[string]string, len(t))
	for k, v := range t {
		if v != "" {
			m[string(k)] = v
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func textFromDoc(m map[string]string) domain.Text {
	if len(m) == 0 {
		return nil
	}
	t := make(domain.Text, len(m))
	for k, v := range m {
		t[domain.Lang(k)] = v
	}
	return t
}
