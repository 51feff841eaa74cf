package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

type homeCounty struct {
	Href  string
	Name  localized
	Sites int
}

// homeGroup is a heading of the home page's county list: a division of a
// province with its counties (Name empty: the counties directly under the
// top, or every county of a prefecture).
type homeGroup struct {
	Name     localized
	Counties []homeCounty
}

// showHome lists the region's counties as its tree has them: a
// prefecture's in one list, a province's under their divisions. A region
// that is one county lists that county's sites straight away (no list of
// one county).
func (s *Server) showHome(c *fiber.Ctx) error {
	snap := s.Catalog.Snapshot()
	v := s.view(c, "")
	v.Title = s.regionHomeTitle(snap, v.Lang) // region_public.go
	v.Description = v.T("home.intro")
	s.withCanonical(v, "/")
	tree := snap.Tree()
	county := func(n *domain.Node) homeCounty {
		return homeCounty{Href: countyHref(n.Code), Name: nodeName(v, n), Sites: len(snap.SitesOf(n.Code))}
	}
	var groups []homeGroup
	var sites []siteItem
	if tree.Level == domain.LevelCounty && len(tree.Children) == 0 {
		sites = siteItems(snap.SitesOf(tree.Code), v.Lang, "")
	} else {
		var direct homeGroup
		for _, n := range tree.Children {
			if n.Level == domain.LevelCounty {
				direct.Counties = append(direct.Counties, county(n))
				continue
			}
			g := homeGroup{Name: nodeName(v, n)}
			for _, cty := range n.Children {
				g.Counties = append(g.Counties, county(cty))
			}
			if len(g.Counties) > 0 {
				groups = append(groups, g)
			}
		}
		if len(direct.Counties) > 0 {
			groups = append(groups, direct)
		}
	}
	v.Data = struct {
		Groups    []homeGroup
		Sites     []siteItem
		OneCounty bool
	}{groups, sites, tree.Level == domain.LevelCounty && len(tree.Children) == 0}
	return s.tpl.render(c, fiber.StatusOK, "home", v)
}
