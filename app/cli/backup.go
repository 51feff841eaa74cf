package cli

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/yimayou/yimayou/app/config"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/store"
)

// backupOptions are the inputs of `yimayou backup`.
type backupOptions struct {
	File         string
	SkipSessions bool
}

// restoreOptions are the inputs of `yimayou restore`.
type restoreOptions struct {
	File string
}

// migrateOptions are the inputs of `yimayou migrate`.
type migrateOptions struct {
	To       string // mongodb:// URI of the target
	Database string // database name in the target; "" = the current one
	Archive  string // keep the archive here; "" = a temporary file
}

func backupCommand(env Env) *cobra.Command {
	var o backupOptions
	cmd := &cobra.Command{
		Use:   "backup [--no-sessions] FILE",
		Short: "save every collection, media file and unshipped event to a ZIP archive",
		Long: `Save every collection, media file and the events this node has not yet
shipped to FILE, a ZIP archive (format documented in the README under
Backups), while serve runs or not. The archive is written under a temporary
name and renamed, and only its owner can read it.`,
		Example: "  yimayou backup /srv/backups/yimayou-$(date +%F).zip\n  yimayou backup --no-sessions nightly.zip",
		Args:    exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return backup(cmd.Context(), env, o)
		},
	}
	cmd.Flags().BoolVar(&o.SkipSessions, "no-sessions", false, "leave login sessions out (everyone logs in again after a restore)")
	return cmd
}

func restoreCommand(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "load a backup into an empty database",
		Long: `Load a backup into the configured database (embedded, or MONGODB_URI),
which must be empty. Every entry's count and checksum are checked before
anything is written; an archive of a newer format or schema is refused.`,
		Example: "  YIMAYOU_DATA_DIR=/srv/yimayou-new yimayou restore yimayou-2026-11-30.zip",
		Args:    exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return restore(cmd.Context(), env, restoreOptions{File: args[0]})
		},
	}
}

func migrateCommand(env Env) *cobra.Command {
	var o migrateOptions
	cmd := &cobra.Command{
		Use:   "migrate --to mongodb://… [--to-database NAME] [--archive FILE]",
		Short: "copy the database into an empty MongoDB, checking every count",
		Long: `Copy the current database (a backup, then a restore) into an empty target
MongoDB and check every collection's count; see "Moving to a MongoDB
replica set" in the README for the steps around it.`,
		Example: "  yimayou migrate --to 'mongodb://db1,db2,db3/?replicaSet=rs0'\n  yimayou migrate --to mongodb://db1/?replicaSet=rs0 --archive before-move.zip",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !strings.HasPrefix(o.To, "mongodb://") && !strings.HasPrefix(o.To, "mongodb+srv://") {
				return usageErr("--to %q: want a mongodb:// or mongodb+srv:// URI", o.To)
			}
			return migrate(cmd.Context(), env, o)
		},
	}
	cmd.Flags().StringVar(&o.To, "to", "", "mongodb:// URI of the target MongoDB (required)")
	cmd.Flags().StringVar(&o.Database, "to-database", "", "database name in the target (default: the current one)")
	cmd.Flags().StringVar(&o.Archive, "archive", "", "keep the archive made on the way in this file")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// openForBackup opens the configured database without migrating it: a
// backup copies what is there.
func openForBackup(ctx context.Context, env Env) (config.Config, *database, error) {
	cfg, err := config.Load(nil, env.Getenv, env.Stderr)
	if err != nil {
		return cfg, nil, err
	}
	log := newLogger(env.Stderr, slog.LevelWarn, cfg.LogJSON)
	db, err := openDatabase(ctx, cfg, log, false)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, db, nil
}

