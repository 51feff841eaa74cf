package stats

import (
	"context"
	"fmt"
	"strings"
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

// Live counts events per minute for the last half hour. The rollups count
// by hour and raw events may only be read by exports, so each node counts
// the minutes of the events it records in memory and, with a LiveStore,
// writes them to its own document every few seconds (Sync): the view sums
// every node's document, and a restarted node picks its counts up again
// (Load). Without a store it shows the node it runs on.
type Live struct {
	mu      sync.Mutex
	buckets map[int64]map[liveKey]int64 // unix minute → counts
	node    string
	st      LiveStore
	// others caches the other nodes' minutes between reads.
	others   map[int64]map[liveKey]int64
	othersAt time.Time
}

type liveKey struct{ county, site, metric string }

// LiveStore keeps each node's minutes; store.Store implements it.
type LiveStore interface {
	RaiseLiveMinutes(ctx context.Context, node string, counts map[int64]map[string]int64, drop []int64) error
	LiveMinutes(ctx context.Context) (map[string]map[int64]map[string]int64, error)
}

// LiveSyncEvery is how often a node writes its minutes; the live view of
// another node's events lags by at most this, plus LiveReadEvery.
const (
	LiveSyncEvery = 5 * time.Second
	LiveReadEvery = 5 * time.Second
)

// NewLive returns an empty live counter of this node only.
func NewLive() *Live { return &Live{buckets: map[int64]map[liveKey]int64{}} }

// NewSharedLive returns a live counter that node shares through st.
func NewSharedLive(node string, st LiveStore) *Live {
	l := NewLive()
	l.node, l.st = node, st
	return l
}

func (k liveKey) String() string { return k.county + "|" + k.site + "|" + k.metric }

func parseLiveKey(s string) (liveKey, bool) {
	parts := strings.Split(s, "|")
	if len(parts) != 3 {
		return liveKey{}, false
	}
	return liveKey{parts[0], parts[1], parts[2]}, true
}

// Load takes this node's minutes back from the store after a restart, so
// its counts go on from where they were (the stored counts are
// cumulative: a lower count would be ignored by Sync's $max).
func (l *Live) Load(ctx context.Context) error {
	if l.st == nil {
		return nil
	}
	all, err := l.st.LiveMinutes(ctx)
	if err != nil {
		return fmt.Errorf("stats: live: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for m, byKey := range all[l.node] {
		b := l.buckets[m]
		if b == nil {
			b = map[liveKey]int64{}
			l.buckets[m] = b
		}
		for k, n := range byKey {
			if lk, ok := parseLiveKey(k); ok {
				b[lk] = max(b[lk], n)
			}
		}
	}
	return nil
}

// Sync writes this node's minutes of the window and drops older ones.
func (l *Live) Sync(ctx context.Context, now time.Time) error {
	if l.st == nil {
		return nil
	}
	end := now.Unix() / 60
	counts := map[int64]map[string]int64{}
	var drop []int64
	l.mu.Lock()
	for m, b := range l.buckets {
		if m < end-2*LiveMinutes {
			drop = append(drop, m)
			delete(l.buckets, m)
			continue
		}
		c := make(map[string]int64, len(b))
		for k, n := range b {
			c[k.String()] = n
		}
		counts[m] = c
	}
	l.mu.Unlock()
	if err := l.st.RaiseLiveMinutes(ctx, l.node, counts, drop); err != nil {
		return fmt.Errorf("stats: live: %w", err)
	}
	return nil
}

// Run loads this node's minutes, then syncs every LiveSyncEvery until ctx
// ends (and once more then, so a clean shutdown loses nothing).
func (l *Live) Run(ctx context.Context, log func(err error)) {
	if l.st == nil {
		return
	}
	if err := l.Load(ctx); err != nil {
		log(err)
	}
	t := time.NewTicker(LiveSyncEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := l.Sync(final, time.Now()); err != nil {
				log(err)
			}
			cancel()
			return
		case <-t.C:
			if err := l.Sync(ctx, time.Now()); err != nil && ctx.Err() == nil {
				log(err)
			}
		}
	}
}

// otherNodes returns the other nodes' minutes summed, read at most every
// LiveReadEvery.
func (l *Live) otherNodes(ctx context.Context, now time.Time) (map[int64]map[liveKey]int64, error) {
	l.mu.Lock()
	if l.others != nil && now.Sub(l.othersAt) < LiveReadEvery && !now.Before(l.othersAt) {
		o := l.others
		l.mu.Unlock()
		return o, nil
	}
	l.mu.Unlock()
	all, err := l.st.LiveMinutes(ctx)
	if err != nil {
		return nil, fmt.Errorf("stats: live: %w", err)
	}
	sum := map[int64]map[liveKey]int64{}
	for node, minutes := range all {
		if node == l.node {
			continue
		}
		for m, byKey := range minutes {
			b := sum[m]
			if b == nil {
				b = map[liveKey]int64{}
				sum[m] = b
			}
			for k, n := range byKey {
				if lk, ok := parseLiveKey(k); ok {
					b[lk] += n
				}
			}
		}
	}
	l.mu.Lock()
	l.others, l.othersAt = sum, now
	l.mu.Unlock()
	return sum, nil
}

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
// only events that keep says are in scope: this node's from memory, the
// other nodes' from the store.
func (l *Live) Last(ctx context.Context, now time.Time, keep func(county, site string) bool) ([]LivePoint, error) {
	var others map[int64]map[liveKey]int64
	if l.st != nil {
		var err error
		if others, err = l.otherNodes(ctx, now); err != nil {
			return nil, err
		}
	}
	end := now.Unix() / 60
	out := make([]LivePoint, 0, LiveMinutes)
	l.mu.Lock()
	defer l.mu.Unlock()
	for m := end - LiveMinutes + 1; m <= end; m++ {
		p := LivePoint{Minute: time.Unix(m*60, 0).In(domain.ChinaTime), Counts: map[string]int64{}}
		for _, b := range []map[liveKey]int64{l.buckets[m], others[m]} {
			for k, n := range b {
				if keep(k.county, k.site) {
					p.Counts[k.metric] += n
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}
