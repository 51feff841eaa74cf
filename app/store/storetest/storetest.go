// Package storetest gives tests a real MongoDB-compatible database: the
// embedded server (started once per test binary), or the MongoDB named by
// TEST_MONGODB_URI. Each call gets a fresh database that is dropped when
// the test ends. There is no mock of the driver anywhere.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
)

var (
	once    sync.Once
	srv     *embedded.Server
	uri     string
	initErr error
)

// URI returns the address of the shared test server, starting the embedded
// one on first use.
func URI(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if u := os.Getenv("TEST_MONGODB_URI"); u != "" {
			uri = u
			return
		}
		dir, err := os.MkdirTemp("", "yimayou-storetest-")
		if err != nil {
			initErr = err
			return
		}
		srv, initErr = embedded.Start(context.Background(), embedded.Options{
			Dir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if initErr == nil {
			uri = srv.URI()
		}
	})
	if initErr != nil {
		t.Fatalf("storetest: start embedded server: %v", initErr)
	}
	return uri
}

// Embedded reports whether tests run against the embedded server, which
// needs a single connection per client.
func Embedded() bool { return os.Getenv("TEST_MONGODB_URI") == "" }

// Server returns the embedded server, or nil when TEST_MONGODB_URI is set.
func Server(t testing.TB) *embedded.Server {
	URI(t)
	return srv
}

// New returns a migrated store on a fresh database.
func New(t testing.TB) *store.Store {
	t.Helper()
	s := NewUnmigrated(t)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s
}

// NewUnmigrated returns a store on a fresh, empty database.
func NewUnmigrated(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, DBName())
}

// Open opens a store on the named database (which may already hold data),
// dropping it when the test ends.
func Open(t testing.TB, db string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{
		URI: URI(t), Database: db, SingleConnection: Embedded(),
	})
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Drop(context.Background())
		_ = s.Close(context.Background())
	})
	return s
}

// DBName returns a fresh random database name.
func DBName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "t_" + hex.EncodeToString(b[:])
}
