package qr

import (
	"container/list"
	"sync"
)

type format uint8

const (
	formatPNG format = iota + 1
	formatSVG
)

// cacheKey is comparable as a whole, so it is the map key itself: no
// hashing scheme of our own that could collide.
type cacheKey struct {
	content string
	format  format
	params  Params
}

// entryOverhead approximates what an entry costs beyond its content and
// image bytes (map slot, list element, entry, key), so that a flood of tiny
// entries cannot outgrow the bound by an order of magnitude.
const entryOverhead = 160

// cache is a least-recently-used cache bounded by the bytes it holds.
type cache struct {
	maxBytes int

	mu    sync.Mutex
	bytes int
	order *list.List // of *cacheEntry, most recently used at the front
	items map[cacheKey]*list.Element
}

type cacheEntry struct {
	key  cacheKey
	data []byte
}

func (e *cacheEntry) cost() int { return len(e.key.content) + len(e.data) + entryOverhead }

func newCache(maxBytes int) *cache {
	return &cache{
		maxBytes: max(maxBytes, 0),
		order:    list.New(),
		items:    make(map[cacheKey]*list.Element),
	}
}

// get returns the cached bytes; they are shared and must not be modified.
func (c *cache) get(k cacheKey) ([]byte, bool) {
	if c.maxBytes == 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).data, true
}

// add stores data under k, evicting the least recently used entries to stay
// within maxBytes. data must not be modified afterwards.
func (c *cache) add(k cacheKey, data []byte) {
	e := &cacheEntry{key: k, data: data}
	if e.cost() > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		// Two requests rendered the same code at once; keep the first.
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(e)
	c.bytes += e.cost()
	for c.bytes > c.maxBytes {
		oldest := c.order.Back()
		old := c.order.Remove(oldest).(*cacheEntry)
		delete(c.items, old.key)
		c.bytes -= old.cost()
	}
}

// stats reports the bytes held and the number of entries.
func (c *cache) stats() (bytes, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, len(c.items)
}

// has reports whether k is cached, without touching its recency.
func (c *cache) has(k cacheKey) bool {
	if c.maxBytes == 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.items[k]
	return ok
}
