package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/i18n/i18ntest"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/web/browsertest"
	demo "github.com/yimayou/yimayou/content"
)

// A page in an added right-to-left language, on 390 and 320 px phones: the page
// runs right to left (the brand at the right, where a line starts),
// Chinese fallback text inside it runs left to right, each script gets
// its own font stack, and nothing is wider than the phone.
func TestRightToLeftPageOnAPhone(t *testing.T) {
	browsertest.Require(t)
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
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.Import(context.Background(), s, pack); err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, s, nil, func(d *Deps) { d.I18n = ui })
	base := f.serveReal(t)
	type layout struct {
		Dir, BodyDir, H1Dir, H1Font, DtFont string
		BrandRight, BrandLeft, Width        float64
		Overflow                            bool
	}
	const probe = `(() => {
		const r = e => e.getBoundingClientRect(), cs = e => getComputedStyle(e);
		const h1 = document.querySelector('h1'), dt = document.querySelector('dt') || document.querySelector('h2');
		return {Dir: document.documentElement.dir, BodyDir: cs(document.body).direction,
			H1Dir: cs(h1).direction, H1Font: cs(h1).fontFamily, DtFont: cs(dt).fontFamily,
			BrandRight: r(document.querySelector('.brand')).right, BrandLeft: r(document.querySelector('.brand')).left, Width: window.innerWidth,
			Overflow: document.documentElement.scrollWidth > window.innerWidth + 1};
	})()`
	for _, width := range []int{390, 320} {
		ctx := browsertest.New(t, browsertest.Options{Width: width, Height: 900})
		for _, page := range []struct{ name, path string }{
			{"home", "/?lang=ug"},
			{"site", "/s/513337/yading?lang=ug"},
		} {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+page.path), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[layout](probe))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s at %d px: %+v", page.name, width, got)
			if got.Dir != "rtl" || got.BodyDir != "rtl" {
				t.Errorf("%s: page direction %q/%q, want rtl", page.name, got.Dir, got.BodyDir)
			}
			if got.BrandRight < got.Width-40 || got.BrandLeft < got.Width/2 {
				t.Errorf("%s: the brand (%v–%v px) does not start at the right of a %v px page", page.name, got.BrandLeft, got.BrandRight, got.Width)
			}
			if got.Overflow {
				t.Errorf("%s: page wider than the phone", page.name)
			}
			if page.name == "site" {
				if got.H1Dir != "ltr" || got.H1Font == got.DtFont {
					t.Errorf("site: the Chinese fallback name runs %s in %q, the Uyghur heading in %q", got.H1Dir, got.H1Font, got.DtFont)
				}
			}
			browsertest.Screenshot(ctx, t, fmt.Sprintf("%s-ug-%d.png", page.name, width))
		}
	}
}

// At 1366 px the editor shows an added language as a fourth column: the
// four name inputs side by side on one row, each wide enough to type in,
// the Uyghur one right to left.
func TestEditorFourColumnsInBrowser(t *testing.T) {
	browsertest.Require(t)
	app, _ := consoleAppIn(t, uyghurCatalogs(t))
	base := serveApp(t, app)
	ctx := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900})
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "luding-editor"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.console-nav`)),
		chromedp.Navigate(base+"/admin/sites/hailuogou/edit"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name.ug"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="name.ug"]`), "خەيلوگۇ مۇزلۇقى"))
	if err != nil {
		t.Fatal(err)
	}
	type cell struct {
		Top, Width float64
		Dir        string
	}
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]cell](`["zh","en","bo","ug"].map(l => {
		const e = document.querySelector('input[name="name.' + l + '"]'), r = e.getBoundingClientRect();
		return {Top: r.top, Width: r.width, Dir: getComputedStyle(e).direction};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cells {
		if c.Top != cells[0].Top || c.Width < 150 {
			t.Errorf("name input %d: %+v, want on the row of the first (%v) and at least 150 px wide", i, c, cells[0].Top)
		}
	}
	if cells[3].Dir != "rtl" || cells[0].Dir != "ltr" {
		t.Errorf("directions %+v", cells)
	}
	browsertest.Screenshot(ctx, t, "console-editor-ug-1366.png")
}
