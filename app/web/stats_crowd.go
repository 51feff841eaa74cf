package web

import (
	"context"
	"strconv"
	"time"

	"github.com/yimayou/yimayou/app/stats"
)

// useDefaultCrowd gives the site page a crowd level read from the store
// when none was wired, cached 5 s so a busy page costs one read per slot
// every 5 s.
func (d *StatsDeps) useDefaultCrowd() {
	if d.Crowd == nil && d.Store != nil {
		d.Crowd = stats.NewCrowd(d.Store, 5*time.Second)
	}
}

// CrowdSource tells how full a site is today; stats.Crowd implements it
// (cached for a few seconds).
type CrowdSource interface {
	CrowdLevel(ctx context.Context, site string, now time.Time) (pct int, ok bool)
}

// crowdItem is what the site page shows: a coarse bucket, so the page
// cache keeps at most four versions of a page per language, and the text
// never claims more precision than a page cached for minutes can keep.
type crowdItem struct {
	Mark  int    // 0 (under 80 %), 80, 90, 95
	Key   string // translation key
	Class string // the public stylesheet's existing colours
}

// crowdFor returns today's crowd bucket of a site, or nil when the site
// takes no reservations; the string is its part of the page cache key.
func (s *Server) crowdFor(ctx context.Context, site string, now time.Time) (*crowdItem, string) {
	if s.Stats.Crowd == nil {
		return nil, ""
	}
	pct, ok := s.Stats.Crowd.CrowdLevel(ctx, site, now)
	if !ok {
		return nil, "-"
	}
	var it crowdItem
	switch {
	case pct >= 95:
		it = crowdItem{Mark: 95, Key: "stats.crowd.95", Class: "alert danger"}
	case pct >= 90:
		it = crowdItem{Mark: 90, Key: "stats.crowd.90", Class: "alert warn"}
	case pct >= 80:
		it = crowdItem{Mark: 80, Key: "stats.crowd.80", Class: "alert info"}
	default:
		it = crowdItem{Mark: 0, Key: "stats.crowd.ok", Class: "badge open"}
	}
	return &it, strconv.Itoa(it.Mark)
}
