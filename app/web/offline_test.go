package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func (f *fixture) postJSON(t *testing.T, path, body string, contentType string) resp {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept-Language", "en")
	res, err := f.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: string(b)}
}

// keyTagger gives every request with a user agent a visitor key, as the
// real tagger does for people; it leaves bot detection out, so headless
// browsers in tests count as visitors.
type keyTagger struct{}

func (keyTagger) Tag(_ context.Context, c domain.Client, e *domain.Event) {
	if c.UserAgent != "" {
		e.VisitorKey = events.VisitorKey([]byte("test"), c.IP, c.UserAgent, e.Site)
	}
}

// withLateTokens gives an app visitor keys and the real late-event tokens,
// signed with the store's daily secrets.
func withLateTokens(s *store.Store) func(*Deps) {
	return func(d *Deps) {
		d.Tagger = keyTagger{}
		d.LateTokens = events.NewTagger(events.NewSecrets(s, nil, nil), nil)
		d.LateClaims = s
	}
}

func lateFixture(t *testing.T) *fixture {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	return newFixtureWith(t, s, nil, withLateTokens(s))
}

// pageToken fetches a page as a phone would and returns the late-event
// token its response carries.
func pageToken(t *testing.T, f *fixture, path, ua string) string {
	t.Helper()
	r := f.get(t, path, "User-Agent", ua)
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == lateCookie {
			return c.Value
		}
	}
	t.Fatalf("%s: no %s cookie in %v", path, lateCookie, r.header)
	return ""
}

type lateAnswer struct {
	Accepted int `json:"accepted"`
	Rejected []struct {
		Index  int
		Reason string
	} `json:"rejected"`
}

func postLate(t *testing.T, f *fixture, body string) (resp, lateAnswer) {
	t.Helper()
	r := f.postJSON(t, "/api/v1/events", body, "application/json")
	var out lateAnswer
	if r.status == 200 {
		if err := json.Unmarshal([]byte(r.body), &out); err != nil {
			t.Fatal(err)
		}
	}
	return r, out
}

const phoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.50"

func TestLateEvents(t *testing.T) {
	f := lateFixture(t)
	tok := pageToken(t, f, "/s/513322/hailuogou", phoneUA)
	now := time.Now()
	dayStart, err := time.ParseInLocation(time.DateOnly, strings.Split(tok, ".")[0], domain.ChinaTime)
	if err != nil {
		t.Fatal(err)
	}
	// An hour ago, but never before the token's day (a run just after
	// midnight).
	base := now.Add(-time.Hour)
	if base.Before(dayStart) {
		base = dayStart
	}
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	forged := strings.Join(strings.Split(tok, ".")[:3], ".") + ".AAAAAAAAAAAAAAAAAAAAAA"
	body := fmt.Sprintf(`[
		{"id":"00112233445566778899aabbccddeeff","type":"audio_play","site":"hailuogou","lang":"bo","t":%d,"tk":%q},
		{"id":"ffeeddccbbaa99887766554433221100","type":"page_view","site":"hailuogou","lang":"xx","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcdef","type":"scan","site":"hailuogou","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde0","type":"page_view","site":"nowhere","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde1","type":"page_view","site":"hailuogou","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde2","type":"page_view","site":"hailuogou","t":%d,"tk":%q},
		{"id":"short","type":"page_view","site":"hailuogou","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde3","type":"page_view","site":"draft-site","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde4","type":"page_view","site":"luding-bridge","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde5","type":"page_view","site":"hailuogou","t":%d,"tk":%q},
		{"id":"0123456789abcdef0123456789abcde6","type":"page_view","site":"hailuogou","t":%d,"tk":%q}
	]`, ms(base), tok, ms(base), tok, ms(base), tok, ms(base), tok, ms(now.Add(-8*24*time.Hour)), tok,
		ms(now.Add(time.Hour)), tok, ms(base), tok, ms(base), tok, ms(base), tok, ms(base), forged,
		ms(dayStart.Add(-time.Minute)), tok)
	r, out := postLate(t, f, body)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := map[int]string{2: "type", 3: "site", 4: "time", 5: "time", 6: "id", 7: "site", 8: "token", 9: "token", 10: "time"}
	if out.Accepted != 2 || len(out.Rejected) != len(want) {
		t.Fatalf("accepted %d, rejected %+v", out.Accepted, out.Rejected)
	}
	for _, rj := range out.Rejected {
		if want[rj.Index] != rj.Reason {
			t.Errorf("event %d rejected for %q, want %q", rj.Index, rj.Reason, want[rj.Index])
		}
	}
	all := f.rec.all()
	page := all[0] // the page fetch that gave the token
	evs := all[1:]
	if len(evs) != 2 {
		t.Fatalf("%d events recorded", len(evs))
	}
	a := evs[0]
	if a.Type != domain.EventAudioPlay || a.Site != "hailuogou" || a.County != "513322" || a.Lang != domain.Bo ||
		a.Time.UnixMilli() != ms(base) || a.Extra["late"] != "1" || len(a.ID) != 32 {
		t.Errorf("audio play: %+v", a)
	}
	// Counted as the visitor who fetched the page, wherever the phone is
	// when it sends.
	if a.VisitorKey == "" || a.VisitorKey != page.VisitorKey {
		t.Errorf("late visitor key %q, page's %q", a.VisitorKey, page.VisitorKey)
	}
	if evs[1].Lang != "" {
		t.Errorf("unknown lang kept: %q", evs[1].Lang)
	}
	// The same batch again (a lost answer on a flaky link) is taken as
	// sent and recorded no second time.
	if _, again := postLate(t, f, body); again.Accepted != 2 || len(f.rec.all()) != 3 {
		t.Errorf("replay: accepted %d, %d events recorded in all", again.Accepted, len(f.rec.all()))
	}
}

