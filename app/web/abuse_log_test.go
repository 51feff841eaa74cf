package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

type failingRecorder struct{}

func (failingRecorder) Record(context.Context, domain.Event) error {
	return errors.New("events: write log: read-only file system")
}

type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// A recorder that fails on every scan (a read-only or full disk) costs
// one log line per interval, not one per scan; the page is served anyway.
func TestRecordFailuresLoggedOnce(t *testing.T) {
	st := storetest.New(t)
	seed(t, st)
	var out lockedLog
	f := newFixtureWith(t, st, failingRecorder{}, func(d *Deps) { d.Log = slog.New(slog.NewTextHandler(&out, nil)) })
	for range 200 {
		if r := f.get(t, "/q/HGK2EN"); r.status != 200 {
			t.Fatalf("scan with a failing recorder: %d", r.status)
		}
	}
	out.mu.Lock()
	n := strings.Count(out.b.String(), "record event")
	out.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d log lines for 200 failed recordings, want 1", n)
	}
}
