package store

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/yimayou/yimayou/app/domain"
)

// A backup archive is a ZIP file (the format is described in README.md,
// "Backups"):
//
//	manifest.json            what is inside, with counts and SHA-256 sums
//	collections/NAME.bson    every document of one collection, as the raw
//	                         BSON the server returned, one after another
//	                         (the layout of mongodump's .bson files)
//	eventlog.bson            the node's events not yet stored in MongoDB,
//	                         as event documents with their node and seq
//
// Documents are copied as raw BSON, never through JSON or Go structs, so
// dates, int64, binary data and ObjectIDs come back exactly.

// BackupFormat is the version of the archive layout this binary writes.
// Restore refuses a newer one. Raise it when an older binary could
// restore a new archive wrongly.
const BackupFormat = 1

const (
	backupApp        = "yimayou"
	manifestName     = "manifest.json"
	eventLogName     = "eventlog.bson"
	collectionsDir   = "collections/"
	restoreBatchDocs = 1000
	restoreBatchSize = 8 << 20
)

// ErrNotEmpty is returned by Restore when the target database holds data.
var ErrNotEmpty = errors.New("the target database is not empty")

// ErrBackupFormat is returned for an archive this binary cannot restore.
var ErrBackupFormat = errors.New("unsupported backup archive")

// BackupManifest describes an archive.
type BackupManifest struct {
	Format      int                `json:"format"`
	App         string             `json:"app"`
	AppVersion  string             `json:"app_version"`
	Schema      int                `json:"schema"`
	Database    string             `json:"database"`
	Started     time.Time          `json:"started"`
	Finished    time.Time          `json:"finished"`
	Collections []BackupCollection `json:"collections"`
	EventLog    *BackupEventLog    `json:"event_log,omitempty"`
}