// Late events without the token of a page this server sent are refused
// with a problem, and nothing is recorded; a token is good for a bounded
// number of events.
func TestLateEventsNeedPageToken(t *testing.T) {
	f := lateFixture(t)
	now := time.Now().UnixMilli()
	for name, tk := range map[string]string{"no token": "", "made up": "2026-11-30.hailuogou.abc.def",
		"old day": "2020-01-01.hailuogou.abc.def", "garbage": "x"} {
		body := fmt.Sprintf(`[{"id":"00112233445566778899aabbccddeeff","type":"page_view","site":"hailuogou","t":%d,"tk":%q}]`, now, tk)
		r, _ := postLate(t, f, body)
		if r.status != 400 || !strings.Contains(r.header.Get("Content-Type"), "problem+json") || !strings.Contains(r.body, `"field":"tk"`) {
			t.Errorf("%s: %d %s %s", name, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	if n := len(f.rec.all()); n != 0 {
		t.Fatalf("%d events recorded without a token", n)
	}

	tok := pageToken(t, f, "/q/HGK2EN", phoneUA)
	var items []string
	for i := 0; i < lateEventsPerToken+5; i++ {
		items = append(items, fmt.Sprintf(`{"id":"%032x","type":"page_view","site":"hailuogou","t":%d,"tk":%q}`, i+1, now, tok))
	}
	_, out := postLate(t, f, "["+strings.Join(items, ",")+"]")
	if out.Accepted != lateEventsPerToken || len(out.Rejected) != 5 || out.Rejected[0].Reason != "limit" {
		t.Fatalf("accepted %d, rejected %+v; want %d and 5 over the limit", out.Accepted, out.Rejected, lateEventsPerToken)
	}

	// A bot's fetch, or one past the recording budget, carries no token.
	for _, ua := range []string{""} {
		r := f.get(t, "/q/HGK2EN", "User-Agent", ua)
		if strings.Contains(r.header.Get("Set-Cookie"), lateCookie) {
			t.Errorf("UA %q got a token", ua)
		}
	}
}

func TestLateEventsBadInput(t *testing.T) {
	f := newFixture(t)
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"id":"0011223344556677","type":"page_view","site":"hailuogou","t":1},`, 101), ",") + "]"
	cases := []struct {
		name, body, ctype string
		status            int
	}{
		{"form post", `[]`, "application/x-www-form-urlencoded", 400},
		{"no content type", `[]`, "", 400},
		{"not json", `{{{`, "application/json", 400},
		{"object instead of array", `{"id":"x"}`, "application/json", 400},
		{"too many", many, "application/json", 400},
		{"too big", "[" + strings.Repeat(" ", 70<<10) + "]", "application/json", 413},
		{"empty batch", `[]`, "application/json", 200},
	}
	for _, tc := range cases {
		r := f.postJSON(t, "/api/v1/events", tc.body, tc.ctype)
		if r.status != tc.status {
			t.Errorf("%s: status %d, want %d: %.200s", tc.name, r.status, tc.status, r.body)
		}
		if tc.status >= 400 && !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
			t.Errorf("%s: content type %q", tc.name, r.header.Get("Content-Type"))
		}
	}
	if n := len(f.rec.all()); n != 0 {
		t.Errorf("%d events recorded from bad batches", n)
	}
}

func TestServiceWorkerScript(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/sw.js")
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "javascript") || strings.Contains(r.body, "__VERSION__") ||
		!strings.Contains(r.body, `var VERSION = "`) || r.header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("sw.js: %d %q", r.status, r.header.Get("Content-Type"))
	}
	page := f.get(t, "/s/513322/hailuogou")
	if !strings.Contains(page.body, `<script src="/static/js/app.`) || !strings.Contains(page.body, `id="site-ref" data-site="hailuogou"`) {
		t.Error("site page lacks app.js or the site reference")
	}
}

func TestSitePagePracticalPanel(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, "/s/513322/hailuogou?lang=en")
	for _, want := range []string{`href="tel:120"`, `href="tel:110"`, "Nearby sites", "Luding Iron-Chain Bridge", `href="/s/513322/hailuogou/feedback"`, "Skip to content"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("site page lacks %q", want)
		}
	}
	// Hours "08:00-18:00" give an open/closed badge.
	if !strings.Contains(r.body, "Open now · closes 18:00") && !strings.Contains(r.body, "Closed now · opens 08:00") {
		t.Error("no open/closed badge for known hours")
	}
}

type fixedAlerts []domain.Alert

func (a fixedAlerts) ActiveAlerts(context.Context, time.Time) ([]domain.Alert, error) { return a, nil }

func TestAlertsShowOnPublicPages(t *testing.T) {
	s := newFixture(t).store
	now := time.Now()
	alerts := fixedAlerts{
		{ID: "a1", County: "513322", Level: domain.AlertDanger, Starts: now.Add(-time.Hour),
			Text: domain.Text{domain.Zh: "泸定至海螺沟道路塌方，暂停通行。", domain.En: "Road to Hailuogou closed by a landslide."}},
		{ID: "a2", County: "", Level: domain.AlertInfo, Starts: now.Add(-time.Hour),
			Text: domain.Text{domain.Zh: "全州大雪，注意防寒。"}},
		{ID: "a3", County: "513301", Level: domain.AlertWarning, Starts: now.Add(-time.Hour),
			Text: domain.Text{domain.En: "Kangding only"}},
		{ID: "a4", County: "513322", Level: domain.AlertWarning, Starts: now.Add(time.Hour),
			Text: domain.Text{domain.En: "Not yet"}},
	}
	f := newFixtureWith(t, s, nil, func(d *Deps) { d.Alerts = alerts })
	r := f.get(t, "/q/HGK2EN?lang=en")
	if !strings.Contains(r.body, "Road to Hailuogou closed by a landslide.") || !strings.Contains(r.body, `lang="zh-Hans">全州大雪`) {
		t.Error("county and prefecture alerts not shown")
	}
	if strings.Contains(r.body, "Kangding only") || strings.Contains(r.body, "Not yet") {
		t.Error("another county's or a future alert shown")
	}
}

// Late events are paid for from the sender's recording budget, like scans:
// the tokens a client gets within its budget do not multiply it.
func TestLateEventsShareTheRecordingBudget(t *testing.T) {
	s := storetest.New(t)
	seed(t, s)
	f := newFixtureWith(t, s, nil, func(d *Deps) {
		withLateTokens(s)(d)
		d.RecordBudget = RecordBudget{PerSite: BudgetSpec{Burst: 3, Rate: 0.0001}}
	})
	tok := pageToken(t, f, "/s/513322/hailuogou", phoneUA) // takes 1 of 3
	now := time.Now().UnixMilli()
	var items []string
	for i := 0; i < 5; i++ {
		items = append(items, fmt.Sprintf(`{"id":"%032x","type":"page_view","site":"hailuogou","t":%d,"tk":%q}`, i+1, now, tok))
	}
	if _, out := postLate(t, f, "["+strings.Join(items, ",")+"]"); out.Accepted != 5 {
		t.Fatalf("accepted %d of 5", out.Accepted)
	}
	counted, flagged := 0, 0
	for _, e := range f.rec.all()[1:] {
		switch e.Filter {
		case "":
			counted++
		case domain.FilterBudget:
			flagged++
		}
	}
	if counted != 2 || flagged != 3 {
		t.Fatalf("late events: %d counted, %d flagged; want 2 and 3", counted, flagged)
	}
}

// Without a claims store, each node counts in memory: the same rules.
func TestLateUsesInMemory(t *testing.T) {
	var u lateUses
	g := domain.LateGrant{Site: "hailuogou", Day: "2026-11-30", ID: "tok"}
	if r := u.take(g, "a", "2026-11-29"); r != "" {
		t.Fatalf("first: %q", r)
	}
	if r := u.take(g, "a", "2026-11-29"); r != "duplicate" {
		t.Fatalf("again: %q", r)
	}
	for i := 1; i < lateEventsPerToken; i++ {
		if r := u.take(g, fmt.Sprint(i), "2026-11-29"); r != "" {
			t.Fatalf("event %d: %q", i, r)
		}
	}
	if r := u.take(g, "one too many", "2026-11-29"); r != "limit" {
		t.Fatalf("past the limit: %q", r)
	}
}
