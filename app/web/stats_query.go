package web

import (
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
)

// statsForm is the query string of every statistics view, as typed.
type statsForm struct {
	Range  string // preset, or "custom"
	From   string
	To     string
	County string
	Site   string
	Sign   string
	By     string // "day" or "hour"
	Days   int    // dead signs: quiet days

	// The period the overview compares with, like for like (see compare).
	PrevFrom, PrevTo string
	PrevCutHour      int
}

// Range presets, in the order the page offers them.
var statsPresets = []string{"today", "yesterday", "7d", "30d", "month", "lastmonth", "year", "custom"}

func parseStatsForm(c *fiber.Ctx) statsForm {
	f := statsForm{Range: utils.CopyString(c.Query("range")), From: utils.CopyString(c.Query("from")),
		To: utils.CopyString(c.Query("to")), County: utils.CopyString(c.Query("county")),
		Site: utils.CopyString(c.Query("site")), Sign: utils.CopyString(c.Query("sign")),
		By: utils.CopyString(c.Query("by"))}
	if f.Range == "" {
		if f.From != "" || f.To != "" {
			f.Range = "custom"
		} else {
			f.Range = "7d"
		}
	}
	f.Days = 7
	if d := c.Query("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			n = -1
		}
		f.Days = n
	}
	return f
}

func statsBad(field, key string, args ...any) error {
	return &domain.ValidationError{Field: field, Key: key, Args: args}
}

// dates resolves the range preset to from..to (China time days).
func (f *statsForm) dates(now time.Time) error {
	today := now.In(domain.ChinaTime)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, domain.ChinaTime)
	switch f.Range {
	case "today":
		f.From, f.To = day(today), day(today)
	case "yesterday":
		y := today.AddDate(0, 0, -1)
		f.From, f.To = day(y), day(y)
	case "7d":
		f.From, f.To = day(today.AddDate(0, 0, -6)), day(today)
	case "30d":
		f.From, f.To = day(today.AddDate(0, 0, -29)), day(today)
	case "month":
		f.From, f.To = day(first), day(today)
	case "lastmonth":
		f.From, f.To = day(first.AddDate(0, -1, 0)), day(first.AddDate(0, 0, -1))
	case "year":
		f.From, f.To = day(time.Date(today.Year(), 1, 1, 0, 0, 0, 0, domain.ChinaTime)), day(today)
	case "custom":
		if f.To == "" {
			f.To = f.From
		}
		for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
			if _, err := time.Parse(time.DateOnly, d.v); err != nil {
				return statsBad(d.field, "stats.error.date")
			}
		}
		if f.To < f.From {
			return statsBad("to", "stats.error.order")
		}
	default:
		return statsBad("range", "stats.error.range")
	}
	if n, _ := stats.CheckRange(f.From, f.To); n > stats.MaxDays {
		return statsBad("to", "stats.error.too_long", stats.MaxDays)
	}
	f.compare(today)
	switch f.By {
	case "", "day", "hour":
	default:
		return statsBad("by", "stats.error.by")
	}
	if f.By == "" {
		f.By = "day"
		if f.From == f.To {
			f.By = "hour"
		}
	}
	if f.By == "hour" {
		if n, _ := stats.CheckRange(f.From, f.To); n > 7 {
			return statsBad("by", "stats.error.hourly_long", 7)
		}
	}
	return nil
}

// compare chooses the period a range is compared with, like for like:
// a year so far with the same days of last year, a month so far with the
// same days of the month before, a whole last month with the whole month
// before it, anything else with the equal period just before. A range
// that ends today compares the last day of that period only up to the
// current hour (through its end), since today has had only those hours.
func (f *statsForm) compare(today time.Time) {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	from, _ := time.ParseInLocation(time.DateOnly, f.From, domain.ChinaTime)
	to, _ := time.ParseInLocation(time.DateOnly, f.To, domain.ChinaTime)
	switch f.Range {
	case "year":
		f.PrevFrom, f.PrevTo = day(from.AddDate(-1, 0, 0)), day(to.AddDate(-1, 0, 0))
	case "month", "lastmonth":
		first := from.AddDate(0, -1, 0)
		last := first.AddDate(0, 1, -1) // the last day of that month
		if same := first.AddDate(0, 0, to.Day()-1); f.Range == "month" && same.Before(last) {
			last = same
		}
		f.PrevFrom, f.PrevTo = day(first), day(last)
	default:
		f.PrevFrom, f.PrevTo = stats.PreviousPeriod(f.From, f.To)
	}
	f.PrevCutHour = 0
	if f.To == day(today) && today.Hour() < 23 {
		f.PrevCutHour = today.Hour() + 1
	}
}

