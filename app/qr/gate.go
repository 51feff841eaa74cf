package qr

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// RenderGate bounds the renders that are not served from the cache. Any
// visitor can ask for a code in a new colour, so uncached renders are a
// CPU sink: with the gate, a flood of them takes at most its slots (half
// the cores) and the scans keep the rest. A request waits briefly for a
// slot and is then turned away, to come back later.
type RenderGate struct {
	slots      chan struct{}
	wait       time.Duration
	waiting    atomic.Int64
	maxWaiting int64
}

// NewRenderGate returns a gate of n slots (n ≤ 0: half the CPUs, at least
// one) where a request waits up to wait, and at most 8 per slot wait at
// all.
func NewRenderGate(n int, wait time.Duration) *RenderGate {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	return &RenderGate{slots: make(chan struct{}, n), wait: wait, maxWaiting: int64(8 * n)}
}

// Acquire takes a slot, waiting up to the gate's wait; ok is false when
// none came free (or too many wait already, or ctx ended).
func (g *RenderGate) Acquire(ctx context.Context) (release func(), ok bool) {
	select {
	case g.slots <- struct{}{}:
		return g.release, true
	default:
	}
	if g.waiting.Add(1) > g.maxWaiting {
		g.waiting.Add(-1)
		return nil, false
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.release, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (g *RenderGate) release() { <-g.slots }

// Cached reports whether the code is in the cache, so rendering it costs
// nothing and needs no slot of a RenderGate.
func (r *Renderer) Cached(content string, p Params, svg bool) bool {
	f := formatPNG
	if svg {
		f = formatSVG
	}
	return r.cache.has(cacheKey{content: content, format: f, params: p})
}
