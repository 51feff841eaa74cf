// Package ratelog keeps a repeated error from flooding the log: the first
// occurrence of a kind is written at once, then at most one line per
// interval, carrying the number of occurrences left out since the last
// line. A failure that repeats on every request (a read-only disk, a full
// file table) costs one line per interval instead of one per request.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Logger rate-limits lines by kind. Kinds are fixed strings chosen by the
// caller, never request data, so the set stays small.
type Logger struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex
	kinds map[string]*kind
}

type kind struct {
	next       time.Time
	suppressed int
}

// New returns a Logger writing to log at most once per every for each kind.
func New(log *slog.Logger, every time.Duration) *Logger {
	return NewWithClock(log, every, time.Now)
}

// NewWithClock is New with a clock, for tests.
func NewWithClock(log *slog.Logger, every time.Duration, now func() time.Time) *Logger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Logger{log: log, every: every, now: now, kinds: map[string]*kind{}}
}

// Error logs at error level, rate-limited by kind.
func (l *Logger) Error(kind, msg string, args ...any) { l.Log(slog.LevelError, kind, msg, args...) }

// Warn logs at warn level, rate-limited by kind.
func (l *Logger) Warn(kind, msg string, args ...any) { l.Log(slog.LevelWarn, kind, msg, args...) }

// Log writes msg unless a line of the same kind was written less than the
// interval ago; then it only counts it. A written line carries
// "suppressed" (how many were left out since the previous line) when any
// were.
func (l *Logger) Log(level slog.Level, kindName, msg string, args ...any) {
	now := l.now()
	l.mu.Lock()
	k := l.kinds[kindName]
	if k == nil {
		k = &kind{}
		l.kinds[kindName] = k
	}
	if now.Before(k.next) {
		k.suppressed++
		l.mu.Unlock()
		return
	}
	n := k.suppressed
	k.suppressed, k.next = 0, now.Add(l.every)
	l.mu.Unlock()
	if n > 0 {
		args = append(args, "suppressed", n, "per", l.every.String())
	}
	l.log.Log(context.Background(), level, msg, args...)
}

// Reset forgets kind, so that its next occurrence is written at once, and
// returns how many occurrences were left out since the last line: call it
// when the failing operation succeeds again, and say that count.
func (l *Logger) Reset(kindName string) (suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := l.kinds[kindName]; k != nil {
		suppressed = k.suppressed
	}
	delete(l.kinds, kindName)
	return suppressed
}
