package events

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/store/storetest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Finding 10 of the abuse report: with the log directory unwritable, the
// failed segment rotation was retried and logged on every write (431,073
// ERROR lines in 25 s) while /readyz stayed ready. Now it is retried
// every few seconds, logged once per interval with a count, and the log
// reports itself unhealthy; no event is lost meanwhile.
func TestFailedRotationIsQuietAndUnhealthy(t *testing.T) {
	var out lockedBuffer
	clock := &testClock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	dir := t.TempDir() + "/events"
	l := openTest(t, dir, Options{SegmentBytes: 4 << 10, Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(&out, nil))})
	recordN(t, l, 0, 10)
	// Root ignores a read-only mode, so the directory goes away instead:
	// the open segment still takes writes, a new one cannot be created.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	recordN(t, l, 10, 3000) // ~100 rotations due
	if n := strings.Count(out.String(), "level=ERROR"); n > 2 {
		t.Fatalf("%d ERROR lines for one failing rotation, want at most 2:\n%.2000s", n, out.String())
	}
	if err := l.Health(); err == nil || !strings.Contains(err.Error(), "rotate") {
		t.Fatalf("Health with an unwritable directory: %v", err)
	}
	if _, err := l.Ready(time.Hour); err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Fatalf("Ready with an unwritable directory: %v", err)
	}
	if got := l.recorded.Load(); got != 3010 {
		t.Fatalf("%d events written, want 3010", got)
	}

	// The directory is back: after the retry wait the next write rotates
	// and the log is healthy again.
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	clock.Add(rotateRetry)
	recordN(t, l, 3010, 5)
	if err := l.Health(); err != nil {
		t.Fatalf("Health after the directory came back: %v", err)
	}
	if !strings.Contains(out.String(), "events: recovered") {
		t.Error("recovery not logged")
	}
	closeLog(t, l)
}

// /readyz goes not ready when events wait too long to be stored, judged
// by when they were written, not by their own (possibly late) time.
func TestReadyReportsShippingLag(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)}
	l := openTest(t, t.TempDir(), Options{Now: clock.Now})
	defer closeLog(t, l)
	recordN(t, l, 0, 50) // events of 2026-11-29, a week before the clock
	if st, err := l.Ready(15 * time.Minute); err != nil || st.Events != 50 {
		t.Fatalf("just written, late events: %+v %v; want ready", st, err)
	}
	clock.Add(10 * time.Minute)
	recordN(t, l, 50, 50)
	clock.Add(6 * time.Minute)
	st, err := l.Ready(15 * time.Minute)
	if err == nil || st.WaitAge < 16*time.Minute || st.WaitAge > 17*time.Minute {
		t.Fatalf("nothing shipped for 16 minutes: %+v %v; want not ready, wait ~16m", st, err)
	}

	sh := l.Ship(storetest.New(t), fastShip)
	defer sh.Close(context.Background())
	drain(t, l, 60*time.Second)
	if st, err := l.Ready(15 * time.Minute); err != nil || st.WaitAge != 0 {
		t.Fatalf("after shipping: %+v %v; want ready", st, err)
	}
}
