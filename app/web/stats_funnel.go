package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/stats"
)

type funnelRow struct {
	stats.FunnelRow
	Name       localized
	IsSign     bool
	Href       string
	ReservePct string // reservations per 100 scans
	CheckInPct string // check-ins per 100 reservations
	ShareText  string
}

type funnelPage struct {
	Form    statsForm
	Scope   statsScope
	Heading localized
	Nav     statsNav
	Rows    []funnelRow
	CSV     string
}

type funnelJSON struct {
	From string          `json:"from"`
	To   string          `json:"to"`
	Rows []funnelRowJSON `json:"rows"`
	Note string          `json:"note"`
}

type funnelRowJSON struct {
	Kind        string `json:"kind"`
	County      string `json:"county"`
	Site        string `json:"site"`
	Sign        string `json:"sign,omitempty"`
	Scans       int64  `json:"scans"`
	Views       int64  `json:"page_views"`
	Reserved    int64  `json:"reservations"`
	Paid        int64  `json:"paid"`
	CheckIns    int64  `json:"check_ins"`
	SharePermil int64  `json:"share_of_site_scans_permil,omitempty"`
	Attributed  bool   `json:"attributed"`
}

// funnel: scans → reservations → check-ins per site and per sign (exact
// where ticket events carry the sign, else by its share of the site's
// scans).
func (h *statsViews) funnel(c *fiber.Ctx) (statsAnswer, error) {
	f, sc, err := h.prepare(c)
	if err != nil {
		return statsAnswer{}, err
	}
	rows, err := h.board.Funnel(c.UserContext(), f.From, f.To, sc.Sites, sc.Signs)
	if err != nil {
		return statsAnswer{}, err
	}
	v := h.s.view(c, "")
	lang := langOf(c)
	p := &funnelPage{Form: f, Scope: sc, Heading: h.heading(v, sc, lang), Nav: h.nav(v, f, sc, "funnel"),
		CSV: "/admin/stats/funnel.csv?" + f.query()}
	j := funnelJSON{From: f.From, To: f.To, Rows: []funnelRowJSON{}, Note: "sign rows count the reservations made from the sign's link, exactly; where no ticket event of a site in the range carries a sign, its sign rows are attributed (attributed: true): they get the site's reservations and check-ins in proportion to their share of the site's scans"}
	t := csvTable{Name: "funnel", Rows: [][]string{{v.T("stats.csv.county"), v.T("stats.csv.site"), v.T("stats.csv.sign"),
		v.T("stats.figure.scan"), v.T("stats.figure.view"), v.T("stats.figure.reserved"), v.T("stats.figure.paid"),
		v.T("stats.figure.checkin"), v.T("stats.funnel.share"), v.T("stats.funnel.attributed")}}}
	// Each site, then its signs.
	bySite := map[string][]stats.FunnelRow{}
	var sites []stats.FunnelRow
	for _, r := range rows {
		if r.Sign {
			bySite[r.Site] = append(bySite[r.Site], r)
		} else {
			sites = append(sites, r)
		}
	}
	for _, site := range sites {
		for i, r := range append([]stats.FunnelRow{site}, bySite[site.Key]...) {
			row := funnelRow{FunnelRow: r, IsSign: i > 0, ReservePct: ratio(r.Reserved, r.Scans), CheckInPct: ratio(r.CheckIns, r.Reserved)}
			sign := ""
			if row.IsSign {
				row.ShareText = permil(r.ShareOfSite)
				sign = r.Key
				label := r.Key
				if s := sc.signsByKey[r.Key]; s.Label != "" {
					label += " · " + s.Label
				}
				row.Name = localized{S: label}
				row.Href = "/admin/stats/overview?" + f.query("county", r.County, "site", r.Site, "sign", r.Key)
			} else {
				row.Name = loc(sc.siteNames[r.Key], lang)
				row.Href = "/admin/stats/funnel?" + f.query("county", r.County, "site", r.Key, "sign", "")
			}
			p.Rows = append(p.Rows, row)
			kind := "site"
			if row.IsSign {
				kind = "sign"
			}
			j.Rows = append(j.Rows, funnelRowJSON{Kind: kind, County: r.County, Site: r.Site, Sign: sign, Scans: r.Scans, Views: r.Views,
				Reserved: r.Reserved, Paid: r.Paid, CheckIns: r.CheckIns, SharePermil: r.ShareOfSite, Attributed: r.Attributed})
			share := ""
			if row.IsSign {
				share = permil(r.ShareOfSite)
			}
			t.Rows = append(t.Rows, []string{r.County, r.Site, sign, i64(r.Scans), i64(r.Views), i64(r.Reserved), i64(r.Paid),
				i64(r.CheckIns), share, boolCell(r.Attributed)})
		}
	}
	return statsAnswer{Page: p, Tables: []csvTable{t}, JSON: j}, nil
}

func ratio(n, of int64) string {
	if of <= 0 {
		return "–"
	}
	return permil((n*1000 + of/2) / of)
}

// permil formats a per-mille value as a percentage with one decimal.
func permil(n int64) string { return i64(n/10) + "." + i64(n%10) + " %" }

func boolCell(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
