package web

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/app/web/browsertest"
)

// The statistics views as an operator sees them on the office screen
// (1366 px) and on a phone (390 px): the page never scrolls sideways (the
// heatmap and wide tables scroll inside their cards), the chart's buckets
// answer focus with their numbers, and each view is kept as a screenshot.
func TestStatsViewsAtWidths(t *testing.T) {
	browsertest.Require(t)
	app, s := statsApp(t)
	cfg := tickets.SiteConfig{Site: "hailuogou", County: "513322", Enabled: true, Types: tickets.ConcessionTypes(9000),
		Slots: []tickets.Slot{{Code: "0800", Start: "08:00", End: "10:00", Limit: 100}, {Code: "1000", Start: "10:00", End: "12:00", Limit: 100},
			{Code: "1200", Start: "12:00", End: "14:00", Limit: 100}, {Code: "1400", Start: "14:00", End: "16:00", Limit: 100}},
		BookDays: 30, HoldMinutes: 15, Payment: tickets.PayAtGate, ValidDays: 1, MaxVisitors: 5, CancelDaysAfter: 1, CancelAt: "17:00",
		Capacity: domain.CarryingCapacity{AreaM2: 1e6, PerPersonM2: 1, OpenHours: 10, StayHours: 1}}.WithDefaults()
	if err := s.PutTicketSite(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	base := serveApp(t, app)
	views := []struct{ name, path string }{
		{"overview", "/admin/stats/overview?range=30d"},
		{"overview-today", "/admin/stats/overview?range=today"},
		{"overview-sign", "/admin/stats/overview?range=30d&sign=HGK2EN"},
		{"funnel", "/admin/stats/funnel?range=30d"},
		{"capacity", "/admin/stats/capacity?range=custom&from=2026-11-20&to=2026-12-19"},
	}
	for _, width := range []int{1366, 390} {
		ctx := browsertest.New(t, browsertest.Options{Width: width, Height: 900, Timeout: 120 * time.Second})
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
			chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/stats"]`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+v.path+"&lang=en"), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
				t.Fatal(err)
			}
			wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
			if err != nil || wide {
				culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`))
				t.Errorf("%s at %d px scrolls sideways (%v): %v", v.name, width, err, culprits)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(browsertest.Artifact(t, fmt.Sprintf("stats-%s-%d.png", v.name, width)), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Focus on a bucket of the chart writes its numbers under it; today's
	// bucket is marked as not over yet.
	ctx := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 60 * time.Second})
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/stats"]`)),
		chromedp.Navigate(base+"/admin/stats/overview?range=30d&lang=en"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		chromedp.Focus(chromedp.CSS(`svg.chart g.pt:nth-of-type(3)`)))
	if err != nil {
		t.Fatal(err)
	}
	readout, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.chart-readout').textContent`))
	if err != nil || len(readout) < 10 || readout[:4] != "2026" {
		t.Errorf("readout after focus %q (%v)", readout, err)
	}
}
