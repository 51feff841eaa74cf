package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// startServe runs `serve` on data until the returned stop is called, and
// returns its base URL and the banner's example scan URL.
func startServe(t *testing.T, data string) (base, scan string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	env, out, errb := testEnv(data, "", nil)
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"serve"}) }()
	deadline := time.Now().Add(60 * time.Second)
	for base == "" || scan == "" {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner; stdout %q stderr %q", out.String(), errb.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early: %s", code, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		if m := urlRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if m := scanRe.FindStringSubmatch(out.String()); m != nil {
			scan = m[1]
		}
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exit %d: %s", code, errb.String())
			}
		case <-time.After(60 * time.Second):
			t.Error("serve did not stop")
		}
	}
	t.Cleanup(stop)
	return base, scan, stop
}

// openData opens the database of a stopped data dir; close it before
// anything else opens the same files.
func openData(t *testing.T, data string) (*store.Store, func()) {
	t.Helper()
	srv, err := embedded.Start(context.Background(), embedded.Options{Dir: filepath.Join(data, "db")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{URI: srv.URI(), Database: "yimayou", SingleConnection: true})
	if err != nil {
		srv.Stop()
		t.Fatal(err)
	}
	closed := false
	closeFn := func() {
		if !closed {
			closed = true
			_ = st.Close(context.Background())
			srv.Stop()
		}
	}
	t.Cleanup(closeFn)
	return st, closeFn
}

// liveStore talks to the embedded server of a running serve.
func liveStore(t *testing.T, data string) *store.Store {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "db", addrFile))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), store.Options{URI: strings.TrimSpace(string(b)), Database: "yimayou", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	return st
}

// scanLoad GETs url from a few clients until stop is closed and counts the
// scans answered with 200.
func scanLoad(url string, stop <-chan struct{}) (answered *atomic.Int64, wait func()) {
	answered = &atomic.Int64{}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148")
				res, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == 200 {
					answered.Add(1)
				}
			}
		}()
	}
	return answered, wg.Wait
}

