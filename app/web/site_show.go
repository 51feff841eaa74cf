package web

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

type siteData struct {
	Name, Summary, Hours, BestSeason, Safety, Address, Reservation, TicketNote, AltitudeNote localized
	CountyName                                                                               localized
	CountyHref, CountyPhone                                                                  string
	Phones                                                                                   []phoneItem // region_public.go
	Crumbs                                                                                   []localized // the divisions above the county (region tree)
	OneCounty                                                                                bool        // the region is this one county: home is its page
	ALevel, ALevelSince                                                                      string
	Prices                                                                                   []priceItem
	AltitudeLevel, AltitudeTop                                                               int
	AltitudeText                                                                             string
	Hero                                                                                     *photoItem
	Gallery                                                                                  []photoItem
	Share                                                                                    *shareImage
	Maps                                                                                     []mapLink
	BodyHTML                                                                                 template.HTML
	BodyLang                                                                                 string
	Fallback                                                                                 bool
	Nearby                                                                                   []nearItem
	Alerts                                                                                   []alertItem
	Open                                                                                     openState
	Audio                                                                                    *audioItem
	FeedbackHref                                                                             string
	Key                                                                                      string
	ReserveHref                                                                              string
	Crowd                                                                                    *crowdItem
}

type nearItem struct {
	Href string
	Name localized
	Km   string // "" when unknown
}

type alertItem struct {
	Level string
	Text  localized
}

type audioItem struct {
	Src, Type  string
	Lang       string // set when the guide is in another language than the page
	Transcript localized
}

type priceItem struct {
	Label localized
	Free  bool
	Yuan  string
}

type photoItem struct {
	Src           string
	Alt           localized
	Width, Height int
	Srcset, Sizes string
	First         bool
}

// shareImage is the photo a shared link shows (Open Graph, WeChat).
type shareImage struct {
	URL           string
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
	s.giveLateToken(c, s.record(c, domain.EventPageView, site, ""))
	return s.renderSite(c, snap, site, "")
}

// renderSite answers with the site page; the scan route uses it too, so a
// scan costs no redirect round trip. The page depends only on the content
// version, the site and the language, so it is built once and served from
// memory, already compressed. sign is the code scanned ("" for a plain
// visit): the reservation link carries it, so reservations are counted
// per sign; pages of a site that sells reservations are kept per sign.
func (s *Server) renderSite(c *fiber.Ctx, snap *catalog.Snapshot, site *domain.Site, sign string) error {
	lang := langOf(c)
	now := time.Now()
	// What changes with time is part of the key: whether the site is open
	// now, and which alerts are up.
	open := openNow(site.Hours, now)
	alerts, alertsKey := s.alerts.forSite(c.UserContext(), site.County, site.Key, now)
	if a, k := s.closureAlert(c.UserContext(), site.Key); k != "" { // ticketsettings_routes.go
		alerts, alertsKey = append([]domain.Alert{a}, alerts...), alertsKey+k
	}
	reserve := s.reserveHref(c.UserContext(), site)
	if reserve != "" && sign != "" {
		reserve += "?sign=" + url.QueryEscape(sign)
	}
	crowd, crowdKey := s.crowdFor(c.UserContext(), site.Key, now) // stats_crowd.go
	key := site.Key + "|" + string(lang) + "|" + fmt.Sprint(open) + "|" + alertsKey + "|" + reserve + "|" + crowdKey
	page, err := s.pages.get(snap.Version, key, func() ([]byte, error) {
		return s.buildSitePage(snap, site, lang, open, alerts, reserve, crowd)
	})
	if err != nil {
		return err
	}
	return sendPage(c, page, lang)
}

