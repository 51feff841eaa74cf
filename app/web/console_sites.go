package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

type countyTab struct {
	Code    string
	Name    localized
	Current bool
}

type siteRow struct {
	Key       string
	Name      localized
	Published bool
	HasDraft  bool
	DraftAt   chinaTime
	UpdatedAt chinaTime
	Missing   int
	Href      string
	Public    string
}

func countyTabs(mine []domain.County, current string, lang domain.Lang) []countyTab {
	out := make([]countyTab, 0, len(mine))
	for _, c := range mine {
		out = append(out, countyTab{Code: c.Code, Name: loc(c.Name, lang), Current: c.Code == current})
	}
	return out
}

// listSites shows the sites of one county with their state: live or
// hidden, a pending draft, how many translations are missing.
func (s *Server) listSites(c *fiber.Ctx) error {
	county, mine, err := s.pickCounty(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sites, err := s.Console.Store.Sites(ctx, county.Code)
	if err != nil {
		return err
	}
	drafts, err := s.Console.Store.DraftKeys(ctx, county.Code)
	if err != nil {
		return err
	}
	lang := langOf(c)
	var rows []siteRow
	for _, site := range sites {
		work := site
		draftAt, hasDraft := drafts[site.Key]
		if hasDraft {
			if d, err := s.Console.Store.Draft(ctx, site.Key); err == nil {
				work = d
			}
		}
		missing := 0
		for _, fields := range missingTranslations(work) {
			missing += len(fields)
		}
		rows = append(rows, siteRow{Key: site.Key, Name: loc(work.Name, lang), Published: site.Published,
			HasDraft: hasDraft, DraftAt: chinaTime(draftAt), UpdatedAt: chinaTime(site.UpdatedAt), Missing: missing,
			Href: "/admin/sites/" + site.Key + "/edit", Public: siteHref(site.County, site.Key)})
	}
	return s.renderConsole(c, fiber.StatusOK, "console/sites", "console.sites.title", struct {
		County   domain.County
		Name     localized
		Counties []countyTab
		Sites    []siteRow
		Done     string
	}{county, loc(county.Name, lang), countyTabs(mine, county.Code, lang), rows, doneKey(c)})
}

type newSiteForm struct {
	Key, County, Name string
	Counties          []countyTab
	Errors            map[string]string
}

func (s *Server) newSite(c *fiber.Ctx) error {
	county, mine, err := s.pickCounty(c)
	if err != nil {
		return err
	}
	return s.renderConsole(c, fiber.StatusOK, "console/site_new", "console.site_new.title",
		&newSiteForm{County: county.Code, Counties: countyTabs(mine, county.Code, langOf(c))})
}

// createSite adds a hidden site with its Chinese name; the editor then
// fills it in and publishes it.
func (s *Server) createSite(c *fiber.Ctx) error {
	f := &newSiteForm{Key: strings.ToLower(formValue(c, "key")), County: formValue(c, "county"), Name: formValue(c, "name")}
	mine, err := s.myCounties(c)
	if err != nil {
		return err
	}
	f.Counties = countyTabs(mine, f.County, langOf(c))
	fail := func(field, key string) error {
		f.Errors = map[string]string{field: key}
		return s.renderConsole(c, fiber.StatusUnprocessableEntity, "console/site_new", "console.site_new.title", f)
	}
	if _, err := s.loadCounty(c, f.County); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return fail("county", "console.error.county")
		}
		return err
	}
	switch {
	case !domain.ValidSiteKey(f.Key):
		return fail("key", "console.error.site_key")
	case f.Name == "":
		return fail("name", "console.error.name_zh")
	case len(f.Name) > maxLineLen:
		return fail("name", "console.error.too_long")
	}
	ctx := c.UserContext()
	if _, err := s.Console.Store.Site(ctx, f.Key); err == nil {
		return fail("key", "console.error.site_key_taken")
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	site := domain.Site{Key: f.Key, County: f.County, Name: domain.Text{domain.Zh: f.Name}, UpdatedAt: s.now()}
	if err := s.Console.Store.PutSite(ctx, site); err != nil {
		return err
	}
	if err := s.audit(c, "site_create", site.Key, site.County, siteChanges(domain.Site{}, site)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+site.Key+"/edit?done=created", fiber.StatusSeeOther)
}
