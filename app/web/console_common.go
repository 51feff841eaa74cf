package web

import (
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

// loadSite loads a live site by the :key of the route and checks the
// user's county, so a guessed key of another county is a 403 like any
// other object of that county.
func (s *Server) loadSite(c *fiber.Ctx) (domain.Site, error) {
	key := utils.CopyString(c.Params("key"))
	if !domain.ValidSiteKey(key) {
		return domain.Site{}, domain.ErrNotFound
	}
	site, err := s.Console.Store.Site(c.UserContext(), key)
	if err != nil {
		return domain.Site{}, err
	}
	if err := authorizeCounty(c, site.County); err != nil {
		return domain.Site{}, err
	}
	return site, nil
}

// loadWorking loads the site of the request (scoped) and its working copy.
func (s *Server) loadWorking(c *fiber.Ctx) (live, work domain.Site, hasDraft bool, err error) {
	if live, err = s.loadSite(c); err != nil {
		return live, work, false, err
	}
	work, hasDraft, err = s.workingCopy(c, live)
	return live, work, hasDraft, err
}

// workingCopy is what the editor edits: the draft if there is one, else
// the live site.
func (s *Server) workingCopy(c *fiber.Ctx, live domain.Site) (site domain.Site, hasDraft bool, err error) {
	draft, err := s.Console.Store.Draft(c.UserContext(), live.Key)
	switch {
	case err == nil:
		// The draft follows the live site's county and visibility, which
		// are changed elsewhere than in the form.
		draft.County, draft.Published = live.County, live.Published
		return draft, true, nil
	case errors.Is(err, domain.ErrNotFound):
		return live, false, nil
	}
	return domain.Site{}, false, err
}

// loadCounty checks a county code from the route or query.
func (s *Server) loadCounty(c *fiber.Ctx, code string) (domain.County, error) {
	if !domain.ValidCountyCode(code) {
		return domain.County{}, domain.ErrNotFound
	}
	county, err := s.Console.Store.County(c.UserContext(), code)
	if err != nil {
		return domain.County{}, err
	}
	if err := authorizeCounty(c, county.Code); err != nil {
		return domain.County{}, err
	}
	return county, nil
}

// myCounties are the counties the user may work on, in code order.
func (s *Server) myCounties(c *fiber.Ctx) ([]domain.County, error) {
	all, err := s.Console.Store.Counties(c.UserContext())
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	var out []domain.County
	for _, county := range all {
		if u.CanAccessCounty(county.Code) {
			out = append(out, county)
		}
	}
	slices.SortFunc(out, func(a, b domain.County) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// pickCounty is the county a list page shows: ?county= if given (and
// allowed), else the user's first.
func (s *Server) pickCounty(c *fiber.Ctx) (domain.County, []domain.County, error) {
	mine, err := s.myCounties(c)
	if err != nil {
		return domain.County{}, nil, err
	}
	if code := c.Query("county"); code != "" {
		county, err := s.loadCounty(c, utils.CopyString(code))
		return county, mine, err
	}
	if len(mine) == 0 {
		return domain.County{}, nil, domain.ErrForbidden
	}
	return mine[0], mine, nil
}

// audit records a console action. A failed audit write fails the request:
// an edit that cannot be accounted for should be noticed.
func (s *Server) audit(c *fiber.Ctx, action, object, county string, changes []domain.FieldChange) error {
	return s.Console.Store.AddAudit(c.UserContext(), domain.AuditEntry{At: s.now(), User: currentUser(c).Username,
		Action: action, Object: object, County: county, Changes: changes})
}

// siteChanges lists the fields that differ between two states of a site.
func siteChanges(before, after domain.Site) []domain.FieldChange {
	return domain.SiteChanges(before, after)
}

// doneMessages are the confirmations a redirect may ask a page to show
// (?done=saved); only these keys, so a link cannot make the console say
// anything else.
var doneMessages = map[string]string{
	"saved":         "console.done.saved",
	"published":     "console.done.published",
	"unpublished":   "console.done.unpublished",
	"discarded":     "console.done.discarded",
	"restored":      "console.done.restored",
	"created":       "console.done.created",
	"password":      "console.done.password",
	"reset":         "console.done.reset",
	"uploaded":      "console.done.uploaded",
	"sign":          "console.done.sign",
	"alert":         "console.done.alert",
	"withdrawn":     "console.done.withdrawn",
	"imported":      "console.done.imported",
	"user":          "console.done.user",
	"user_deleted":  "users.done.deleted",
	"pack_imported": "packs.done.imported",
}

func doneKey(c *fiber.Ctx) string { return doneMessages[c.Query("done")] }

// chinaTime is a time shown to bureau staff: China has one time zone and
// no daylight saving, so a fixed UTC+8 needs no tz database in the
// container.
type chinaTime time.Time

// String shows the time in China time with the zone, so no one reads a
// UTC time as local or the other way round. It is the one way the console
// writes a time (templates use view.China for a plain time.Time).
func (t chinaTime) String() string {
	if time.Time(t).IsZero() {
		return ""
	}
	local := time.Time(t).In(domain.ChinaTime)
	return local.Format("2006-01-02 15:04") + " " + utcOffset(local)
}

// utcOffset names a time's zone by its offset ("UTC+8", "UTC+5:30"): the
// region's zone is China time unless region.yaml says otherwise.
func utcOffset(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "UTC" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// templateURL marks a console-built path as safe for an href.
func templateURL(path string) template.URL { return template.URL(path) }
