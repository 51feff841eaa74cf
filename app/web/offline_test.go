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

func TestLateEvents(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	ms := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
	body := fmt.Sprintf(`[
		{"id":"00112233445566778899aabbccddeeff","type":"audio_play","site":"hailuogou","lang":"bo","t":%d},
		{"id":"ffeeddccbbaa99887766554433221100","type":"page_view","site":"hailuogou","lang":"xx","t":%d},
		{"id":"0123456789abcdef0123456789abcdef","type":"scan","site":"hailuogou","t":%d},
		{"id":"0123456789abcdef0123456789abcde0","type":"page_view","site":"nowhere","t":%d},
		{"id":"0123456789abcdef0123456789abcde1","type":"page_view","site":"hailuogou","t":%d},
		{"id":"0123456789abcdef0123456789abcde2","type":"page_view","site":"hailuogou","t":%d},
		{"id":"short","type":"page_view","site":"hailuogou","t":%d},
		{"id":"0123456789abcdef0123456789abcde3","type":"page_view","site":"draft-site","t":%d}
	]`, ms(-time.Hour), ms(-48*time.Hour), ms(0), ms(0), ms(-8*24*time.Hour), ms(time.Hour), ms(0), ms(0))
	r := f.postJSON(t, "/api/v1/events", body, "application/json")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var out struct {
		Accepted int `json:"accepted"`
		Rejected []struct {
			Index  int
			Reason string
		} `json:"rejected"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "type", 3: "site", 4: "time", 5: "time", 6: "id", 7: "site"}
	if out.Accepted != 2 || len(out.Rejected) != len(want) {
		t.Fatalf("accepted %d, rejected %+v", out.Accepted, out.Rejected)
	}
	for _, rj := range out.Rejected {
		if want[rj.Index] != rj.Reason {
			t.Errorf("event %d rejected for %q, want %q", rj.Index, rj.Reason, want[rj.Index])
		}
	}
	evs := f.rec.all()
	if len(evs) != 2 {
		t.Fatalf("%d events recorded", len(evs))
	}
	a := evs[0]
	if a.Type != domain.EventAudioPlay || a.Site != "hailuogou" || a.County != "513322" || a.Lang != domain.Bo ||
		a.Time.UnixMilli() != ms(-time.Hour) || a.Extra["late"] != "1" || len(a.ID) != 32 {
		t.Errorf("audio play: %+v", a)
	}
	if evs[1].Lang != "" {
		t.Errorf("unknown lang kept: %q", evs[1].Lang)
	}
	// The same batch again gives the same event ids: the pipeline stores
	// them once.
	f.postJSON(t, "/api/v1/events", body, "application/json")
	again := f.rec.all()
	if len(again) != 4 || again[2].ID != evs[0].ID || again[3].ID != evs[1].ID {
		t.Errorf("replayed ids differ: %v", again)
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
