package stats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/tickets"
)

// FunnelRow is one step chain: scans → reservations → paid → check-ins.
// For a sign, reservations and check-ins are exact: the sign a tourist
// scanned travels in the link to the reservation, whose ticket events
// carry it. Where none of a site's ticket events in the range carry a
// sign (data from before, or a site whose tourists book elsewhere), its
// signs' tickets are attributed instead: each gets its site's tickets
// in proportion to its share of the site's scans, and Attributed is
// true on the row.
type FunnelRow struct {
	Unit
	Sign                                   bool // a sign's row, not a site's
	Scans, Views, Reserved, Paid, CheckIns int64
	// ShareOfSite is the sign's share of its site's scans, in ‰.
	ShareOfSite int64
	Attributed  bool
}

// Funnel computes the funnel of each site and of each of its signs.
func (b *Board) Funnel(ctx context.Context, from, to string, sites, signs []Unit) ([]FunnelRow, error) {
	if _, err := CheckRange(from, to); err != nil {
		return nil, err
	}
	days, _ := DaysBetween(from, to)
	rd := b.reading()
	siteTotals := map[string]map[string]int64{}
	var out []FunnelRow
	for _, u := range sites {
		t, _, err := rd.unitTotals(ctx, store.RollupSite, u, days, false)
		if err != nil {
			return nil, err
		}
		siteTotals[u.Key] = t
		out = append(out, FunnelRow{Unit: u, Scans: t[MetricScan], Views: t[MetricView], Reserved: t[MetricReserved],
			Paid: t[MetricPaid], CheckIns: t[MetricCheckIn]})
	}
	first := len(out)
	exact := map[string]bool{} // sites with ticket events that carry a sign
	for _, u := range signs {
		t, _, err := rd.unitTotals(ctx, store.RollupSign, u, days, false)
		if err != nil {
			return nil, err
		}
		row := FunnelRow{Unit: u, Sign: true, Scans: t[MetricScan], Views: t[MetricView], Reserved: t[MetricReserved],
			Paid: t[MetricPaid], CheckIns: t[MetricCheckIn]}
		if row.Reserved+row.Paid+row.CheckIns > 0 {
			exact[u.Site] = true
		}
		if st := siteTotals[u.Site]; st != nil && st[MetricScan] > 0 {
			row.ShareOfSite = (1000*row.Scans + st[MetricScan]/2) / st[MetricScan]
		}
		out = append(out, row)
	}
	for i := first; i < len(out); i++ {
		row := &out[i]
		if exact[row.Site] {
			continue
		}
		row.Attributed = true
		row.Reserved, row.Paid, row.CheckIns = 0, 0, 0
		if st := siteTotals[row.Site]; st != nil && st[MetricScan] > 0 {
			share := func(n int64) int64 { return (n*row.Scans + st[MetricScan]/2) / st[MetricScan] }
			row.Reserved, row.Paid, row.CheckIns = share(st[MetricReserved]), share(st[MetricPaid]), share(st[MetricCheckIn])
		}
	}
	return out, nil
}

// DeadSign is a sign that has not been scanned for at least the asked
// number of days while its site had visitors.
type DeadSign struct {
	Unit
	// LastScan is the last day with a scan within the lookback, "" if
	// none.
	LastScan string
	// SiteScans and SiteViews are the site's counts over the quiet days.
	SiteScans, SiteViews int64
}

// DeadSignLookback is how far back the last scan of a quiet sign is
// looked for.
const DeadSignLookback = 90

