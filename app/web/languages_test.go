package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/i18n/i18ntest"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
)

// uyghurFixture is the usual fixture with a Uyghur catalogue added as data
// (catalogue files in a test fs; its languages.json entry says rtl and its
// fonts) and offered as the region would: zh, en, bo, ug.
func uyghurFixture(t *testing.T) *fixture {
	t.Helper()
	t.Cleanup(domain.ResetLanguages)
	fsys, err := i18ntest.WithLanguage("ug", domain.En, i18ntest.UyghurSample)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := i18n.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if err := ui.Offer(nil); err != nil {
		t.Fatal(err)
	}
	s := storetest.New(t)
	seed(t, s)
	return newFixtureWith(t, s, nil, func(d *Deps) { d.I18n = ui })
}

var switchRe = regexp.MustCompile(`<nav class="langs"[^>]*>(.*?)</nav>`)

// An added catalogue is a visitor language: in the switcher of every page
// with its autonym, negotiated, and its pages right to left with its own
// fonts; fallback text of the other direction carries its own dir.
func TestAddedRightToLeftLanguage(t *testing.T) {
	f := uyghurFixture(t)
	for _, p := range []string{"/", "/s/513322/hailuogou", "/c/513322"} {
		r := f.get(t, p+"?lang=ug")
		if r.status != 200 {
			t.Fatalf("%s?lang=ug: status %d", p, r.status)
		}
		if !strings.Contains(r.body, `<html lang="ug" dir="rtl">`) {
			t.Errorf("%s: no rtl <html>: %.120s", p, r.body)
		}
		if cl := r.header.Get("Content-Language"); cl != "ug" {
			t.Errorf("%s: Content-Language %q", p, cl)
		}
		sw := switchRe.FindStringSubmatch(r.body)
		if sw == nil {
			t.Fatalf("%s: no language switcher", p)
		}
		for _, want := range []string{
			`<a href="` + p + `?lang=ug" lang="ug" dir="rtl" hreflang="ug" aria-current="true">ئۇيغۇرچە</a>`,
			`<a href="` + p + `?lang=zh" lang="zh-Hans" dir="ltr" hreflang="zh-Hans">中文</a>`,
			`lang="bo" dir="ltr" hreflang="bo">བོད་ཡིག</a>`,
			`lang="en" dir="ltr" hreflang="en">English</a>`,
		} {
			if !strings.Contains(sw[1], want) {
				t.Errorf("%s: switcher lacks %s:\n%s", p, want, sw[1])
			}
		}
		if !strings.Contains(r.body, `:lang(ug){font-family:"Noto Naskh Arabic"`) {
			t.Errorf("%s: no Uyghur font stack in the stylesheet", p)
		}
		if rawKey.MatchString(r.body) {
			t.Errorf("%s: untranslated key %q", p, rawKey.FindString(r.body))
		}
	}
	site := f.get(t, "/s/513322/hailuogou?lang=ug").body
	for _, want := range []string{
		`<h1 lang="zh-Hans" dir="ltr">海螺沟</h1>`, // ug falls back to zh (its entry prefers it), marked ltr
		`<dt>ئېچىلىش ۋاقتى</dt>`,                // a Uyghur heading from the catalogue
		`<link rel="alternate" hreflang="ug" href="https://qr.example.cn/s/513322/hailuogou?lang=ug">`,
	} {
		if !strings.Contains(site, want) {
			t.Errorf("site page lacks %s", want)
		}
	}
	// The other languages' pages offer it too, and stay left to right.
	zh := f.get(t, "/?lang=zh").body
	if !strings.Contains(zh, `<html lang="zh-Hans" dir="ltr">`) || !strings.Contains(zh, `lang="ug" dir="rtl" hreflang="ug">ئۇيغۇرچە</a>`) {
		t.Errorf("zh home: %.200s … switcher %q", zh, switchRe.FindString(zh))
	}
	// A Uyghur reader's browser gets it without choosing.
	if r := f.get(t, "/", "Accept-Language", "ug-CN,ug;q=0.9,zh;q=0.5"); htmlLang(r.body) != "ug" {
		t.Errorf("Accept-Language ug: page in %q", htmlLang(r.body))
	}
}