// crowd is optional (today's crowd level, stats_crowd.go); the console's
// preview goes without.
func (s *Server) buildSitePage(snap *catalog.Snapshot, site *domain.Site, lang domain.Lang, open openState, alerts []domain.Alert, reserveHref string, crowd ...*crowdItem) ([]byte, error) {
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
		Open: open, FeedbackHref: siteHref(site.County, site.Key) + "/feedback", Key: site.Key, ReserveHref: reserveHref,
	}
	if len(crowd) > 0 {
		d.Crowd = crowd[0]
	}
	for _, n := range nearby(site, snap.AllSites(), 6) {
		item := nearItem{Href: siteHref(n.County, n.Key), Name: loc(n.Name, lang)}
		if n.Km >= 0 {
			item.Km = v.T("site.km", strconv.FormatFloat(math.Round(n.Km), 'f', 0, 64))
		}
		d.Nearby = append(d.Nearby, item)
	}
	for _, a := range alerts {
		d.Alerts = append(d.Alerts, alertItem{Level: string(a.Level), Text: loc(a.Text, lang)})
	}
	for _, l := range lang.Fallback() {
		if a, ok := site.Audio[l]; ok {
			d.Audio = &audioItem{Src: a.Src, Type: a.Type, Transcript: loc(domain.Text{l: a.Transcript}, lang)}
			if l != lang {
				d.Audio.Lang = i18n.HTMLLang(l)
			}
			break
		}
	}
	if county, ok := snap.County(site.County); ok {
		d.CountyName, d.CountyPhone = loc(county.Name, lang), county.Phone
	}
	d.Phones = s.helpPhones(snap, lang)
	d.Crumbs, d.OneCounty = treeCrumbs(v, snap.Tree(), site.County)
	switch {
	case site.AltitudeMin > 0 && site.AltitudeMax > site.AltitudeMin:
		d.AltitudeText = v.T("site.altitude_range", site.AltitudeMin, site.AltitudeMax)
	case d.AltitudeTop > 0:
		d.AltitudeText = v.T("site.altitude_single", d.AltitudeTop)
	}
	for _, p := range site.Prices {
		d.Prices = append(d.Prices, priceItem{Label: loc(p.Label, lang), Free: p.Fen == 0, Yuan: yuan(p.Fen)})
	}
	for i, p := range site.Photos {
		item := photoFor(p, lang, i == 0)
		if i == 0 {
			d.Hero, d.Share = &item, s.shareImage(p)
			continue
		}
		d.Gallery = append(d.Gallery, item)
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

// photoFor picks what the page loads of a photo: the smallest rendition as
// src (the first photo is above the fold on a slow link), every rendition
// in srcset for browsers that choose for themselves.
func photoFor(p domain.Photo, lang domain.Lang, first bool) photoItem {
	item := photoItem{Src: p.Src, Alt: loc(p.Alt, lang), Width: p.Width, Height: p.Height, First: first,
		Sizes: "(max-width: 42rem) 100vw, 42rem"}
	if !first {
		item.Sizes = "(max-width: 42rem) 84vw, 25rem" // a gallery slide
	}
	if len(p.Sizes) == 0 {
		return item
	}
	sizes := append([]domain.PhotoSize(nil), p.Sizes...)
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].Width < sizes[j].Width })
	var parts []string
	for _, z := range sizes {
		parts = append(parts, z.Src+" "+strconv.Itoa(z.Width)+"w")
	}
	if p.Width > sizes[len(sizes)-1].Width {
		parts = append(parts, p.Src+" "+strconv.Itoa(p.Width)+"w")
	}
	item.Src = sizes[0].Src
	item.Srcset = strings.Join(parts, ", ")
	return item
}

// shareImage picks the rendition a chat app shows with a shared link:
// the largest up to 1200 px wide (WeChat and others want at least 300).
func (s *Server) shareImage(p domain.Photo) *shareImage {
	src, w := p.Src, p.Width
	for _, z := range p.Sizes {
		if z.Width <= 1200 && (w > 1200 || z.Width > w) {
			src, w = z.Src, z.Width
		}
	}
	h := 0
	if p.Width > 0 {
		h = p.Height * w / p.Width
	}
	if strings.HasPrefix(src, "/") {
		src = strings.TrimSuffix(s.PublicURL, "/") + src
	}
	return &shareImage{URL: src, Width: w, Height: h}
}
