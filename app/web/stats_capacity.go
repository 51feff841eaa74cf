package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
)

type capacitySite struct {
	Name localized
	Href string
	View stats.CapacityView
}

type capacityPage struct {
	Form    statsForm
	Scope   statsScope
	Heading localized
	Nav     statsNav
	Sites   []capacitySite
	Days    []string
	CSV     string
	Grids   []heatGrid
}

// heatGrid is a heatmap ready for the template (which has no functions):
// for one site, days × slots; for several, sites × days.
type heatGrid struct {
	Title  localized
	Href   string
	Header []string
	Rows   []heatRow
}

type heatRow struct {
	Label string
	Href  string
	Cells []heatCell
}

type heatCell struct {
	Text, Class, Title string
}

func cellOf(reserved, limit, pct int, known bool) heatCell {
	if limit == 0 {
		return heatCell{Text: "–", Class: "heat"}
	}
	c := heatCell{Text: strconv.Itoa(pct) + "%", Class: heatClass(pct),
		Title: strconv.Itoa(reserved) + " / " + strconv.Itoa(limit)}
	if m := stats.Mark(pct); m > 0 {
		c.Text += " ▲" + strconv.Itoa(m)
	}
	return c
}

func capacityGrids(v *view, p *capacityPage) []heatGrid {
	if p.Scope.Site != nil && len(p.Sites) == 1 {
		s := p.Sites[0]
		g := heatGrid{Title: s.Name, Header: []string{v.T("stats.csv.day")}}
		if len(s.View.Slots) == 0 {
			g.Header = append(g.Header, v.T("stats.capacity.daily"))
		}
		for _, sl := range s.View.Slots {
			g.Header = append(g.Header, sl.Start+"–"+sl.End)
		}
		if len(s.View.Slots) > 0 {
			g.Header = append(g.Header, v.T("stats.capacity.day_total"))
		}
		g.Header = append(g.Header, v.T("stats.figure.checkin"))
		for _, d := range s.View.Days {
			r := heatRow{Label: d.Day}
			for _, c := range d.Cells {
				r.Cells = append(r.Cells, cellOf(c.Reserved, c.Limit, c.Percent, c.Known))
			}
			if len(s.View.Slots) > 0 {
				r.Cells = append(r.Cells, cellOf(d.Reserved, d.Limit, d.Percent, true))
			}
			r.Cells = append(r.Cells, heatCell{Text: i64(d.CheckIns), Class: "plain"})
			g.Rows = append(g.Rows, r)
		}
		return []heatGrid{g}
	}
	g := heatGrid{Title: p.Heading, Header: []string{v.T("stats.csv.site")}}
	for _, d := range p.Days {
		g.Header = append(g.Header, d[5:])
	}
	for _, s := range p.Sites {
		r := heatRow{Label: s.Name.S, Href: s.Href}
		for _, d := range s.View.Days {
			r.Cells = append(r.Cells, cellOf(d.Reserved, d.Limit, d.Percent, true))
		}
		g.Rows = append(g.Rows, r)
	}
	return []heatGrid{g}
}

// capacityMaxSites bounds a county-wide heatmap: sites × days × slots
// lookups by _id.
const capacityMaxSites = 40

