package web

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/public"
)

// memRecorder keeps recorded events for assertions; it stands in for the
// event pipeline, not for the database.
type memRecorder struct {
	mu     sync.Mutex
	events []domain.Event
}

func (m *memRecorder) Record(_ context.Context, e domain.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
	return nil
}

func (m *memRecorder) all() []domain.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]domain.Event(nil), m.events...)
}

type fixture struct {
	app   *fiber.App
	store *store.Store
	rec   *memRecorder
	cat   *catalog.Catalog
}

func seed(t testing.TB, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutCounty(ctx, domain.County{Code: "513322", Pinyin: "Luding", Phone: "0836-0000000",
		Name: domain.Text{domain.Zh: "泸定县", domain.En: "Luding", domain.Bo: "ལྕགས་ཟམ་རྫོང་"}}))
	must(s.PutCounty(ctx, domain.County{Code: "513301", Pinyin: "Kangding",
		Name: domain.Text{domain.Zh: "康定市", domain.En: "Kangding"}}))
	must(s.PutSite(ctx, domain.Site{
		Key: "hailuogou", County: "513322", Published: true,
		Name:    domain.Text{domain.Zh: "海螺沟", domain.En: "Hailuogou Glacier"},
		Summary: domain.Text{domain.Zh: "冰川公园。", domain.En: "A glacier park."},
		Body:    domain.Text{domain.Zh: "## 冰川\n\n低海拔冰川。<script>alert(1)</script>", domain.En: "## The glacier\n\nA *low* glacier."},
		Hours:   domain.Text{domain.En: "08:00-18:00"},
		Prices: []domain.Price{{Label: domain.Text{domain.Zh: "门票", domain.En: "Entry"}, Fen: 9000},
			{Label: domain.Text{domain.Zh: "观光车", domain.En: "Bus"}, Fen: 7050}},
		AltitudeMin: 2850, AltitudeMax: 3400, ALevel: "5A", ALevelSince: "2017-02",
		Location: &domain.LatLon{Lat: 29.567, Lon: 101.95},
	}))
	must(s.PutSite(ctx, domain.Site{
		Key: "luding-bridge", County: "513322", Published: true,
		Name:   domain.Text{domain.Zh: "泸定桥", domain.En: "Luding Iron-Chain Bridge"},
		Prices: []domain.Price{{Fen: 1500}},
	}))
	must(s.PutSite(ctx, domain.Site{Key: "draft-site", County: "513322", Published: false,
		Name: domain.Text{domain.Zh: "草稿景区"}}))
	must(s.PutSite(ctx, domain.Site{Key: "yading", County: "513301", Published: true,
		Name: domain.Text{domain.Zh: "稻城亚丁"}, AltitudeMin: 2900, AltitudeMax: 6032}))
	must(s.PutSign(ctx, domain.Sign{Code: "HGK2EN", Site: "hailuogou", County: "513322", Label: "Gate", Enabled: true}))
	must(s.PutSign(ctx, domain.Sign{Code: "HGKXFF", Site: "hailuogou", County: "513322", Enabled: false}))
	must(s.PutSign(ctx, domain.Sign{Code: "DRAFT2", Site: "draft-site", County: "513322", Enabled: true}))
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	return newFixtureOn(t, s, nil)
}

func newFixtureOn(t testing.TB, s *store.Store, rec Recorder) *fixture {
	t.Helper()
	return newFixtureWith(t, s, rec, nil)
}

// newFixtureWith lets a test adjust the dependencies before the app is built.
func newFixtureWith(t testing.TB, s *store.Store, rec Recorder, adjust func(*Deps)) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(context.Background(), s, log)
	if err != nil {
		t.Fatal(err)
	}
	mem := &memRecorder{}
	if rec == nil {
		rec = mem
	}
	d := Deps{Catalog: cat, I18n: i18n.MustLoad(), Recorder: rec, QR: qr.NewRenderer(1 << 20),
		DB: s, Registry: prometheus.NewRegistry(), Log: log, PublicURL: "https://qr.example.cn", Public: public.FS}
	if adjust != nil {
		adjust(&d)
	}
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{app: app, store: s, rec: mem, cat: cat}
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) get(t testing.TB, path string, headers ...string) resp {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: string(b)}
}

