package web

import (
	"errors"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

type siteEditPage struct {
	Form      *siteForm
	Live      domain.Site
	Name      localized
	County    localized
	HasDraft  bool
	Published bool
	Done      string
	// BodyPreview is the Markdown body rendered as the public page will
	// show it, per language, after "Preview body".
	BodyPreview []bodyPreview
	Public      string
	Missing     int
	Audio       []audioRow
	// MapLat and MapLon hint at coordinates: the region's map centre.
	MapLat, MapLon string
}

type bodyPreview struct {
	Lang     domain.Lang
	HTMLLang string
	HTML     template.HTML
}

func (s *Server) editSite(c *fiber.Ctx) error {
	live, work, hasDraft, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	return s.renderSiteEditor(c, fiber.StatusOK, live, work, formFromSite(work), hasDraft, nil)
}

func (s *Server) renderSiteEditor(c *fiber.Ctx, status int, live, work domain.Site, f *siteForm, hasDraft bool, preview []bodyPreview) error {
	lang := langOf(c)
	p := &siteEditPage{Form: f, Live: live, Name: loc(work.Name, lang), HasDraft: hasDraft, Published: live.Published,
		Done: doneKey(c), BodyPreview: preview, Public: siteHref(live.County, live.Key), Audio: audioRows(work)}
	if county, err := s.Console.Store.County(c.UserContext(), live.County); err == nil {
		p.County = loc(county.Name, lang)
	}
	if m := s.Catalog.Snapshot().Region.Map; m != (domain.MapView{}) {
		p.MapLat, p.MapLon = strconv.FormatFloat(m.Lat, 'f', 4, 64), strconv.FormatFloat(m.Lon, 'f', 4, 64)
	}
	for _, fields := range missingTranslations(work) {
		p.Missing += len(fields)
	}
	if len(f.Errors) > 0 {
		p.Done = ""
	}
	return s.renderConsole(c, status, "console/site_edit", "console.site_edit.title", p)
}

// saveSite stores the form as the site's draft. The public page does not
// change until the draft is published. "Preview body" renders the
// Markdown below the form without saving.
func (s *Server) saveSite(c *fiber.Ctx) error {
	live, work, hasDraft, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	f := parseSiteForm(c, work)
	site, ok := f.toSite(work)
	if !ok {
		return s.renderSiteEditor(c, fiber.StatusUnprocessableEntity, live, work, f, hasDraft, nil)
	}
	if c.FormValue("action") == "preview" {
		var previews []bodyPreview
		for _, l := range domain.Languages() {
			if src := site.Body[l]; src != "" {
				previews = append(previews, bodyPreview{Lang: l, HTMLLang: i18n.HTMLLang(l), HTML: s.md.renderUncached(src)})
			}
		}
		return s.renderSiteEditor(c, fiber.StatusOK, live, work, f, hasDraft, previews)
	}
	site.UpdatedAt = s.now()
	ctx := c.UserContext()
	if err := s.Console.Store.PutDraft(ctx, site); err != nil {
		return err
	}
	if err := s.audit(c, "site_save_draft", site.Key, site.County, siteChanges(work, site)); err != nil {
		return err
	}
	// The texts are saved; now the files chosen in the same form.
	withFiles, changed, err := s.editorUploads(c, site)
	var refused *editorUpload
	if errors.As(err, &refused) {
		f := formFromSite(site)
		f.Errors = map[string]string{refused.Field: s.view(c, "").T(refused.Err.Key, refused.Err.Args...),
			"form": "editor2.upload_refused"}
		return s.renderSiteEditor(c, fiber.StatusUnprocessableEntity, live, site, f, true, nil)
	}
	if err != nil {
		return err
	}
	if changed {
		if err := s.Console.Store.PutDraft(ctx, withFiles); err != nil {
			return err
		}
		if err := s.audit(c, "site_upload", site.Key, site.County, siteChanges(site, withFiles)); err != nil {
			return err
		}
		site = withFiles
	}
	next := "/admin/sites/" + site.Key + "/edit?done=saved"
	if c.FormValue("action") == "publish" {
		return s.publish(c, live, site)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}
