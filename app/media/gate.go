package media

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Defaults of a Gate. A decoded photo holds 3–4 bytes a pixel until its
// renditions are made, so a 50 MP upload costs some 200 MB: four at once
// took the server from 205 MB to 2.5 GB. 64 M pixels in flight bound
// that to ~300 MB whatever editors upload; two decodes at once keep one
// core for the visitors on a two-core machine.
const (
	DefaultMaxDecodes     = 2
	DefaultMaxPixels      = 64_000_000
	DefaultDecodeWaitTime = 20 * time.Second
)

// Gate bounds the photos decoded at once and the pixels they hold, so
// that uploads (which decompress: a 194 KB PNG can hold 50 M pixels)
// cannot take the server's memory. Uploads past the bound wait, then are
// refused with a "busy" message the editor can act on.
type Gate struct {
	maxDecodes int
	maxPixels  int64
	wait       time.Duration

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when a photo is done
	decodes int
	pixels  int64
	peak    int64
}

// NewGate returns a Gate for at most maxDecodes photos and maxPixels
// pixels at once, waiting up to wait for room; zero values take the
// defaults.
func NewGate(maxDecodes int, maxPixels int64, wait time.Duration) *Gate {
	if maxDecodes <= 0 {
		maxDecodes = DefaultMaxDecodes
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if wait <= 0 {
		wait = DefaultDecodeWaitTime
	}
	return &Gate{maxDecodes: maxDecodes, maxPixels: maxPixels, wait: wait, changed: make(chan struct{})}
}

// errBusy is what an upload gets when the gate stays full.
var errBusy = errors.New("media: busy")

// acquire waits until the photo fits. A photo larger than the whole
// budget still gets through, alone.
func (g *Gate) acquire(ctx context.Context, pixels int64) (release func(), err error) {
	pixels = min(pixels, g.maxPixels)
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	for {
		g.mu.Lock()
		if g.decodes < g.maxDecodes && g.pixels+pixels <= g.maxPixels {
			g.decodes++
			g.pixels += pixels
			g.peak = max(g.peak, g.pixels)
			g.mu.Unlock()
			return func() { g.release(pixels) }, nil
		}
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return nil, errBusy
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (g *Gate) release(pixels int64) {
	g.mu.Lock()
	g.decodes--
	g.pixels -= pixels
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
}

// PeakPixels is the most pixels that were decoded at once.
func (g *Gate) PeakPixels() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// PreparePhoto is PreparePhoto within the gate's bounds: the header is
// checked first (dimensions from image.DecodeConfig, no decoding), then
// the photo waits for room before it is decoded.
func (g *Gate) PreparePhoto(ctx context.Context, data []byte, prefix string) (Photo, error) {
	cfg, err := checkPhoto(data)
	if err != nil {
		return Photo{}, err
	}
	release, err := g.acquire(ctx, int64(cfg.Width)*int64(cfg.Height))
	if err != nil {
		return Photo{}, photoError("console.error.photo_busy")
	}
	defer release()
	return preparePhoto(data, prefix)
}