// BackupCollection is one collection's entry in the manifest.
type BackupCollection struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Count  int64  `json:"count"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// BackupEventLog describes the unshipped part of a node's event log that
// the archive holds: the events after ShippedMark up to LastSeq.
type BackupEventLog struct {
	Node        string `json:"node"`
	ShippedMark uint64 `json:"shipped_mark"`
	LastSeq     uint64 `json:"last_seq"`
	File        string `json:"file"`
	Count       int64  `json:"count"`
	Bytes       int64  `json:"bytes"`
	SHA256      string `json:"sha256"`
}

// EventLogSnapshot is what Backup saves of a node's local event log. It
// must be taken before Backup starts reading collections (see
// dumpOrder).
type EventLogSnapshot struct {
	Node        string
	ShippedMark uint64
	LastSeq     uint64
	Events      []domain.Event
}

// BackupOptions configure Backup.
type BackupOptions struct {
	AppVersion string
	// SkipSessions leaves login sessions out (everyone logs in again).
	SkipSessions bool
	EventLog     *EventLogSnapshot
	// Progress is called with documents written so far and the expected
	// total (an estimate: the database keeps changing).
	Progress func(done, total int64)
}

// Backup writes every collection of the database, and the event log
// snapshot, to w as a ZIP archive. Each collection is read by one cursor;
// there are no transactions on the embedded server, so collections are
// read one after another in an order chosen so that what changes in
// between errs on the safe side (dumpOrder).
func (s *Store) Backup(ctx context.Context, w io.Writer, opt BackupOptions) (BackupManifest, error) {
	m := BackupManifest{Format: BackupFormat, App: backupApp, AppVersion: opt.AppVersion,
		Database: s.db.Name(), Started: time.Now().UTC().Truncate(time.Second)}
	var err error
	if m.Schema, err = s.schemaVersion(ctx); err != nil {
		return m, err
	}
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return m, fmt.Errorf("store: backup: list collections: %w", err)
	}
	names = dumpOrder(names, opt.SkipSessions)

	var total, done int64
	for _, n := range names {
		c, err := s.col(n).EstimatedDocumentCount(ctx)
		if err != nil {
			return m, wrap(n, err)
		}
		total += c
	}
	if opt.EventLog != nil {
		total += int64(len(opt.EventLog.Events))
	}
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(done, max(total, done))
		}
	}

	zw := zip.NewWriter(w)
	// Backups are mostly event documents; the fastest deflate level
	// halves the time for a few per cent of size.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	if opt.EventLog != nil {
		el := opt.EventLog
		ew, err := newEntry(zw, eventLogName)
		if err != nil {
			return m, err
		}
		for _, e := range el.Events {
			b, err := bson.Marshal(eventToDoc(e))
			if err != nil {
				return m, fmt.Errorf("store: backup: event %s: %w", e.ID, err)
			}
			if err := ew.write(b); err != nil {
				return m, err
			}
			done++
			if done%1000 == 0 {
				progress()
			}
		}
		m.EventLog = &BackupEventLog{Node: el.Node, ShippedMark: el.ShippedMark, LastSeq: el.LastSeq,
			File: eventLogName, Count: ew.count, Bytes: ew.bytes, SHA256: ew.sum()}
	}
	for _, n := range names {
		file := collectionsDir + n + ".bson"
		ew, err := newEntry(zw, file)
		if err != nil {
			return m, err
		}
		cur, err := s.col(n).Find(ctx, bson.D{}, options.Find().SetBatchSize(1000))
		if err != nil {
			return m, wrap(n, err)
		}
		for cur.Next(ctx) {
			if err := ew.write(cur.Current); err != nil {
				cur.Close(ctx)
				return m, err
			}
			done++
			if done%1000 == 0 {
				progress()
			}
		}
		err = cur.Err()
		cur.Close(ctx)
		if err != nil {
			return m, wrap(n, err)
		}
		m.Collections = append(m.Collections, BackupCollection{Name: n, File: file, Count: ew.count, Bytes: ew.bytes, SHA256: ew.sum()})
	}
	progress()
	m.Finished = time.Now().UTC().Truncate(time.Second)
	mw, err := zw.Create(manifestName)
	if err != nil {
		return m, fmt.Errorf("store: backup: %w", err)
	}
	enc := json.NewEncoder(mw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return m, fmt.Errorf("store: backup: manifest: %w", err)
	}
	if err := zw.Close(); err != nil {
		return m, fmt.Errorf("store: backup: %w", err)
	}
	return m, nil
}

// dumpOrder sorts collection names into the order Backup reads them.
// Nothing is read at one instant, so the order decides which way a
// change made during the backup can fall:
//   - reservations and their records before capacity and ID claims: a
//     reservation made meanwhile may have taken its places and claims
//     without being in the archive (a place lost), never the reverse (an
//     oversold day);
//   - rollups before rollup_nodes: a node is registered before its first
//     rollup is written, so every archived rollup has its node;
//   - rollups before raw events: the shipper stores raw events before it
//     raises rollups, so every event counted in an archived rollup is in
//     the archive (Restore's replay adds the rollups of events stored
//     after the rollups were read).
func dumpOrder(names []string, skipSessions bool) []string {
	rank := func(n string) int {
		switch {
		case strings.HasPrefix(n, "system."):
			return -1
		case n == colReservations || n == colTransitions || n == colHolds || n == colPayments ||
			n == colCheckins || n == colDoubleUses:
			return 1
		case strings.HasPrefix(n, colCapacityPrefix) || strings.HasPrefix(n, colIDClaimsPrefix):
			return 2
		case n == colRollups:
			return 3
		case n == colRollupNodes:
			return 4
		case strings.HasPrefix(n, eventsPrefix):
			return 5
		}
		return 0
	}
	var out []string
	for _, n := range names {
		if rank(n) < 0 || skipSessions && n == colSessions {
			continue
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

type entryWriter struct {
	w     io.Writer
	h     hash.Hash
	count int64
	bytes int64
}

func newEntry(zw *zip.Writer, name string) (*entryWriter, error) {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
	if err != nil {
		return nil, fmt.Errorf("store: backup: %s: %w", name, err)
	}
	h := sha256.New()
	return &entryWriter{w: io.MultiWriter(w, h), h: h}, nil
}

func (e *entryWriter) write(doc []byte) error {
	if _, err := e.w.Write(doc); err != nil {
		return fmt.Errorf("store: backup: write: %w", err)
	}
	e.count++
	e.bytes += int64(len(doc))
	return nil
}

func (e *entryWriter) sum() string { return hex.EncodeToString(e.h.Sum(nil)) }

// ReadBackupManifest reads and checks an archive's manifest: it must be a
// yimayou archive of a format and schema this binary knows.
func ReadBackupManifest(zr *zip.Reader) (BackupManifest, error) {
	var m BackupManifest
	f, err := zr.Open(manifestName)
	if err != nil {
		return m, fmt.Errorf("%w: no %s (not a yimayou backup?)", ErrBackupFormat, manifestName)
	}
	defer f.Close()
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		return m, fmt.Errorf("%w: %s: %v", ErrBackupFormat, manifestName, err)
	}
	if m.App != backupApp {
		return m, fmt.Errorf("%w: made by %q, not yimayou", ErrBackupFormat, m.App)
	}
	if m.Format > BackupFormat {
		return m, fmt.Errorf("%w: archive format %d (made by yimayou %s) is newer than this binary's format %d: restore it with a newer yimayou",
			ErrBackupFormat, m.Format, m.AppVersion, BackupFormat)
	}
	if m.Format < 1 {
		return m, fmt.Errorf("%w: archive format %d", ErrBackupFormat, m.Format)
	}
	if m.Schema > SchemaVersion() {
		return m, fmt.Errorf("%w: the archive's database schema %d is newer than this binary's %d: restore it with a newer yimayou (%w)",
			ErrBackupFormat, m.Schema, SchemaVersion(), domain.ErrSchemaTooNew)
	}
	return m, nil
}

// VerifyBackup reads every entry of the archive and checks its count and
// SHA-256 against the manifest, before anything is written anywhere.
func VerifyBackup(zr *zip.Reader, m BackupManifest, progress func(done, total int64)) error {
	var total, done int64
	for _, c := range m.Collections {
		total += c.Bytes
	}
	if m.EventLog != nil {
		total += m.EventLog.Bytes
	}
	check := func(file, want string, count int64) error {
		n, sum, err := readEntry(zr, file, func([]byte) error { return nil }, func(b int64) {
			if progress != nil {
				progress(done+b, total)
			}
		})
		if err != nil {
			return err
		}
		done += n.bytes
		if sum != want || n.count != count {
			return fmt.Errorf("%w: %s is damaged (%d documents, sha256 %s; the manifest says %d, %s)",
				ErrBackupFormat, file, n.count, sum, count, want)
		}
		return nil
	}
	for _, c := range m.Collections {
		if !strings.HasPrefix(c.File, collectionsDir) || strings.Contains(c.File, "..") {
			return fmt.Errorf("%w: bad entry name %q", ErrBackupFormat, c.File)
		}
		if err := check(c.File, c.SHA256, c.Count); err != nil {
			return err
		}
	}
	if m.EventLog != nil {
		if err := check(m.EventLog.File, m.EventLog.SHA256, m.EventLog.Count); err != nil {
			return err
		}
	}
	return nil
}

type entryStats struct{ count, bytes int64 }

// readEntry calls fn for each BSON document of one archive entry and
// returns the entry's counts and SHA-256.
func readEntry(zr *zip.Reader, name string, fn func(doc []byte) error, read func(bytes int64)) (entryStats, string, error) {
	var st entryStats
	f, err := zr.Open(name)
	if err != nil {
		return st, "", fmt.Errorf("%w: %s: %v", ErrBackupFormat, name, err)
	}
	defer f.Close()
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(f, h), 256<<10)
	var lenBuf [4]byte
	for {
		if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
			if err == io.EOF {
				break
			}
			return st, "", fmt.Errorf("%w: %s: %v", ErrBackupFormat, name, err)
		}
		n := int64(binary.LittleEndian.Uint32(lenBuf[:]))
		if n < 5 || n > 48<<20 {
			return st, "", fmt.Errorf("%w: %s: document %d claims %d bytes", ErrBackupFormat, name, st.count, n)
		}
		doc := make([]byte, n)
		copy(doc, lenBuf[:])
		if _, err := io.ReadFull(r, doc[4:]); err != nil {
			return st, "", fmt.Errorf("%w: %s: document %d: %v", ErrBackupFormat, name, st.count, err)
		}
		if err := bson.Raw(doc).Validate(); err != nil {
			return st, "", fmt.Errorf("%w: %s: document %d: %v", ErrBackupFormat, name, st.count, err)
		}
		st.count++
		st.bytes += n
		if err := fn(doc); err != nil {
			return st, "", err
		}
		if read != nil && st.count%1000 == 0 {
			read(st.bytes)
		}
	}
	return st, hex.EncodeToString(h.Sum(nil)), nil
}

// Emptiness reports the collections of the database that hold documents
// (name → count); an empty map means the database is empty.
func (s *Store) Emptiness(ctx context.Context) (map[string]int64, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("store: list collections: %w", err)
	}
	out := map[string]int64{}
	for _, n := range names {
		if strings.HasPrefix(n, "system.") {
			continue
		}
		c, err := s.col(n).CountDocuments(ctx, bson.D{}, options.Count().SetLimit(1))
		if err != nil {
			return nil, wrap(n, err)
		}
		if c > 0 {
			if c, err = s.col(n).EstimatedDocumentCount(ctx); err != nil {
				return nil, wrap(n, err)
			}
			out[n] = c
		}
	}
	return out, nil
}

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Progress is called with documents restored so far and the total.
	Progress func(done, total int64)
}

// RestoreResult is what Restore did.
type RestoreResult struct {
	Manifest BackupManifest
	// Counts holds each collection's document count in the target after
	// the restore; Restore fails unless it equals the manifest's.
	Counts map[string]int64
	// Replay holds the events the node had not finished storing when the
	// backup was made, in sequence order: the archived unshipped log, and
	// raw events of that node stored after the archive's rollups were
	// read. The caller hands them to events.Replay, which stores them and
	// raises the rollups exactly once.
	Replay []domain.Event
	Node   string
}

// Restore loads a verified archive (ReadBackupManifest, VerifyBackup)
// into this database, which must be empty. It migrates the database to
// the archive's schema, loads every collection, checks every collection's
// count, and migrates to this binary's schema.
func (s *Store) Restore(ctx context.Context, zr *zip.Reader, m BackupManifest, opt RestoreOptions) (RestoreResult, error) {
	res := RestoreResult{Manifest: m, Counts: map[string]int64{}}
	full, err := s.Emptiness(ctx)
	if err != nil {
		return res, err
	}
	if len(full) > 0 {
		var parts []string
		for n, c := range full {
			parts = append(parts, fmt.Sprintf("%s (%d)", n, c))
		}
		sort.Strings(parts)
		if len(parts) > 5 {
			parts = append(parts[:5], fmt.Sprintf("and %d more", len(parts)-5))
		}
		return res, fmt.Errorf("%w: database %q holds documents in %s; restore only into a new, empty database (choose another YIMAYOU_DATABASE or data dir, or drop this one first)",
			ErrNotEmpty, s.db.Name(), strings.Join(parts, ", "))
	}
	if _, err := s.migrateTo(ctx, m.Schema); err != nil {
		return res, err
	}
	var total, done int64
	for _, c := range m.Collections {
		total += c.Count
	}
	if m.EventLog != nil {
		total += m.EventLog.Count
	}
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(done, total)
		}
	}

	var tail []domain.Event
	for _, c := range m.Collections {
		// Building a partition's index after loading it was no faster on
		// the embedded server (200k events: 174 s against 132 s keeping
		// it while inserting, one noisy run each), so it is made first,
		// as at run time.
		if err := s.ensurePartition(ctx, c.Name); err != nil {
			return res, err
		}
		isEvents := strings.HasPrefix(c.Name, eventsPrefix)
		ins := &restoreInserter{s: s, col: c.Name}
		_, _, err := readEntry(zr, c.File, func(doc []byte) error {
			raw := bson.Raw(doc)
			if c.Name == colMeta {
				if id, ok := raw.Lookup("_id").StringValueOK(); ok && id == "schema" {
					return nil // written by the migrations, to the archive's version
				}
			}
			if isEvents && m.EventLog != nil {
				if e, ok := tailEvent(raw, m.EventLog); ok {
					tail = append(tail, e)
				}
			}
			done++
			if done%1000 == 0 {
				progress()
			}
			return ins.add(ctx, raw)
		}, nil)
		if err != nil {
			return res, err
		}
		if err := ins.flush(ctx); err != nil {
			return res, err
		}
	}
	if m.EventLog != nil {
		res.Node = m.EventLog.Node
		_, _, err := readEntry(zr, m.EventLog.File, func(doc []byte) error {
			var d eventDoc
			if err := bson.Unmarshal(doc, &d); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrBackupFormat, m.EventLog.File, err)
			}
			res.Replay = append(res.Replay, d.domain())
			done++
			if done%1000 == 0 {
				progress()
			}
			return nil
		}, nil)
		if err != nil {
			return res, err
		}
		res.Replay = mergeReplay(res.Replay, tail)
	}
	progress()
	// Counted before migrating further: a later migration may add
	// documents of its own.
	var bad []string
	for _, c := range m.Collections {
		n, err := s.col(c.Name).CountDocuments(ctx, bson.D{})
		if err != nil {
			return res, wrap(c.Name, err)
		}
		res.Counts[c.Name] = n
		want := c.Count
		if c.Name == colMeta {
			// The schema document is the binary's, not the archive's.
			want, n = -1, -1
		}
		if n != want {
			bad = append(bad, fmt.Sprintf("%s: %d of %d", c.Name, n, want))
		}
	}
	if len(bad) > 0 {
		return res, fmt.Errorf("store: restore: counts differ from the archive: %s", strings.Join(bad, "; "))
	}
	if _, err := s.Migrate(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// tailEvent reports whether a raw event document belongs to the archived
// node and lies past its archived log, and decodes it.
func tailEvent(raw bson.Raw, el *BackupEventLog) (domain.Event, bool) {
	node, _ := raw.Lookup("node").StringValueOK()
	if node != el.Node {
		return domain.Event{}, false
	}
	seq, ok := raw.Lookup("seq").AsInt64OK()
	if !ok || uint64(seq) <= el.LastSeq {
		return domain.Event{}, false
	}
	var d eventDoc
	if err := bson.Unmarshal(raw, &d); err != nil {
		return domain.Event{}, false
	}
	return d.domain(), true
}

// mergeReplay joins the archived log and the tail in sequence order,
// each event once.
func mergeReplay(log, tail []domain.Event) []domain.Event {
	all := append(log, tail...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	seen := make(map[string]bool, len(all))
	out := all[:0]
	for _, e := range all {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	return out
}

// restoreInserter inserts raw documents in batches. A document whose _id
// a migration already wrote (a default setting, say) is replaced by the
// archive's: the archive wins.
type restoreInserter struct {
	s     *Store
	col   string
	docs  []any
	bytes int
}

func (r *restoreInserter) add(ctx context.Context, doc bson.Raw) error {
	r.docs = append(r.docs, doc)
	r.bytes += len(doc)
	if len(r.docs) >= restoreBatchDocs || r.bytes >= restoreBatchSize {
		return r.flush(ctx)
	}
	return nil
}

func (r *restoreInserter) flush(ctx context.Context) error {
	if len(r.docs) == 0 {
		return nil
	}
	docs := r.docs
	r.docs, r.bytes = nil, 0
	_, err := r.s.col(r.col).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return wrap(r.col, err)
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 || we.Index < 0 || we.Index >= len(docs) {
			return wrap(r.col, err)
		}
		doc := docs[we.Index].(bson.Raw)
		_, err := r.s.col(r.col).ReplaceOne(ctx, byID(doc.Lookup("_id")), doc, options.Replace().SetUpsert(true))
		if err != nil {
			return wrap(r.col, err)
		}
	}
	return nil
}

// CountCollection counts the documents of one collection.
func (s *Store) CountCollection(ctx context.Context, name string) (int64, error) {
	n, err := s.col(name).CountDocuments(ctx, bson.D{})
	return n, wrap(name, err)
}

// CollectionNames lists the database's collections, sorted.
func (s *Store) CollectionNames(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("store: list collections: %w", err)
	}
	sort.Strings(names)
	return names, nil
}

// SampleDocuments returns the first n documents of a collection in _id
// order, as raw BSON keyed by the _id's extended-JSON form, for checking
// that two databases hold the same documents byte for byte.
func (s *Store) SampleDocuments(ctx context.Context, name string, n int) (map[string][]byte, error) {
	cur, err := s.col(name).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(n)))
	if err != nil {
		return nil, wrap(name, err)
	}
	defer cur.Close(ctx)
	out := map[string][]byte{}
	for cur.Next(ctx) {
		out[cur.Current.Lookup("_id").String()] = append([]byte(nil), cur.Current...)
	}
	return out, wrap(name, cur.Err())
}