// statsScope is what a view covers, already checked against the user.
type statsScope struct {
	Level      string // "all", "division", "county", "site", "sign"
	Prefecture bool   // "all" covers every county of the region
	// Node is the node of the region's tree the view covers at the
	// "all", "division" and "county" levels: the top (Prefecture), the
	// user's own node when their scope is one node, a division, a county;
	// nil for "all" over a scope of several nodes.
	Node       *domain.Node
	County     *domain.County
	Site       *domain.Site
	Sign       *domain.Sign
	Counties   []string
	Sites      []stats.Unit
	Signs      []stats.Unit
	signsByKey map[string]domain.Sign
	siteNames  map[string]domain.Text
	user       *domain.User // whose view it is, for the levels offered
}

// scope resolves and authorizes the county, site or sign a request asks
// for. Unknown names are a 400 naming the field; another county's are
// refused by authorizeCounty, the one place that decides.
func (h *statsViews) scope(c *fiber.Ctx, f statsForm) (statsScope, error) {
	snap := h.s.Catalog.Snapshot()
	u := currentUser(c)
	sc := statsScope{Level: "all", signsByKey: map[string]domain.Sign{}, siteNames: map[string]domain.Text{}, user: u}
	county := f.County
	if f.Sign != "" {
		sign, ok := snap.Sign(f.Sign)
		if !ok || len(f.Sign) > domain.MaxCodeLen {
			return sc, statsBad("sign", "stats.error.sign")
		}
		if err := authorizeCounty(c, sign.County); err != nil {
			return sc, err
		}
		sc.Level, sc.Sign = "sign", sign
		if f.Site == "" {
			f.Site = sign.Site
		}
	}
	if f.Site != "" {
		site, ok := snap.Site(f.Site)
		if !ok || (sc.Sign != nil && sc.Sign.Site != site.Key) {
			return sc, statsBad("site", "stats.error.site")
		}
		if err := authorizeCounty(c, site.County); err != nil {
			return sc, err
		}
		if county != "" && county != site.County {
			return sc, statsBad("site", "stats.error.site")
		}
		county = site.County
		sc.Site = site
		if sc.Level == "all" {
			sc.Level = "site"
		}
	}
	tree := snap.Tree()
	if n := tree.Find(county); n != nil && n.Level != domain.LevelCounty && sc.Level == "all" {
		// A division, or the top (the same as asking for no county).
		if err := authorizeCounty(c, n.Code); err != nil {
			return sc, err
		}
		county = ""
		if n != tree {
			sc.Level, sc.Node, sc.Counties = "division", n, n.Counties()
		}
	}
	if county != "" {
		cty, ok := snap.County(county)
		if !ok {
			return sc, statsBad("county", "stats.error.county")
		}
		if err := authorizeCounty(c, cty.Code); err != nil {
			return sc, err
		}
		sc.County = cty
		sc.Counties = []string{cty.Code}
		sc.Node = tree.Find(cty.Code)
		if sc.Level == "all" {
			sc.Level = "county"
		}
	} else if sc.Level == "all" {
		sc.Counties = countiesInScope(u, snap)
		sc.Prefecture = len(sc.Counties) == len(tree.Counties())
		switch {
		case sc.Prefecture:
			sc.Node = tree
		case len(u.Counties) == 1:
			sc.Node = tree.Find(u.Counties[0])
		}
	}
	for _, code := range sc.Counties {
		for _, site := range snap.SitesOf(code) {
			sc.siteNames[site.Key] = site.Name
			if sc.Site == nil || sc.Site.Key == site.Key {
				sc.Sites = append(sc.Sites, stats.Unit{County: site.County, Key: site.Key, Site: site.Key})
			}
		}
	}
	signs, err := h.st.SignsAll(c.UserContext())
	if err != nil {
		return sc, err
	}
	inScope := map[string]bool{}
	for _, s := range sc.Sites {
		inScope[s.Key] = true
	}
	for _, sign := range signs {
		if !inScope[sign.Site] || (sc.Sign != nil && sc.Sign.Code != sign.Code) {
			continue
		}
		sc.signsByKey[sign.Code] = sign
		sc.Signs = append(sc.Signs, stats.Unit{County: sign.County, Key: sign.Code, Site: sign.Site})
	}
	return sc, nil
}

// query is the view's query string for links (CSV, other views) with
// overrides.
func (f statsForm) query(over ...string) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("range", f.Range)
	if f.Range == "custom" {
		set("from", f.From)
		set("to", f.To)
	}
	set("county", f.County)
	set("site", f.Site)
	set("sign", f.Sign)
	for i := 0; i+1 < len(over); i += 2 {
		if over[i+1] == "" {
			v.Del(over[i])
		} else {
			v.Set(over[i], over[i+1])
		}
	}
	return v.Encode()
}

// Q is query for templates.
func (f statsForm) Q(over ...string) string { return f.query(over...) }

// Href is a link to this view with overrides. It is a template.URL: an
// href="?{{query}}" would have html/template escape the query string's =
// and & as data (the broken "by hour" link).
func (f statsForm) Href(over ...string) template.URL {
	return template.URL("?" + f.query(over...))
}

// HourlyOK says whether the range is short enough for an hourly series.
func (f statsForm) HourlyOK() bool {
	n, err := stats.CheckRange(f.From, f.To)
	return err == nil && n <= 7
}
