package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
)

type siteItem struct {
	Href    string
	Name    localized
	Summary localized
}

func siteItems(sites []*domain.Site, lang domain.Lang, skip string) []siteItem {
	var out []siteItem
	for _, site := range sites {
		if site.Key == skip {
			continue
		}
		out = append(out, siteItem{Href: siteHref(site.County, site.Key), Name: loc(site.Name, lang), Summary: loc(site.Summary, lang)})
	}
	return out
}

type countyData struct {
	Name   localized
	Phone  string
	Sites  []siteItem
	Crumbs []localized // the divisions above the county (region tree)
}

func (s *Server) showCounty(c *fiber.Ctx) error {
	snap := s.Catalog.Snapshot()
	county, ok := snap.County(c.Params("county"))
	if !ok {
		return s.renderNotFound(c, notFoundData{TitleKey: "notfound.title", BodyKey: "notfound.county_body"}, "")
	}
	v := s.view(c, "")
	name := loc(county.Name, v.Lang)
	v.Title = name.S + " · " + v.T("app.name")
	s.withCanonical(v, countyHref(county.Code))
	crumbs, _ := treeCrumbs(v, snap.Tree(), county.Code)
	v.Data = countyData{Name: name, Phone: county.Phone, Sites: siteItems(snap.SitesOf(county.Code), v.Lang, ""), Crumbs: crumbs}
	return s.tpl.render(c, fiber.StatusOK, "county", v)
}

type notFoundData struct {
	TitleKey, BodyKey string
	Site              *siteItem
	CountyName        localized
	Sites             []siteItem
}

// renderNotFound answers 404 with a page in the visitor's language that
// still helps: the county's sites when the county is known, else the home.
func (s *Server) renderNotFound(c *fiber.Ctx, d notFoundData, county string) error {
	v := s.view(c, "")
	v.Title = v.T(d.TitleKey)
	return s.tpl.render(c, fiber.StatusNotFound, "notfound", withCounty(v, d, s.Catalog.Snapshot(), county))
}

func withCounty(v *view, d notFoundData, snap *catalog.Snapshot, county string) *view {
	if c, ok := snap.County(county); ok {
		d.CountyName = loc(c.Name, v.Lang)
		d.Sites = siteItems(snap.SitesOf(county), v.Lang, "")
	}
	v.Data = d
	return v
}