// Without a right-to-left language nothing changes: three languages, no
// dir attributes, the same bytes as before languages were data.
func TestDefaultLanguagesUnchanged(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/?lang=bo")
	sw := switchRe.FindStringSubmatch(r.body)
	if sw == nil || strings.Count(sw[1], "<a ") != 3 || strings.Contains(r.body, " dir=") || strings.Contains(r.body, "ئۇيغۇرچە") {
		t.Fatalf("default switcher: %v", sw)
	}
	if r := f.get(t, "/?lang=ug"); htmlLang(r.body) != "zh-Hans" {
		t.Fatalf("?lang=ug without the catalogue: page in %q", htmlLang(r.body))
	}
}

// uyghurCatalogs offers zh, en, bo and an added ug for the test's span.
func uyghurCatalogs(t *testing.T) *i18n.Catalogs {
	t.Helper()
	t.Cleanup(domain.ResetLanguages)
	fsys, err := i18ntest.WithLanguage("ug", domain.En, i18ntest.UyghurSample)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := i18n.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if err := ui.Offer(nil); err != nil {
		t.Fatal(err)
	}
	return ui
}

// The editor has a column for an added language: its inputs right to
// left, a preview link, a new photo's caption, and what is typed in it is
// saved; the ticket settings and translations pages list it too.
func TestEditorOffersAddedLanguage(t *testing.T) {
	app, s := consoleAppIn(t, uyghurCatalogs(t), func(d *Deps, s *store.Store) {
		d.TicketSettings = TicketSettingsDeps{Store: s}
		d.Tickets = TicketDeps{Service: tickets.New(s, &memRecorder{}, tickets.Options{Log: d.Log})}
		if err := s.PutTicketSite(context.Background(), tickets.DemoSites()[1]); err != nil { // hailuogou
			t.Fatal(err)
		}
	})
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	r := b.do("GET", "/admin/sites/hailuogou/edit", nil)
	for _, want := range []string{
		`class="editor langs-4"`,
		`<input name="name.ug" value="" lang="ug" dir="rtl"`,
		`<textarea name="body.ug" lang="ug" dir="rtl"`,
		`preview?in=ug" lang="ug" dir="rtl">ئۇيغۇرچە</a>`,
		`<input name="new_photo.alt.ug" lang="ug" dir="rtl"`,
		`<span lang="ug" dir="rtl">ئۇيغۇرچە</span>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("editor lacks %s", want)
		}
	}
	form := siteEditForm(t, b, "hailuogou")
	form.Set("name.ug", "خەيلوگۇ مۇزلۇقى")
	form.Set("summary.ug", "مۇزلۇق باغچىسى.")
	form.Set("action", "save")
	if r := b.do("POST", "/admin/sites/hailuogou", form); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	draft, err := s.Draft(context.Background(), "hailuogou")
	if err != nil || draft.Name["ug"] != "خەيلوگۇ مۇزلۇقى" || draft.Summary["ug"] != "مۇزلۇق باغچىسى." || draft.Name[domain.Zh] != "海螺沟" {
		t.Fatalf("draft: %v %v", draft.Name, err)
	}
	r = b.do("GET", "/admin/sites/hailuogou/translations", nil)
	if r.status != 200 || !strings.Contains(r.body, "ئۇيغۇرچە") {
		t.Errorf("translations page: %d, no ug column", r.status)
	}
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	r = admin.do("GET", "/admin/sites/hailuogou/tickets", nil)
	if r.status == 200 {
		for _, want := range []string{`name="types.0.name.ug"`, `Name (ئۇيغۇرچە)`, `name="reason.ug"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("ticket settings lack %s", want)
			}
		}
	} else {
		t.Errorf("ticket settings: %d", r.status)
	}
}
