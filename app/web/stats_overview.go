package web

import (
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
)

// statsCard is one headline figure with its change.
type statsCard struct {
	Name        string // figure name, for the label key and tests
	Value       string
	Prev        string
	Change      string // "+12 %", "−3 %", "new" or ""
	Trend       string // "up", "down", "flat"
	Estimated   bool   // unique visitors: a HyperLogLog estimate
	Unavailable bool
}

type statsTopRow struct {
	Name    localized
	Href    string
	Figures stats.Figures
	Revenue string
	Sub     string // a sign's site
}

type statsShare struct {
	Label string
	N     int64
	Pct   int
}

type statsNav struct {
	Presets []statsLink
	Levels  []statsLink
	Views   []statsLink
}

type statsLink struct {
	Label   string
	Href    string
	Current bool
	Lang    string
}

type overviewPage struct {
	Form     statsForm
	Scope    statsScope
	Heading  localized
	Nav      statsNav
	Cards    []statsCard
	Chart    template.HTML
	Series   []stats.Point
	TopSites []statsTopRow
	TopSigns []statsTopRow
	Lang     []statsShare
	Device   []statsShare
	Referrer []statsShare
	CSV      map[string]string
	Ov       stats.Overview
}

// overviewJSON is the API's answer; counts by figure name.
type overviewJSON struct {
	From     string `json:"from"`
	To       string `json:"to"`
	PrevFrom string `json:"previous_from"`
	PrevTo   string `json:"previous_to"`
	// PrevCutHour, when set, says the compared period's last day counts
	// only its hours before this one (the range ends today).
	PrevCutHour int              `json:"previous_last_day_until_hour,omitempty"`
	Level       string           `json:"level"`
	County      string           `json:"county,omitempty"`
	Site        string           `json:"site,omitempty"`
	Sign        string           `json:"sign,omitempty"`
	Current     map[string]int64 `json:"current"`
	Previous    map[string]int64 `json:"previous"`
	By          string           `json:"by"`
	Series      []seriesJSON     `json:"series"`
	TopSites    []topJSON        `json:"top_sites"`
	TopSigns    []topJSON        `json:"top_signs"`
	Lang        map[string]int64 `json:"languages"`
	Device      map[string]int64 `json:"devices"`
	Referrer    map[string]int64 `json:"referrers"`
}

type seriesJSON struct {
	At       string           `json:"at"`
	Counts   map[string]int64 `json:"counts"`
	Visitors *int64           `json:"visitors,omitempty"`
}

type topJSON struct {
	County  string           `json:"county"`
	Key     string           `json:"key"`
	Site    string           `json:"site,omitempty"`
	Figures map[string]int64 `json:"figures"`
}

func figureMap(f stats.Figures, visitors bool) map[string]int64 {
	m := map[string]int64{}
	for _, n := range stats.FigureNames {
		if n == stats.FigureVisitors && !visitors {
			continue
		}
		m[n] = f.Value(n)
	}
	return m
}

// prepare parses, resolves and authorizes a request's range and scope.
func (h *statsViews) prepare(c *fiber.Ctx) (statsForm, statsScope, error) {
	f := parseStatsForm(c)
	if err := f.dates(h.now()); err != nil {
		return f, statsScope{}, err
	}
	sc, err := h.scope(c, f)
	return f, sc, err
}