func htmlLang(body string) string {
	m := regexp.MustCompile(`<html lang="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// rawKey finds a catalog key that leaked into a page untranslated.
var rawKey = regexp.MustCompile(`>\s*(site|home|county|notfound|error|nav|app|footer)\.[a-z_0-9]+\s*<`)

func TestPagesInEveryLanguage(t *testing.T) {
	f := newFixture(t)
	paths := []string{"/", "/c/513322", "/s/513322/hailuogou", "/q/HGK2EN", "/s/513322/luding-bridge", "/s/513301/yading"}
	want := map[string]string{"zh": "zh-Hans", "en": "en", "bo": "bo"}
	for _, p := range paths {
		for q, lang := range want {
			r := f.get(t, p+"?lang="+q)
			if r.status != 200 {
				t.Errorf("%s?lang=%s: status %d", p, q, r.status)
				continue
			}
			if got := htmlLang(r.body); got != lang {
				t.Errorf("%s?lang=%s: <html lang=%q>, want %q", p, q, got, lang)
			}
			if m := rawKey.FindString(r.body); m != "" {
				t.Errorf("%s?lang=%s: untranslated key %s", p, q, m)
			}
			if !strings.Contains(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: content type %q", p, r.header.Get("Content-Type"))
			}
		}
	}
}

func TestLanguageNegotiation(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name    string
		path    string
		headers []string
		want    string
	}{
		{"default", "/", nil, "zh-Hans"},
		{"accept english", "/", []string{"Accept-Language", "en-US,en;q=0.9"}, "en"},
		{"accept tibetan", "/", []string{"Accept-Language", "bo-CN"}, "bo"},
		{"cookie beats header", "/", []string{"Cookie", "lang=bo", "Accept-Language", "en"}, "bo"},
		{"query beats cookie", "/?lang=en", []string{"Cookie", "lang=bo"}, "en"},
		{"unknown query ignored", "/?lang=xx", []string{"Accept-Language", "en"}, "en"},
		{"garbage header", "/", []string{"Accept-Language", ";;;q=x,,"}, "zh-Hans"},
	}
	for _, tc := range cases {
		r := f.get(t, tc.path, tc.headers...)
		if r.status != 200 || htmlLang(r.body) != tc.want {
			t.Errorf("%s: status %d lang %q, want 200 %q", tc.name, r.status, htmlLang(r.body), tc.want)
		}
	}
	r := f.get(t, "/?lang=en")
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") || !strings.Contains(strings.ToLower(c), "samesite=lax") {
		t.Errorf("explicit choice not remembered: Set-Cookie %q", c)
	}
}

func TestSitePage(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/s/513322/hailuogou?lang=en")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{
		`<link rel="canonical" href="https://qr.example.cn/s/513322/hailuogou">`,
		"Hailuogou Glacier", "A glacier park.", "<em>low</em>", "Entry", "¥90", "¥70.50",
		"2850–3400 m", "High altitude: up to about 3400 m", "National 5A tourist attraction", "2017-02",
		"uri.amap.com/marker?position=101.95,29.567", "coordinate=wgs84", "geo:29.567,101.95",
		"Luding Iron-Chain Bridge", // other sites in the county
		`hreflang="bo"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("site page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "草稿景区") {
		t.Error("an unpublished site is listed")
	}
	// zh body keeps raw HTML escaped.
	zh := f.get(t, "/s/513322/hailuogou?lang=zh")
	if strings.Contains(zh.body, "<script>alert") {
		t.Error("raw HTML from Markdown reached the page")
	}
	// Tibetan falls back to zh and marks the language of fallback text.
	bo := f.get(t, "/s/513322/hailuogou?lang=bo")
	if !strings.Contains(bo.body, `<h1 lang="zh-Hans">海螺沟</h1>`) {
		t.Error("bo page does not mark the zh fallback name")
	}
	// Free and unknown prices; the strong warning above 4,000 m.
	bridge := f.get(t, "/s/513322/luding-bridge?lang=en")
	if !strings.Contains(bridge.body, "¥15") || !strings.Contains(bridge.body, "Not known yet") {
		t.Error("bridge page: price or unknown hours missing")
	}
	yading := f.get(t, "/s/513301/yading?lang=en")
	if !strings.Contains(yading.body, "Very high altitude: up to about 6032 m") {
		t.Error("no strong altitude warning above 4,000 m")
	}
}

func TestScan(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/q/HGK2EN?lang=en", "User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)")
	if r.status != 200 {
		t.Fatalf("scan: status %d, want 200 (no redirect)", r.status)
	}
	if !strings.Contains(r.body, `<link rel="canonical" href="https://qr.example.cn/s/513322/hailuogou">`) {
		t.Error("scan page lacks the canonical link to the site page")
	}
	evs := f.rec.all()
	if len(evs) != 1 {
		t.Fatalf("want 1 event, got %d", len(evs))
	}
	e := evs[0]
	if e.Type != domain.EventScan || e.Sign != "HGK2EN" || e.Site != "hailuogou" || e.County != "513322" ||
		e.Lang != domain.En || e.ID == "" || e.Day == "" || time.Since(e.Time) > time.Minute {
		t.Errorf("event: %+v", e)
	}
	// A code typed in lower case still resolves.
	if r := f.get(t, "/q/hgk2en"); r.status != 200 {
		t.Errorf("lower-case code: status %d", r.status)
	}
	// The site page counts a page view, not a scan.
	f.get(t, "/s/513322/hailuogou")
	evs = f.rec.all()
	if last := evs[len(evs)-1]; last.Type != domain.EventPageView || last.Sign != "" {
		t.Errorf("site page event: %+v", last)
	}
}

