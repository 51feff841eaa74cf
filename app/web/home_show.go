package web

import "github.com/gofiber/fiber/v2"

type homeCounty struct {
	Href  string
	Name  localized
	Sites int
}

func (s *Server) showHome(c *fiber.Ctx) error {
	snap := s.Catalog.Snapshot()
	v := s.view(c, "")
	v.Title = s.regionHomeTitle(snap, v.Lang) // region_public.go
	v.Description = v.T("home.intro")
	s.withCanonical(v, "/")
	var list []homeCounty
	for _, county := range snap.Counties {
		list = append(list, homeCounty{Href: countyHref(county.Code), Name: loc(county.Name, v.Lang),
			Sites: len(snap.SitesOf(county.Code))})
	}
	v.Data = struct{ Counties []homeCounty }{list}
	return s.tpl.render(c, fiber.StatusOK, "home", v)
}
