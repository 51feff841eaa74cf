package web

import (
	"net/netip"
	"sync"
	"time"
)

// The recording budget keeps the numbers honest without ever refusing a
// page: every scan and view is answered, but a client that sends more
// than a crowd of real tourists could has the excess recorded with
// Filter "budget", and rollups count it apart from every figure.
//
// Many tourists share one address: China's mobile carriers put a county's
// subscribers behind carrier-grade NAT, so one public IPv4 address can
// stand for every phone at a site. The numbers are sized for that:
//
//   - per (client address, site): a burst of 300 and 2 a second
//     (7,200 an hour). The busiest sites see about 10,000 visitors on a
//     peak day; if all of them came through one address, the peak hour
//     (about a fifth of the day) would bring ~2,000 people with ~2
//     recorded requests each (a scan, a page view): ~1.1 a second. 2 a
//     second leaves twice that, and the burst covers six tour buses of 50
//     scanning the same sign within the same minute.
//   - per client address over all sites: a burst of 1,000 and 10 a second
//     (36,000 an hour), for a county's whole carrier pool behind one
//     address visiting its sites at once.
//
// A flood from one address is held to these rates whatever user agent it
// rotates: wrk's 252,147 scans in 10 s on one site become at most
// 300 + 2×10 = 320 counted, and as many unique visitors at most.
//
// IPv6 clients are keyed by their /64, the block one subscriber gets, so
// walking through the addresses of one's own prefix buys nothing.
//
// Loopback and private addresses (RFC 1918, fc00::/7) are never budgeted:
// no tourist comes from one, but a reverse proxy or container gateway
// that is not (yet) declared trusted makes every visitor look like it,
// and budgeting it would silently undercount everybody.
//
// The budget lives in memory per node (several nodes give a client that
// many budgets; a restart gives a fresh one), bounded: budgetShards shards
// of at most budgetShardMax clients each, about 100 bytes a client.
const (
	budgetSiteBurst   = 300
	budgetSiteRate    = 2.0 // per second
	budgetClientBurst = 1000
	budgetClientRate  = 10.0 // per second

	budgetShards   = 64
	budgetShardMax = 4096 // 64 × 4096 = 262,144 clients, ~30 MB at most
	// budgetSitesMax bounds the sites kept per client; a client visiting
	// more starts again with a fresh entry.
	budgetSitesMax = 256
)

// BudgetSpec is one token bucket: Burst events at once, refilled at Rate
// a second.
type BudgetSpec struct {
	Burst float64
	Rate  float64
}

// RecordBudget sets the recording budget; the zero value means the
// documented defaults.
type RecordBudget struct {
	PerSite   BudgetSpec // per (client address, site)
	PerClient BudgetSpec // per client address, all sites
	// Off disables the budget (load tests measuring the bare pipeline).
	Off bool
}

func (b RecordBudget) withDefaults() RecordBudget {
	if b.PerSite.Burst <= 0 || b.PerSite.Rate <= 0 {
		b.PerSite = BudgetSpec{budgetSiteBurst, budgetSiteRate}
	}
	if b.PerClient.Burst <= 0 || b.PerClient.Rate <= 0 {
		b.PerClient = BudgetSpec{budgetClientBurst, budgetClientRate}
	}
	return b
}

type bucket struct {
	tokens float64
	at     int64 // unix nanoseconds of the last refill
}

// take refills the bucket to now and takes one token if there is one.
func (b *bucket) take(spec BudgetSpec, now int64) bool {
	if now > b.at {
		b.tokens = min(spec.Burst, b.tokens+float64(now-b.at)*spec.Rate/1e9)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// full reports whether the bucket has refilled to its burst by now: such a
// client is indistinguishable from one never seen, so it can be dropped.
func (b *bucket) full(spec BudgetSpec, now int64) bool {
	return b.tokens+float64(now-b.at)*spec.Rate/1e9 >= spec.Burst
}

type budgetClient struct {
	all   bucket
	sites map[string]*bucket
}

type budgetShard struct {
	mu      sync.Mutex
	clients map[string]*budgetClient
}

// recordBudget decides, per client, whether an event still counts.
type recordBudget struct {
	spec     RecordBudget
	shardMax int // budgetShardMax; smaller in tests
	shards   [budgetShards]budgetShard
}

func newRecordBudget(spec RecordBudget) *recordBudget {
	if spec.Off {
		return nil
	}
	b := &recordBudget{spec: spec.withDefaults(), shardMax: budgetShardMax}
	for i := range b.shards {
		b.shards[i].clients = map[string]*budgetClient{}
	}
	return b
}

// clientKey is the part of an address that stands for one subscriber: an
// IPv4 address whole, an IPv6 address by its /64.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.Addr().String()
}

// local reports whether ip is a loopback or private address.
func local(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && (a.IsLoopback() || a.IsPrivate())
}

func shardOf(key string) uint32 {
	// FNV-1a: cheap and well spread over addresses.
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return h % budgetShards
}

// allow takes one event of client ip at site from the budget at now, and
// reports whether it still counts. A nil budget allows everything.
func (b *recordBudget) allow(ip, site string, now time.Time) bool {
	if b == nil {
		return true
	}
	if local(ip) {
		return true
	}
	key := clientKey(ip)
	ns := now.UnixNano()
	sh := &b.shards[shardOf(key)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	c := sh.clients[key]
	if c == nil {
		if len(sh.clients) >= b.shardMax {
			b.evict(sh, ns)
		}
		c = &budgetClient{all: bucket{tokens: b.spec.PerClient.Burst, at: ns}, sites: map[string]*bucket{}}
		sh.clients[key] = c
	}
	s := c.sites[site]
	if s == nil {
		if len(c.sites) >= budgetSitesMax {
			clear(c.sites)
		}
		s = &bucket{tokens: b.spec.PerSite.Burst, at: ns}
		c.sites[site] = s
	}
	// The site's bucket first: an event refused there takes nothing from
	// the client's other sites.
	return s.take(b.spec.PerSite, ns) && c.all.take(b.spec.PerClient, ns)
}

// evict makes room in a full shard: first the clients whose buckets have
// refilled (forgetting them changes nothing), then, if every client is
// active, an arbitrary eighth of them, which only gives those a fresh
// budget.
func (b *recordBudget) evict(sh *budgetShard, now int64) {
	for k, c := range sh.clients {
		if c.all.full(b.spec.PerClient, now) && b.sitesFull(c, now) {
			delete(sh.clients, k)
		}
	}
	if len(sh.clients) < b.shardMax*7/8 {
		return
	}
	drop := len(sh.clients) / 8
	for k := range sh.clients {
		if drop == 0 {
			break
		}
		delete(sh.clients, k)
		drop--
	}
}

func (b *recordBudget) sitesFull(c *budgetClient, now int64) bool {
	for _, s := range c.sites {
		if !s.full(b.spec.PerSite, now) {
			return false
		}
	}
	return true
}

// size returns the number of clients held (tests).
func (b *recordBudget) size() int {
	n := 0
	for i := range b.shards {
		b.shards[i].mu.Lock()
		n += len(b.shards[i].clients)
		b.shards[i].mu.Unlock()
	}
	return n
}
