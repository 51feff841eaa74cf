package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The site page shows today's crowd level in coarse 80/90/95 % buckets,
// and the capacity heatmap marks the same days.
func TestCrowdLevelAndCapacity(t *testing.T) {
	app, s := statsApp(t)
	ctx := context.Background()
	cfg := tickets.SiteConfig{Site: "hailuogou", County: "513322", Enabled: true, Types: tickets.ConcessionTypes(9000),
		Slots:         []tickets.Slot{{Code: "0800", Start: "08:00", End: "12:00", Limit: 10}, {Code: "1200", Start: "12:00", End: "16:00", Limit: 10}},
		WalkInPercent: 0, BookDays: 7, HoldMinutes: 15, Payment: tickets.PayOnline, ValidDays: 1, MaxVisitors: 5,
		CancelDaysAfter: 1, CancelAt: "17:00", Capacity: domain.CarryingCapacity{AreaM2: 1e6, PerPersonM2: 1, OpenHours: 10, StayHours: 1},
		Checkout: tickets.DemoSites()[0].Checkout}.WithDefaults()
	if err := s.PutTicketSite(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(domain.ChinaTime).Format(time.DateOnly)
	take := func(day, slot string, n int) {
		t.Helper()
		c, _ := cfg.NewCapacity(day, slot)
		if err := s.EnsureCapacity(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.TakeCapacity(ctx, "hailuogou", day, slot, n, false); err != nil {
			t.Fatal(err)
		}
	}
	take(today, "0800", 10)
	take(today, "1200", 9) // 19 of 20: 95 %
	get := func(path string) resp {
		t.Helper()
		b := newBrowser(t, app)
		return b.do("GET", path, nil)
	}
	r := get("/s/513322/hailuogou?lang=en")
	if r.status != 200 || !strings.Contains(r.body, `class="crowd alert danger"`) || !strings.Contains(r.body, "almost full") {
		t.Fatalf("site page: %d, no 95 %% crowd level: %.3000s", r.status, r.body)
	}
	// A site without reservations shows nothing.
	if r := get("/s/513322/luding-bridge?lang=en"); strings.Contains(r.body, `class="crowd`) {
		t.Error("crowd level on a site without reservations")
	}

	// The heatmap (tests' clock: 2026-11-20) marks a 90 % day.
	take("2026-11-21", "0800", 9)
	take("2026-11-21", "1200", 9)
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	page := b.do("GET", "/admin/stats/capacity?site=hailuogou&lang=en", nil)
	if page.status != http.StatusOK || !strings.Contains(page.body, `class="heat heat90" title="18 / 20">90% ▲90`) {
		t.Errorf("heatmap: %d %.4000s", page.status, page.body)
	}
	csv := b.do("GET", "/admin/stats/capacity.csv?site=hailuogou", nil)
	if !strings.Contains(csv.body, "513322,hailuogou,2026-11-21,0800,10,9,90") {
		t.Errorf("capacity CSV: %.600s", csv.body)
	}
	// The API names its fields in snake_case like every other answer.
	api := apiGet(t, app, apiToken(t, app, "luding-operator"), "/api/v1/stats/capacity?site=hailuogou&from=2026-11-21&to=2026-11-21")
	if regexp.MustCompile(`"[A-Z][A-Za-z]*":`).MatchString(api.body) ||
		!strings.Contains(api.body, `{"slot":"0800","limit":10,"reserved":9,"percent":90,"known":true}`) {
		t.Errorf("capacity API: %d %.1000s", api.status, api.body)
	}
}
