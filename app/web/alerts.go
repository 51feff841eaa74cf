package web

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// AlertSource lists the alerts active at now, of every county and the
// prefecture; the console's store implements it.
type AlertSource interface {
	ActiveAlerts(ctx context.Context, now time.Time) ([]domain.Alert, error)
}

// alertCache keeps the active alerts in memory for a few seconds, so a
// scan never waits on the database for them, and an alert posted on any
// node shows everywhere within that time.
type alertCache struct {
	src  AlertSource
	ttl  time.Duration
	mu   sync.Mutex
	at   time.Time
	list []domain.Alert
}

func newAlertCache(src AlertSource, ttl time.Duration) *alertCache {
	return &alertCache{src: src, ttl: ttl}
}

// forSite returns the alerts shown on a site's page (the region's, its divisions',
// its county's and its own) and a key naming that set.
func (a *alertCache) forSite(ctx context.Context, county, site string, now time.Time) ([]domain.Alert, string) {
	if a == nil || a.src == nil {
		return nil, ""
	}
	a.mu.Lock()
	if now.Sub(a.at) > a.ttl {
		list, err := a.src.ActiveAlerts(ctx, now)
		if err == nil {
			sort.Slice(list, func(i, j int) bool { return list[i].Starts.Before(list[j].Starts) })
			a.list, a.at = list, now
		} else {
			// Keep the last list; retry after a short pause, not on every request.
			a.at = now.Add(-a.ttl + time.Second)
		}
	}
	all := a.list
	a.mu.Unlock()
	var out []domain.Alert
	var ids []string
	for _, al := range all {
		if al.Shows(county, site) && al.Active(now) {
			out = append(out, al)
			ids = append(ids, al.ID)
		}
	}
	return out, strings.Join(ids, ",")
}
