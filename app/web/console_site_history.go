package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

type revisionRow struct {
	ID      string
	At      chinaTime
	User    string
	Summary localized
	Changes []domain.FieldChange // against the revision before it
	Current bool
}

// listRevisions shows every published state of a site, newest first, with
// what changed at each publish.
func (s *Server) listRevisions(c *fiber.Ctx) error {
	live, err := s.loadSite(c)
	if err != nil {
		return err
	}
	revs, err := s.Console.Store.Revisions(c.UserContext(), live.Key)
	if err != nil {
		return err
	}
	lang := langOf(c)
	rows := make([]revisionRow, len(revs))
	for i, r := range revs {
		prev := domain.Site{}
		if i+1 < len(revs) {
			prev = revs[i+1].Site
		}
		rows[i] = revisionRow{ID: r.ID, At: chinaTime(r.At), User: r.User, Summary: loc(r.Site.Summary, lang),
			Changes: siteChanges(prev, r.Site), Current: i == 0}
	}
	return s.renderConsole(c, fiber.StatusOK, "console/revisions", "console.revisions.title", struct {
		Site domain.Site
		Name localized
		Rows []revisionRow
	}{live, loc(live.Name, lang), rows})
}

// restoreRevision copies an old revision into the draft; the editor
// reviews it and publishes, so a restore is never a surprise to the public.
func (s *Server) restoreRevision(c *fiber.Ctx) error {
	live, err := s.loadSite(c)
	if err != nil {
		return err
	}
	rev, err := s.Console.Store.Revision(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	// A revision id of another site (perhaps of another county) is not
	// found here, whatever the user may see.
	if rev.Site.Key != live.Key {
		return domain.ErrNotFound
	}
	work, _, err := s.workingCopy(c, live)
	if err != nil {
		return err
	}
	draft := rev.Site
	draft.County, draft.Published, draft.UpdatedAt = live.County, live.Published, s.now()
	if err := s.Console.Store.PutDraft(c.UserContext(), draft); err != nil {
		return err
	}
	if err := s.audit(c, "site_restore", live.Key, live.County, siteChanges(work, draft)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+live.Key+"/edit?done=restored", fiber.StatusSeeOther)
}