func TestNotFoundPages(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path, lang, want string
	}{
		{"/q/ZZZZZZ", "en", "This code is not recognised"},
		{"/q/" + strings.Repeat("A", 5000), "en", "This code is not recognised"},
		{"/q/%00%ff%3Cscript%3E", "zh", "无法识别此二维码"},
		{"/q/HGKXFF", "en", "This code is no longer in use"},
		{"/q/DRAFT2", "bo", "ཨང་རྟགས་འདི་བཀོལ་སྤྱོད་མཚམས་བཞག་ཟིན།"},
		{"/s/513322/nope", "en", "Sites in Luding"},
		{"/s/513301/hailuogou", "en", "Sites in Kangding"},
		{"/s/513322/draft-site", "en", "We could not find this site"},
		{"/c/999999", "en", "There is no such county"},
		{"/no/such/page", "bo", "ཤོག་ངོས་རྙེད་མ་སོང་།"},
	}
	for _, tc := range cases {
		r := f.get(t, tc.path+"?lang="+tc.lang)
		if r.status != 404 {
			t.Errorf("%.40s: status %d, want 404", tc.path, r.status)
		}
		if !strings.Contains(r.body, tc.want) {
			t.Errorf("%.40s: page lacks %q", tc.path, tc.want)
		}
		if !strings.Contains(r.body, `href="/"`) {
			t.Errorf("%.40s: no way back to the home page", tc.path)
		}
	}
	// The disabled sign's page links to its site; no scan is recorded.
	r := f.get(t, "/q/HGKXFF?lang=en")
	if !strings.Contains(r.body, `href="/s/513322/hailuogou"`) {
		t.Error("disabled sign page does not link to its site")
	}
	if n := len(f.rec.all()); n != 0 {
		t.Errorf("%d events recorded for codes that resolve to no page", n)
	}
}

