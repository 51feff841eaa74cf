package web

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/web/browsertest"
)

// The tree in a browser: a province's home at 390 px with counties under
// their prefectures, a single-county region's home listing its sites, and
// the province admin's user form at 1366 px with the tree indented.
func TestTreeInBrowser(t *testing.T) {
	browsertest.Require(t)
	region, counties, sites := sichuan()
	app, _ := treeApp(t, region, counties, sites, treeUsers, false)
	base := serveApp(t, app)
	phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 90 * time.Second})
	for _, lang := range []string{"zh", "en", "bo"} {
		if err := chromedp.Do(phone, chromedp.Navigate(base+"/?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`ul.list`))); err != nil {
			t.Fatal(err)
		}
		shoot(t, phone, "tree-home-province-390-"+lang+".png")
	}
	desk := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
	err := chromedp.Do(desk, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "sc-admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.console-nav`)),
		chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS(`input[name=counties][value="513225"]`)))
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, desk, "tree-users-province-1366.png")

	one, _ := treeApp(t, domain.Region{Code: "513225", Name: domain.Text{domain.Zh: "九寨沟县", domain.En: "Jiuzhaigou County"}},
		map[string]string{"513225": "Jiuzhaigou"}, []treeSite{{"513225", "jzg-lake", "Jiuzhaigou Lake"}, {"513225", "jzg-falls", "Pearl Falls"}},
		nil, false)
	base = serveApp(t, one)
	if err := chromedp.Do(phone, chromedp.Navigate(base+"/?lang=en"), chromedp.WaitVisible(chromedp.CSS(`a[href="/s/513225/jzg-lake"]`))); err != nil {
		t.Fatal(err)
	}
	shoot(t, phone, "tree-home-one-county-390-en.png")
}
