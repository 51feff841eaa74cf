package web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// /admin/region: a top-level admin (an admin of no particular county,
// domain.User.RegionWide) edits who runs the install — the region's
// names, bureau, public numbers, time zone, map default, logo and visitor
// languages. The form is region_form.go, the page
// templates/console/region.html.

// RegionStore is what the region page needs of the database; store.Store
// implements it. PutRegion bumps the content version, so every node's
// catalogue picks the change up.
type RegionStore interface {
	Region(ctx context.Context) (domain.Region, error)
	PutRegion(ctx context.Context, r domain.Region) error
}

// RegionDeps are the region page's collaborators. It needs the console's
// store (audit, media for the logo) and is served whenever that store is
// a RegionStore too, as store.Store is.
type RegionDeps struct {
	// Store overrides the console store's region methods; optional.
	Store RegionStore
	// Zone is the time zone the server runs on (set at start-up from
	// the region), shown next to the field because a change needs a
	// restart. Empty: China time.
	Zone string
}

func (s *Server) regionStore() RegionStore {
	if s.Region.Store != nil {
		return s.Region.Store
	}
	rs, _ := s.Console.Store.(RegionStore)
	return rs
}

func (s *Server) regionRoutes(admin fiber.Router) {
	if s.Console.Store == nil || s.regionStore() == nil {
		return
	}
	top := requireRole(domain.RoleAdmin)
	admin.Get("/region", top, s.showRegion)
	admin.Post("/region", top, s.saveRegion)
}

// requireTopLevel refuses county-scoped admins: the region is everyone's.
func requireTopLevel(c *fiber.Ctx) error {
	if u := currentUser(c); u == nil || !u.RegionWide() {
		return domain.ErrForbidden
	}
	return nil
}

type regionPage struct {
	Form      *regionForm
	Langs     []regionLang
	Set       bool // a region is stored (not made up from the counties)
	Zone      string
	Done      string
	Languages string // the languages with a catalogue, for the hint
}

type regionLang struct {
	Code     domain.Lang
	HTMLLang string
	Autonym  string
}

// currentRegion is the stored region, or the one made up from the
// counties when none is stored.
func (s *Server) currentRegion(ctx context.Context) (domain.Region, bool, error) {
	r, err := s.regionStore().Region(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return s.Catalog.Snapshot().Region, false, nil
	}
	return r, err == nil, err
}

func (s *Server) showRegion(c *fiber.Ctx) error {
	if err := requireTopLevel(c); err != nil {
		return err
	}
	r, set, err := s.currentRegion(c.UserContext())
	if err != nil {
		return err
	}
	done := ""
	if c.Query("done") == "region" {
		done = "region.done"
	}
	f := regionFormOf(r)
	if !set {
		// A first set-up starts from China's national numbers.
		f.Complaint = "12345"
		for _, n := range nationalEmergency {
			row := emergencyRow{Number: n.number, Label: map[domain.Lang]string{}}
			for _, l := range domain.Languages() {
				row.Label[l] = s.I18n.T(l, n.key)
			}
			f.Rows = append(f.Rows, row)
		}
	}
	return s.renderRegion(c, fiber.StatusOK, f, set, done)
}

func (s *Server) renderRegion(c *fiber.Ctx, status int, f *regionForm, set bool, done string) error {
	f.translate(s.I18n, langOf(c))
	p := &regionPage{Form: f, Set: set, Done: done, Zone: s.Region.Zone}
	if p.Zone == "" {
		p.Zone = "Asia/Shanghai (UTC+8)"
	}
	var codes []string
	for _, l := range domain.Languages() {
		p.Langs = append(p.Langs, regionLang{Code: l, HTMLLang: i18n.HTMLLang(l), Autonym: i18n.Autonym(l)})
		codes = append(codes, string(l))
	}
	p.Languages = strings.Join(codes, " ")
	return s.renderConsole(c, status, "console/region", "region.title", p)
}

func (s *Server) saveRegion(c *fiber.Ctx) error {
	if err := requireTopLevel(c); err != nil {
		return err
	}
	ctx := c.UserContext()
	before, set, err := s.currentRegion(ctx)
	if err != nil {
		return err
	}
	f := parseRegionForm(c)
	if c.FormValue("add_row") != "" {
		// Adding a row needs no JavaScript: the page comes back with
		// what was typed and one more empty row; nothing is saved.
		f.Extra++
		return s.renderRegion(c, fiber.StatusOK, f, set, "")
	}
	after, ok := s.validateRegionForm(ctx, f, before)
	if !ok {
		return s.renderRegion(c, fiber.StatusUnprocessableEntity, f, set, "")
	}
	if err := s.regionStore().PutRegion(ctx, after); err != nil {
		if ve, isVE := asValidation(err); isVE {
			f.fail(ve.Field, ve.Key, ve.Args...)
			return s.renderRegion(c, fiber.StatusUnprocessableEntity, f, set, "")
		}
		return err
	}
	changes := regionChanges(before, after)
	if !set {
		changes = regionChanges(domain.Region{}, after)
	}
	if err := s.audit(c, "region_save", after.Code, "", changes); err != nil {
		return err
	}
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	return c.Redirect("/admin/region?done=region", fiber.StatusSeeOther)
}

// flatRegion is the region as named field values, for the audit log.
func flatRegion(r domain.Region) []domain.FieldChange {
	var out []domain.FieldChange
	add := func(name, v string) { out = append(out, domain.FieldChange{Field: name, After: v}) }
	add("code", r.Code)
	texts := []struct {
		name string
		t    domain.Text
	}{{"name", r.Name}, {"short_name", r.ShortName}, {"bureau", r.Bureau}, {"address", r.Address}}
	for _, tf := range texts {
		for _, l := range domain.Languages() {
			add(tf.name+"."+string(l), tf.t[l])
		}
	}
	add("phone", r.Phone)
	var em []string
	for _, e := range r.Emergency {
		em = append(em, e.Number+" "+e.Label[domain.Zh]+"|"+e.Label[domain.En]+"|"+e.Label[domain.Bo])
	}
	add("emergency", strings.Join(em, "\n"))
	add("complaint", r.Complaint)
	add("time_zone", r.TimeZone)
	mapView := ""
	if r.Map != (domain.MapView{}) {
		mapView = fmt.Sprintf("%g, %g z%d", r.Map.Lat, r.Map.Lon, r.Map.Zoom)
	}
	add("map", mapView)
	add("logo", r.Logo)
	var langs []string
	for _, l := range r.Languages {
		langs = append(langs, string(l))
	}
	add("languages", strings.Join(langs, " "))
	var divs []string
	for _, d := range r.Divisions {
		divs = append(divs, d.Code)
	}
	add("divisions", strings.Join(divs, " "))
	return out
}

// regionChanges lists the fields that differ between two regions.
func regionChanges(before, after domain.Region) []domain.FieldChange {
	return domain.Changed(flatRegion(before), flatRegion(after))
}

// regionUnset is whether the console's home should ask this user to set
// the region up.
func (s *Server) regionUnset(u *domain.User) bool {
	return s.Console.Store != nil && s.regionStore() != nil && u != nil && u.RegionWide() && !s.Catalog.Snapshot().RegionSet
}

func formatCodes(codes []string) string {
	slices.Sort(codes)
	if len(codes) > 8 {
		codes = append(codes[:8], "… ("+strconv.Itoa(len(codes))+")")
	}
	return strings.Join(codes, ", ")
}
