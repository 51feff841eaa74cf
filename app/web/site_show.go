package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

type siteData struct {
	Name, Summary, Hours, BestSeason, Safety, Address, Reservation, TicketNote, AltitudeNote localized
	CountyName                                                                               localized
	CountyHref, CountyPhone                                                                  string
	ALevel, ALevelSince                                                                      string
	Prices                                                                                   []priceItem
	AltitudeLevel, AltitudeTop                                                               int
	AltitudeText                                                                             string
	Photos                                                                                   []photoItem
	Maps                                                                                     []mapLink
	BodyHTML                                                                                 template.HTML
	BodyLang                                                                                 string
	Fallback                                                                                 bool
	Others                                                                                   []siteItem
}

type priceItem struct {
	Label localized
	Free  bool
	Yuan  string
}

type photoItem struct {
	Src, Alt      string
	Width, Height int
}

type mapLink struct {
	Key  string
	Href template.URL // built here with escaped parts; geo: needs this to pass html/template
}

func (s *Server) showSite(c *fiber.Ctx) error {
	snap := s.Catalog.Snapshot()
	county := c.Params("county")
	site, ok := snap.Site(c.Params("site"))
	if !ok || site.County != county {
		return s.renderNotFound(c, notFoundData{TitleKey: "notfound.title", BodyKey: "notfound.site_body"}, county)
	}
	s.record(c, domain.EventPageView, site, "")
	return s.renderSite(c, snap, site)
}

// renderSite answers with the site page; the scan route uses it too, so a
// scan costs no redirect round trip. The page depends only on the content
// version, the site and the language, so it is built once and served from
// memory, already compressed.
func (s *Server) renderSite(c *fiber.Ctx, snap *catalog.Snapshot, site *domain.Site) error {
	lang := langOf(c)
	page, err := s.pages.get(snap.Version, site.Key+"|"+string(lang), func() ([]byte, error) {
		return s.buildSitePage(snap, site, lang)
	})
	if err != nil {
		return err
	}
	return sendPage(c, page, lang)
}

func (s *Server) buildSitePage(snap *catalog.Snapshot, site *domain.Site, lang domain.Lang) ([]byte, error) {
	// The language switcher points at the site page, even from a scan, so
	// switching language does not count a second scan.
	v := s.viewIn(lang, "", siteHref(site.County, site.Key))
	d := siteData{
		Name: loc(site.Name, lang), Summary: loc(site.Summary, lang), Hours: loc(site.Hours, lang),
		BestSeason: loc(site.BestSeason, lang), Safety: loc(site.Safety, lang), Address: loc(site.Address, lang),
		Reservation: loc(site.Reservation, lang), TicketNote: loc(site.TicketNote, lang),
		AltitudeNote: loc(site.AltitudeNote, lang),
		CountyHref:   countyHref(site.County), ALevel: site.ALevel, ALevelSince: site.ALevelSince,
		AltitudeLevel: site.AltitudeLevel(), AltitudeTop: max(site.AltitudeMin, site.AltitudeMax),
		Others: siteItems(snap.SitesOf(site.County), lang, site.Key),
	}
	if county, ok := snap.County(site.County); ok {
		d.CountyName, d.CountyPhone = loc(county.Name, lang), county.Phone
	}
	switch {
	case site.AltitudeMin > 0 && site.AltitudeMax > site.AltitudeMin:
		d.AltitudeText = v.T("site.altitude_range", site.AltitudeMin, site.AltitudeMax)
	case d.AltitudeTop > 0:
		d.AltitudeText = v.T("site.altitude_single", d.AltitudeTop)
	}
	for _, p := range site.Prices {
		d.Prices = append(d.Prices, priceItem{Label: loc(p.Label, lang), Free: p.Fen == 0, Yuan: yuan(p.Fen)})
	}
	for _, p := range site.Photos {
		d.Photos = append(d.Photos, photoItem{Src: p.Src, Alt: p.Alt.String(lang), Width: p.Width, Height: p.Height})
	}
	body, bodyLang := site.Body.Get(lang)
	if body != "" {
		d.BodyHTML = s.md.render(snap.Version, site.Key+"|"+string(bodyLang), body)
		if bodyLang != lang {
			d.BodyLang = i18n.HTMLLang(bodyLang)
		}
	}
	d.Fallback = d.BodyLang != "" || d.Summary.Lang != "" || d.Name.Lang != ""
	if site.Location != nil {
		d.Maps = mapLinks(*site.Location, d.Name.S)
	}
	v.Title = d.Name.S + " · " + d.CountyName.S
	v.Description = d.Summary.S
	s.withCanonical(v, siteHref(site.County, site.Key))
	v.Data = d
	return s.tpl.execute("site", v)
}

// yuan formats fen as yuan without needless decimals: 9000 → "90",
// 1550 → "15.50".
func yuan(fen int64) string {
	if fen%100 == 0 {
		return strconv.FormatInt(fen/100, 10)
	}
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// mapLinks are deep links into the map apps tourists in China use; nothing
// is loaded from them unless the visitor taps. Coordinates are WGS-84 and
// each link says so, since Amap and Baidu default to their own systems.
func mapLinks(p domain.LatLon, name string) []mapLink {
	lat, lon := strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)
	q := url.QueryEscape(name)
	return []mapLink{
		{"site.map_amap", template.URL("https://uri.amap.com/marker?position=" + lon + "," + lat + "&name=" + q + "&coordinate=wgs84&callnative=1&src=yimayou")},
		{"site.map_baidu", template.URL("https://api.map.baidu.com/marker?location=" + lat + "," + lon + "&title=" + q + "&content=" + q + "&output=html&coord_type=wgs84&src=yimayou")},
		{"site.map_apple", template.URL("https://maps.apple.com/?ll=" + lat + "," + lon + "&q=" + q)},
		{"site.map_geo", template.URL("geo:" + lat + "," + lon + "?q=" + lat + "," + lon + "(" + q + ")")},
	}
}
