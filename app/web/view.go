package web

import (
	"net/url"
	"strings"

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
	if s.Catalog != nil {
		v.Footer = s.regionFooter(s.Catalog.Snapshot(), lang) // region_public.go
	}
	for _, l := range domain.Languages() {
		v.Switch = append(v.Switch, langLink{Code: l, Name: i18n.Autonym(l), HTMLLang: i18n.HTMLLang(l),
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

// LangName is a language's name in the page language ("Tibetan") from the
// catalogue's console.lang.<code>, or its autonym when the catalogue has no
// name for it (a language added after the catalogues were written).
func (v *view) LangName(l domain.Lang) string {
	if key := "console.lang." + string(l); v.cat.Has(v.Lang, key) {
		return v.T(key)
	}
	return i18n.Autonym(l)
}

// LangLabel labels a field in language l: the catalogue's own label
// (prefix "ticketsettings.name_" + "bo": "Name (Tibetan)") when it has one,
// else the generic langs.<field> with the language's name.
func (v *view) LangLabel(prefix string, l domain.Lang) string {
	if v.cat.Has(v.Lang, prefix+string(l)) {
		return v.T(prefix + string(l))
	}
	_, field, _ := strings.Cut(strings.TrimSuffix(prefix, "_"), ".")
	return v.T("langs."+field, v.LangName(l))
}

func countyHref(code string) string { return "/c/" + url.PathEscape(code) }

func siteHref(county, key string) string {
	return "/s/" + url.PathEscape(county) + "/" + url.PathEscape(key)
}