// DeadSigns lists the signs with no scan in the n days ending on end,
// whose site had scans or page views in those days.
func (b *Board) DeadSigns(ctx context.Context, end string, n int, sites, signs []Unit) ([]DeadSign, error) {
	if n < 1 || n > DeadSignLookback {
		return nil, fmt.Errorf("%w: %d days", ErrRange, n)
	}
	e, err := time.Parse(time.DateOnly, end)
	if err != nil {
		return nil, fmt.Errorf("%w: end %q", ErrRange, end)
	}
	from := e.AddDate(0, 0, 1-n).Format(time.DateOnly)
	window, _ := DaysBetween(from, end)
	lookback, _ := DaysBetween(e.AddDate(0, 0, 1-DeadSignLookback).Format(time.DateOnly), end)
	rd := b.reading()
	site := map[string]map[string]int64{}
	for _, u := range sites {
		ud, err := rd.unit(ctx, store.RollupSite, u, window, from, false, false)
		if err != nil {
			return nil, err
		}
		site[u.Key] = ud.total(window)
	}
	var out []DeadSign
	for _, u := range signs {
		st := site[u.Site]
		if st == nil || st[MetricScan]+st[MetricView] == 0 {
			continue
		}
		ud, err := rd.unit(ctx, store.RollupSign, u, lookback, end, false, false)
		if err != nil {
			return nil, err
		}
		if ud.total(window)[MetricScan] > 0 {
			continue
		}
		d := DeadSign{Unit: u, SiteScans: st[MetricScan], SiteViews: st[MetricView]}
		for i := len(lookback) - 1; i >= 0; i-- {
			if ud.counts[lookback[i]][MetricScan] > 0 {
				d.LastScan = lookback[i]
				break
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// CapacityStore is what the capacity views read; store.Store implements
// it (each a lookup by _id).
type CapacityStore interface {
	TicketSite(ctx context.Context, site string) (tickets.SiteConfig, error)
	Capacity(ctx context.Context, site, date, slot string) (tickets.Capacity, error)
}

// CapacityCell is one slot of one day.
type CapacityCell struct {
	Slot     string
	Limit    int
	Reserved int // online and walk-in places taken
	Percent  int // Reserved of Limit, 0..100+
	Known    bool
}

// CapacityDay is one row of the heatmap.
type CapacityDay struct {
	Day      string
	Cells    []CapacityCell
	Limit    int
	Reserved int
	Percent  int
	// CheckIns comes from the rollups (check-ins counted on the day they
	// happen, which for a valid ticket is its visit day).
	CheckIns int64
}

// CapacityView is a site's heatmap over a range of days.
type CapacityView struct {
	Site    Unit
	Enabled bool
	Slots   []tickets.Slot
	Days    []CapacityDay
}

// MaxCapacityDays bounds the heatmap: days × slots lookups.
const MaxCapacityDays = 92

// Capacity builds the heatmap of one site for days from..to.
func (b *Board) Capacity(ctx context.Context, cs CapacityStore, site Unit, from, to string) (CapacityView, error) {
	n, err := CheckRange(from, to)
	if err != nil {
		return CapacityView{}, err
	}
	if n > MaxCapacityDays {
		return CapacityView{}, fmt.Errorf("%w: %d days > %d", ErrRange, n, MaxCapacityDays)
	}
	v := CapacityView{Site: site}
	cfg, err := cs.TicketSite(ctx, site.Key)
	if errors.Is(err, domain.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	v.Enabled = cfg.Enabled
	v.Slots = cfg.Slots
	slots := []string{""}
	if len(cfg.Slots) > 0 {
		slots = slots[:0]
		for _, s := range cfg.Slots {
			slots = append(slots, s.Code)
		}
	}
	days, _ := DaysBetween(from, to)
	ud, err := b.reading().unit(ctx, store.RollupSite, site, days, from, false, false)
	if err != nil {
		return v, err
	}
	for _, d := range days {
		row := CapacityDay{Day: d, CheckIns: ud.counts[d][MetricCheckIn]}
		for _, slot := range slots {
			cell := CapacityCell{Slot: slot}
			c, err := cs.Capacity(ctx, site.Key, d, slot)
			switch {
			case errors.Is(err, domain.ErrNotFound):
				// Nobody booked this day yet: the configured limit, nothing taken.
				if s, ok := cfg.Slot(slot); ok {
					cell.Limit = s.Limit
				}
			case err != nil:
				return v, err
			default:
				cell.Limit, cell.Known = c.Limit, true
				cell.Reserved = (c.Online - c.Remaining) + (c.WalkIn - c.WalkInRemaining)
			}
			cell.Percent = percent(cell.Reserved, cell.Limit)
			row.Limit += cell.Limit
			row.Reserved += cell.Reserved
			row.Cells = append(row.Cells, cell)
		}
		row.Percent = percent(row.Reserved, row.Limit)
		v.Days = append(v.Days, row)
	}
	return v, nil
}

func percent(n, of int) int {
	if of <= 0 {
		return 0
	}
	return (n*100 + of/2) / of
}

// Mark is the crowd mark of a percentage: 0, 80, 90 or 95.
func Mark(pct int) int {
	switch {
	case pct >= 95:
		return 95
	case pct >= 90:
		return 90
	case pct >= 80:
		return 80
	}
	return 0
}

// Crowd answers today's crowd level of a site for the public page, from
// the capacity documents, cached for a few seconds so a busy page costs
// the database one read per slot every TTL.
type Crowd struct {
	cs  CapacityStore
	ttl time.Duration
	mu  sync.Mutex
	got map[string]crowdEntry
}

type crowdEntry struct {
	day  string
	pct  int
	ok   bool
	when time.Time
}

// NewCrowd returns a crowd level source over cs, caching for ttl.
func NewCrowd(cs CapacityStore, ttl time.Duration) *Crowd {
	return &Crowd{cs: cs, ttl: ttl, got: map[string]crowdEntry{}}
}

// CrowdLevel is the share of today's places at site that are taken, in
// percent; ok is false when the site takes no reservations.
func (c *Crowd) CrowdLevel(ctx context.Context, site string, now time.Time) (int, bool) {
	day := tickets.Day(now)
	c.mu.Lock()
	e, hit := c.got[site]
	c.mu.Unlock()
	if hit && e.day == day && now.Sub(e.when) < c.ttl {
		return e.pct, e.ok
	}
	pct, ok := c.compute(ctx, site, day)
	c.mu.Lock()
	if len(c.got) > 10000 {
		clear(c.got) // sites are few; this only bounds a flood of bad keys
	}
	c.got[site] = crowdEntry{day: day, pct: pct, ok: ok, when: now}
	c.mu.Unlock()
	return pct, ok
}

func (c *Crowd) compute(ctx context.Context, site, day string) (int, bool) {
	cfg, err := c.cs.TicketSite(ctx, site)
	if err != nil || !cfg.Enabled {
		return 0, false
	}
	slots := []string{""}
	if len(cfg.Slots) > 0 {
		slots = slots[:0]
		for _, s := range cfg.Slots {
			slots = append(slots, s.Code)
		}
	}
	limit, taken := 0, 0
	for _, slot := range slots {
		cp, err := c.cs.Capacity(ctx, site, day, slot)
		if errors.Is(err, domain.ErrNotFound) {
			if s, ok := cfg.Slot(slot); ok {
				limit += s.Limit
			}
			continue
		}
		if err != nil {
			return 0, false
		}
		limit += cp.Limit
		taken += (cp.Online - cp.Remaining) + (cp.WalkIn - cp.WalkInRemaining)
	}
	if limit <= 0 {
		return 0, false
	}
	return percent(taken, limit), true
}
