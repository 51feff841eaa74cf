package events

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// LagStats says how far shipping is behind recording.
type LagStats struct {
	// Events written to the log and not yet stored in MongoDB.
	Events uint64 `json:"events"`
	// Bytes of log not yet shipped.
	Bytes int64 `json:"bytes"`
	// OldestAge is how old the oldest unshipped event the shipper holds
	// is; zero when it holds none.
	OldestAge time.Duration `json:"oldest_age_ns"`
	// Segments on disk.
	Segments int `json:"segments"`
	// WaitAge is how long ago the oldest event not yet stored was
	// written to the log (about: within a second while the backlog is
	// young). Unlike OldestAge it does not count the event's own time,
	// which is old for events a phone sends late.
	WaitAge time.Duration `json:"wait_age_ns"`
}

// Lag reports how far shipping is behind. It is cheap: /readyz and
// /metrics call it on every request.
func (l *Log) Lag() LagStats {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	st := LagStats{Segments: len(l.segs)}
	if n := l.unshipped.Load(); n > 0 {
		st.Events = uint64(n)
	}
	for _, s := range l.segs {
		switch {
		case s.first < l.shipped.seg:
		case s.first == l.shipped.seg:
			st.Bytes += s.size - l.shipped.off
		default:
			st.Bytes += s.size - int64(segHeaderSize)
		}
	}
	now := l.opt.Now()
	if !l.oldestPending.IsZero() {
		st.OldestAge = max(0, now.Sub(l.oldestPending))
	}
	st.WaitAge = l.waitAge(now)
	return st
}

// Repairs reports what Open found damaged and cut or skipped.
func (l *Log) Repairs() (tornBytes, skippedBytes int64, segments int) {
	return l.repaired.TornBytes, l.repaired.SkippedBytes, l.repaired.Segments
}

// Collectors returns the log's Prometheus metrics, for the caller to
// register. They read the log's own counters at scrape time.
func (l *Log) Collectors() []prometheus.Collector {
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "yimayou", Subsystem: "eventlog", Name: name, Help: help}, f)
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "yimayou", Subsystem: "eventlog", Name: name, Help: help}, f)
	}
	u := func(a interface{ Load() uint64 }) func() float64 { return func() float64 { return float64(a.Load()) } }
	return []prometheus.Collector{
		counter("recorded_total", "Events written to the local event log.", u(&l.recorded)),
		counter("write_errors_total", "Failed writes to the event log.", u(&l.writeErrors)),
		counter("fsyncs_total", "fsyncs of event log segments.", u(&l.syncs)),
		counter("group_commits_total", "Writes of grouped records to the event log.", u(&l.batches)),
		counter("shipped_total", "Events stored in MongoDB by the shipper (duplicates included).", u(&l.shippedEvents)),
		counter("ship_duplicates_total", "Shipped events MongoDB already had (replays).", u(&l.shipDuplicates)),
		counter("ship_failures_total", "Failed attempts to ship a batch.", u(&l.shipFailures)),
		counter("corrupt_skips_total", "Damaged records or segment ends skipped while shipping.", u(&l.corruptSkips)),
		counter("segments_deleted_total", "Shipped segments deleted.", u(&l.deleted)),
		gauge("lag_events", "Events recorded but not yet stored in MongoDB.", func() float64 { return float64(l.Lag().Events) }),
		gauge("lag_bytes", "Bytes of event log not yet shipped.", func() float64 { return float64(l.Lag().Bytes) }),
		gauge("lag_oldest_seconds", "Age of the oldest event waiting to be shipped.", func() float64 { return l.Lag().OldestAge.Seconds() }),
		gauge("segments", "Event log segment files on disk.", func() float64 { return float64(l.Lag().Segments) }),
		gauge("wait_seconds", "How long ago the oldest event not yet stored in MongoDB was written.", func() float64 { return l.Lag().WaitAge.Seconds() }),
		gauge("healthy", "1 when the event log can write, fsync and keep its mark; 0 otherwise.", func() float64 {
			if l.Health() != nil {
				return 0
			}
			return 1
		}),
	}
}