// eventIDs returns the ids of every raw event.
func eventIDs(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := st.Events(context.Background(), store.EventFilter{From: "2000-01-01", To: "2999-12-31"}, func(e domain.Event) error {
		if ids[e.ID] {
			t.Errorf("event %s read twice", e.ID)
		}
		ids[e.ID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// rollupEvents sums what the site rollups count (every metric but money),
// which must equal the number of raw events when nothing is lost or
// counted twice.
func rollupEvents(t *testing.T, st *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	cols, err := st.EventCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range cols {
		m := c[len("events_"):]
		month := m[:4] + "-" + m[4:]
		err := st.RollupsInMonth(ctx, month, func(r store.Rollup) error {
			if r.Kind != store.RollupSite {
				return nil
			}
			for _, d := range r.Days {
				for _, metrics := range d.Hours {
					for k, v := range metrics {
						if k != stats.MetricRevenueFen && k != stats.MetricRefundFen {
							n += v
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// sameDocuments checks that every collection of want is in got with the
// same documents, byte for byte, except the collections skipped.
func sameDocuments(t *testing.T, want, got *store.Store, skip func(string) bool) {
	t.Helper()
	ctx := context.Background()
	names, err := want.CollectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, c := range names {
		if c == "meta" || skip(c) {
			continue
		}
		a, err := want.SampleDocuments(ctx, c, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		b, err := got.SampleDocuments(ctx, c, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Errorf("%s: %d documents, restored %d", c, len(a), len(b))
		}
		for id, doc := range a {
			if !bytes.Equal(doc, b[id]) {
				t.Errorf("%s %s differs after restore", c, id)
			}
		}
		compared += len(a)
	}
	if compared < 50 {
		t.Errorf("compared only %d documents", compared)
	}
}

// checkRestored checks a restored database against its source: every
// event of dst is in src, none twice, their count within [low, high], the
// rollups count each raw event once, and every other collection is the
// same byte for byte.
func checkRestored(t *testing.T, src, dst *store.Store, srcIDs map[string]bool, low, high int64) {
	t.Helper()
	dstIDs := eventIDs(t, dst)
	if int64(len(dstIDs)) < low || int64(len(dstIDs)) > high {
		t.Errorf("restored %d events, want %d..%d", len(dstIDs), low, high)
	}
	for id := range dstIDs {
		if !srcIDs[id] {
			t.Errorf("restored event %s is not in the source", id)
		}
	}
	if n := rollupEvents(t, dst); n != int64(len(dstIDs)) {
		t.Errorf("restored rollups count %d events, raw events %d", n, len(dstIDs))
	}
	// Scans change the event partitions, rollups, digests, the visitor
	// keys' store and the live view's minutes; everything else is the same, byte for byte.
	sameDocuments(t, src, dst, func(c string) bool {
		return strings.HasPrefix(c, "events_") || c == "rollups" || c == "rollup_nodes" || c == "stats_digests" || c == "kv" || c == "live_minutes"
	})
}

// A backup taken while serve answers scans, restored into a fresh data dir,
// holds every document, media file and event of the moment it was taken:
// each event once, and the rollups count exactly the raw events. The
// restored data dir serves. Then the same data dir, stopped with events
// left unshipped in its log, is backed up and restored, and migrated into
// a second database.
func TestBackupUnderScanLoadAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	ctx := context.Background()
	data := t.TempDir()
	_, scan, stop := startServe(t, data)

	live := liveStore(t, data)
	photo := bytes.Repeat([]byte("yimayou photo "), 20_000)
	if err := live.PutMedia(ctx, store.Media{Name: "photo-0123abcd.jpg", Type: "image/jpeg", Data: photo}); err != nil {
		t.Fatal(err)
	}

	stopLoad := make(chan struct{})
	answered, waitLoad := scanLoad(scan, stopLoad)
	for answered.Load() < 100 {
		time.Sleep(10 * time.Millisecond)
	}
	before := answered.Load()
	file := filepath.Join(t.TempDir(), "backup.zip")
	code, out, errOut := run(t, data, "", "backup", file)
	during := answered.Load()
	close(stopLoad)
	waitLoad()
	if code != 0 {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	t.Logf("backup under load: %s (scans answered: %d before, %d by its end)", strings.TrimSpace(out), before, during)
	stop()

	src, closeSrc := openData(t, data)
	srcIDs := eventIDs(t, src)
	if int64(len(srcIDs)) != answered.Load() {
		t.Fatalf("source holds %d events, %d scans answered", len(srcIDs), answered.Load())
	}

	restored := t.TempDir()
	code, out, errOut = run(t, restored, "", "restore", file)
	if code != 0 {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	t.Logf("restore:\n%s", out)
	dst, closeDst := openData(t, restored)
	checkRestored(t, src, dst, srcIDs, before, during)
	closeDst()

	// A second restore into the same data dir is refused.
	code, _, errOut = run(t, restored, "", "restore", file)
	if code != 1 || !strings.Contains(errOut, "not empty") {
		t.Errorf("restore into a full database: %d %q", code, errOut)
	}

	// The restored data dir serves the photo from its database.
	base2, _, stop2 := startServe(t, restored)
	res, err := http.Get(base2 + "/media/photo-0123abcd.jpg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(body, photo) {
		t.Errorf("media after restore: %d, %d bytes", res.StatusCode, len(body))
	}
	stop2()

	// Stopped, with events in the log that never reached the database
	// (as after a crash during an outage): a backup carries them, and a
	// restore stores them and counts them once.
	closeSrc()
	const unshipped = 40
	evlog, err := events.Open(events.Options{Dir: filepath.Join(data, "events")})
	if err != nil {
		t.Fatal(err)
	}
	for range unshipped {
		e := domain.Event{ID: domain.NewEventID(), Type: domain.EventScan, County: "513322", Site: "hailuogou", Sign: "X"}
		e.SetTime(time.Now())
		if err := evlog.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		srcIDs[e.ID] = true
	}
	if err := evlog.Close(ctx); err != nil {
		t.Fatal(err)
	}
	file2 := filepath.Join(t.TempDir(), "stopped.zip")
	code, out, errOut = run(t, data, "", "backup", file2)
	if code != 0 || !strings.Contains(out, fmt.Sprintf(" %d unshipped events", unshipped)) {
		t.Fatalf("backup of a stopped data dir: %d %q %q", code, out, errOut)
	}
	all := int64(len(srcIDs))
	restored2 := t.TempDir()
	if code, out, errOut = run(t, restored2, "", "restore", file2); code != 0 {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	src, closeSrc = openData(t, data)
	dst, closeDst = openData(t, restored2)
	checkRestored(t, src, dst, srcIDs, all, all)
	closeDst()
	closeSrc()

	// migrate: the same copy into another database on another server.
	target := storetest.DBName()
	code, out, errOut = run(t, data, "", "migrate", "--to", storetest.URI(t), "--to-database", target)
	if code != 0 || !strings.Contains(out, "source now") {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
	t.Logf("migrate:\n%s", out)
	moved := storetest.Open(t, target)
	src, closeSrc = openData(t, data)
	checkRestored(t, src, moved, srcIDs, all, all)
	closeSrc()

	// Migrating again into the now full target is refused before any work.
	code, _, errOut = run(t, data, "", "migrate", "--to", storetest.URI(t), "--to-database", target)
	if code != 1 || !strings.Contains(errOut, "not empty") {
		t.Errorf("migrate into a full database: %d %q", code, errOut)
	}
}

func TestBackupCommandsBadArguments(t *testing.T) {
	dir := t.TempDir()
	notZip := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notZip, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"backup"}, 2, "usage"},
		{[]string{"restore"}, 2, "usage"},
		{[]string{"restore", notZip}, 1, "not a yimayou backup"},
		{[]string{"restore", filepath.Join(dir, "missing.zip")}, 1, "missing.zip"},
		{[]string{"migrate"}, 2, "usage"},
		{[]string{"migrate", "--to", "http://example.com"}, 2, "mongodb://"},
		{[]string{"backup", filepath.Join(dir, "no", "such", "dir", "b.zip")}, 1, "no such file"},
	} {
		code, _, errOut := run(t, dir, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}
