package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store/storetest"
)

var budgetT0 = time.Date(2026, 11, 30, 9, 0, 0, 0, domain.ChinaTime)

// A crowd of real tourists behind one carrier-NAT address at the busiest
// site's peak hour, and tour buses scanning the same sign together, all
// count; one client flooding the same site is held to the documented
// burst and rate, whatever its user agent; other addresses do not notice.
func TestRecordBudgetTellsCrowdFromFlood(t *testing.T) {
	b := newRecordBudget(RecordBudget{})
	const cgnat = "117.136.10.20"

	// The crowd: 2,000 people over the hour, each scanning and viewing the
	// page once, at random moments; then six buses of 50 scanning within
	// the same minute.
	rng := rand.New(rand.NewPCG(1, 2))
	var at []time.Duration
	for i := 0; i < 2000; i++ {
		first := time.Duration(rng.Int64N(int64(time.Hour)))
		at = append(at, first, first+time.Duration(rng.Int64N(int64(5*time.Minute))))
	}
	for i := 0; i < 300; i++ {
		at = append(at, time.Hour+time.Duration(rng.Int64N(int64(time.Minute))))
	}
	sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
	for i, d := range at {
		if !b.allow(cgnat, "hailuogou", budgetT0.Add(d)) {
			t.Fatalf("crowd event %d of %d at +%v not counted", i, len(at), d)
		}
	}

	// The flood: 1,000 requests a second for 10 s from one address at one
	// site (a rotating user agent changes nothing: the budget does not
	// look at it).
	const flooder = "203.0.113.9"
	counted := 0
	start := budgetT0.Add(3 * time.Hour)
	for i := 0; i < 10000; i++ {
		if b.allow(flooder, "yading", start.Add(time.Duration(i)*time.Millisecond)) {
			counted++
		}
		// Meanwhile, a tourist elsewhere is unaffected.
		if i%500 == 0 && !b.allow("223.104.1.1", "yading", start.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatal("another address lost its budget to the flood")
		}
	}
	if lo, hi := budgetSiteBurst, budgetSiteBurst+int(budgetSiteRate*10)+1; counted < lo || counted > hi {
		t.Fatalf("flood: %d of 10,000 counted, want %d..%d", counted, lo, hi)
	}
	// The flooder's other sites keep their own budget, within its
	// address-wide one.
	if !b.allow(flooder, "hailuogou", start.Add(10*time.Second)) {
		t.Fatal("flooding one site spent the budget of another")
	}
	// After a quiet while the flooder's site counts again.
	if !b.allow(flooder, "yading", start.Add(10*time.Second+time.Minute)) {
		t.Fatal("budget never refills")
	}
}

// One client flooding every site at once hits the address-wide budget.
func TestRecordBudgetPerClient(t *testing.T) {
	b := newRecordBudget(RecordBudget{})
	counted := 0
	for i := 0; i < 5000; i++ {
		if b.allow("203.0.113.9", fmt.Sprintf("site-%d", i%100), budgetT0) {
			counted++
		}
	}
	if counted != budgetClientBurst {
		t.Fatalf("%d counted across sites at one instant, want %d", counted, budgetClientBurst)
	}
}

// An IPv6 subscriber's /64 is one client; the next /64 is another.
func TestRecordBudgetIPv6Prefix(t *testing.T) {
	b := newRecordBudget(RecordBudget{PerSite: BudgetSpec{Burst: 3, Rate: 0.001}})
	for i := 0; i < 3; i++ {
		if !b.allow(fmt.Sprintf("2409:8a00:1:2::%x", i+1), "yading", budgetT0) {
			t.Fatalf("request %d refused", i)
		}
	}
	if b.allow("2409:8a00:1:2:ffff::1", "yading", budgetT0) {
		t.Fatal("a new address in the same /64 got a fresh budget")
	}
	if !b.allow("2409:8a00:1:3::1", "yading", budgetT0) {
		t.Fatal("the next /64 shares the budget")
	}
}

