package qr

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestCacheHit(t *testing.T) {
	r := NewRenderer(DefaultCacheBytes)
	p := DefaultParams()
	for _, tt := range []struct {
		name   string
		render func(string, Params) ([]byte, error)
	}{{"png", r.PNG}, {"svg", r.SVG}} {
		t.Run(tt.name, func(t *testing.T) {
			first, err := tt.render(testURL, p)
			if err != nil {
				t.Fatal(err)
			}
			_, before := r.cache.stats()
			want := bytes.Clone(first)
			// The caller owns what it gets: scribbling on it must not
			// reach the next caller.
			clear(first)
			second, err := tt.render(testURL, p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(second, want) {
				t.Errorf("second render differs from the first")
			}
			if _, after := r.cache.stats(); after != before {
				t.Errorf("cache entries %d -> %d on a hit", before, after)
			}
		})
	}
	// PNG and SVG of one content and params are two entries, and so are
	// two params of one content.
	if _, err := r.PNG(testURL, params(func(p *Params) { p.Margin = 2 })); err != nil {
		t.Fatal(err)
	}
	if _, n := r.cache.stats(); n != 3 {
		t.Errorf("cache entries = %d, want 3", n)
	}
}

func TestCacheBound(t *testing.T) {
	const limit = 40 << 10
	r := NewRenderer(limit)
	seen := map[string]bool{}
	for i := range 100 {
		content := fmt.Sprintf("https://yimayou.example.cn/q/CODE%03d", i)
		b, err := r.PNG(content, DefaultParams())
		if err != nil {
			t.Fatal(err)
		}
		seen[string(b)] = true
		used, n := r.cache.stats()
		if used > limit {
			t.Fatalf("after %d renders the cache holds %d bytes, bound %d", i+1, used, limit)
		}
		if n == 0 {
			t.Fatalf("after %d renders the cache is empty", i+1)
		}
		if sum := sumCosts(r.cache); sum != used {
			t.Fatalf("cache accounts %d bytes, entries add up to %d", used, sum)
		}
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct images for 100 contents", len(seen))
	}
	if _, n := r.cache.stats(); n >= 100 {
		t.Errorf("cache kept all %d entries; nothing evicted", n)
	}
}

func sumCosts(c *cache) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := 0
	for el := c.order.Front(); el != nil; el = el.Next() {
		sum += el.Value.(*cacheEntry).cost()
	}
	if len(c.items) != c.order.Len() {
		panic("cache map and list disagree")
	}
	return sum
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	key := func(s string) cacheKey { return cacheKey{content: s, format: formatPNG, params: DefaultParams()} }
	// With a one-byte key, a lower-case entry costs 1000 bytes and an
	// upper-case one 2000.
	small := make([]byte, 1000-entryOverhead-1)
	big := make([]byte, 2000-entryOverhead-1)
	tests := []struct {
		name string
		ops  string // a letter adds that key; "+a" gets it
		keep string
	}{
		{"oldest goes", "abcd", "bcd"},
		{"a get refreshes", "abc+ad", "acd"},
		{"re-adding refreshes", "abcad", "acd"},
		{"a miss changes nothing", "abc+zd", "bcd"},
		{"full but within bound", "abc", "abc"},
		{"a big entry evicts two", "abcD", "cD"},
		{"a big entry evicts one big", "AbC", "bC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache(3000)
			for i := 0; i < len(tt.ops); i++ {
				if tt.ops[i] == '+' {
					i++
					c.get(key(tt.ops[i : i+1]))
					continue
				}
				data := small
				if k := tt.ops[i]; k >= 'A' && k <= 'Z' {
					data = big
				}
				c.add(key(tt.ops[i:i+1]), data)
			}
			var got []string
			for k := range c.items {
				got = append(got, k.content)
			}
			for _, k := range strings.Split(tt.keep, "") {
				if _, ok := c.get(key(k)); !ok {
					t.Errorf("%q evicted; cache holds %v, want %q", k, got, tt.keep)
				}
			}
			if len(got) != len(tt.keep) {
				t.Errorf("cache holds %v, want %q", got, tt.keep)
			}
		})
	}
}

func TestCacheLimits(t *testing.T) {
	k := cacheKey{content: "x", format: formatSVG, params: DefaultParams()}
	tests := []struct {
		name     string
		maxBytes int
		size     int
		stored   bool
	}{
		{"disabled", 0, 10, false},
		{"negative bound disables", -1, 10, false},
		{"larger than the whole cache", 1000, 1000, false},
		{"exactly the bound", 1000, 1000 - entryOverhead - 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache(tt.maxBytes)
			c.add(k, make([]byte, tt.size))
			if _, ok := c.get(k); ok != tt.stored {
				t.Errorf("stored = %v, want %v", ok, tt.stored)
			}
			if used, _ := c.stats(); used > max(tt.maxBytes, 0) {
				t.Errorf("holds %d bytes, bound %d", used, tt.maxBytes)
			}
		})
	}
}

// Run with -race: renders of a few codes from many goroutines through a
// cache too small for all of them, so hits, misses and evictions interleave.
func TestConcurrentRender(t *testing.T) {
	type job struct {
		content string
		svg     bool
		p       Params
	}
	var jobs []job
	for i := range 4 {
		content := fmt.Sprintf("https://yimayou.example.cn/q/CONC%02d", i)
		jobs = append(jobs,
			job{content, false, DefaultParams()},
			job{content, true, DefaultParams()},
			job{content, false, params(func(p *Params) { p.Size, p.Level = 256, LevelH })},
		)
	}
	cold := NewRenderer(0)
	want := make([][]byte, len(jobs))
	for i, j := range jobs {
		render := cold.PNG
		if j.svg {
			render = cold.SVG
		}
		var err error
		if want[i], err = render(j.content, j.p); err != nil {
			t.Fatal(err)
		}
	}
	const limit = 16 << 10
	r := NewRenderer(limit)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for n := range 60 {
				i := (g*7 + n*5) % len(jobs)
				render := r.PNG
				if jobs[i].svg {
					render = r.SVG
				}
				b, err := render(jobs[i].content, jobs[i].p)
				if err == nil && !bytes.Equal(b, want[i]) {
					err = fmt.Errorf("job %d: output differs from a cold render", i)
				}
				if err != nil {
					errs <- err
					return
				}
				clear(b)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if used, _ := r.cache.stats(); used > limit {
		t.Errorf("cache holds %d bytes, bound %d", used, limit)
	}
}
