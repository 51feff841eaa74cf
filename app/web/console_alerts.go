package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

// datetime-local inputs carry no zone: the console means China time.
const localInput = "2006-01-02T15:04"

type alertRow struct {
	domain.Alert
	CountyName localized
	SiteName   localized
	From, To   chinaTime
	Active     bool
	Over       bool
}

type alertForm struct {
	County, Site, Level, Starts, Ends string
	Text                              map[domain.Lang]string
	Errors                            map[string]string
}

func (f *alertForm) Cells() []langCell {
	sf := &siteForm{Errors: f.Errors}
	return sf.cells("text.", f.Text)
}

func (s *Server) listAlerts(c *fiber.Ctx) error {
	now := s.now().In(domain.ChinaTime)
	return s.renderAlerts(c, fiber.StatusOK, &alertForm{Level: string(domain.AlertWarning),
		Starts: now.Format(localInput), Text: map[domain.Lang]string{}})
}

func (s *Server) renderAlerts(c *fiber.Ctx, status int, f *alertForm) error {
	ctx := c.UserContext()
	all, err := s.Console.Store.Alerts(ctx)
	if err != nil {
		return err
	}
	mine, err := s.myCounties(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	lang, now := langOf(c), s.now()
	v := s.view(c, "")
	tree := s.Catalog.Snapshot().Tree()
	names := map[string]localized{}
	for _, n := range tree.Nodes() {
		names[n.Code] = nodeName(v, n)
	}
	var groups []alertSiteGroup
	siteNames := map[string]domain.Text{}
	for _, county := range mine {
		sites, err := s.Console.Store.Sites(ctx, county.Code)
		if err != nil {
			return err
		}
		g := alertSiteGroup{County: loc(county.Name, lang)}
		for _, site := range sites {
			siteNames[site.Key] = site.Name
			g.Sites = append(g.Sites, alertSiteOption{Key: site.Key, Name: loc(site.Name, lang), Current: site.Key == f.Site})
		}
		groups = append(groups, g)
	}
	var rows []alertRow
	for _, a := range all {
		if a.County != "" && !u.CanAccessCounty(a.County) {
			continue
		}
		rows = append(rows, alertRow{Alert: a, CountyName: names[a.County], SiteName: loc(siteNames[a.Site], lang), From: chinaTime(a.Starts),
			To: chinaTime(a.Ends), Active: a.Active(now), Over: !a.Ends.IsZero() && !now.Before(a.Ends)})
	}
	// The area is a node of the tree: the whole region (region-wide
	// admins), a division (every county in it) or a county. A region
	// that is one county is offered that county only.
	oneCounty := tree.Level == domain.LevelCounty
	return s.renderConsole(c, status, "console/alerts", "console.alerts.title", struct {
		Alerts []alertRow
		Form   *alertForm
		Nodes  []nodeOption
		Sites  []alertSiteGroup
		Whole  bool
		Region localized
		Done   string
	}{rows, f, nodeOptions(v, tree, u, oneCounty, func(code string) bool { return code == f.County }), groups,
		u.RegionWide() && !oneCounty, nodeName(v, tree), doneKey(c)})
}

// createAlert posts a banner. Editors post for the nodes of their scope (a
// division's banner shows in each of its counties); a region-wide banner
// is for region-wide admins.
func (s *Server) createAlert(c *fiber.Ctx) error {
	f := &alertForm{County: formValue(c, "county"), Site: formValue(c, "site"), Level: formValue(c, "level"), Starts: formValue(c, "starts"),
		Ends: formValue(c, "ends"), Text: map[domain.Lang]string{}}
	for _, l := range domain.Languages() {
		if v := formValue(c, "text."+string(l)); v != "" {
			f.Text[l] = v
		}
	}
	fail := func(field, key string) error {
		f.Errors = map[string]string{field: key}
		return s.renderAlerts(c, fiber.StatusUnprocessableEntity, f)
	}
	// A banner for one site takes the site's county, whatever was chosen.
	if f.Site != "" {
		if !domain.ValidSiteKey(f.Site) {
			return domain.ErrNotFound
		}
		site, err := s.Console.Store.Site(c.UserContext(), f.Site)
		if err != nil {
			return err
		}
		f.County = site.County
	}
	if f.County == "" {
		if !currentUser(c).RegionWide() {
			return domain.ErrForbidden
		}
	} else if s.Catalog.Snapshot().Tree().Find(f.County) == nil {
		return fail("county", "tree.error.outside")
	} else if err := authorizeCounty(c, f.County); err != nil {
		return err
	}
	a := domain.Alert{County: f.County, Site: f.Site, Level: domain.AlertLevel(f.Level), Text: domain.Text{}}
	for l, v := range f.Text {
		if len(v) > maxLineLen {
			return fail("text."+string(l), "console.error.too_long")
		}
		a.Text[l] = v
	}
	starts, err := time.ParseInLocation(localInput, f.Starts, domain.ChinaTime)
	if err != nil {
		return fail("starts", "console.error.datetime")
	}
	a.Starts = starts
	if f.Ends != "" {
		ends, err := time.ParseInLocation(localInput, f.Ends, domain.ChinaTime)
		if err != nil {
			return fail("ends", "console.error.datetime")
		}
		a.Ends = ends
	}
	if a.Text[domain.Zh] == "" {
		return fail("text.zh", "console.error.required")
	}
	if err := a.Validate(); err != nil {
		var verr *domain.ValidationError
		if errors.As(err, &verr) {
			key := map[string]string{"level": "console.error.alert_level", "ends": "console.error.alert_ends"}[verr.Field]
			if key == "" {
				key = "console.error.invalid"
			}
			return fail(verr.Field, key)
		}
		return err
	}
	id, err := s.Console.Store.PutAlert(c.UserContext(), a)
	if err != nil {
		return err
	}
	changes := []domain.FieldChange{{Field: "site", After: a.Site}, {Field: "level", After: string(a.Level)}, {Field: "starts", After: chinaTime(a.Starts).String()},
		{Field: "ends", After: chinaTime(a.Ends).String()}}
	for _, l := range domain.Languages() {
		changes = append(changes, domain.FieldChange{Field: "text." + string(l), After: a.Text[l]})
	}
	if err := s.audit(c, "alert_create", id, a.County, changes); err != nil {
		return err
	}
	return c.Redirect("/admin/alerts?done=alert", fiber.StatusSeeOther)
}

func (s *Server) deleteAlert(c *fiber.Ctx) error {
	a, err := s.Console.Store.Alert(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	if a.County == "" && !currentUser(c).RegionWide() {
		return domain.ErrForbidden
	}
	if a.County != "" {
		if err := authorizeCounty(c, a.County); err != nil {
			return err
		}
	}
	if err := s.Console.Store.DeleteAlert(c.UserContext(), a.ID); err != nil {
		return err
	}
	if err := s.audit(c, "alert_withdraw", a.ID, a.County, []domain.FieldChange{{Field: "text.zh", Before: a.Text[domain.Zh]}}); err != nil {
		return err
	}
	return c.Redirect("/admin/alerts?done=withdrawn", fiber.StatusSeeOther)
}

// alertSiteGroup lists a county's sites for the banner form's site choice.
type alertSiteGroup struct {
	County localized
	Sites  []alertSiteOption
}

type alertSiteOption struct {
	Key     string
	Name    localized
	Current bool
}