// Memory stays bounded when addresses keep coming: idle clients are
// forgotten first, and the map never passes its bound.
func TestRecordBudgetBounded(t *testing.T) {
	b := newRecordBudget(RecordBudget{})
	b.shardMax = 256
	for i := 0; i < budgetShards*b.shardMax*4; i++ {
		ip := fmt.Sprintf("11.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		b.allow(ip, "yading", budgetT0.Add(time.Duration(i)*time.Microsecond))
	}
	if n := b.size(); n > budgetShards*b.shardMax || n < budgetShards*b.shardMax/2 {
		t.Fatalf("%d clients held, bound %d", n, budgetShards*b.shardMax)
	}
}

// Over HTTP: past the budget the page is still served, the same bytes,
// and the event is recorded flagged, without a visitor key.
func TestScanFloodServedButFlagged(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	f := newFixtureWith(t, s, nil, func(d *Deps) {
		d.RecordBudget = RecordBudget{PerSite: BudgetSpec{Burst: 5, Rate: 0.0001}}
	})
	first := f.get(t, "/q/HGK2EN?lang=en", "User-Agent", "Mozilla/5.0 (iPhone) Mobile")
	for i := 1; i < 40; i++ {
		r := f.get(t, "/q/HGK2EN?lang=en", "User-Agent", fmt.Sprintf("Mozilla/5.0 (iPhone; rotating %d) Mobile", i))
		if r.status != 200 || r.body != first.body {
			t.Fatalf("request %d: status %d, page differs: %v", i, r.status, r.body != first.body)
		}
	}
	counted, flagged := 0, 0
	for _, e := range f.rec.all() {
		switch {
		case e.Filter == domain.FilterBudget && e.VisitorKey == "":
			flagged++
		case e.Filter == "":
			counted++
		default:
			t.Fatalf("unexpected event %+v", e)
		}
	}
	if counted != 5 || flagged != 35 {
		t.Fatalf("%d counted, %d flagged; want 5 and 35", counted, flagged)
	}
}

// HEAD fetches no page: it is answered and never recorded, not even as a
// bot.
func TestHeadNotRecorded(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/q/HGK2EN", "/s/513322/hailuogou"} {
		res, err := f.app.Test(httptest.NewRequest(http.MethodHead, p, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("HEAD %s: %d", p, res.StatusCode)
		}
	}
	if evs := f.rec.all(); len(evs) != 0 {
		t.Fatalf("HEAD recorded %d events: %+v", len(evs), evs)
	}
	f.get(t, "/q/HGK2EN")
	if evs := f.rec.all(); len(evs) != 1 {
		t.Fatalf("GET recorded %d events, want 1", len(evs))
	}
}

// The overview says how many events were recorded but not counted, and
// why; the flagged ones change no figure.
func TestOverviewShowsFilteredEvents(t *testing.T) {
	app, s := statsApp(t)
	ctx := context.Background()
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)

	var evs []domain.Event
	for i := 0; i < 7; i++ {
		e := domain.NewEvent(domain.EventScan, statsNow.Add(-time.Duration(i)*time.Minute))
		e.County, e.Site, e.Sign, e.Filter = "513322", "hailuogou", "HGK2EN", domain.FilterBudget
		evs = append(evs, e)
	}
	if _, _, err := s.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := events.Rebuild(ctx, s, "2026-11-20", "2026-11-20", nil); err != nil {
		t.Fatal(err)
	}
	r := b.do("GET", "/admin/stats/overview?range=today&site=hailuogou&lang=en", nil)
	if !strings.Contains(r.body, `<span data-filtered="over_budget">7 past a client&#39;s recording budget`) {
		t.Fatalf("overview does not show the 7 filtered events: %.4000s", r.body[strings.Index(r.body, "<main"):])
	}
	// rawCounts leaves flagged events out, as the figures must.
	raw, _ := rawCounts(t, s, "2026-11-20", "2026-11-20", func(e domain.Event) bool { return e.Site == "hailuogou" })
	card := regexp.MustCompile(`data-figure="scan"><div class="stat-label">[^<]*</div>\s*<div class="stat-value">([^<]*)<`)
	if m := card.FindStringSubmatch(r.body); m == nil || m[1] != fmt.Sprint(raw[stats.MetricScan]) {
		t.Fatalf("scan card %v, raw scans without the flagged %d", m, raw[stats.MetricScan])
	}
}

// Over HTTP, with the documented budget: a tour group of 200 phones
// behind one carrier address, each its own user agent, scanning the same
// sign together, all count, as 200 visitors; the same address flooding
// with a rotating user agent right after has the excess flagged.
func TestCrowdBehindOneAddressCountsFloodDoesNot(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	f := newFixtureWith(t, s, nil, func(d *Deps) { d.Tagger = keyTagger{} })
	start := time.Now()
	for i := 0; i < 200; i++ {
		ua := fmt.Sprintf("Mozilla/5.0 (iPhone; CPU iPhone OS 17_%d like Mac OS X) MicroMessenger/8.0.%d", i%7, i)
		if r := f.get(t, "/q/HGK2EN", "User-Agent", ua); r.status != 200 {
			t.Fatalf("phone %d: %d", i, r.status)
		}
	}
	visitors := map[string]bool{}
	for _, e := range f.rec.all() {
		if e.Filter != "" || e.VisitorKey == "" {
			t.Fatalf("a tourist of the group was not counted: %+v", e)
		}
		visitors[e.VisitorKey] = true
	}
	if len(visitors) != 200 {
		t.Fatalf("%d visitors, want 200", len(visitors))
	}
	for i := 0; i < 400; i++ {
		f.get(t, "/q/HGK2EN", "User-Agent", fmt.Sprintf("wrk rotating %d", i))
	}
	elapsed := time.Since(start)
	counted := 0
	for _, e := range f.rec.all() {
		if e.Filter == "" {
			counted++
		}
	}
	// The burst and the refill over the test's run count, the rest is
	// flagged.
	if hi := budgetSiteBurst + int(budgetSiteRate*elapsed.Seconds()) + 1; counted < budgetSiteBurst || counted > hi {
		t.Fatalf("%d of 600 counted in %v, want %d..%d", counted, elapsed, budgetSiteBurst, hi)
	}
}

// A proxy or container gateway not declared trusted makes everyone look
// like it: such addresses are never budgeted, so nobody is undercounted.
func TestRecordBudgetSparesLocalAddresses(t *testing.T) {
	b := newRecordBudget(RecordBudget{PerSite: BudgetSpec{Burst: 1, Rate: 0.001}})
	for _, ip := range []string{"127.0.0.1", "10.1.2.3", "172.17.0.1", "192.168.1.10", "::1", "fd00::1"} {
		for i := 0; i < 5; i++ {
			if !b.allow(ip, "yading", budgetT0) {
				t.Fatalf("%s budgeted", ip)
			}
		}
	}
	b.allow("100.64.0.1", "yading", budgetT0) // carrier NAT space is a client like any other
	if b.allow("100.64.0.1", "yading", budgetT0) {
		t.Fatal("carrier-grade NAT address not budgeted")
	}
}
