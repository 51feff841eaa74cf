package web

import (
	"html/template"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/stats"
)

type livePage struct {
	Form    statsForm
	Scope   statsScope
	Heading localized
	Nav     statsNav
	Points  []stats.LivePoint
	Chart   template.HTML
	Total   map[string]int64
	CSV     string
	Refresh string
}

// liveJSON is the live view in the API.
type liveJSON struct {
	Minutes []livePointJSON `json:"minutes"`
}

type livePointJSON struct {
	Minute string           `json:"minute"`
	Counts map[string]int64 `json:"counts"`
}

// liveView is the last 30 minutes by minute, of every node (this node's
// from memory, the others' as they last wrote them, seconds ago). The page reloads itself every 20 s with a meta refresh (no
// script needed); the JSON is for a wall display or a script.
func (h *statsViews) liveView(c *fiber.Ctx) (statsAnswer, error) {
	f := parseStatsForm(c)
	f.Range = "today"
	if err := f.dates(h.now()); err != nil {
		return statsAnswer{}, err
	}
	sc, err := h.scope(c, f)
	if err != nil {
		return statsAnswer{}, err
	}
	sites := map[string]bool{}
	for _, u := range sc.Sites {
		sites[u.Key] = true
	}
	// Real time, not the console clock: events are stamped by the clock.
	pts, err := h.live.Last(c.UserContext(), time.Now(), func(county, site string) bool {
		return slices.Contains(sc.Counties, county) && (site == "" || sites[site])
	})
	if err != nil {
		return statsAnswer{}, err
	}
	v := h.s.view(c, "")
	p := &livePage{Form: f, Scope: sc, Heading: h.heading(v, sc, langOf(c)), Nav: h.nav(v, f, sc, "live"), Points: pts,
		Total: map[string]int64{}, CSV: "/admin/stats/live.csv?" + f.query(), Refresh: "20"}
	var series []stats.Point
	out := []livePointJSON{}
	t := csvTable{Name: "live", Rows: [][]string{{v.T("stats.csv.at"), v.T("stats.figure.scan"), v.T("stats.figure.view"),
		v.T("stats.figure.reserved"), v.T("stats.figure.checkin")}}}
	for _, pt := range pts {
		label := pt.Minute.Format("2006-01-02 15:04")
		series = append(series, stats.Point{Label: label, Counts: pt.Counts})
		for k, n := range pt.Counts {
			p.Total[k] += n
		}
		out = append(out, livePointJSON{Minute: label, Counts: pt.Counts})
		t.Rows = append(t.Rows, []string{label, i64(pt.Counts[stats.MetricScan]), i64(pt.Counts[stats.MetricView]),
			i64(pt.Counts[stats.MetricReserved]), i64(pt.Counts[stats.MetricCheckIn])})
	}
	p.Chart = minuteChart(v, series)
	return statsAnswer{Page: p, Tables: []csvTable{t}, JSON: liveJSON{Minutes: out}}, nil
}
