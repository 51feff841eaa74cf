package stats

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// GenOptions describe a synthetic data set for `yimayou gen-events`, the
// benchmarks and the tests that check dashboards against raw events.
type GenOptions struct {
	Sites  []Unit              // Key = site key
	Signs  map[string][]string // site key → sign codes
	From   string              // first day
	Days   int
	PerDay int // events per site per day
	Seed   uint64
	Node   string // the node the events are logged by; "" means "gen"
	// TicketSigns gives half the ticket events of a site with signs the
	// sign they were booked from, as reservations made from a scanned
	// sign's link are (the exact funnel); without it tickets carry none,
	// as before signs travelled to the reservation.
	TicketSigns bool
}

// Generate calls fn with every synthetic event in day order, then site
// order. The mix is roughly that of a busy site: scans and page views,
// audio plays, reservations of which most are paid and checked in, a few
// refunds and bots. Visitors return across days and visit several sites
// of a county on one day, so merged uniques differ from summed ones.
func Generate(opt GenOptions, fn func(domain.Event) error) error {
	start, err := time.ParseInLocation(time.DateOnly, opt.From, domain.ChinaTime)
	if err != nil {
		return fmt.Errorf("stats: gen: from %q: %w", opt.From, err)
	}
	node := opt.Node
	if node == "" {
		node = "gen"
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	var seq uint64
	pool := max(1, opt.PerDay/3)
	langs := []domain.Lang{domain.Zh, domain.Zh, domain.Zh, domain.Zh, domain.Zh, domain.Zh, domain.Zh, domain.Bo, domain.Bo, domain.En}
	devices := []string{domain.DeviceMobile, domain.DeviceMobile, domain.DeviceMobile, domain.DeviceMobile, domain.DeviceMobile,
		domain.DeviceMobile, domain.DeviceMobile, domain.DeviceMobile, domain.DeviceTablet, domain.DeviceDesktop}
	refs := []string{domain.ReferrerNone, domain.ReferrerNone, domain.ReferrerNone, domain.ReferrerWechat, domain.ReferrerWechat,
		domain.ReferrerInternal, domain.ReferrerSearch, domain.ReferrerOther}
	for d := 0; d < opt.Days; d++ {
		day := start.AddDate(0, 0, d)
		for _, site := range opt.Sites {
			signs := opt.Signs[site.Key]
			for i := 0; i < opt.PerDay; i++ {
				at := day.Add(time.Duration(6*3600+rng.IntN(15*3600)) * time.Second)
				r := rng.IntN(1000)
				var typ domain.EventType
				switch {
				case r < 400:
					typ = domain.EventScan
				case r < 800:
					typ = domain.EventPageView
				case r < 880:
					typ = domain.EventAudioPlay
				case r < 930:
					typ = domain.EventTicketReserved
				case r < 970:
					typ = domain.EventTicketPaid
				case r < 995:
					typ = domain.EventTicketCheckedIn
				default:
					typ = domain.EventTicketRefunded
				}
				seq++
				e := domain.NewEvent(typ, at)
				e.ID = fmt.Sprintf("%s-%d", node, seq)
				e.Node, e.Seq = node, seq
				e.County, e.Site = site.County, site.Key
				e.Lang = langs[rng.IntN(len(langs))]
				switch typ {
				case domain.EventScan, domain.EventPageView, domain.EventAudioPlay:
					if typ == domain.EventScan && len(signs) > 0 {
						// Signs are not equally good: the first one
						// gets the most scans, the last may get none.
						e.Sign = signs[min(len(signs)-1, int(rng.ExpFloat64()*0.8))]
					}
					e.Device = devices[rng.IntN(len(devices))]
					e.Referrer = refs[rng.IntN(len(refs))]
					if typ == domain.EventScan {
						e.Referrer = domain.ReferrerNone
					}
					// Keys change daily; one key pool per county and day
					// makes visitors of several sites of a county.
					e.VisitorKey = site.County + "-" + e.Day + "-" + strconv.Itoa(rng.IntN(pool))
					e.Bot = rng.IntN(100) < 2
				case domain.EventTicketPaid, domain.EventTicketRefunded:
					e.Extra = map[string]string{ExtraAmountFen: strconv.Itoa(4500 * (1 + rng.IntN(2)))}
				}
				if opt.TicketSigns && len(signs) > 0 && e.Sign == "" && seq%2 == 0 && typ != domain.EventScan &&
					typ != domain.EventPageView && typ != domain.EventAudioPlay {
					// From the sequence, not the random source, so the
					// rest of the data set stays the same.
					e.Sign = signs[int(seq/2)%len(signs)]
				}
				if err := fn(e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// GenerateRollups computes the rollup documents the pipeline would write
// for Generate's events, without storing the events: it fills large data
// sets (tens of millions of events) in seconds, for the benchmarks. It
// follows app/events' rule of what an event counts for; a test checks
// that its documents give the same figures as the real pipeline.
func GenerateRollups(opt GenOptions) ([]store.Rollup, error) {
	type dayAcc struct {
		day    *store.RollupDay
		sketch *Sketch
		at     uint64
	}
	docs := map[string]*store.Rollup{}
	days := map[string]map[string]*dayAcc{} // doc id → "dd" → day
	var order []string
	get := func(kind, county, key, month, node, dd string) *dayAcc {
		id := store.RollupID(kind, county, key, month, node)
		if docs[id] == nil {
			docs[id] = &store.Rollup{ID: id, Kind: kind, County: county, Key: key, Month: month, Node: node}
			days[id] = map[string]*dayAcc{}
			order = append(order, id)
		}
		a := days[id][dd]
		if a == nil {
			a = &dayAcc{day: &store.RollupDay{Hours: map[string]map[string]int64{}}}
			days[id][dd] = a
		}
		return a
	}
	incr := func(d *store.RollupDay, hour, metric string, n int64) {
		h := d.Hours[hour]
		if h == nil {
			h = map[string]int64{}
			d.Hours[hour] = h
		}
		h[metric] += n
	}
	cnt := func(m *map[string]int64, k string) {
		if k == "" {
			return
		}
		if *m == nil {
			*m = map[string]int64{}
		}
		(*m)[k]++
	}
	var hours [24]string
	for h := range hours {
		hours[h] = fmt.Sprintf("%02d", h)
	}
	err := Generate(opt, func(e domain.Event) error {
		month, dd, hour := e.Day[:7], e.Day[8:], hours[e.Hour]
		if InRank(&e) {
			a := get(store.RollupRank, e.County, e.County, month, e.Node, dd)
			docs[store.RollupID(store.RollupRank, e.County, e.County, month, e.Node)].Seq = int64(e.Seq)
			AddRank(a.day, &e)
			a = get(store.RollupRankDay, e.County, e.Day, month, e.Node, dd)
			docs[store.RollupID(store.RollupRankDay, e.County, e.Day, month, e.Node)].Seq = int64(e.Seq)
			AddRank(a.day, &e)
			// The prefecture's rank-day and month rank documents.
			a = get(store.RollupRankDay, store.LevelAll, e.Day, month, e.Node, dd)
			docs[store.RollupID(store.RollupRankDay, store.LevelAll, e.Day, month, e.Node)].Seq = int64(e.Seq)
			AddRank(a.day, &e)
			a = get(store.RollupRankMonth, store.LevelAll, store.LevelAll, month, e.Node, store.MonthDay)
			docs[store.RollupID(store.RollupRankMonth, store.LevelAll, store.LevelAll, month, e.Node)].Seq = int64(e.Seq)
			AddRank(a.day, &e)
		}
		for _, target := range []struct {
			kind, county, key string
			full              bool
		}{{store.RollupSite, e.County, e.Site, true}, {store.RollupCounty, e.County, e.County, true},
			{store.RollupAll, store.LevelAll, store.LevelAll, true}, {store.RollupSign, e.County, e.Sign, false}} {
			if target.key == "" || (target.kind != store.RollupSign && e.Site == "") {
				continue
			}
			a := get(target.kind, target.county, target.key, month, e.Node, dd)
			docs[store.RollupID(target.kind, target.county, target.key, month, e.Node)].Seq = int64(e.Seq)
			if e.Bot {
				incr(a.day, hour, MetricBot, 1)
				continue
			}
			incr(a.day, hour, MetricOf(e.Type), 1)
			if n, err := strconv.ParseInt(e.Extra[ExtraAmountFen], 10, 64); err == nil && n != 0 {
				if e.Type == domain.EventTicketPaid {
					incr(a.day, hour, MetricRevenueFen, n)
				} else if e.Type == domain.EventTicketRefunded {
					incr(a.day, hour, MetricRefundFen, n)
				}
			}
			if e.VisitorKey != "" {
				if a.sketch == nil {
					a.sketch = NewSketch()
				}
				a.sketch.Add(e.VisitorKey)
				a.at = max(a.at, e.Seq)
			}
			if target.full && (e.Type == domain.EventScan || e.Type == domain.EventPageView) {
				cnt(&a.day.Lang, string(e.Lang))
				cnt(&a.day.Device, e.Device)
				cnt(&a.day.Referrer, e.Referrer)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]store.Rollup, 0, len(order))
	for _, id := range order {
		doc := docs[id]
		doc.Days = map[string]*store.RollupDay{}
		for dd, a := range days[id] {
			if a.sketch != nil {
				a.day.Visitors = EncodeVersioned(a.at, a.sketch)
			}
			doc.Days[dd] = a.day
		}
		out = append(out, *doc)
	}
	// Every document's month document, as shipping keeps it.
	for i := range out {
		m, ok, err := FoldMonth(out[i])
		if err != nil {
			return nil, err
		}
		if ok && len(m.Days) > 0 {
			out = append(out, m)
		}
	}
	return out, nil
}

// RollupWriter is what WriteRollups needs; store.Store implements it.
type RollupWriter interface {
	InsertRollups(ctx context.Context, rs []store.Rollup) error
	AddRollupNode(ctx context.Context, node, month string) error
}

// WriteRollups stores generated rollups as new documents and registers
// their nodes. Run it on months without rollups of the generator's node:
// existing documents are kept, not raised.
func WriteRollups(ctx context.Context, st RollupWriter, rs []store.Rollup, progress func(done int)) error {
	seen := map[[2]string]bool{}
	for _, r := range rs {
		k := [2]string{r.Node, r.Month}
		if !seen[k] {
			seen[k] = true
			if err := st.AddRollupNode(ctx, r.Node, r.Month); err != nil {
				return err
			}
		}
	}
	const batch = 20 // big documents: keep each bulk write modest
	for i := 0; i < len(rs); i += batch {
		if err := st.InsertRollups(ctx, rs[i:min(i+batch, len(rs))]); err != nil {
			return err
		}
		if progress != nil {
			progress(min(i+batch, len(rs)))
		}
	}
	return nil
}