// capacity shows reserved places against the limit per day (and per slot
// for one site), with days at 80/90/95 % marked. Without a range it looks
// two weeks ahead, where booking decisions are made.
func (h *statsViews) capacity(c *fiber.Ctx) (statsAnswer, error) {
	f := parseStatsForm(c)
	if c.Query("range") == "" && f.From == "" && f.To == "" {
		today := h.now().In(domain.ChinaTime)
		f.Range, f.From, f.To = "custom", today.Format(time.DateOnly), today.AddDate(0, 0, 13).Format(time.DateOnly)
	}
	if err := f.dates(h.now()); err != nil {
		return statsAnswer{}, err
	}
	if n, _ := stats.CheckRange(f.From, f.To); n > stats.MaxCapacityDays {
		return statsAnswer{}, statsBad("to", "stats.error.too_long", stats.MaxCapacityDays)
	}
	sc, err := h.scope(c, f)
	if err != nil {
		return statsAnswer{}, err
	}
	if len(sc.Sites) > capacityMaxSites {
		return statsAnswer{}, statsBad("county", "stats.error.pick_county")
	}
	v := h.s.view(c, "")
	lang := langOf(c)
	p := &capacityPage{Form: f, Scope: sc, Heading: h.heading(v, sc, lang), Nav: h.nav(v, f, sc, "capacity"),
		CSV: "/admin/stats/capacity.csv?" + f.query()}
	p.Days, _ = stats.DaysBetween(f.From, f.To)
	t := csvTable{Name: "capacity", Rows: [][]string{{v.T("stats.csv.county"), v.T("stats.csv.site"), v.T("stats.csv.day"),
		v.T("stats.capacity.slot"), v.T("stats.capacity.limit"), v.T("stats.capacity.reserved"), v.T("stats.capacity.percent"),
		v.T("stats.figure.checkin")}}}
	js := []capacityJSON{}
	for _, u := range sc.Sites {
		cv, err := h.board.Capacity(c.UserContext(), h.st, u, f.From, f.To)
		if err != nil {
			return statsAnswer{}, err
		}
		if !cv.Enabled && len(cv.Days) == 0 {
			continue
		}
		js = append(js, capacityAPI(cv))
		p.Sites = append(p.Sites, capacitySite{Name: loc(sc.siteNames[u.Key], lang), View: cv,
			Href: "/admin/stats/capacity?" + f.query("county", u.County, "site", u.Key)})
		for _, d := range cv.Days {
			for _, cell := range d.Cells {
				t.Rows = append(t.Rows, []string{u.County, u.Key, d.Day, cell.Slot, strconv.Itoa(cell.Limit),
					strconv.Itoa(cell.Reserved), strconv.Itoa(cell.Percent), i64(d.CheckIns)})
			}
		}
	}
	p.Grids = capacityGrids(v, p)
	return statsAnswer{Page: p, Tables: []csvTable{t}, JSON: capacityAnswerJSON{From: f.From, To: f.To, Sites: js}}, nil
}

// capacityAnswerJSON is the capacity view in the API.
type capacityAnswerJSON struct {
	From  string         `json:"from"`
	To    string         `json:"to"`
	Sites []capacityJSON `json:"sites"`
}

// capacityJSON is a site's heatmap in the API, snake_case like every other
// answer (it was the Go struct, PascalCase, before).
type capacityJSON struct {
	County  string            `json:"county"`
	Site    string            `json:"site"`
	Enabled bool              `json:"enabled"`
	Slots   []capacitySlotAPI `json:"slots"`
	Days    []capacityDayAPI  `json:"days"`
}

type capacitySlotAPI struct {
	Code  string `json:"code"`
	Start string `json:"start"`
	End   string `json:"end"`
	Limit int    `json:"limit"`
}

type capacityDayAPI struct {
	Day      string            `json:"day"`
	Limit    int               `json:"limit"`
	Reserved int               `json:"reserved"`
	Percent  int               `json:"percent"`
	CheckIns int64             `json:"checked_in"`
	Cells    []capacityCellAPI `json:"cells"`
}

type capacityCellAPI struct {
	Slot     string `json:"slot,omitempty"`
	Limit    int    `json:"limit"`
	Reserved int    `json:"reserved"`
	Percent  int    `json:"percent"`
	Known    bool   `json:"known"`
}

func capacityAPI(cv stats.CapacityView) capacityJSON {
	j := capacityJSON{County: cv.Site.County, Site: cv.Site.Key, Enabled: cv.Enabled,
		Slots: []capacitySlotAPI{}, Days: []capacityDayAPI{}}
	for _, sl := range cv.Slots {
		j.Slots = append(j.Slots, capacitySlotAPI{Code: sl.Code, Start: sl.Start, End: sl.End, Limit: sl.Limit})
	}
	for _, d := range cv.Days {
		day := capacityDayAPI{Day: d.Day, Limit: d.Limit, Reserved: d.Reserved, Percent: d.Percent, CheckIns: d.CheckIns,
			Cells: []capacityCellAPI{}}
		for _, c := range d.Cells {
			day.Cells = append(day.Cells, capacityCellAPI{Slot: c.Slot, Limit: c.Limit, Reserved: c.Reserved, Percent: c.Percent, Known: c.Known})
		}
		j.Days = append(j.Days, day)
	}
	return j
}

// heatClass is the CSS class of a percentage: the 80/90/95 % marks.
func heatClass(pct int) string {
	if m := stats.Mark(pct); m > 0 {
		return "heat heat" + strconv.Itoa(m)
	}
	switch {
	case pct >= 50:
		return "heat heat50"
	case pct > 0:
		return "heat heat1"
	}
	return "heat"
}
