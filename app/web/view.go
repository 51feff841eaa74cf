package web

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// view starts the data of a page in the request's language.
func (s *Server) view(c *fiber.Ctx, title string) *view {
	lang := langOf(c)
	return s.viewIn(lang, title, c.Path())
}

// viewIn starts a page in lang whose language switcher links to path.
func (s *Server) viewIn(lang domain.Lang, title, path string) *view {
	v := &view{Lang: lang, HTMLLang: i18n.HTMLLang(lang), Title: title, CSS: s.css, cat: s.I18n, assets: s.assets}
	for _, l := range domain.Languages() {
		v.Switch = append(v.Switch, langLink{Name: i18n.Autonym(l), HTMLLang: i18n.HTMLLang(l),
			Href: path + "?lang=" + string(l), Current: l == lang})
	}
	return v
}

// withCanonical sets the canonical URL (absolute, from the public base
// URL) and its language alternates.
func (s *Server) withCanonical(v *view, path string) {
	v.Canonical = s.PublicURL + path
	for _, l := range domain.Languages() {
		v.Alternates = append(v.Alternates, altLink{HrefLang: i18n.HTMLLang(l), Href: v.Canonical + "?lang=" + string(l)})
	}
}

func countyHref(code string) string { return "/c/" + url.PathEscape(code) }

func siteHref(county, key string) string {
	return "/s/" + url.PathEscape(county) + "/" + url.PathEscape(key)
}
