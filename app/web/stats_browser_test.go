package web

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/web/browsertest"
)

// An operator in a real browser, without any script of ours: log in, open
// statistics from the console menu, switch to 30 days, drill into a site,
// and export; the overview is kept as a screenshot.
func TestStatsOverviewInBrowser(t *testing.T) {
	browsertest.Require(t)
	app, _ := statsApp(t)
	base := serveApp(t, app)

	ctx := browsertest.New(t, browsertest.Options{Width: 1280, Height: 1400, Timeout: 90 * time.Second})
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "luding-operator"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/stats"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/admin/stats"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.stats-range a[href*="range=30d"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats-range a[aria-current][href*="range=30d"]`)))
	if err != nil {
		t.Fatal(err)
	}
	scans, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-figure="scan"] .stat-value').textContent`))
	if err != nil || scans == "" || scans == "0" {
		t.Fatalf("scans card %q: %v", scans, err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg.chart rect.bar').length`))
	if err != nil || bars != 30 {
		t.Errorf("%d bars for 30 days (%v)", bars, err)
	}
	// No sideways scrolling on the console's width.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
	if err != nil || wide {
		t.Errorf("page scrolls sideways (%v)", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(85))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(browsertest.Artifact(t, "stats-overview.jpg"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(ctx, t, "stats-overview.png")

	// Drill into a site from the top list; the heading follows.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#sites-h + .table-scroll table a`)), chromedp.WaitVisible(chromedp.CSS(`.stats-levels a[aria-current][href*="site="]`)))
	if err != nil {
		t.Fatal(err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('h1').textContent`))
	if err != nil || !strings.Contains(h1, "Hailuogou") && !strings.Contains(h1, "Luding") {
		t.Errorf("site heading %q (%v)", h1, err)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/admin/stats/capacity?lang=en"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(ctx, t, "stats-capacity.png")
}