func backup(ctx context.Context, env Env, opt backupOptions) error {
	cfg, db, err := openForBackup(ctx, env)
	if err != nil {
		return err
	}
	defer db.close(context.Background())
	start := time.Now()
	m, err := writeBackup(ctx, env, cfg, db.Store, opt)
	if err != nil {
		return err
	}
	st, err := os.Stat(opt.File)
	if err != nil {
		return err
	}
	var docs int64
	for _, c := range m.Collections {
		docs += c.Count
	}
	unshipped := int64(0)
	if m.EventLog != nil {
		unshipped = m.EventLog.Count
	}
	fmt.Fprintf(env.Stdout, "backup of database %q written to %s: %d collections, %d documents, %d unshipped events, %s in %s\n",
		m.Database, opt.File, len(m.Collections), docs, unshipped, byteSize(st.Size()), time.Since(start).Round(time.Millisecond))
	return nil
}

// writeBackup writes the archive to a temporary file beside opt.File and
// renames it into place once complete and synced, so a failed backup
// never leaves a half archive under the name.
func writeBackup(ctx context.Context, env Env, cfg config.Config, st *store.Store, opt backupOptions) (store.BackupManifest, error) {
	var m store.BackupManifest
	stored, err := st.SchemaVersionStored(ctx)
	if err != nil {
		return m, err
	}
	if stored > store.SchemaVersion() {
		return m, fmt.Errorf("the database's schema %d is newer than this binary's %d: back it up with the newer yimayou", stored, store.SchemaVersion())
	}
	// The log is read before the database (store.Backup's dumpOrder
	// says why).
	snap, err := events.SnapshotUnshipped(filepath.Join(cfg.DataDir, "events"))
	if err != nil {
		return m, err
	}
	dir := filepath.Dir(opt.File)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(opt.File)+".tmp*")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp.Name())
	bar := newProgress(env, "backing up", -1)
	m, err = st.Backup(ctx, tmp, store.BackupOptions{AppVersion: version(), SkipSessions: opt.SkipSessions,
		EventLog: snap, Progress: bar.Update64})
	bar.Finish()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return m, err
	}
	if err := os.Rename(tmp.Name(), opt.File); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

func restore(ctx context.Context, env Env, opt restoreOptions) error {
	zr, m, err := openArchive(env, opt.File)
	if err != nil {
		return err
	}
	defer zr.Close()
	_, db, err := openForBackup(ctx, env)
	if err != nil {
		return err
	}
	defer db.close(context.Background())
	start := time.Now()
	res, replayed, err := restoreInto(ctx, env, &zr.Reader, m, db.Store)
	if err != nil {
		return err
	}
	if err := db.ensureIDIndexes(ctx); err != nil {
		return err
	}
	reportCounts(env.Stdout, res, replayed, nil)
	fmt.Fprintf(env.Stdout, "restored %s (made %s by yimayou %s) into database %q in %s\n",
		opt.File, m.Started.Format(time.RFC3339), m.AppVersion, db.DatabaseName(), time.Since(start).Round(time.Millisecond))
	return nil
}

// openArchive opens a backup and checks its manifest and every entry's
// checksum before anything is written.
func openArchive(env Env, file string) (*zip.ReadCloser, store.BackupManifest, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, store.BackupManifest{}, fmt.Errorf("%s: %w (not a yimayou backup?)", file, err)
	}
	m, err := store.ReadBackupManifest(&zr.Reader)
	if err == nil {
		bar := newProgress(env, "checking archive", -1)
		err = store.VerifyBackup(&zr.Reader, m, bar.Update64)
		bar.Finish()
	}
	if err != nil {
		zr.Close()
		return nil, m, fmt.Errorf("%s: %w", file, err)
	}
	return zr, m, nil
}

// restoreInto loads a checked archive into an empty database and replays
// the events the node had not shipped. It returns the replay's new
// events.
func restoreInto(ctx context.Context, env Env, zr *zip.Reader, m store.BackupManifest, st *store.Store) (store.RestoreResult, int, error) {
	bar := newProgress(env, "restoring", -1)
	res, err := st.Restore(ctx, zr, m, store.RestoreOptions{Progress: bar.Update64})
	bar.Finish()
	if err != nil {
		return res, 0, err
	}
	if len(res.Replay) == 0 {
		return res, 0, nil
	}
	rbar := newProgress(env, "storing unshipped events", -1)
	n, err := events.Replay(ctx, st, res.Node, res.Replay, rbar.Update)
	rbar.Finish()
	if err != nil {
		return res, n, err
	}
	// The replay adds to the event partitions and rollups: report what
	// they hold now.
	names, err := st.CollectionNames(ctx)
	if err != nil {
		return res, n, err
	}
	for _, c := range names {
		if strings.HasPrefix(c, "events_") || strings.HasPrefix(c, "rollup") {
			if res.Counts[c], err = st.CountCollection(ctx, c); err != nil {
				return res, n, err
			}
		}
	}
	return res, n, nil
}

