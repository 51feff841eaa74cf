package web

import (
	"bytes"
	"html/template"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// publishSite makes the working copy (the draft, or the live site when
// there is none) the public page.
func (s *Server) publishSite(c *fiber.Ctx) error {
	live, work, _, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	return s.publish(c, live, work)
}

// publish writes next as the live site, keeps it as a revision, drops the
// draft and reloads this node's catalogue, so the public page changes on
// this request's node at once and on the others within one poll (the
// store bumps the content version).
func (s *Server) publish(c *fiber.Ctx, live, next domain.Site) error {
	ctx := c.UserContext()
	next.Published = true
	next.County = live.County
	next.UpdatedAt = s.now()
	if err := s.Console.Store.PutSite(ctx, next); err != nil {
		return err
	}
	if _, err := s.Console.Store.AddRevision(ctx, next, currentUser(c).Username, next.UpdatedAt); err != nil {
		return err
	}
	if err := s.Console.Store.DeleteDraft(ctx, next.Key); err != nil {
		return err
	}
	if err := s.audit(c, "site_publish", next.Key, next.County, siteChanges(live, next)); err != nil {
		return err
	}
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+next.Key+"/edit?done=published", fiber.StatusSeeOther)
}

// unpublishSite hides a site from the public (its codes then show the
// friendly not-found page); the content is kept.
func (s *Server) unpublishSite(c *fiber.Ctx) error {
	live, err := s.loadSite(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	hidden := live
	hidden.Published = false
	hidden.UpdatedAt = s.now()
	if err := s.Console.Store.PutSite(ctx, hidden); err != nil {
		return err
	}
	if err := s.audit(c, "site_unpublish", live.Key, live.County, siteChanges(live, hidden)); err != nil {
		return err
	}
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+live.Key+"/edit?done=unpublished", fiber.StatusSeeOther)
}

// discardDraft throws the draft away; the editor shows the live site again.
func (s *Server) discardDraft(c *fiber.Ctx) error {
	live, work, hasDraft, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	if hasDraft {
		if err := s.Console.Store.DeleteDraft(c.UserContext(), live.Key); err != nil {
			return err
		}
		if err := s.audit(c, "site_discard_draft", live.Key, live.County, siteChanges(work, live)); err != nil {
			return err
		}
	}
	return c.Redirect("/admin/sites/"+live.Key+"/edit?done=discarded", fiber.StatusSeeOther)
}

// previewSite shows the working copy exactly as the public page will, by
// rendering it with the public template. The copy gets a key no live site
// can have, so the Markdown cache (keyed by site and content version)
// never mixes draft and live text; links to that key are then pointed
// back at this preview.
func (s *Server) previewSite(c *fiber.Ctx) error {
	live, work, hasDraft, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	// The page's language comes from ?in=, not ?lang=: ?lang= would set
	// the language cookie and leave the whole console in the language of
	// the last preview. The console's own language stays the editor's.
	lang := langOf(c)
	if l, ok := i18n.Parse(c.Query("in")); ok {
		lang = l
	} else if l, ok := i18n.Parse(c.Query("lang")); ok {
		lang = l
	}
	fake := work
	fake.Key = live.Key + "~preview" + strconv.FormatInt(work.UpdatedAt.UnixNano(), 36)
	now := s.now()
	alerts, _ := s.alerts.forSite(c.UserContext(), live.County, live.Key, now)
	page, err := s.buildSitePage(s.Catalog.Snapshot(), &fake, lang, openNow(work.Hours, now), alerts, s.reserveHref(c.UserContext(), &live))
	if err != nil {
		return err
	}
	previewURL := "/admin/sites/" + live.Key + "/preview"
	page = bytes.ReplaceAll(page, []byte(s.PublicURL+siteHref(live.County, fake.Key)), []byte(previewURL))
	page = bytes.ReplaceAll(page, []byte(siteHref(live.County, fake.Key)), []byte(previewURL))
	page = bytes.ReplaceAll(page, []byte(previewURL+"?lang="), []byte(previewURL+"?in="))
	v := s.view(c, "")
	state := "console.preview.live"
	if hasDraft {
		state = "console.preview.draft"
	}
	banner := `<div class="alert warn" role="status"><strong>` + template.HTMLEscapeString(v.T(state)) +
		`</strong><a href="/admin/sites/` + url.PathEscape(live.Key) + `/edit">` + template.HTMLEscapeString(v.T("console.preview.back")) + `</a></div>`
	page = bytes.Replace(page, []byte(`<main class="wrap" id="main">`), []byte(`<main class="wrap" id="main">`+banner), 1)
	page = bytes.Replace(page, []byte(`<head>`), []byte(`<head><meta name="robots" content="noindex">`), 1)
	// No script in a preview: the page's own would register the service
	// worker and count views and plays of a site nobody visited.
	page = previewScriptRe.ReplaceAll(page, nil)
	page = previewRefRe.ReplaceAll(page, nil)
	c.Set("Content-Security-Policy", strings.Replace(s.cspHeader, "script-src 'self'", "script-src 'none'", 1))
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Language", i18n.HTMLLang(lang))
	return c.Send(page)
}

var (
	previewScriptRe = regexp.MustCompile(`<script[^>]*>[^<]*</script>`)
	previewRefRe    = regexp.MustCompile(`<div id="site-ref"[^>]*></div>`)
)

// renderUncached renders Markdown without the cache: the console's
// previews of unsaved text must neither fill it nor be served from it.
func (m *markdown) renderUncached(src string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}
