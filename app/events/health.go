package events

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Faults: what the log failed to do last time it tried. Each is set by a
// failure and cleared by the next success of the same kind.
const (
	faultRotate = "rotate"
	faultWrite  = "write"
	faultFsync  = "fsync"
	faultMark   = "mark"
	faultRead   = "read"
)

// fail records a fault and logs it, at most once per interval per kind
// (ratelog): a read-only or full disk fails every write, and one line per
// scan would bury everything else.
func (l *Log) fail(kind string, err error, msg string, args ...any) {
	l.stateMu.Lock()
	if l.faults == nil {
		l.faults = map[string]error{}
	}
	l.faults[kind] = err
	l.stateMu.Unlock()
	l.rlog.Error(kind, msg, append([]any{"err", err}, args...)...)
}

// recovered clears a fault and says so once.
func (l *Log) recovered(kind string) {
	l.stateMu.Lock()
	_, was := l.faults[kind]
	delete(l.faults, kind)
	l.stateMu.Unlock()
	if was {
		l.log.Info("events: recovered", "what", kind, "failures_not_logged", l.rlog.Reset(kind))
	}
}

// Health reports what the log currently cannot do (start a segment,
// write, fsync, keep its shipped mark); nil when it works.
func (l *Log) Health() error {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	kinds := make([]string, 0, len(l.faults))
	for k := range l.faults {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var errs []error
	for _, k := range kinds {
		errs = append(errs, fmt.Errorf("%s: %w", k, l.faults[k]))
	}
	return errors.Join(errs...)
}

// Ready says whether the node should take traffic as far as the log is
// concerned: it must be able to write, and the oldest event waiting to be
// shipped must have been written less than maxWait ago (the database is
// down or shipping cannot keep up). It returns the lag for /readyz.
func (l *Log) Ready(maxWait time.Duration) (LagStats, error) {
	st := l.Lag()
	if err := l.Health(); err != nil {
		return st, fmt.Errorf("event log cannot write: %w", err)
	}
	if maxWait > 0 && st.WaitAge > maxWait {
		return st, fmt.Errorf("event log: %d events waiting to be stored, the oldest written %s ago (limit %s)",
			st.Events, st.WaitAge.Round(time.Second), maxWait)
	}
	return st, nil
}

// seqTime says that the event numbered seq was written at at. The log
// keeps one about every second it writes, so that the age of the oldest
// unshipped event is known by when it was written rather than by its own
// time, which is days old for an event a phone sends late.
type seqTime struct {
	seq uint64
	at  time.Time
}

// maxWriteTimes bounds the samples: past it, every other one is dropped,
// so the age stays known with a coarser grain (2 s after 68 minutes of
// backlog, 4 s after 2¼ hours…).
const maxWriteTimes = 4096

// noteWrite records a write of events from first on at now. Call with
// stateMu held.
func (l *Log) noteWrite(first uint64, now time.Time) {
	n := len(l.writeTimes)
	if n > 0 && now.Sub(l.writeTimes[n-1].at) < l.writeGrain {
		return
	}
	if n >= maxWriteTimes {
		kept := l.writeTimes[:0]
		for i := 0; i < n; i += 2 {
			kept = append(kept, l.writeTimes[i])
		}
		l.writeTimes = kept
		l.writeGrain *= 2
	}
	l.writeTimes = append(l.writeTimes, seqTime{seq: first, at: now})
}

// waitAge is how long ago the oldest unshipped event was written, at most
// one sample grain too old; zero when nothing waits. Call with stateMu
// held.
func (l *Log) waitAge(now time.Time) time.Duration {
	if l.unshipped.Load() <= 0 {
		return 0
	}
	next := l.shipped.seq + 1
	// Keep the last sample at or before next: every event after it up to
	// the following sample was written within one grain of it.
	i := sort.Search(len(l.writeTimes), func(i int) bool { return l.writeTimes[i].seq > next })
	if i == 0 {
		return 0
	}
	if i > 1 {
		l.writeTimes = append(l.writeTimes[:0], l.writeTimes[i-1:]...)
	}
	return max(0, now.Sub(l.writeTimes[0].at))
}
