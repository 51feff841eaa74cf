package events

import (
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// shipState holds the counters the shipper reports for metrics.
type shipState struct {
	shippedEvents  atomic.Uint64
	shipDuplicates atomic.Uint64
	shipFailures   atomic.Uint64
	corruptSkips   atomic.Uint64
	deleted        atomic.Uint64
}

func (l *Log) setOldestPending(t time.Time) {
	l.stateMu.Lock()
	l.oldestPending = t
	l.stateMu.Unlock()
}

func (l *Log) shippedSeq() uint64 {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	return l.shipped.seq
}

// readLimit returns how far the shipper may read segment seg: up to the
// synced end. sealed says the segment will not grow any more.
func (l *Log) readLimit(seg uint64) (limit int64, sealed bool, ok bool) {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	for _, s := range l.segs {
		if s.first != seg {
			continue
		}
		switch {
		case seg < l.synced.seg:
			return s.size, true, true
		case seg == l.synced.seg:
			return l.synced.off, false, true
		default:
			return 0, false, true
		}
	}
	return 0, false, false
}

// segmentAfter returns the segment that follows seg, if it exists.
func (l *Log) segmentAfter(seg uint64) (uint64, bool) {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	for _, s := range l.segs {
		if s.first > seg {
			return s.first, true
		}
	}
	return 0, false
}

// segmentFor returns the segment that holds seq, or the first one after
// it.
func (l *Log) segmentFor(seq uint64) (uint64, bool) {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	if len(l.segs) == 0 {
		return 0, false
	}
	found := l.segs[0].first
	for _, s := range l.segs {
		if s.first <= seq {
			found = s.first
		}
	}
	return found, true
}

// persistMark writes the shipped sequence number durably if it moved.
func (l *Log) persistMark() error {
	l.stateMu.Lock()
	seq := l.shipped.seq
	marked := l.markedSeq
	l.stateMu.Unlock()
	if seq <= marked {
		return nil
	}
	if err := writeFileAtomic(l.dir, markFile, []byte(strconv.FormatUint(seq, 10)+"\n")); err != nil {
		return err
	}
	l.stateMu.Lock()
	l.markedSeq = seq
	l.stateMu.Unlock()
	return nil
}

// deleteShipped removes the segments all of whose events are below the
// durable mark. The segment being written is never removed.
func (l *Log) deleteShipped() {
	l.stateMu.Lock()
	var doomed []uint64
	for len(l.segs) > 1 && l.segs[1].first <= l.markedSeq+1 && l.segs[0].first < l.synced.seg {
		doomed = append(doomed, l.segs[0].first)
		l.segs = l.segs[1:]
	}
	l.stateMu.Unlock()
	for _, first := range doomed {
		if err := os.Remove(segmentPath(l.dir, first)); err != nil && !os.IsNotExist(err) {
			l.log.Error("events: delete shipped segment", "segment", first, "err", err)
			continue
		}
		l.deleted.Add(1)
	}
}
