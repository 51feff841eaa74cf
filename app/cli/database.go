package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
)

// addrFile is where a serving node leaves the embedded server's address, so
// other commands on the same data dir talk to it instead of opening the
// same SQLite files in a second server.
const addrFile = "embedded.addr"

// database is an open store and, in embedded mode, the server behind it.
type database struct {
	*store.Store
	server *embedded.Server // nil with MONGODB_URI or when reusing a running server
	uri    string
	owner  bool // this process started the server and wrote addrFile
	dir    string
	lock   *dataLock // held when a command (not serve, which holds its own) started the server
}

// openDatabase connects to MONGODB_URI, or to the embedded server of the
// data dir: the one a running `serve` started, or a new one.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger, serving bool) (*database, error) {
	if !cfg.Embedded() {
		s, err := store.Open(ctx, store.Options{URI: cfg.MongoURI, Database: cfg.Database})
		if err != nil {
			return nil, err
		}
		return &database{Store: s, uri: cfg.MongoURI}, nil
	}
	dbDir := filepath.Join(cfg.DataDir, "db")
	if !serving {
		if uri := runningServer(ctx, cfg, dbDir); uri != "" {
			s, err := store.Open(ctx, store.Options{URI: uri, Database: cfg.Database, SingleConnection: true, Timeout: 3 * time.Second})
			if err == nil {
				return &database{Store: s, uri: uri}, nil
			}
		}
	}
	// serve holds the data dir's lock already; a command takes it before
	// it opens the files.
	var lock *dataLock
	if !serving {
		var err error
		if lock, err = lockDataDir(cfg.DataDir, "command"); err != nil {
			return nil, err
		}
	}
	srv, err := embedded.Start(ctx, embedded.Options{Dir: dbDir, Addr: cfg.EmbeddedDBAddr, Logger: log})
	if err != nil {
		lock.release()
		return nil, err
	}
	s, err := store.Open(ctx, store.Options{URI: srv.URI(), Database: cfg.Database, SingleConnection: true})
	if err != nil {
		srv.Stop()
		lock.release()
		return nil, err
	}
	d := &database{Store: s, server: srv, uri: srv.URI(), dir: dbDir, lock: lock}
	if serving {
		if err := os.WriteFile(filepath.Join(dbDir, addrFile), []byte(srv.URI()+"\n"), 0o600); err != nil {
			d.close(context.Background())
			return nil, fmt.Errorf("embedded: %w", err)
		}
		d.owner = true
	}
	return d, nil
}

func runningServer(ctx context.Context, cfg config.Config, dbDir string) string {
	b, err := os.ReadFile(filepath.Join(dbDir, addrFile))
	if err != nil {
		return ""
	}
	uri := strings.TrimSpace(string(b))
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := store.Open(pctx, store.Options{URI: uri, Database: cfg.Database, SingleConnection: true, Timeout: 2 * time.Second})
	if err != nil {
		return ""
	}
	_ = s.Close(ctx)
	return uri
}

// ensureIDIndexes applies the embedded server's _id index fix at once
// (it also runs in the background for collections made later).
func (d *database) ensureIDIndexes(ctx context.Context) error {
	if d.server == nil {
		return nil
	}
	return d.server.EnsureIDIndexes(ctx)
}

// close disconnects, then stops the embedded server: the order STYLE.md
// asks for at shutdown.
func (d *database) close(ctx context.Context) {
	_ = d.Store.Close(ctx)
	if d.server != nil {
		if d.owner {
			removeOwnAddrFile(filepath.Join(d.dir, addrFile), d.uri)
		}
		d.server.Stop()
	}
	d.lock.release()
}

// removeOwnAddrFile removes the address file only if it still names this
// process's server: it is the live server's pointer for other commands.
func removeOwnAddrFile(path, uri string) {
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == uri {
		_ = os.Remove(path)
	}
}