func (h *statsViews) overview(c *fiber.Ctx) (statsAnswer, error) {
	f, sc, err := h.prepare(c)
	if err != nil {
		return statsAnswer{}, err
	}
	ov, err := h.board.Overview(c.UserContext(), stats.OverviewQuery{From: f.From, To: f.To, Sites: sc.Sites,
		Signs: sc.Signs, SignLevel: sc.Level == "sign", Levels: sc.levels(), Hourly: f.By == "hour",
		PrevFrom: f.PrevFrom, PrevTo: f.PrevTo, PrevCutHour: f.PrevCutHour})
	if err != nil {
		return statsAnswer{}, err
	}
	v := h.s.view(c, "")
	lang := langOf(c)
	p := &overviewPage{Form: f, Scope: sc, Ov: ov, Series: ov.Series, Nav: h.nav(v, f, sc, "overview"),
		Heading: h.heading(v, sc, lang)}
	for _, n := range stats.FigureNames {
		card := statsCard{Name: n, Estimated: n == stats.FigureVisitors}
		if n == stats.FigureVisitors && !ov.HasVisitors {
			card.Unavailable = true
			p.Cards = append(p.Cards, card)
			continue
		}
		cur, prev := ov.Cur.Value(n), ov.Prev.Value(n)
		card.Value, card.Prev = formatFigure(n, cur), formatFigure(n, prev)
		card.Change, card.Trend = change(cur, prev)
		p.Cards = append(p.Cards, card)
	}
	p.Chart = seriesChart(v, ov.Series, f.By == "hour", ov.HasVisitors, partialPoint(f, h.now()))
	for _, r := range ov.TopSites {
		p.TopSites = append(p.TopSites, statsTopRow{Name: loc(sc.siteNames[r.Key], lang),
			Href:    "/admin/stats/overview?" + f.query("county", r.County, "site", r.Key, "sign", ""),
			Figures: r.Figures, Revenue: statYuan(r.RevenueFen)})
	}
	for _, r := range ov.TopSigns {
		label := r.Key
		if s := sc.signsByKey[r.Key]; s.Label != "" {
			label = r.Key + " · " + s.Label
		}
		p.TopSigns = append(p.TopSigns, statsTopRow{Name: localized{S: label}, Sub: loc(sc.siteNames[r.Site], lang).S,
			Href: "/admin/stats/overview?" + f.query("county", r.County, "site", r.Site, "sign", r.Key), Figures: r.Figures})
	}
	p.Lang = shares(ov.Lang, func(k string) string {
		if l := domain.Lang(k); l.Valid() && v.cat.Has(v.Lang, "stats.lang."+k) {
			return v.T("stats.lang." + k)
		} else if l.Valid() {
			return v.LangName(l) // a language added after the catalogues were written
		}
		return k
	})
	p.Device = shares(ov.Device, func(k string) string { return v.T("stats.device." + k) })
	p.Referrer = shares(ov.Referrer, func(k string) string { return v.T("stats.referrer." + k) })
	p.CSV = map[string]string{}
	for _, t := range []string{"summary", "series", "sites", "signs", "breakdowns"} {
		p.CSV[t] = "/admin/stats/overview.csv?" + f.query("by", f.By, "table", t)
	}

	return statsAnswer{Page: p, Tables: overviewTables(v, f, ov), JSON: overviewAPI(f, sc, ov)}, nil
}

// levels are the pre-aggregated level documents that cover a county,
// division or whole-region scope's sites (nil for a site or sign). A
// division (or a scope of several nodes) has no documents of its own: it
// sums its counties' at read time (at most a few dozen).
func (sc statsScope) levels() []stats.Unit {
	switch {
	case sc.Level == "all" && sc.Prefecture:
		return []stats.Unit{stats.PrefectureLevel}
	case sc.Level == "all" || sc.Level == "division" || sc.Level == "county":
		var out []stats.Unit
		for _, code := range sc.Counties {
			out = append(out, stats.CountyLevel(code))
		}
		return out
	}
	return nil
}

// partialPoint is the index of the series' bucket that is still under way
// (today, or this hour of today), -1 if the range is over.
func partialPoint(f statsForm, now time.Time) int {
	today := now.In(domain.ChinaTime)
	if f.To != today.Format(time.DateOnly) {
		return -1
	}
	days, err := stats.DaysBetween(f.From, f.To)
	if err != nil {
		return -1
	}
	if f.By == "hour" {
		return (len(days)-1)*24 + today.Hour()
	}
	return len(days) - 1
}

func overviewAPI(f statsForm, sc statsScope, ov stats.Overview) overviewJSON {
	j := overviewJSON{From: ov.From, To: ov.To, PrevFrom: ov.PrevFrom, PrevTo: ov.PrevTo, PrevCutHour: ov.PrevCutHour, Level: sc.Level,
		Current: figureMap(ov.Cur, ov.HasVisitors), Previous: figureMap(ov.Prev, ov.HasVisitors), By: f.By,
		Lang: ov.Lang, Device: ov.Device, Referrer: ov.Referrer, Series: []seriesJSON{}, TopSites: []topJSON{}, TopSigns: []topJSON{}}
	if sc.County != nil {
		j.County = sc.County.Code
	} else if sc.Level == "division" {
		j.County = sc.Node.Code
	}
	if sc.Site != nil {
		j.Site = sc.Site.Key
	}
	if sc.Sign != nil {
		j.Sign = sc.Sign.Code
	}
	for _, p := range ov.Series {
		s := seriesJSON{At: p.Label, Counts: p.Counts}
		if f.By == "day" && ov.HasVisitors {
			v := p.Visitors
			s.Visitors = &v
		}
		j.Series = append(j.Series, s)
	}
	for _, r := range ov.TopSites {
		j.TopSites = append(j.TopSites, topJSON{County: r.County, Key: r.Key, Figures: figureMap(r.Figures, true)})
	}
	for _, r := range ov.TopSigns {
		j.TopSigns = append(j.TopSigns, topJSON{County: r.County, Key: r.Key, Site: r.Site, Figures: figureMap(r.Figures, true)})
	}
	return j
}

// heading names the scope: the region's top, a division, "your
// counties", a county, a site or a sign.
func (h *statsViews) heading(v *view, sc statsScope, lang domain.Lang) localized {
	switch {
	case sc.Sign != nil:
		return localized{S: v.T("stats.level.sign") + " " + sc.Sign.Code + " · " + loc(sc.Site.Name, lang).S}
	case sc.Site != nil:
		return loc(sc.Site.Name, lang)
	case sc.County != nil:
		return loc(sc.County.Name, lang)
	case sc.Node != nil:
		return nodeName(v, sc.Node)
	case len(sc.Counties) == 1:
		if cty, ok := h.s.Catalog.Snapshot().County(sc.Counties[0]); ok {
			return loc(cty.Name, lang)
		}
	}
	return localized{S: v.T("stats.level.mine")}
}

