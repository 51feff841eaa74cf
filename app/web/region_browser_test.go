package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/web/browsertest"
)

// The region page at 1366 px, saved and with an error; a site page's help
// numbers (from the region) at 390 px in every language.
func TestRegionInBrowser(t *testing.T) {
	browsertest.Require(t)
	s, _ := garzeDemo(t)
	app := regionApp(t, s)
	base := serveApp(t, app)
	ctx := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.console-nav`)),
		chromedp.Click(chromedp.CSS(`nav.console-nav a[href="/admin/region"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.region-form`)))
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "console-region-1366.png")
	err = chromedp.Do(ctx, chromedp.Clear(chromedp.CSS(`input[name=time_zone]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=time_zone]`), "Mars/Olympus"),
		chromedp.Clear(chromedp.CSS(`input[name="em.1.number"]`)),
		chromedp.Click(chromedp.CSS(`.region-form .buttons button`)),
		chromedp.WaitVisible(chromedp.CSS(`#errors`)))
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "console-region-errors-1366.png")

	site := "/s/513337/yading"
	for _, l := range domain.Languages() {
		phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 60 * time.Second})
		err := chromedp.Do(phone, chromedp.Navigate(base+site+"?lang="+string(l)), chromedp.WaitVisible(chromedp.CSS(`#help-h`)))
		var shot []byte
		if err == nil {
			shot, err = chromedp.Run(phone, chromedp.Screenshot(chromedp.CSS(`section[aria-labelledby=help-h]`)))
		}
		if err == nil {
			err = os.WriteFile(browsertest.Artifact(t, "site-help-390-"+string(l)+".png"), shot, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if l == domain.Bo {
			shoot(t, phone, "site-page-390-bo.png")
		}
	}
}

// songpanPack is the example pack of content/examples (one county alone
// as the top level), imported as `yimayou import` does.
func songpanPack(t testing.TB) *store.Store {
	t.Helper()
	s := storetest.New(t)
	_, _, err := content.ImportPack(context.Background(), s, content.ImportRequest{
		FS: os.DirFS("../../content/examples/songpan"), Actor: content.CLIActor})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The Garzê demo and the Songpan example pack, side by side: home and a
// site page at 390 px in every language and a sign sheet, each with its
// own names and nothing of the other's, and no sideways scroll.
func TestTwoRegionsInBrowser(t *testing.T) {
	browsertest.Require(t)
	garze, garzeSign := garzeDemo(t)
	for _, r := range []struct {
		name, sign, site string
		app              *fiber.App
		own, other       string
	}{
		{"garze", garzeSign, "/s/513337/yading", regionApp(t, garze), "甘孜", "松潘"},
		{"songpan", "JGSG94", "/s/513224/huanglong", regionApp(t, songpanPack(t)), "松潘", "甘孜"},
	} {
		base := serveApp(t, r.app)
		for _, l := range domain.Languages() {
			phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 60 * time.Second})
			for _, page := range []struct{ name, path string }{{"home", "/"}, {"site", r.site}} {
				err := chromedp.Do(phone, chromedp.Navigate(base+page.path+"?lang="+string(l)), chromedp.WaitVisible(chromedp.CSS(`footer`)))
				if err != nil {
					t.Fatal(err)
				}
				title, _ := chromedp.Run(phone, chromedp.Evaluate[string](`document.title`))
				footer, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`footer`)))
				scroll, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
				if err != nil {
					t.Fatal(err)
				}
				shoot(t, phone, page.name+"-390-"+string(l)+"-"+r.name+".png")
				if scroll {
					t.Errorf("%s %s %s scrolls sideways at 390 px", r.name, page.name, l)
				}
				if l == domain.Zh && (!strings.Contains(footer, r.own) || strings.Contains(title+footer, r.other)) {
					t.Errorf("%s %s: title %q, footer %q; want %s and no %s", r.name, page.name, title, footer, r.own, r.other)
				}
			}
		}
		desk := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
		err := chromedp.Do(desk, chromedp.Navigate(base+"/admin/login?lang=zh"),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
			chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`nav.console-nav`)),
			chromedp.Navigate(base+"/admin/signs/"+r.sign+"/sheet?paper=a5"),
			chromedp.WaitVisible(chromedp.CSS(`.bureau`)))
		if err != nil {
			t.Fatal(err)
		}
		bureau, _ := chromedp.Run(desk, chromedp.Text(chromedp.CSS(`.bureau`)))
		shoot(t, desk, "sheet-a5-"+r.name+".png")
		if !strings.Contains(bureau, r.own) || strings.Contains(bureau, r.other) {
			t.Errorf("%s sheet: bureau line %q; want %s and no %s", r.name, bureau, r.own, r.other)
		}
	}
}
