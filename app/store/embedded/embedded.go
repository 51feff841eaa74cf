// Package embedded runs a MongoDB-compatible server (FerretDB v1 with its
// SQLite backend) inside the process, for the zero-setup default. Nothing
// outside app/cli knows it exists: the store talks to it over the wire
// protocol with the official driver, as it would to MongoDB.
package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the same pure-Go SQLite driver FerretDB uses
)

// Server is a running embedded database.
type Server struct {
	dir    string
	uri    string
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	dbs   map[string]*sql.DB // database name → connection for the index fix
	fixed map[string]bool    // table names that have the _id index fix
}

// Options configure Start.
type Options struct {
	// Dir holds the SQLite files; created if missing.
	Dir string
	// Addr is host:port to listen on; "" means a free loopback port.
	Addr string
	// FixInterval is how often new collections get the _id index fix;
	// 0 means every 2 s. EnsureIDIndexes does it at once.
	FixInterval time.Duration
	Logger      *slog.Logger
}

// Start starts the server and waits until it accepts connections.
func Start(ctx context.Context, opt Options) (*Server, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:0"
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: data dir: %w", err)
	}
	// FerretDB logs every error reply at WARN (duplicate keys are routine
	// for us), so it only gets to say errors.
	quiet := slog.New(opt.Logger.Handler().WithGroup("ferretdb"))
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: opt.Addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(levelFloor{quiet.Handler(), slog.LevelError}),
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Server{dir: dir, log: opt.Logger, cancel: cancel, done: make(chan struct{}),
		dbs: map[string]*sql.DB{}, fixed: map[string]bool{}}
	runErr := make(chan error, 1)
	go func() {
		defer close(s.done)
		runErr <- fdb.Run(runCtx)
	}()

	// MongoDBURI blocks until the listener is bound.
	uriCh := make(chan string, 1)
	go func() { uriCh <- fdb.MongoDBURI() }()
	select {
	case s.uri = <-uriCh:
	case err := <-runErr:
		cancel()
		return nil, fmt.Errorf("embedded: listen on %s: %w", opt.Addr, err)
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		cancel()
		return nil, errors.New("embedded: server did not start in 30 s")
	}

	interval := opt.FixInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	go s.fixLoop(runCtx, interval)
	return s, nil
}

// URI is the mongodb:// address of the server.
func (s *Server) URI() string { return s.uri }

// Dir is the directory holding the database files.
func (s *Server) Dir() string { return s.dir }

// Stop shuts the server down and waits for it.
func (s *Server) Stop() {
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.log.Error("embedded server did not stop in 10 s")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, db := range s.dbs {
		_ = db.Close()
	}
	s.dbs = map[string]*sql.DB{}
}

func (s *Server) fixLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.EnsureIDIndexes(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("embedded: _id index fix", "err", err)
			}
		}
	}
}

// EnsureIDIndexes adds, to every collection table of every database, the
// SQLite index that makes {_id: x} lookups use an index.
//
// FerretDB 1.24 creates each collection's _id index on the expression
// _ferretdb_sjson->"_id" but filters with _ferretdb_sjson->'$._id', so SQLite
// never uses it and every lookup by _id is a full table scan (measured:
// 0.8 s at 200k documents). An index on the exact expression FerretDB
// filters with fixes that; FerretDB's own unique index still enforces
// uniqueness. It is idempotent and cheap when nothing is new.
func (s *Server) EnsureIDIndexes(ctx context.Context) error {
	files, err := filepath.Glob(filepath.Join(s.dir, "*.sqlite"))
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		db, err := s.openLocked(name, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := s.fixDatabaseLocked(ctx, name, db); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Server) openLocked(name, file string) (*sql.DB, error) {
	if db, ok := s.dbs[name]; ok {
		return db, nil
	}
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	s.dbs[name] = db
	return db, nil
}

func (s *Server) fixDatabaseLocked(ctx context.Context, dbName string, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // database file created, no collection yet
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	live := make(map[string]bool, len(tables))
	for _, t := range tables {
		key := dbName + "/" + t
		live[key] = true
		if s.fixed[key] {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_idfix", t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped meanwhile
			}
			return fmt.Errorf("index %s: %w", t, err)
		}
		s.fixed[key] = true
	}
	// Forget dropped tables, so a re-created collection is fixed again.
	for key := range s.fixed {
		if strings.HasPrefix(key, dbName+"/") && !live[key] {
			delete(s.fixed, key)
		}
	}
	return nil
}

// QueryPlan returns SQLite's EXPLAIN QUERY PLAN for a lookup by _id in the
// named collection, as FerretDB issues it. It exists for tests that prove
// the index fix works.
func (s *Server) QueryPlan(ctx context.Context, database, collection string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.openLocked(database, filepath.Join(s.dir, database+".sqlite"))
	if err != nil {
		return "", err
	}
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table); err != nil {
		return "", fmt.Errorf("collection %s: %w", collection, err)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table), `"x"`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; "), rows.Err()
}

// levelFloor drops records below a minimum level.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.min}
}
