package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
)

type deadSignRow struct {
	stats.DeadSign
	Label    string
	SiteName localized
	Href     string
	EditHref string
}

type deadSignsPage struct {
	Form    statsForm
	Scope   statsScope
	Heading localized
	Nav     statsNav
	End     string
	Rows    []deadSignRow
	CSV     string
}

// deadSignsJSON is the dead-signs view in the API.
type deadSignsJSON struct {
	End   string         `json:"end"`
	Days  int            `json:"days"`
	Signs []deadSignJSON `json:"signs"`
}

type deadSignJSON struct {
	County    string `json:"county"`
	Site      string `json:"site"`
	Sign      string `json:"sign"`
	Label     string `json:"label,omitempty"`
	LastScan  string `json:"last_scan,omitempty"`
	SiteScans int64  `json:"site_scans"`
	SiteViews int64  `json:"site_page_views"`
}

// deadSigns lists enabled signs without a scan in the last N full days
// (yesterday and before: today is not over) while their site had visitors.
func (h *statsViews) deadSigns(c *fiber.Ctx) (statsAnswer, error) {
	f := parseStatsForm(c)
	if f.Days < 1 || f.Days > stats.DeadSignLookback {
		return statsAnswer{}, statsBad("days", "stats.error.days", stats.DeadSignLookback)
	}
	f.Range = "custom"
	end := h.now().In(domain.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	f.From, f.To = end, end
	sc, err := h.scope(c, f)
	if err != nil {
		return statsAnswer{}, err
	}
	var enabled []stats.Unit
	for _, u := range sc.Signs {
		if sc.signsByKey[u.Key].Enabled {
			enabled = append(enabled, u)
		}
	}
	dead, err := h.board.DeadSigns(c.UserContext(), end, f.Days, sc.Sites, enabled)
	if err != nil {
		return statsAnswer{}, err
	}
	v := h.s.view(c, "")
	lang := langOf(c)
	p := &deadSignsPage{Form: f, Scope: sc, Heading: h.heading(v, sc, lang), Nav: h.nav(v, f, sc, "dead-signs"), End: end,
		CSV: "/admin/stats/dead-signs.csv?" + f.query("range", "", "from", "", "to", "", "days", i64(int64(f.Days)))}
	out := []deadSignJSON{}
	t := csvTable{Name: "dead-signs", Rows: [][]string{{v.T("stats.csv.county"), v.T("stats.csv.site"), v.T("stats.csv.sign"),
		v.T("stats.dead.label"), v.T("stats.dead.last_scan"), v.T("stats.dead.site_scans"), v.T("stats.dead.site_views")}}}
	for _, d := range dead {
		label := sc.signsByKey[d.Key].Label
		p.Rows = append(p.Rows, deadSignRow{DeadSign: d, Label: label, SiteName: loc(sc.siteNames[d.Site], lang),
			Href:     "/admin/stats/overview?" + f.query("range", "30d", "county", d.County, "site", d.Site, "sign", d.Key),
			EditHref: "/admin/signs/" + d.Key})
		out = append(out, deadSignJSON{County: d.County, Site: d.Site, Sign: d.Key, Label: label, LastScan: d.LastScan,
			SiteScans: d.SiteScans, SiteViews: d.SiteViews})
		t.Rows = append(t.Rows, []string{d.County, d.Site, d.Key, label, d.LastScan, i64(d.SiteScans), i64(d.SiteViews)})
	}
	return statsAnswer{Page: p, Tables: []csvTable{t}, JSON: deadSignsJSON{End: end, Days: f.Days, Signs: out}}, nil
}
