package ratelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestFirstThenSummary(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewWithClock(slog.New(slog.NewTextHandler(&buf, nil)), 10*time.Second, func() time.Time { return now })
	for i := 0; i < 1000; i++ {
		l.Error("rotate", "rotate failed", "err", "read-only")
		now = now.Add(5 * time.Millisecond) // 1000 failures in 5 s
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines for 1000 failures within the interval, want 1:\n%s", n, buf.String())
	}
	now = now.Add(10 * time.Second)
	l.Error("rotate", "rotate failed", "err", "read-only")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "suppressed=999") {
		t.Fatalf("want a summary line with the 999 left out, got:\n%s", buf.String())
	}
	// Another kind is not held back by the first.
	l.Warn("other", "other thing")
	if !strings.Contains(buf.String(), "other thing") {
		t.Fatal("a different kind was suppressed")
	}
	// After Reset the next failure is written at once.
	l.Error("rotate", "rotate failed")
	if n := l.Reset("rotate"); n != 1 {
		t.Errorf("Reset reported %d left out, want 1", n)
	}
	l.Error("rotate", "rotate failed again")
	if !strings.Contains(buf.String(), "rotate failed again") {
		t.Fatal("Reset did not let the next line through")
	}
}