func TestQRImages(t *testing.T) {
	f := newFixture(t)
	png := f.get(t, "/qr/HGK2EN.png?size=256")
	if png.status != 200 || png.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(png.body, "\x89PNG") {
		t.Fatalf("png: %d %q", png.status, png.header.Get("Content-Type"))
	}
	svg := f.get(t, "/qr/hgk2en.svg?level=h&margin=2")
	if svg.status != 200 || svg.header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(svg.body, "<svg") {
		t.Fatalf("svg: %d %q", svg.status, svg.header.Get("Content-Type"))
	}
	bad := []struct{ path, field string }{
		{"/qr/HGK2EN.png?size=abc", "size"},
		{"/qr/HGK2EN.png?size=99999999999999999999999", "size"},
		{"/qr/HGK2EN.png?size=-5", "size"},
		{"/qr/HGK2EN.png?margin=100", "margin"},
		{"/qr/HGK2EN.svg?level=z", "level"},
		{"/qr/HGK2EN.png?fg=zzzzzz", "fg"},
		{"/qr/HGK2EN.png?fg=eeeeee&bg=ffffff", "fg"},
	}
	for _, tc := range bad {
		r := f.get(t, tc.path, "Accept-Language", "en")
		if r.status != 400 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %q, want 400 problem+json", tc.path, r.status, r.header.Get("Content-Type"))
			continue
		}
		var p problem
		if err := json.Unmarshal([]byte(r.body), &p); err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if p.Status != 400 || p.Field != tc.field || p.Detail == "" || strings.HasPrefix(p.Detail, "error.") {
			t.Errorf("%s: problem %+v", tc.path, p)
		}
	}
	for _, p := range []string{"/qr/ZZZZZZ.png", "/qr/HGK2EN.gif", "/qr/HGK2EN", "/qr/!!.png"} {
		if r := f.get(t, p); r.status != 404 {
			t.Errorf("%s: status %d, want 404", p, r.status)
		}
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	f := newFixture(t)
	if r := f.get(t, "/healthz"); r.status != 200 || !strings.Contains(r.body, `"status":"ok"`) {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
	r := f.get(t, "/readyz")
	if r.status != 200 || !strings.Contains(r.body, `"ready":true`) {
		t.Errorf("readyz: %d %s", r.status, r.body)
	}
	// /metrics lives on its own private listener (app/cli), not on the
	// public port.
	if m := f.get(t, "/metrics"); m.status != 404 || strings.Contains(m.body, "yimayou_http_requests_total") {
		t.Errorf("public /metrics without a token: %d", m.status)
	}
}

// With YIMAYOU_METRICS_TOKEN the public port serves /metrics to that
// bearer only.
func TestMetricsBehindToken(t *testing.T) {
	const token = "s3cret-metrics-token"
	s := storetest.New(t)
	seed(t, s)
	f := newFixtureWith(t, s, nil, func(d *Deps) { d.MetricsToken = token })
	f.get(t, "/q/HGK2EN")
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, token} {
		var h []string
		if auth != "" {
			h = []string{"Authorization", auth}
		}
		if m := f.get(t, "/metrics", h...); m.status != 401 || strings.Contains(m.body, "yimayou_") ||
			m.header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d", auth, m.status)
		}
	}
	m := f.get(t, "/metrics", "Authorization", "Bearer "+token)
	if m.status != 200 || !strings.Contains(m.body, `yimayou_http_requests_total{code="200",route="/q/:code"} 1`) {
		t.Errorf("metrics with the token: %d", m.status)
	}
}