func migrate(ctx context.Context, env Env, opt migrateOptions) error {
	cfg, src, err := openForBackup(ctx, env)
	if err != nil {
		return err
	}
	defer src.close(context.Background())
	if opt.Database == "" {
		opt.Database = cfg.Database
	}
	if opt.To == src.uri && opt.Database == src.DatabaseName() {
		return usageErr("--to names the database being copied; choose another server or --to-database")
	}
	dst, err := store.Open(ctx, store.Options{URI: opt.To, Database: opt.Database})
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer dst.Close(context.Background())
	if full, err := dst.Emptiness(ctx); err != nil {
		return fmt.Errorf("target: %w", err)
	} else if len(full) > 0 {
		return fmt.Errorf("target database %q is not empty (%d collections hold documents): migrate only into a new database", opt.Database, len(full))
	}

	start := time.Now()
	file := opt.Archive
	if file == "" {
		f, err := os.CreateTemp("", "yimayou-migrate-*.zip")
		if err != nil {
			return err
		}
		f.Close()
		file = f.Name()
		defer os.Remove(file)
	}
	if _, err := writeBackup(ctx, env, cfg, src.Store, backupOptions{File: file}); err != nil {
		return err
	}
	zr, m, err := openArchive(env, file)
	if err != nil {
		return err
	}
	defer zr.Close()
	res, replayed, err := restoreInto(ctx, env, &zr.Reader, m, dst)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	// Count the source again: every collection of the target must hold
	// at least what the source held when the copy was made, and exactly
	// what the archive held.
	srcCounts := map[string]int64{}
	for _, c := range m.Collections {
		if srcCounts[c.Name], err = src.CountCollection(ctx, c.Name); err != nil {
			return err
		}
	}
	reportCounts(env.Stdout, res, replayed, srcCounts)
	fmt.Fprintf(env.Stdout, "copied database %q to %q on the target in %s. Next: stop yimayou, set MONGODB_URI to the target (and YIMAYOU_DB=%s), start it.\n",
		m.Database, opt.Database, time.Since(start).Round(time.Millisecond), opt.Database)
	return nil
}

// reportCounts prints a table of each collection's documents: in the
// archive, in the target, and (for migrate) in the source now.
func reportCounts(w io.Writer, res store.RestoreResult, replayed int, source map[string]int64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if source != nil {
		fmt.Fprintln(tw, "collection\tarchive\ttarget\tsource now\t")
	} else {
		fmt.Fprintln(tw, "collection\tarchive\trestored\t")
	}
	cols := append([]store.BackupCollection(nil), res.Manifest.Collections...)
	for name := range res.Counts {
		if !slices.ContainsFunc(cols, func(c store.BackupCollection) bool { return c.Name == name }) {
			cols = append(cols, store.BackupCollection{Name: name}) // a partition made by the replay
		}
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].Name < cols[j].Name })
	for _, c := range cols {
		if source != nil {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", c.Name, c.Count, res.Counts[c.Name], source[c.Name])
		} else {
			fmt.Fprintf(tw, "%s\t%d\t%d\t\n", c.Name, c.Count, res.Counts[c.Name])
		}
	}
	tw.Flush()
	if el := res.Manifest.EventLog; el != nil {
		fmt.Fprintf(w, "unshipped events of node %s: %d in the archive, %d replayed, %d of them new in the database "+
			"(the event partitions and rollups above include them)\n", el.Node, el.Count, len(res.Replay), replayed)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
