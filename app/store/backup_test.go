package store_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func backupBytes(t *testing.T, s *store.Store, opt store.BackupOptions) ([]byte, store.BackupManifest) {
	t.Helper()
	var buf bytes.Buffer
	m, err := s.Backup(context.Background(), &buf, opt)
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	return buf.Bytes(), m
}

func openZip(t *testing.T, b []byte) *zip.Reader {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

func restoreBytes(s *store.Store, b []byte) (store.RestoreResult, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return store.RestoreResult{}, err
	}
	m, err := store.ReadBackupManifest(zr)
	if err != nil {
		return store.RestoreResult{}, err
	}
	if err := store.VerifyBackup(zr, m, nil); err != nil {
		return store.RestoreResult{}, err
	}
	return s.Restore(context.Background(), zr, m, store.RestoreOptions{})
}

// sameDatabases checks that two databases hold the same collections with
// the same documents, byte for byte.
func sameDatabases(t *testing.T, a, b *store.Store, skip ...string) {
	t.Helper()
	ctx := context.Background()
	an, err := a.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bn, _ := b.CollectionNames(ctx)
	if strings.Join(an, ",") != strings.Join(bn, ",") {
		t.Errorf("collections differ:\n %v\n %v", an, bn)
	}
	for _, c := range an {
		if c == "meta" || contains(skip, c) {
			continue
		}
		ad, err := a.SampleDocuments(ctx, c, 100000)
		if err != nil {
			t.Fatal(err)
		}
		bd, err := b.SampleDocuments(ctx, c, 100000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ad) != len(bd) {
			t.Errorf("%s: %d documents, restored %d", c, len(ad), len(bd))
		}
		for id, doc := range ad {
			if !bytes.Equal(doc, bd[id]) {
				t.Errorf("%s %s: restored %s, want %s", c, id, bson.Raw(bd[id]), bson.Raw(doc))
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Every BSON type the app stores comes back exactly: the archive holds
// the server's raw BSON, never a JSON round trip.
func TestBackupRestoreKeepsEveryDocumentExactly(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	seedStore(t, src)
	oid := bson.NewObjectID()
	when := time.Date(2026, 11, 30, 8, 1, 2, 345_000_000, time.UTC)
	types := bson.D{{Key: "_id", Value: oid}, {Key: "date", Value: bson.NewDateTimeFromTime(when)},
		{Key: "i64", Value: int64(1) << 40}, {Key: "i32", Value: int32(7)}, {Key: "f", Value: 2.5},
		{Key: "bin", Value: bson.Binary{Subtype: 0, Data: []byte{0, 1, 2, 255}}}, {Key: "null", Value: nil},
		{Key: "arr", Value: bson.A{"a", int64(2), bson.D{{Key: "x", Value: true}}}},
		{Key: "doc", Value: bson.D{{Key: "z", Value: "last"}, {Key: "a", Value: "first"}}}}
	if _, err := src.Collection("audit").InsertOne(ctx, types); err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte{0xff, 0xd8, 0x00, 0x42}, 50_000)
	if err := src.PutMedia(ctx, store.Media{Name: "p-abc.jpg", Type: "image/jpeg", Data: photo}); err != nil {
		t.Fatal(err)
	}
	evs := []domain.Event{event("e1", "2026-10-31", domain.EventScan), event("e2", "2026-11-01", domain.EventScan)}
	insert(t, src, evs)

	archive, m := backupBytes(t, src, store.BackupOptions{AppVersion: "test"})
	if m.Format != store.BackupFormat || m.Schema != store.SchemaVersion() || len(m.Collections) < 10 {
		t.Fatalf("manifest %+v", m)
	}
	dst := storetest.New(t) // migrated, yet holding nothing but its schema marker
	if err := dst.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := restoreBytes(dst, archive)
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	for _, c := range m.Collections {
		if c.Name != "meta" && res.Counts[c.Name] != c.Count {
			t.Errorf("%s: %d restored of %d", c.Name, res.Counts[c.Name], c.Count)
		}
	}
	sameDatabases(t, src, dst)
	got, err := dst.MediaFile(ctx, "p-abc.jpg")
	if err != nil || !bytes.Equal(got.Data, photo) {
		t.Errorf("media after restore: %d bytes, %v", len(got.Data), err)
	}
	if v, _ := dst.SchemaVersionStored(ctx); v != store.SchemaVersion() {
		t.Errorf("schema after restore %d", v)
	}
	// Restored partitions have their indexes.
	eventsShape := store.QueryShape{Sort: bson.D{{Key: "t", Value: 1}, {Key: "_id", Value: 1}}}
	for _, p := range []string{"events_202610", "events_202611"} {
		ok := false
		for _, k := range indexKeys(t, dst, p) {
			ok = ok || serves(k, eventsShape)
		}
		if !ok {
			t.Errorf("%s restored without its index: %v", p, indexKeys(t, dst, p))
		}
	}

	// A second restore into the same database is refused, and says why.
	_, err = restoreBytes(dst, archive)
	if !errors.Is(err, store.ErrNotEmpty) || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("restore into a full database: %v", err)
	}
}

// A restore refuses archives from a newer binary, damaged archives and
// files that are not archives, before writing anything.
func TestRestoreRefusesNewerAndDamagedArchives(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	seedStore(t, src)
	archive, _ := backupBytes(t, src, store.BackupOptions{AppVersion: "test"})

	rewrite := func(change func(name string, data []byte) []byte) []byte {
		zr := openZip(t, archive)
		var out bytes.Buffer
		zw := zip.NewWriter(&out)
		for _, f := range zr.File {
			r, _ := f.Open()
			data, _ := io.ReadAll(r)
			r.Close()
			w, _ := zw.Create(f.Name)
			_, _ = w.Write(change(f.Name, data))
		}
		_ = zw.Close()
		return out.Bytes()
	}
	setManifest := func(field string, v any) []byte {
		return rewrite(func(name string, data []byte) []byte {
			if name != "manifest.json" {
				return data
			}
			var m map[string]any
			_ = json.Unmarshal(data, &m)
			m[field] = v
			b, _ := json.Marshal(m)
			return b
		})
	}
	cases := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"newer format", setManifest("format", store.BackupFormat+1), "newer than this binary's format"},
		{"newer schema", setManifest("schema", store.SchemaVersion()+1), "schema"},
		{"other app", setManifest("app", "otherapp"), "not yimayou"},
		{"damaged collection", rewrite(func(name string, data []byte) []byte {
			if name == "collections/sites.bson" {
				data[len(data)-2] ^= 0x01
			}
			return data
		}), "damaged"},
		{"not a zip", []byte("hello"), "zip"},
	}
	for _, tc := range cases {
		dst := storetest.NewUnmigrated(t)
		_, err := restoreBytes(dst, tc.archive)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tc.name, err, tc.want)
		}
		if full, _ := dst.Emptiness(ctx); len(full) != 0 {
			t.Errorf("%s: the refused restore wrote %v", tc.name, full)
		}
	}
}

