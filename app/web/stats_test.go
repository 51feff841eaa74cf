package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
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

// statsNow is the tests' clock: noon, China time, 20 November 2026.
var statsNow = time.Date(2026, 11, 20, 12, 0, 0, 0, domain.ChinaTime)

// statsApp is the console with statistics over a generated month of
// events (through the real rebuild) for the seed's sites, plus a sign
// at Kangding's site.
func statsApp(t testing.TB) (*fiber.App, *store.Store) {
	t.Helper()
	return statsAppWith(t, nil)
}

// statsAppWith is statsApp with adjust applied to the seeded store before
// the events are generated and the catalog is loaded.
func statsAppWith(t testing.TB, adjust func(*store.Store)) (*fiber.App, *store.Store) {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	ctx := context.Background()
	if err := s.PutSign(ctx, domain.Sign{Code: "YDG2AA", Site: "yading", County: "513301", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSign(ctx, domain.Sign{Code: "HGKQZZ", Site: "hailuogou", County: "513322", Label: "Car park", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if adjust != nil {
		adjust(s)
	}
	createUsers(t, s, []testUser{{"admin", domain.RoleAdmin, nil}, {"luding-editor", domain.RoleEditor, []string{"513322"}},
		{"luding-operator", domain.RoleOperator, []string{"513322"}}, {"kangding-operator", domain.RoleOperator, []string{"513301"}}}...)
	opt := stats.GenOptions{Sites: []stats.Unit{{County: "513322", Key: "hailuogou", Site: "hailuogou"},
		{County: "513322", Key: "luding-bridge", Site: "luding-bridge"}, {County: "513301", Key: "yading", Site: "yading"}},
		Signs: map[string][]string{"hailuogou": {"HGK2EN", "HGKXFF"}, "yading": {"YDG2AA"}},
		From:  "2026-10-15", Days: 37, PerDay: 30, Seed: 3}
	var batch []domain.Event
	if err := stats.Generate(opt, func(e domain.Event) error { batch = append(batch, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.InsertEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := events.Rebuild(ctx, s, "2026-10-15", "2026-11-20", nil); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(ctx, s, log)
	if err != nil {
		t.Fatal(err)
	}
	rec := &memRecorder{}
	app, err := New(Deps{Catalog: cat, I18n: i18n.MustLoad(), QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Recorder: rec,
		Tickets:  TicketDeps{Service: tickets.New(s, rec, tickets.Options{Log: log})},
		Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"),
		Console: ConsoleDeps{Store: s, HashPassword: auth.HashPassword, Now: func() time.Time { return statsNow }},
		Stats:   StatsDeps{Store: s, Now: func() time.Time { return statsNow }}})
	if err != nil {
		t.Fatal(err)
	}
	return app, s
}

var apiTokenRe = regexp.MustCompile(`<code class="token">(ymy_[A-Za-z0-9_-]+)</code>`)

// apiToken logs user in and creates a token in the console.
func apiToken(t testing.TB, app *fiber.App, user string) string {
	t.Helper()
	b := newBrowser(t, app)
	if r := b.login(user, testPassword); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", user, r.status)
	}
	csrf := b.csrfFrom("/admin/stats/tokens")
	r := b.do("POST", "/admin/stats/tokens", url.Values{"_csrf": {csrf}, "name": {"test script"}})
	m := apiTokenRe.FindStringSubmatch(r.body)
	if r.status != http.StatusCreated || m == nil {
		t.Fatalf("create token: %d %.2000s", r.status, r.body)
	}
	return m[1]
}

func apiGet(t testing.TB, app *fiber.App, token, path string) resp {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: string(raw)}
}

// rawCounts counts figures straight from the raw events.
func rawCounts(t testing.TB, s *store.Store, from, to string, keep func(domain.Event) bool) (map[string]int64, int) {
	t.Helper()
	counts := map[string]int64{}
	visitors := map[string]bool{}
	err := s.Events(context.Background(), store.EventFilter{From: from, To: to}, func(e domain.Event) error {
		if e.Bot || e.Filter != "" || !keep(e) {
			return nil
		}
		counts[stats.MetricOf(e.Type)]++
		var n int64
		for _, c := range e.Extra[stats.ExtraAmountFen] {
			n = n*10 + int64(c-'0')
		}
		switch e.Type {
		case domain.EventTicketPaid:
			counts[stats.MetricRevenueFen] += n
		case domain.EventTicketRefunded:
			counts[stats.MetricRevenueFen] -= n
		}
		if e.VisitorKey != "" {
			visitors[e.VisitorKey] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts, len(visitors)
}

func TestStatsAPIMatchesRawEventsAndScopes(t *testing.T) {
	app, s := statsApp(t)
	luding := apiToken(t, app, "luding-operator")
	admin := apiToken(t, app, "admin")

	check := func(token, query string, keep func(domain.Event) bool, from, to string) overviewJSON {
		t.Helper()
		r := apiGet(t, app, token, "/api/v1/stats/overview?"+query)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		var got overviewJSON
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(err)
		}
		want, visitors := rawCounts(t, s, from, to, keep)
		for _, m := range []string{stats.MetricScan, stats.MetricView, stats.MetricAudio, stats.MetricReserved, stats.MetricPaid,
			stats.MetricCheckIn, stats.MetricRevenueFen} {
			if got.Current[m] != want[m] {
				t.Errorf("%s: %s = %d, raw events say %d", query, m, got.Current[m], want[m])
			}
		}
		if v, ok := got.Current[stats.FigureVisitors]; ok && !withinTolerance(v, visitors) {
			t.Errorf("%s: visitors ≈ %d, raw %d", query, v, visitors)
		}
		return got
	}
	// The luding operator's default level is their county, not the prefecture.
	mine := check(luding, "range=30d", func(e domain.Event) bool { return e.County == "513322" }, "2026-10-22", "2026-11-20")
	if mine.Level != "all" || mine.Current[stats.MetricScan] == 0 {
		t.Fatalf("level %s, %v", mine.Level, mine.Current)
	}
	check(admin, "range=30d", func(domain.Event) bool { return true }, "2026-10-22", "2026-11-20")
	check(admin, "range=custom&from=2026-11-01&to=2026-11-10&county=513301", func(e domain.Event) bool { return e.County == "513301" }, "2026-11-01", "2026-11-10")
	prev := check(luding, "range=lastmonth&site=hailuogou", func(e domain.Event) bool { return e.Site == "hailuogou" }, "2026-10-01", "2026-10-31")
	// Last month is compared with the whole month before it.
	if prev.PrevFrom != "2026-09-01" || prev.PrevTo != "2026-09-30" || prev.From != "2026-10-01" {
		t.Errorf("last month %s, compared with %s..%s", prev.From, prev.PrevFrom, prev.PrevTo)
	}
	sign := check(luding, "range=month&sign=HGK2EN", func(e domain.Event) bool { return e.Sign == "HGK2EN" }, "2026-11-01", "2026-11-20")
	if sign.Level != "sign" {
		t.Errorf("level %s", sign.Level)
	}
	today := check(admin, "range=today", func(domain.Event) bool { return true }, "2026-11-20", "2026-11-20")
	if today.By != "hour" || len(today.Series) != 24 {
		t.Errorf("today: by %s, %d points", today.By, len(today.Series))
	}

	// Another county's numbers by any route: refused.
	for _, path := range []string{"/api/v1/stats/overview?county=513301", "/api/v1/stats/overview?site=yading",
		"/api/v1/stats/overview?sign=YDG2AA", "/api/v1/stats/funnel?county=513301", "/api/v1/stats/dead-signs?site=yading",
		"/api/v1/stats/capacity?site=yading", "/api/v1/stats/live?county=513301", "/api/v1/stats/overview?county=513301&format=csv"} {
		if r := apiGet(t, app, luding, path); r.status != http.StatusForbidden || !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
			t.Errorf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
	}
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	for _, v := range statsViewList() {
		for _, q := range []string{"county=513301", "site=yading", "sign=YDG2AA"} {
			for _, path := range []string{"/admin/stats/" + v.name + "?" + q, "/admin/stats/" + v.name + ".csv?" + q} {
				if r := b.do("GET", path, nil); r.status != http.StatusForbidden {
					t.Errorf("%s: %d", path, r.status)
				}
			}
		}
		// Without a county, every view covers only the operator's own.
		r := b.do("GET", "/admin/stats/"+v.name+".csv", nil)
		if r.status != 200 || strings.Contains(r.body, "513301") || strings.Contains(r.body, "yading") {
			t.Errorf("%s.csv: %d, leaks Kangding: %.500s", v.name, r.status, r.body)
		}
	}
	// An editor is not an operator; no token, a wrong token: refused.
	ed := newBrowser(t, app)
	ed.login("luding-editor", testPassword)
	if r := ed.do("GET", "/admin/stats", nil); r.status != http.StatusForbidden {
		t.Errorf("editor: %d", r.status)
	}
	for _, tok := range []string{"", "ymy_nope", "garbage"} {
		r := apiGet(t, app, tok, "/api/v1/stats/overview?lang=en")
		var p problem
		if r.status != http.StatusUnauthorized || json.Unmarshal([]byte(r.body), &p) != nil || p.Title != "Unauthorized" || p.Status != 401 {
			t.Errorf("token %q: %d %s", tok, r.status, r.body)
		}
	}
}

func withinTolerance(est int64, exact int) bool {
	d := float64(est - int64(exact))
	if d < 0 {
		d = -d
	}
	return d <= max(2, 0.066*float64(exact))
}

func TestStatsBadInput(t *testing.T) {
	app, _ := statsApp(t)
	token := apiToken(t, app, "admin")
	b := newBrowser(t, app)
	b.login("admin", testPassword)
	for _, q := range []string{"range=custom&from=2026-13-01&to=2026-11-01", "from=2026-11-10&to=2026-11-01",
		"from=2020-01-01&to=2026-11-01", "range=forever", "site=nowhere", "county=999999", "sign=NOPE99",
		"by=minute", "range=30d&by=hour", "county=513301&site=hailuogou", "from=yesterday", "table=nope"} {
		for _, v := range []string{"overview", "funnel", "capacity"} {
			if v != "overview" && strings.HasPrefix(q, "by=") {
				continue
			}
			r := apiGet(t, app, token, "/api/v1/stats/"+v+"?"+q+"&format=csv")
			if r.status != http.StatusBadRequest || !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
				t.Errorf("API %s?%s: %d %s", v, q, r.status, r.body)
			}
			if v == "overview" && q != "table=nope" {
				if r := b.do("GET", "/admin/stats/"+v+"?"+q, nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "<html") {
					t.Errorf("page %s?%s: %d", v, q, r.status)
				}
			}
		}
	}
	for _, q := range []string{"days=0", "days=91", "days=x"} {
		if r := apiGet(t, app, token, "/api/v1/stats/dead-signs?"+q); r.status != http.StatusBadRequest {
			t.Errorf("dead-signs?%s: %d", q, r.status)
		}
	}
	var p problem
	r := apiGet(t, app, token, "/api/v1/stats/overview?from=2026-11-10&to=2026-11-01")
	if err := json.Unmarshal([]byte(r.body), &p); err != nil || p.Field != "to" || p.Detail == "" {
		t.Errorf("problem %+v (%v)", p, err)
	}
}

func TestStatsPagesAndCSV(t *testing.T) {
	app, _ := statsApp(t)
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	for _, path := range []string{"/admin/stats", "/admin/stats/overview?range=today", "/admin/stats/overview?range=year",
		"/admin/stats/overview?site=hailuogou&range=7d&by=hour", "/admin/stats/overview?sign=HGK2EN",
		"/admin/stats/funnel?range=30d", "/admin/stats/dead-signs?days=3", "/admin/stats/capacity",
		"/admin/stats/capacity?site=hailuogou", "/admin/stats/live", "/admin/stats/tokens",
		"/admin/stats?lang=bo", "/admin/stats?lang=zh"} {
		r := b.do("GET", path, nil)
		if r.status != 200 {
			t.Errorf("%s: %d %.3000s", path, r.status, r.body)
		}
	}
	// The hourly link of a 7-day view is a working link (it was escaped to
	// ?by%3dhour%26…, which fell back to the daily view), and a 30-day view,
	// too long for hours, offers none.
	week := b.do("GET", "/admin/stats/overview?range=7d&county=513322&lang=en", nil)
	link := regexp.MustCompile(`href="\?([^"]*by=hour[^"]*)"`).FindStringSubmatch(week.body)
	if link == nil {
		t.Fatalf("7-day view has no hourly link: %.2000s", week.body)
	}
	hourly := b.do("GET", "/admin/stats/overview?"+strings.ReplaceAll(link[1], "&amp;", "&"), nil)
	if hourly.status != 200 {
		t.Errorf("hourly link %q: %d", link[1], hourly.status)
	}
	if !strings.Contains(hourly.body, "2026-11-20 13") {
		t.Errorf("hourly link %q does not give an hourly series", link[1])
	}
	if strings.Contains(b.do("GET", "/admin/stats/overview?range=30d&lang=en", nil).body, "by=hour") {
		t.Error("30-day view offers an hourly series it would refuse")
	}
	r := b.do("GET", "/admin/stats?range=30d&lang=en", nil)
	for _, want := range []string{"Unique visitors", "<svg class=\"chart\"", "Top signs", "HGK2EN", "Hailuogou Glacier", "Revenue", "¥"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	// The car park sign has no scans while its site is busy.
	if r := b.do("GET", "/admin/stats/dead-signs?days=7", nil); !strings.Contains(r.body, "HGKQZZ") || strings.Contains(r.body, ">HGK2EN<") {
		t.Errorf("dead signs: %.3000s", r.body)
	}
	for _, table := range []string{"series", "summary", "sites", "signs", "breakdowns"} {
		r := b.do("GET", "/admin/stats/overview.csv?range=30d&table="+table, nil)
		if r.status != 200 || !strings.HasPrefix(r.body, "\ufeff") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("CSV %s: %d %q %q", table, r.status, r.header.Get("Content-Type"), r.body[:min(len(r.body), 80)])
		}
	}
	// Chinese headers survive the BOM'd UTF-8.
	if r := b.do("GET", "/admin/stats/overview.csv?range=30d&lang=zh", nil); !strings.Contains(r.body, "扫码") {
		t.Errorf("zh CSV: %.200s", r.body)
	}
}

func TestStatsTokensRevoke(t *testing.T) {
	app, _ := statsApp(t)
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	csrf := b.csrfFrom("/admin/stats/tokens")
	r := b.do("POST", "/admin/stats/tokens", url.Values{"_csrf": {csrf}, "name": {"excel"}})
	m := apiTokenRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatal("no token shown")
	}
	if r := apiGet(t, app, m[1], "/api/v1/stats/live"); r.status != 200 {
		t.Fatalf("live: %d", r.status)
	}
	// Not shown again.
	if r := b.do("GET", "/admin/stats/tokens", nil); strings.Contains(r.body, m[1]) {
		t.Error("token shown twice")
	}
	if r := b.do("POST", "/admin/stats/tokens", url.Values{"_csrf": {csrf}, "name": {""}}); r.status != http.StatusBadRequest {
		t.Errorf("empty name: %d", r.status)
	}
	ids := regexp.MustCompile(`/admin/stats/tokens/([0-9a-f]{64})/revoke`).FindStringSubmatch(b.do("GET", "/admin/stats/tokens", nil).body)
	if ids == nil {
		t.Fatal("no revoke form")
	}
	// Another operator cannot revoke it.
	other := newBrowser(t, app)
	other.login("kangding-operator", testPassword)
	oc := other.csrfFrom("/admin/stats/tokens")
	if r := other.do("POST", "/admin/stats/tokens/"+ids[1]+"/revoke", url.Values{"_csrf": {oc}}); r.status != http.StatusNotFound {
		t.Errorf("other's revoke: %d", r.status)
	}
	if r := b.do("POST", "/admin/stats/tokens/"+ids[1]+"/revoke", url.Values{"_csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Errorf("revoke: %d", r.status)
	}
	if r := apiGet(t, app, m[1], "/api/v1/stats/live"); r.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", r.status)
	}
}

// Every path of the OpenAPI document is a real route that answers, and
// every statistics API route is in the document.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	app, _ := statsApp(t)
	token := apiToken(t, app, "admin")
	r := apiGet(t, app, "", "/api/openapi.json")
	if r.status != 200 {
		t.Fatalf("openapi: %d", r.status)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil || doc.OpenAPI == "" {
		t.Fatalf("openapi: %v", err)
	}
	routes := map[string]bool{}
	for _, rt := range app.GetRoutes(true) {
		path := regexp.MustCompile(`:([a-z]+)`).ReplaceAllString(rt.Path, "{$1}")
		routes[rt.Method+" "+path] = true
	}
	// The schema of an answer, and a check of a real answer against it.
	schemaOf := func(op map[string]any, status string) map[string]any {
		resp, _ := op["responses"].(map[string]any)[status].(map[string]any)
		content, _ := resp["content"].(map[string]any)
		for _, ct := range []string{"application/json", "application/problem+json"} {
			if c, ok := content[ct].(map[string]any); ok {
				sch := c["schema"].(map[string]any)
				if ref, ok := sch["$ref"].(string); ok {
					return doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
				}
				return sch
			}
		}
		return nil
	}
	answers := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if !routes[strings.ToUpper(method)+" "+path] {
				t.Errorf("documented %s %s is not a route", method, path)
			}
			var got resp
			status := "200"
			switch {
			case method == "get":
				got = apiGet(t, app, token, path)
			case path == "/api/v1/events":
				// Without a page's token: refused, as documented.
				req := httptest.NewRequest("POST", path, strings.NewReader(`[{"id":"x","type":"nope","site":"hailuogou","t":0}]`))
				req.Header.Set("Content-Type", "application/json")
				res, err := app.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				got, status = resp{status: res.StatusCode, body: string(body)}, strconv.Itoa(res.StatusCode)
			case path == "/api/tickets/payments/{provider}":
				// Unsigned: refused before the body is read, as documented.
				req := httptest.NewRequest("POST", "/api/tickets/payments/test", strings.NewReader(`{}`))
				req.Header.Set("Content-Type", "application/json")
				res, err := app.Test(req, -1)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				got, status = resp{status: res.StatusCode, body: string(body)}, strconv.Itoa(res.StatusCode)
			default:
				t.Errorf("%s %s: no check in this test", method, path)
				continue
			}
			if strconv.Itoa(got.status) != status {
				t.Errorf("%s %s: %d %.300s", method, path, got.status, got.body)
				continue
			}
			sch := schemaOf(op, status)
			if sch == nil {
				if path != "/api/openapi.json" {
					t.Errorf("%s %s: no schema for %s", method, path, status)
				}
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(got.body), &v); err != nil {
				t.Errorf("%s %s: %v", method, path, err)
				continue
			}
			for _, msg := range matchSchema(v, sch, "") {
				t.Errorf("%s %s: %s", method, path, msg)
			}
			answers++
		}
		if strings.HasPrefix(path, "/api/v1/stats/") {
			if r := apiGet(t, app, token, path+"?format=csv"); r.status != 200 || !strings.HasPrefix(r.body, "\ufeff") {
				t.Errorf("GET %s?format=csv: %d", path, r.status)
			}
		}
	}
	if answers < 8 {
		t.Errorf("only %d answers checked against their schemas", answers)
	}
	for route := range routes {
		if (strings.HasPrefix(route, "GET /api/") || strings.HasPrefix(route, "POST /api/")) && doc.Paths[strings.SplitN(route, " ", 2)[1]] == nil {
			t.Errorf("route %s is not documented", route)
		}
	}
	// The schema is strict enough to catch a change of answer.
	if msgs := matchSchema(map[string]any{"from": "x"}, schemaFor(capacityAnswerJSON{}), ""); len(msgs) == 0 {
		t.Error("an answer missing required fields matched")
	}
	if msgs := matchSchema(map[string]any{"From": "x", "to": "y", "sites": []any{}, "from": "z"}, schemaFor(capacityAnswerJSON{}), ""); len(msgs) == 0 {
		t.Error("an answer with an undocumented field matched")
	}
}

// matchSchema lists how a decoded JSON value differs from a schema made by
// jsonSchema: types, required properties, properties not described.
func matchSchema(v any, sch map[string]any, at string) []string {
	var out []string
	bad := func(f string, args ...any) { out = append(out, at+": "+fmt.Sprintf(f, args...)) }
	switch sch["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return out
		}
		props, _ := sch["properties"].(map[string]any)
		for _, r := range asSlice(sch["required"]) {
			if _, ok := m[r.(string)]; !ok {
				bad("missing %q", r)
			}
		}
		extra, _ := sch["additionalProperties"].(map[string]any)
		for k, x := range m {
			switch p, ok := props[k].(map[string]any); {
			case ok:
				out = append(out, matchSchema(x, p, at+"."+k)...)
			case extra != nil:
				out = append(out, matchSchema(x, extra, at+"."+k)...)
			case sch["additionalProperties"] == false:
				bad("property %q is not documented", k)
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return out
		}
		items, _ := sch["items"].(map[string]any)
		for i, x := range a {
			out = append(out, matchSchema(x, items, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			bad("want a string, got %T", v)
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			bad("want an integer, got %v", v)
		}
	case "number":
		if _, ok := v.(float64); !ok {
			bad("want a number, got %T", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// Scans recorded by this node appear in the live view within the
// minute, and only in the scope of the operator's counties.
func TestStatsLive(t *testing.T) {
	app, _ := statsApp(t)
	luding := apiToken(t, app, "luding-operator")
	kangding := apiToken(t, app, "kangding-operator")
	for range 3 {
		if r := apiGet(t, app, "", "/q/HGK2EN"); r.status != 200 {
			t.Fatalf("scan: %d", r.status)
		}
	}
	total := func(token string) int64 {
		r := apiGet(t, app, token, "/api/v1/stats/live")
		var got struct {
			Minutes []livePointJSON `json:"minutes"`
		}
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Minutes) != stats.LiveMinutes {
			t.Fatalf("live: %v %.300s", err, r.body)
		}
		var n int64
		for _, m := range got.Minutes {
			n += m.Counts[stats.MetricScan]
		}
		return n
	}
	if n := total(luding); n != 3 {
		t.Errorf("luding sees %d scans", n)
	}
	if n := total(kangding); n != 0 {
		t.Errorf("kangding sees %d of luding's scans", n)
	}
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	if r := b.do("GET", "/admin/stats/live", nil); !strings.Contains(r.body, `http-equiv="refresh"`) || !strings.Contains(r.body, "<svg") {
		t.Errorf("live page: %d", r.status)
	}
}