// nav builds the preset, level and view links of a statistics page. The
// levels follow the region's tree: the path from the user's own top (the
// region's top for a region-wide user) down to what the view covers, then
// what lies directly below it (divisions, counties, or a county's sites).
// A region that is one county has that county as its top: no level above
// it, none empty.
func (h *statsViews) nav(v *view, f statsForm, sc statsScope, current string) statsNav {
	var n statsNav
	base := "/admin/stats/" + current + "?"
	for _, p := range statsPresets {
		if p == "custom" {
			continue
		}
		n.Presets = append(n.Presets, statsLink{Label: v.T("stats.range." + p),
			Href: base + f.query("range", p, "from", "", "to", ""), Current: f.Range == p})
	}
	lang := v.Lang
	snap := h.s.Catalog.Snapshot()
	tree := snap.Tree()
	me := sc.user
	link := func(node *domain.Node, all bool) statsLink {
		l := nodeName(v, node)
		code := node.Code
		if all {
			code = ""
		}
		isCurrent := sc.Level != "site" && sc.Level != "sign" && sc.Node == node
		return statsLink{Label: l.S, Lang: l.Lang, Href: base + f.query("county", code, "site", "", "sign", ""), Current: isCurrent}
	}
	// The user's "all": the top, their one node, or "mine".
	own := sc.Node
	if sc.Level != "all" {
		own = nil
		if me != nil && me.RegionWide() {
			own = tree
		} else if me != nil && len(me.Counties) == 1 {
			own = tree.Find(me.Counties[0])
		}
	}
	at := sc.Node // the deepest node of the path
	if sc.County != nil {
		at = tree.Find(sc.County.Code)
	}
	if own == nil {
		n.Levels = append(n.Levels, statsLink{Label: v.T("stats.level.mine"),
			Href: base + f.query("county", "", "site", "", "sign", ""), Current: sc.Level == "all"})
	}
	if at != nil {
		started := own == nil
		for _, node := range tree.Path(at.Code) {
			if node == own {
				started = true
				n.Levels = append(n.Levels, link(node, true))
				continue
			}
			if started && (me == nil || me.CanAccessCounty(node.Code)) {
				n.Levels = append(n.Levels, link(node, false))
			}
		}
	}
	if at != nil && at.Level == domain.LevelCounty {
		for _, site := range snap.SitesOf(at.Code) {
			l := loc(site.Name, lang)
			n.Levels = append(n.Levels, statsLink{Label: l.S, Lang: l.Lang,
				Href: base + f.query("county", at.Code, "site", site.Key, "sign", ""), Current: sc.Site != nil && sc.Site.Key == site.Key})
		}
	}
	switch {
	case sc.County != nil:
	case at != nil:
		for _, child := range at.Children {
			if me == nil || me.CanAccessCounty(child.Code) {
				n.Levels = append(n.Levels, link(child, false))
			}
		}
	case me != nil: // "mine" over several nodes: the user's nodes
		for _, code := range me.Counties {
			if node := tree.Find(code); node != nil {
				n.Levels = append(n.Levels, link(node, false))
			}
		}
	}
	for _, name := range []string{"overview", "funnel", "dead-signs", "capacity", "live"} {
		n.Views = append(n.Views, statsLink{Label: v.T("stats.view." + name),
			Href: "/admin/stats/" + name + "?" + f.query(), Current: name == current})
	}
	return n
}

func formatFigure(name string, n int64) string {
	if name == stats.MetricRevenueFen {
		return statYuan(n)
	}
	return groupDigits(n)
}

// yuan formats fen as yuan with two decimals: "¥1,234.50".
func statYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "−", -fen
	}
	return fmt.Sprintf("%s¥%s.%02d", sign, groupDigits(fen/100), fen%100)
}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "−" + string(out)
	}
	return string(out)
}

// change is the relative change against the previous period.
func change(cur, prev int64) (string, string) {
	switch {
	case cur == prev:
		return "±0 %", "flat"
	case prev == 0:
		return "new", "up"
	}
	pct := float64(cur-prev) * 100 / float64(prev)
	trend := "up"
	if pct < 0 {
		trend = "down"
	}
	return fmt.Sprintf("%+.0f %%", pct), trend
}

func shares(m map[string]int64, label func(string) string) []statsShare {
	var total int64
	for _, n := range m {
		total += n
	}
	out := make([]statsShare, 0, len(m))
	for k, n := range m {
		pct := 0
		if total > 0 {
			pct = int((n*100 + total/2) / total)
		}
		out = append(out, statsShare{Label: label(k), N: n, Pct: pct})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}