// Events a node had not shipped come back for the replay, together with
// the node's raw events stored after the archived log ends (their rollups
// may be missing from the archive).
func TestRestoreReturnsUnshippedEventsAndTail(t *testing.T) {
	src := storetest.New(t)
	mk := func(id string, seq uint64) domain.Event {
		e := event(id, "2026-11-20", domain.EventScan)
		e.Node, e.Seq = "n1", seq
		return e
	}
	// Stored: 1..3 (shipped), 5 (shipped after the log was read), and
	// another node's 9.
	other := mk("o9", 9)
	other.Node = "n2"
	insert(t, src, []domain.Event{mk("a1", 1), mk("a2", 2), mk("a3", 3), mk("a5", 5), other})
	snap := &store.EventLogSnapshot{Node: "n1", ShippedMark: 2, LastSeq: 4,
		Events: []domain.Event{mk("a3", 3), mk("a4", 4)}}
	archive, m := backupBytes(t, src, store.BackupOptions{EventLog: snap})
	if m.EventLog == nil || m.EventLog.Count != 2 || m.EventLog.LastSeq != 4 {
		t.Fatalf("manifest event log %+v", m.EventLog)
	}
	res, err := restoreBytes(storetest.NewUnmigrated(t), archive)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range res.Replay {
		ids = append(ids, e.ID)
	}
	if res.Node != "n1" || strings.Join(ids, ",") != "a3,a4,a5" {
		t.Errorf("replay of node %q: %v, want a3,a4,a5", res.Node, ids)
	}
}

// seedStore writes a little of everything through the store's own API.
func seedStore(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	seed(t, s)
	if err := s.PutSign(ctx, sign(domain.NewCode(), "hailuogou", luding)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateSession(ctx, "zhuoma", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateAPIToken(ctx, "zhuoma", "ci", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, domain.User{Username: "zhuoma", PasswordHash: "x", Role: domain.RoleEditor, Counties: []string{luding}}); err != nil {
		t.Fatal(err)
	}
}

// An archive of an older schema is restored into that schema, then
// migrated to this binary's.
func TestRestoreMigratesAnOlderArchive(t *testing.T) {
	ctx := context.Background()
	src := storetest.NewUnmigrated(t)
	old := store.SchemaVersion() - 1
	if _, err := src.MigrateTo(ctx, old); err != nil {
		t.Fatal(err)
	}
	seed(t, src)
	archive, m := backupBytes(t, src, store.BackupOptions{})
	if m.Schema != old {
		t.Fatalf("archive schema %d, want %d", m.Schema, old)
	}
	dst := storetest.NewUnmigrated(t)
	if _, err := restoreBytes(dst, archive); err != nil {
		t.Fatal(err)
	}
	if v, _ := dst.SchemaVersionStored(ctx); v != store.SchemaVersion() {
		t.Errorf("schema after restore %d, want %d", v, store.SchemaVersion())
	}
	sites, err := dst.Sites(ctx, "")
	if err != nil || len(sites) != 2 {
		t.Errorf("sites after restore: %d, %v", len(sites), err)
	}
}
