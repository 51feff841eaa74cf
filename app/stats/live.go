package stats

import (
	"context"
	"sync"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// LiveMinutes is the length of the live view.
const LiveMinutes = 30

// Recorder is the event sink Live wraps (web.Recorder's method).
type Recorder interface {
	Record(ctx context.Context, e domain.Event) error
}

// Live counts this node's events per minute for the last half hour. The
// rollups count by hour and raw events may only be read by exports, so
// the by-minute view is kept in memory as events are recorded: it shows
// the node it runs on (the counts of other nodes arrive in the hourly
// rollups within seconds).
type Live struct {
	mu      sync.Mutex
	buckets map[int64]map[liveKey]int64 // unix minute → counts
}

type liveKey struct{ county, site, metric string }

// NewLive returns an empty live counter.
func NewLive() *Live { return &Live{buckets: map[int64]map[liveKey]int64{}} }

// Wrap returns a recorder that counts each event, then passes it to next.
func (l *Live) Wrap(next Recorder) Recorder { return liveRecorder{l: l, next: next} }

type liveRecorder struct {
	l    *Live
	next Recorder
}

func (r liveRecorder) Record(ctx context.Context, e domain.Event) error {
	err := r.next.Record(ctx, e)
	if err == nil {
		r.l.Add(e)
	}
	return err
}

// Add counts an event in its minute.
func (l *Live) Add(e domain.Event) {
	m := MetricOf(e.Type)
	if m == "" || e.Bot || e.Filter != "" {
		return
	}
	minute := e.Time.Unix() / 60
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[minute]
	if b == nil {
		b = map[liveKey]int64{}
		l.buckets[minute] = b
		// Drop what has left the window; this runs once a minute at most.
		for k := range l.buckets {
			if k < minute-2*LiveMinutes {
				delete(l.buckets, k)
			}
		}
	}
	b[liveKey{e.County, e.Site, m}]++
}

// LivePoint is one minute.
type LivePoint struct {
	Minute time.Time
	Counts map[string]int64
}

// Last returns the LiveMinutes minutes up to now (oldest first), counting
// only events that keep says are in scope.
func (l *Live) Last(now time.Time, keep func(county, site string) bool) []LivePoint {
	end := now.Unix() / 60
	out := make([]LivePoint, 0, LiveMinutes)
	l.mu.Lock()
	defer l.mu.Unlock()
	for m := end - LiveMinutes + 1; m <= end; m++ {
		p := LivePoint{Minute: time.Unix(m*60, 0).In(domain.ChinaTime), Counts: map[string]int64{}}
		for k, n := range l.buckets[m] {
			if keep(k.county, k.site) {
				p.Counts[k.metric] += n
			}
		}
		out = append(out, p)
	}
	return out
}
