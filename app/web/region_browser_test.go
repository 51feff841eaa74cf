package web

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/web/browsertest"
)

// The region page at 1366 px, saved and with an error; a site page's help
// numbers (from the region) at 390 px in every language.
func TestRegionInBrowser(t *testing.T) {
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

// The Garzê demo and a one-county region, side by side: home at 390 px
// and a sign sheet, each with its own names.
func TestTwoRegionsInBrowser(t *testing.T) {
	garze, garzeSign := garzeDemo(t)
	for _, r := range []struct {
		name, sign string
		app        *fiber.App
	}{{"garze", garzeSign, regionApp(t, garze)}, {"jiuzhaigou", "JZG2AA", regionApp(t, jiuzhaigouRegion(t))}} {
		base := serveApp(t, r.app)
		phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 60 * time.Second})
		if err := chromedp.Do(phone, chromedp.Navigate(base+"/?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`footer`))); err != nil {
			t.Fatal(err)
		}
		shoot(t, phone, "home-390-zh-"+r.name+".png")
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
		shoot(t, desk, "sheet-a5-"+r.name+".png")
	}
}
