package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// all: because go:embed skips files starting with "_" otherwise, and the
// areas' shared files do.
//
//go:embed all:templates
var templateFS embed.FS

// engine holds the templates, parsed once at start.
//
// Every templates/*.html but layout.html and partials.html is a page named
// after its file ("site"). Every templates/<area>/*.html is a page named
// "<area>/<file>" ("console/sites"); the area's files starting with "_"
// are parsed with each of its pages, after the public layout and partials,
// so an area may redefine "layout" (the console does) and add partials.
type engine struct {
	pages map[string]*template.Template
	bufs  sync.Pool
}

func newEngine() (*engine, error) {
	// dir gives an element marked with lang its direction (i18n.DirAttr).
	funcs := template.FuncMap{"dir": func(lang any) string { return i18n.DirAttr(fmt.Sprint(lang)) }}
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	e := &engine{pages: map[string]*template.Template{}, bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		file := path.Base(rel)
		if rel == "layout" || rel == "partials" || strings.HasPrefix(file, "_") {
			return nil
		}
		files := []string{}
		if dir := path.Dir(p); dir != "templates" {
			shared, err := fs.Glob(templateFS, dir+"/_*.html")
			if err != nil {
				return err
			}
			files = append(files, shared...)
		}
		files = append(files, p)
		t, err := template.Must(base.Clone()).ParseFS(templateFS, files...)
		if err != nil {
			return fmt.Errorf("web: template %s: %w", rel, err)
		}
		e.pages[rel] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// execute renders a page into a new byte slice.
func (e *engine) execute(page string, v *view) ([]byte, error) {
	t, ok := e.pages[page]
	if !ok {
		return nil, fmt.Errorf("web: no template %q", page)
	}
	buf := e.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer e.bufs.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout", v); err != nil {
		return nil, fmt.Errorf("web: render %s: %w", page, err)
	}
	return append([]byte(nil), buf.Bytes()...), nil
}

// render executes a page completely before writing anything, so a
// template error becomes a 500 page instead of half a page.
func (e *engine) render(c *fiber.Ctx, status int, page string, v *view) error {
	body, err := e.execute(page, v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Language", i18n.HTMLLang(v.Lang))
	return c.Send(body)
}

// view is what every page template sees.
type view struct {
	Lang        domain.Lang
	HTMLLang    string
	Title       string
	Description string
	Canonical   string
	Alternates  []altLink
	Switch      []langLink
	CSS         template.CSS
	Data        any
	Footer      string // the region's footer line (region_public.go)

	cat    *i18n.Catalogs
	assets *assets
}

type altLink struct{ HrefLang, Href string }

type langLink struct {
	Code                 domain.Lang
	Name, HTMLLang, Href string
	Current              bool
}

// T translates a UI string into the page language.
func (v *view) T(key string, args ...any) string { return v.cat.T(v.Lang, key, args...) }

// Asset is the content-hashed URL of a file in public/.
func (v *view) Asset(name string) string { return v.assets.url(name) }

// localized is a content field in the page language, or in the fallback
// language it came from; Lang is set only when it differs from the page's,
// so the element can carry the right lang attribute.
type localized struct {
	S    string
	Lang string
}

func loc(t domain.Text, page domain.Lang) localized {
	s, used := t.Get(page)
	if used == "" || used == page {
		return localized{S: s}
	}
	return localized{S: s, Lang: i18n.HTMLLang(used)}
}
