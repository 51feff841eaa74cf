package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/public"
)

// treeSite is a published site of a tree fixture.
type treeSite struct{ county, key, en string }

// treeApp is the console and the public side over a region with the
// given top and divisions, its counties and one published site each,
// the users, and (with events) a month of generated events rolled up
// through the real rebuild.
func treeApp(t testing.TB, region domain.Region, counties map[string]string, sites []treeSite, users []testUser, withEvents bool) (*fiber.App, *store.Store) {
	t.Helper()
	s := storetest.New(t)
	ctx := context.Background()
	for code, en := range counties {
		if err := s.PutCounty(ctx, domain.County{Code: code, Pinyin: en, Name: domain.Text{domain.Zh: en + "县", domain.En: en}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutRegion(ctx, region); err != nil {
		t.Fatal(err)
	}
	var units []stats.Unit
	for _, site := range sites {
		if err := s.PutSite(ctx, domain.Site{Key: site.key, County: site.county, Published: true,
			Name: domain.Text{domain.Zh: site.en + "景区", domain.En: site.en}}); err != nil {
			t.Fatal(err)
		}
		units = append(units, stats.Unit{County: site.county, Key: site.key, Site: site.key})
	}
	createUsers(t, s, users...)
	if withEvents {
		var batch []domain.Event
		opt := stats.GenOptions{Sites: units, From: "2026-10-15", Days: 37, PerDay: 20, Seed: 7}
		if err := stats.Generate(opt, func(e domain.Event) error { batch = append(batch, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.InsertEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := events.Rebuild(ctx, s, "2026-10-15", "2026-11-20", nil); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(ctx, s, log)
	if err != nil {
		t.Fatal(err)
	}
	if !cat.Snapshot().RegionSet {
		t.Fatal("the region is not in the catalogue")
	}
	rec := &memRecorder{}
	app, err := New(Deps{Catalog: cat, I18n: i18n.MustLoad(), QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Recorder: rec, Alerts: s,
		Tickets:  TicketDeps{Service: tickets.New(s, rec, tickets.Options{Log: log})},
		Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"), Feedback: s,
		Console: ConsoleDeps{Store: s, HashPassword: auth.HashPassword, Now: func() time.Time { return statsNow }},
		Stats:   StatsDeps{Store: s, Now: func() time.Time { return statsNow }}})
	if err != nil {
		t.Fatal(err)
	}
	return app, s
}

// sichuan is a three-level region: the province, two of its prefectures
// as divisions, two counties under each.
func sichuan() (domain.Region, map[string]string, []treeSite) {
	return domain.Region{Code: "510000", Name: domain.Text{domain.Zh: "四川省", domain.En: "Sichuan Province"},
			ShortName: domain.Text{domain.Zh: "四川", domain.En: "Sichuan"},
			Divisions: []domain.Division{{Code: "513300", Name: domain.Text{domain.Zh: "甘孜州", domain.En: "Garze Pref"}},
				{Code: "513200", Name: domain.Text{domain.Zh: "阿坝州", domain.En: "Aba Pref"}}}},
		map[string]string{"513301": "Kangding", "513322": "Luding", "513225": "Jiuzhaigou", "513201": "Barkam"},
		[]treeSite{{"513301", "kd-temple", "Kangding Temple"}, {"513322", "ld-bridge", "Luding Bridge"},
			{"513225", "jzg-lake", "Jiuzhaigou Lake"}, {"513201", "bk-hill", "Barkam Hill"}}
}

var treeUsers = []testUser{{"sc-admin", domain.RoleAdmin, nil}, {"aba-admin", domain.RoleAdmin, []string{"513200"}},
	{"aba-editor", domain.RoleEditor, []string{"513200"}}, {"aba-operator", domain.RoleOperator, []string{"513200"}},
	{"luding-operator", domain.RoleOperator, []string{"513322"}}}

func inAba(e domain.Event) bool    { return e.County == "513201" || e.County == "513225" }
func inGarze(e domain.Event) bool  { return e.County == "513301" || e.County == "513322" }
func inLuding(e domain.Event) bool { return e.County == "513322" }

// Scoping at every level of a three-level tree: a province admin, a
// prefecture's editor and operator and a county's operator each see and
// change exactly their part, and a division's statistics are the sums of
// its counties' raw events.
func TestTreeThreeLevelScoping(t *testing.T) {
	region, counties, sites := sichuan()
	app, s := treeApp(t, region, counties, sites, treeUsers, true)
	ctx := context.Background()

	// Statistics: numbers equal direct counts at every level.
	tokens := map[string]string{}
	for _, u := range []string{"sc-admin", "aba-operator", "luding-operator"} {
		tokens[u] = apiToken(t, app, u)
	}
	from, to := "2026-10-22", "2026-11-20"
	check := func(user, query, level string, keep func(domain.Event) bool) {
		t.Helper()
		r := apiGet(t, app, tokens[user], "/api/v1/stats/overview?"+query)
		if r.status != 200 {
			t.Fatalf("%s %s: %d %s", user, query, r.status, r.body)
		}
		var got overviewJSON
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(err)
		}
		if got.Level != level {
			t.Errorf("%s %s: level %q, want %q", user, query, got.Level, level)
		}
		want, visitors := rawCounts(t, s, from, to, keep)
		for _, m := range []string{stats.MetricScan, stats.MetricView, stats.MetricAudio, stats.MetricReserved, stats.MetricPaid,
			stats.MetricCheckIn, stats.MetricRevenueFen} {
			if got.Current[m] != want[m] {
				t.Errorf("%s %s: %s = %d, raw events say %d", user, query, m, got.Current[m], want[m])
			}
		}
		if want[stats.MetricScan] == 0 {
			t.Errorf("%s %s: no scans to compare", user, query)
		}
		if v, ok := got.Current[stats.FigureVisitors]; ok && !withinTolerance(v, visitors) {
			t.Errorf("%s %s: visitors ≈ %d, raw %d", user, query, v, visitors)
		}
	}
	all := func(domain.Event) bool { return true }
	// A whole month (read through the month totals of several counties)
	// and a range across months.
	from, to = "2026-10-01", "2026-10-31"
	check("sc-admin", "range=lastmonth&county=513200", "division", inAba)
	check("aba-operator", "range=lastmonth", "all", inAba)
	from, to = "2026-10-22", "2026-11-20"
	check("sc-admin", "range=30d", "all", all)
	check("sc-admin", "range=30d&county=510000", "all", all)
	check("sc-admin", "range=30d&county=513200", "division", inAba)
	check("sc-admin", "range=30d&county=513300", "division", inGarze)
	check("sc-admin", "range=30d&county=513225", "county", func(e domain.Event) bool { return e.County == "513225" })
	check("aba-operator", "range=30d", "all", inAba)
	check("aba-operator", "range=30d&county=513200", "division", inAba)
	check("aba-operator", "range=30d&county=513225", "county", func(e domain.Event) bool { return e.County == "513225" })
	check("luding-operator", "range=30d", "all", inLuding)
	for _, c := range []struct{ user, query string }{
		{"aba-operator", "county=513300"}, {"aba-operator", "county=510000"}, {"aba-operator", "county=513301"},
		{"aba-operator", "site=kd-temple"}, {"luding-operator", "county=513300"}, {"luding-operator", "county=513301"},
		{"luding-operator", "county=510000"},
	} {
		if r := apiGet(t, app, tokens[c.user], "/api/v1/stats/overview?"+c.query); r.status != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403", c.user, c.query, r.status)
		}
	}

	// The level links follow the tree from the user's own top.
	levels := func(b *browser, query string) []string {
		t.Helper()
		r := b.do("GET", "/admin/stats/overview?lang=en&"+query, nil)
		if r.status != 200 {
			t.Fatalf("stats %s: %d", query, r.status)
		}
		nav := regexp.MustCompile(`(?s)<nav class="stats-levels".*?</nav>`).FindString(r.body)
		var out []string
		for _, m := range regexp.MustCompile(`<a ([^>]*)>([^<]*)</a>`).FindAllStringSubmatch(nav, -1) {
			name := m[2]
			if strings.Contains(m[1], `aria-current="page"`) {
				name = "*" + name
			}
			out = append(out, name)
		}
		return out
	}
	browsers := map[string]*browser{}
	for _, u := range treeUsers {
		b := newBrowser(t, app)
		if r := b.login(u.name, testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", u.name, r.status)
		}
		browsers[u.name] = b
	}
	for _, c := range []struct {
		user, query string
		want        string
	}{
		{"sc-admin", "", "*Sichuan,Aba Pref,Garze Pref"},
		{"sc-admin", "county=513200", "Sichuan,*Aba Pref,Barkam,Jiuzhaigou"},
		{"sc-admin", "county=513225", "Sichuan,Aba Pref,*Jiuzhaigou,Jiuzhaigou Lake"},
		{"aba-operator", "", "*Aba Pref,Barkam,Jiuzhaigou"},
		{"aba-operator", "county=513225", "Aba Pref,*Jiuzhaigou,Jiuzhaigou Lake"},
		{"luding-operator", "", "*Luding,Luding Bridge"},
		{"luding-operator", "site=ld-bridge", "Luding,*Luding Bridge"},
	} {
		if got := strings.Join(levels(browsers[c.user], c.query), ","); got != c.want {
			t.Errorf("%s %s: levels %s, want %s", c.user, c.query, got, c.want)
		}
	}

	// Every view and its CSV works at a division; the division's funnel
	// holds its counties' sites only.
	for _, view := range []string{"overview", "funnel", "dead-signs", "capacity", "live"} {
		r := browsers["sc-admin"].do("GET", "/admin/stats/"+view+"?lang=en&county=513200", nil)
		if r.status != 200 || !strings.Contains(r.body, "Aba Pref") {
			t.Errorf("%s of a division: %d", view, r.status)
		}
	}
	if r := browsers["sc-admin"].do("GET", "/admin/stats/funnel?lang=en&county=513200", nil); !strings.Contains(r.body, "Jiuzhaigou Lake") || strings.Contains(r.body, "Kangding Temple") {
		t.Error("the division's funnel is not its counties' sites")
	}
	if r := apiGet(t, app, tokens["sc-admin"], "/api/v1/stats/overview?range=30d&county=513200&format=csv&table=sites"); r.status != 200 ||
		!strings.Contains(r.body, "jzg-lake") || strings.Contains(r.body, "kd-temple") {
		t.Errorf("the division's sites CSV: %d %.300s", r.status, r.body)
	}

	// Sites: the prefecture's editor edits its counties' sites only.
	ed := browsers["aba-editor"]
	for path, want := range map[string]int{"/admin/sites?county=513225": 200, "/admin/sites?county=513201": 200,
		"/admin/sites?county=513301": 403, "/admin/sites/jzg-lake/edit": 200, "/admin/sites/bk-hill/edit": 200,
		"/admin/sites/kd-temple/edit": 403, "/admin/sites/ld-bridge/edit": 403} {
		if r := ed.do("GET", path, nil); r.status != want {
			t.Errorf("aba-editor %s: %d, want %d", path, r.status, want)
		}
	}
	if r := ed.do("GET", "/admin/sites", nil); !strings.Contains(r.body, "Barkam") || !strings.Contains(r.body, "Jiuzhaigou") || strings.Contains(r.body, "Kangding") {
		t.Error("aba-editor's sites list is not exactly Aba's counties")
	}
	for path, want := range map[string]int{"/admin/sites?county=513301": 200, "/admin/sites/jzg-lake/edit": 200, "/admin/sites/kd-temple/edit": 200} {
		if r := browsers["sc-admin"].do("GET", path, nil); r.status != want {
			t.Errorf("sc-admin %s: %d, want %d", path, r.status, want)
		}
	}

	// Feedback: each sees their part's only.
	for _, f := range []domain.Feedback{{Site: "jzg-lake", County: "513225", Rating: 2, Text: "lake-note"},
		{Site: "kd-temple", County: "513301", Rating: 4, Text: "temple-note"}, {Site: "ld-bridge", County: "513322", Rating: 5, Text: "bridge-note"}} {
		f.Created, f.Lang = statsNow, domain.En
		if _, err := s.AddFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for user, want := range map[string][]string{"sc-admin": {"lake-note", "temple-note", "bridge-note"},
		"aba-editor": {"lake-note"}, "luding-operator": {"bridge-note"}} {
		r := browsers[user].do("GET", "/admin/feedback", nil)
		for _, note := range []string{"lake-note", "temple-note", "bridge-note"} {
			if has, should := strings.Contains(r.body, note), strings.Contains(strings.Join(want, ","), note); has != should {
				t.Errorf("%s feedback: %s shown %v, want %v", user, note, has, should)
			}
		}
	}

	// Banners: a division's banner shows on its counties' pages only;
	// only a user whose scope holds the division may post it.
	csrf := ed.csrfFrom("/admin/alerts")
	post := func(b *browser, county, text string) resp {
		return b.do("POST", "/admin/alerts", url.Values{"_csrf": {csrf}, "county": {county}, "level": {"warning"},
			"starts": {statsNow.Add(-time.Hour).Format(localInput)}, "text.zh": {text}})
	}
	if r := post(ed, "513200", "阿坝全州道路提示"); r.status != http.StatusSeeOther {
		t.Fatalf("aba-editor posts Aba's banner: %d %.500s", r.status, r.body)
	}
	if r := post(ed, "513300", "甘孜"); r.status != http.StatusForbidden {
		t.Errorf("aba-editor posts Garzê's banner: %d", r.status)
	}
	if r := post(ed, "", "全省"); r.status != http.StatusForbidden {
		t.Errorf("aba-editor posts a province-wide banner: %d", r.status)
	}
	if r := post(ed, "520102", "外省"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不属于本地区") && !strings.Contains(r.body, "not part of this region") {
		t.Errorf("a banner outside the region: %d", r.status)
	}
	if r := ed.do("GET", "/admin/alerts?lang=en", nil); !strings.Contains(r.body, `<option value="513200"`) || strings.Contains(r.body, `<option value="513300"`) ||
		strings.Contains(r.body, `<option value="">All of`) {
		t.Error("aba-editor's banner form does not offer exactly Aba's nodes")
	}
	pub := newBrowser(t, app)
	if r := pub.do("GET", "/s/513225/jzg-lake?lang=zh", nil); !strings.Contains(r.body, "阿坝全州道路提示") {
		t.Error("Aba's banner is missing on a Jiuzhaigou site")
	}
	if r := pub.do("GET", "/s/513301/kd-temple?lang=zh", nil); strings.Contains(r.body, "阿坝全州道路提示") {
		t.Error("Aba's banner shows on a Garzê site")
	}

	// Users: the form offers the tree, indented, within the actor's scope.
	r := browsers["sc-admin"].do("GET", "/admin/users?lang=en", nil)
	for _, want := range []string{`value="510000"`, `value="513200"`, `value="513300"`, `indent-2"><input type="checkbox" name="counties" value="513225"`, "All of Sichuan"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("province admin's user form lacks %s", want)
		}
	}
	r = browsers["aba-admin"].do("GET", "/admin/users?lang=en", nil)
	if !strings.Contains(r.body, `value="513200"`) || !strings.Contains(r.body, `value="513225"`) || strings.Contains(r.body, `value="513300"`) ||
		strings.Contains(r.body, `value="510000"`) || strings.Contains(r.body, `value="prefecture"`) {
		t.Error("Aba's admin is offered nodes beyond Aba")
	}
	newUser := func(b *browser, name, role string, nodes ...string) resp {
		token := b.csrfFrom("/admin/users")
		return b.do("POST", "/admin/users?lang=en", newUserForm(token, name, role, "counties", nodes...))
	}
	if r := newUser(browsers["aba-admin"], "jzg-ed", "editor", "513225"); r.status != http.StatusSeeOther {
		t.Errorf("Aba's admin makes a Jiuzhaigou editor: %d", r.status)
	}
	if r := newUser(browsers["aba-admin"], "garze-ed", "editor", "513300"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("Aba's admin makes a Garzê editor: %d", r.status)
	}
	if r := newUser(browsers["sc-admin"], "far-ed", "editor", "520102"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "not part of this region") {
		t.Errorf("a user scoped outside the region: %d", r.status)
	}
	if r := newUser(browsers["sc-admin"], "garze-op", "operator", "513300"); r.status != http.StatusSeeOther {
		t.Errorf("a Garzê operator: %d", r.status)
	}
	if u, err := s.User(ctx, "garze-op"); err != nil || len(u.Counties) != 1 || u.Counties[0] != "513300" {
		t.Errorf("garze-op: %+v %v", u, err)
	}
	// The province admin given the top node is region-wide.
	if r := newUser(browsers["sc-admin"], "sc-admin2", "admin", "510000"); r.status != http.StatusSeeOther {
		t.Errorf("a second province admin: %d", r.status)
	}
	if u, err := s.User(ctx, "sc-admin2"); err != nil || !u.RegionWide() {
		t.Errorf("sc-admin2: %+v %v", u, err)
	}
	// Aba's admin manages Aba's users only.
	r = browsers["aba-admin"].do("GET", "/admin/users", nil)
	if !strings.Contains(r.body, "aba-editor") || !strings.Contains(r.body, "jzg-ed") || strings.Contains(r.body, "luding-operator") || strings.Contains(r.body, "garze-op") {
		t.Error("Aba's admin's user list is not exactly Aba's users")
	}

	// The console's start page: the user's counties under their prefecture.
	r = browsers["sc-admin"].do("GET", "/admin?lang=en", nil)
	if i, j := strings.Index(r.body, ">Aba Pref</h3>"), strings.Index(r.body, ">Garze Pref</h3>"); i < 0 || j < i ||
		!strings.Contains(r.body[i:j], "Jiuzhaigou") || !strings.Contains(r.body[j:], "Kangding") {
		t.Error("the province admin's start page does not group counties by prefecture")
	}
	r = browsers["aba-editor"].do("GET", "/admin?lang=en", nil)
	if !strings.Contains(r.body, "Jiuzhaigou") || strings.Contains(r.body, "Kangding") || strings.Contains(r.body, "Garze Pref") {
		t.Error("Aba's editor's start page shows more than Aba")
	}

	// Home: counties under their prefecture.
	r = pub.do("GET", "/?lang=en", nil)
	home := regexp.MustCompile(`<h2[^>]*>([^<]*)</h2>`).FindAllStringSubmatch(r.body, -1)
	var heads []string
	for _, h := range home {
		heads = append(heads, h[1])
	}
	if strings.Join(heads, ",") != "Aba Pref,Garze Pref" {
		t.Errorf("home headings %v", heads)
	}
	if i, j := strings.Index(r.body, "Aba Pref"), strings.Index(r.body, "Jiuzhaigou"); i < 0 || j < i || j > strings.Index(r.body, "Garze Pref") {
		t.Error("Jiuzhaigou is not listed under Aba")
	}
	if r := pub.do("GET", "/s/513225/jzg-lake?lang=en", nil); !strings.Contains(r.body, "› <span>Aba Pref</span> › <a data-offline href=\"/c/513225\"") {
		t.Error("the site's breadcrumbs do not go through its prefecture")
	}
}

// A region that is one county has no prefecture or empty level anywhere:
// home lists its sites, statistics start at the county, the user and
// banner forms offer the county alone.
func TestTreeSingleCounty(t *testing.T) {
	region := domain.Region{Code: "513225", Name: domain.Text{domain.Zh: "九寨沟县", domain.En: "Jiuzhaigou County"},
		ShortName: domain.Text{domain.Zh: "九寨沟", domain.En: "Jiuzhaigou"}}
	app, _ := treeApp(t, region, map[string]string{"513225": "Jiuzhaigou"},
		[]treeSite{{"513225", "jzg-lake", "Jiuzhaigou Lake"}, {"513225", "jzg-falls", "Pearl Falls"}},
		[]testUser{{"admin", domain.RoleAdmin, nil}, {"op", domain.RoleOperator, []string{"513225"}}}, true)
	pub := newBrowser(t, app)
	for _, lang := range []string{"en", "zh", "bo"} {
		r := pub.do("GET", "/?lang="+lang, nil)
		if !strings.Contains(r.body, `href="/s/513225/jzg-lake"`) || strings.Contains(r.body, `href="/c/513225"`) {
			t.Errorf("%s home does not go straight to the sites: %.2000s", lang, r.body)
		}
		for _, bad := range []string{"Counties", "Prefecture", "prefecture", "县份", "州"} {
			if strings.Contains(r.body, ">"+bad+"<") {
				t.Errorf("%s home shows a %q level", lang, bad)
			}
		}
	}
	if r := pub.do("GET", "/s/513225/jzg-lake?lang=en", nil); strings.Contains(r.body, `href="/c/513225"`) {
		t.Error("the site page's breadcrumbs go through a county list of one")
	}
	for _, user := range []string{"admin", "op"} {
		b := newBrowser(t, app)
		b.login(user, testPassword)
		for _, q := range []string{"", "county=513225", "site=jzg-lake"} {
			r := b.do("GET", "/admin/stats/overview?lang=en&"+q, nil)
			nav := regexp.MustCompile(`(?s)<nav class="stats-levels".*?</nav>`).FindString(r.body)
			if r.status != 200 || strings.Count(nav, ">Jiuzhaigou<") != 1 || strings.Count(nav, "<a ") != 3 ||
				strings.Contains(nav, "this region") || strings.Contains(nav, "My counties") {
				t.Errorf("%s stats %s: levels %s", user, q, nav)
			}
		}
	}
	b := newBrowser(t, app)
	b.login("admin", testPassword)
	r := b.do("GET", "/admin/users?lang=en", nil)
	if strings.Count(r.body, `name="counties"`) != 1 || !strings.Contains(r.body, "All of Jiuzhaigou") || strings.Contains(r.body, "prefecture</") {
		t.Errorf("user form: %d nodes", strings.Count(r.body, `name="counties"`))
	}
	r = b.do("GET", "/admin/alerts?lang=en", nil)
	if strings.Count(r.body, "<option value=\"513225\"") != 1 || strings.Contains(r.body, `<option value="">All of`) ||
		strings.Contains(r.body, "Whole prefecture") {
		t.Error("banner form offers more than the county")
	}
}

// BenchmarkTreeDivisionOverview measures a division's overview, summed at
// read time from its counties' level documents (18 counties, as Garzê
// under Sichuan), against the region's top over the same events, read
// from the one "all" level document.
func BenchmarkTreeDivisionOverview(b *testing.B) {
	region := domain.Region{Code: "510000", Name: domain.Text{domain.Zh: "四川省"},
		Divisions: []domain.Division{{Code: "513300", Name: domain.Text{domain.Zh: "甘孜州"}}}}
	counties := map[string]string{}
	var sites []treeSite
	for i := 1; i <= 18; i++ {
		code := "5133" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		counties[code] = "C" + code
		sites = append(sites, treeSite{code, "s" + code, "Site " + code})
	}
	app, _ := treeApp(b, region, counties, sites, []testUser{{"admin", domain.RoleAdmin, nil}}, true)
	token := apiToken(b, app, "admin")
	for _, c := range []struct{ name, query string }{{"top", ""}, {"division", "&county=513300"}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if r := apiGet(b, app, token, "/api/v1/stats/overview?range=30d"+c.query); r.status != 200 {
					b.Fatal(r.status)
				}
			}
		})
	}
}