func TestReadyzFailsWhenCheckFails(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	f := newFixtureOn(t, s, nil)
	_ = f
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := New(Deps{Catalog: f.cat, I18n: i18n.MustLoad(), QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://x", Public: public.FS,
		ReadyExtra: map[string]ReadyCheck{"event_log": func(context.Context) (any, error) {
			return map[string]int{"lag_events": 9}, io.ErrUnexpectedEOF
		}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := app.Test(httptest.NewRequest("GET", "/readyz", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 503 || !strings.Contains(string(b), "lag_events") {
		t.Errorf("readyz with a failing check: %d %s", res.StatusCode, b)
	}
}

func TestStaticAssets(t *testing.T) {
	f := newFixture(t)
	home := f.get(t, "/")
	m := regexp.MustCompile(`href="(/static/icons/favicon\.[0-9a-f]{8}\.svg)"`).FindStringSubmatch(home.body)
	if m == nil {
		t.Fatal("no hashed favicon URL on the page")
	}
	r := f.get(t, m[1])
	if r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || !strings.Contains(r.body, "<svg") {
		t.Errorf("asset: %d %q", r.status, r.header.Get("Cache-Control"))
	}
	if r := f.get(t, "/static/css/site.00000000.css"); r.status != 404 {
		t.Errorf("unknown asset: %d", r.status)
	}
	if csp := home.header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' 'sha256-") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP: %q", csp)
	}
}

func TestCatalogReloadShowsEdits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	site, err := f.store.Site(ctx, "luding-bridge")
	if err != nil {
		t.Fatal(err)
	}
	site.Name[domain.En] = "The Iron Bridge"
	if err := f.store.PutSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := f.cat.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if r := f.get(t, "/s/513322/luding-bridge?lang=en"); !strings.Contains(r.body, "The Iron Bridge") {
		t.Error("edit not shown after reload")
	}
}

// The real event pipeline (local log, then shipper) gets scans into MongoDB.
func TestScanEventsReachTheDatabase(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	lg, err := events.Open(events.Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ship := lg.Ship(s, events.ShipOptions{})
	f := newFixtureOn(t, s, lg)
	for i := 0; i < 25; i++ {
		if r := f.get(t, "/q/HGK2EN"); r.status != 200 {
			t.Fatalf("scan %d: %d", i, r.status)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := lg.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ship.Close(ctx); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(domain.ChinaTime).Format(time.DateOnly)
	n, err := s.CountEvents(context.Background(), store.EventFilter{From: today, To: today, Type: domain.EventScan, Site: "hailuogou"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 25 {
		t.Fatalf("events in the database: %d, want 25", n)
	}
}

var _ fs.FS = fstest.MapFS{}

// Nothing a visitor can type into the address bar yields a 500.
func TestNoServerErrorOnJunk(t *testing.T) {
	f := newFixture(t)
	paths := []string{
		"/q/", "/q/%", "/q/%2e%2e%2f", "/q/" + strings.Repeat("%F0%9F%98%80", 500), "/q/HGK2EN/extra",
		"/s/", "/s/513322", "/s/513322/", "/s/%00/%00", "/s/513322/" + strings.Repeat("a", 3000),
		"/c/", "/c/%FF", "/qr/.png", "/qr/HGK2EN.png.png", "/qr/HGK2EN.png?size=1e9", "/qr/HGK2EN.svg?size=0x10",
		"/qr/HGK2EN.png?level=&margin=&fg=&bg=", "/static/", "/static/../../etc/passwd", "/?lang=" + strings.Repeat("z", 5000),
		"/q/HGK2EN?lang=%00", "/s/513322/hailuogou?lang[]=en",
	}
	for _, p := range paths {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawQuery = ""
		req.RequestURI = p
		res, err := f.app.Test(req, -1)
		if err != nil {
			t.Fatalf("%.60s: %v", p, err)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Errorf("%.60s: status %d", p, res.StatusCode)
		}
	}
	for _, h := range [][2]string{{"Accept-Language", strings.Repeat("x-", 3000)}, {"Cookie", "lang=" + strings.Repeat("b", 4000)}, {"Accept", "application/json"}} {
		if r := f.get(t, "/q/ZZZZZZ", h[0], h[1]); r.status != 404 {
			t.Errorf("header %s: status %d", h[0], r.status)
		}
	}
	// Other methods are refused cleanly.
	res, err := f.app.Test(httptest.NewRequest(http.MethodPost, "/q/HGK2EN", strings.NewReader("x")), -1)
	if err != nil || res.StatusCode >= 500 {
		t.Errorf("POST: %v %v", err, res.StatusCode)
	}
}
