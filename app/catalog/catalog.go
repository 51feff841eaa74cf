// Package catalog keeps the published content (counties, sites, signs) in
// memory for the request path: resolving a scanned code must not wait on
// the database. It reloads when the store's content version moves, so an
// edit made on any app node reaches every node within one poll.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Source is what the catalogue reads; store.Store implements it.
type Source interface {
	ContentVersion(ctx context.Context) (int64, error)
	Counties(ctx context.Context) ([]domain.County, error)
	Sites(ctx context.Context, county string) ([]domain.Site, error)
	SignsAll(ctx context.Context) ([]domain.Sign, error)
	// Region returns an error wrapping domain.ErrNotFound when none is set.
	Region(ctx context.Context) (domain.Region, error)
}

// Snapshot is an immutable view of the content at one version. Readers
// hold a snapshot for the whole request, so a reload never shows them half
// of an edit.
type Snapshot struct {
	Version  int64
	Counties []domain.County // ordered by code
	// Region is who runs the install and what it covers. When the
	// database holds none (an install from before region.yaml), it is
	// made up from the counties: the smallest node holding them all, with
	// no names (RegionSet is false then, and the console asks for one).
	Region    domain.Region
	RegionSet bool
	tree      *domain.Node
	county    map[string]*domain.County
	site      map[string]*domain.Site // published sites only
	byCounty  map[string][]*domain.Site
	sign      map[string]*domain.Sign
}

// County returns a county by code.
func (s *Snapshot) County(code string) (*domain.County, bool) {
	c, ok := s.county[code]
	return c, ok
}

// Tree is the region's tree over the counties (domain.Region.Tree).
func (s *Snapshot) Tree() *domain.Node {
	if s.tree == nil {
		return s.Region.Tree(s.Counties)
	}
	return s.tree
}

// Site returns a published site by key.
func (s *Snapshot) Site(key string) (*domain.Site, bool) {
	site, ok := s.site[key]
	return site, ok
}

// SitesOf returns the published sites of a county, ordered by key.
func (s *Snapshot) SitesOf(county string) []*domain.Site { return s.byCounty[county] }

// Sign returns a sign by code, enabled or not.
func (s *Snapshot) Sign(code string) (*domain.Sign, bool) {
	sign, ok := s.sign[code]
	return sign, ok
}

// SiteCount is the number of published sites.
func (s *Snapshot) SiteCount() int { return len(s.site) }

// Catalog serves snapshots and reloads them.
type Catalog struct {
	src     Source
	log     *slog.Logger
	current atomic.Pointer[Snapshot]
	mu      sync.Mutex // one reload at a time
}

// New loads the first snapshot.
func New(ctx context.Context, src Source, log *slog.Logger) (*Catalog, error) {
	c := &Catalog{src: src, log: log}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Snapshot returns the current content.
func (c *Catalog) Snapshot() *Snapshot { return c.current.Load() }

// Reload reads everything from the source now. Content is small (hundreds
// of sites), so a full reload is simpler and safer than patching.
func (c *Catalog) Reload(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	version, err := c.src.ContentVersion(ctx)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	counties, err := c.src.Counties(ctx)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	sites, err := c.src.Sites(ctx, "")
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	signs, err := c.src.SignsAll(ctx)
	if err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	region, err := c.src.Region(ctx)
	set := err == nil
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("catalog: %w", err)
	}
	snap := build(version, counties, sites, signs)
	snap.Region, snap.RegionSet = region, set
	if !set {
		snap.Region = FallbackRegion(snap.Counties)
	}
	snap.tree = snap.Region.Tree(snap.Counties)
	c.current.Store(snap)
	return nil
}

func build(version int64, counties []domain.County, sites []domain.Site, signs []domain.Sign) *Snapshot {
	s := &Snapshot{Version: version, Counties: counties,
		county: map[string]*domain.County{}, site: map[string]*domain.Site{},
		byCounty: map[string][]*domain.Site{}, sign: map[string]*domain.Sign{}}
	sort.Slice(s.Counties, func(i, j int) bool { return s.Counties[i].Code < s.Counties[j].Code })
	for i := range s.Counties {
		s.county[s.Counties[i].Code] = &s.Counties[i]
	}
	for i := range sites {
		site := &sites[i]
		if !site.Published {
			continue
		}
		s.site[site.Key] = site
		s.byCounty[site.County] = append(s.byCounty[site.County], site)
	}
	for _, list := range s.byCounty {
		sort.Slice(list, func(i, j int) bool { return list[i].Key < list[j].Key })
	}
	for i := range signs {
		s.sign[signs[i].Code] = &signs[i]
	}
	return s
}

// FallbackRegion is the region made up from the counties when none is set:
// the smallest node of the GB/T 2260 tree that holds them all (the
// county itself for one county, their prefecture, their province), with
// no names.
func FallbackRegion(counties []domain.County) domain.Region {
	if len(counties) == 0 {
		return domain.Region{}
	}
	code := counties[0].Code
	for code != "" && slices.ContainsFunc(counties, func(c domain.County) bool { return !domain.NodeContains(code, c.Code) }) {
		code = domain.ParentCode(code)
	}
	return domain.Region{Code: code}
}

// Watch polls the content version every interval and reloads when it has
// moved, until ctx ends.
func (c *Catalog) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			v, err := c.src.ContentVersion(ctx)
			if err != nil {
				if ctx.Err() == nil {
					c.log.Warn("catalog: poll content version", "err", err)
				}
				continue
			}
			if v == c.Snapshot().Version {
				continue
			}
			if err := c.Reload(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("catalog: reload", "err", err)
			}
		}
	}
}

// ExampleSign returns the smallest enabled code of a published site, for
// the start-up banner; "" when there is none.
func (s *Snapshot) ExampleSign() string {
	best := ""
	for code, sign := range s.sign {
		if _, ok := s.site[sign.Site]; ok && sign.Enabled && (best == "" || code < best) {
			best = code
		}
	}
	return best
}

// AllSites returns every published site, ordered by county then key.
func (s *Snapshot) AllSites() []*domain.Site {
	out := make([]*domain.Site, 0, len(s.site))
	for _, c := range s.Counties {
		out = append(out, s.byCounty[c.Code]...)
	}
	return out
}
