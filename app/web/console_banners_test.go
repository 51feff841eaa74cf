package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A banner for one site shows on that site's page only, next to the
// county's and the prefecture's; another county's editor cannot post one.
func TestSiteBanner(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)
	b.login("luding-editor", testPassword)
	token := b.csrfFrom("/admin/alerts")
	now := time.Now().In(chinaZone)
	start := now.Add(-time.Minute).Format(localInput)
	r := b.do("POST", "/admin/alerts", url.Values{"_csrf": {token}, "county": {"513322"}, "site": {"hailuogou"}, "level": {"danger"},
		"text.zh": {"冰川步道关闭"}, "text.en": {"Glacier trail closed"}, "starts": {start}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("site banner: %d %s", r.status, r.body)
	}
	r = b.do("POST", "/admin/alerts", url.Values{"_csrf": {token}, "county": {"513322"}, "level": {"info"},
		"text.zh": {"泸定全县降雪"}, "text.en": {"Snow in all of Luding"}, "starts": {start}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("county banner: %d", r.status)
	}
	pub := newBrowser(t, app)
	hlg := pub.do("GET", "/s/513322/hailuogou?lang=en", nil)
	bridge := pub.do("GET", "/s/513322/luding-bridge?lang=en", nil)
	if !strings.Contains(hlg.body, "Glacier trail closed") || !strings.Contains(hlg.body, "Snow in all of Luding") {
		t.Error("the site's page lacks its banner or its county's")
	}
	if strings.Contains(bridge.body, "Glacier trail closed") || !strings.Contains(bridge.body, "Snow in all of Luding") {
		t.Error("another site of the county shows the site's banner, or lacks the county's")
	}
	if r := b.do("GET", "/admin/alerts", nil); !strings.Contains(r.body, "Hailuogou") {
		t.Error("the console's list does not name the site")
	}
	other := newBrowser(t, app)
	other.login("kangding-editor", testPassword)
	ot := other.csrfFrom("/admin/alerts")
	r = other.do("POST", "/admin/alerts", url.Values{"_csrf": {ot}, "county": {"513301"}, "site": {"hailuogou"}, "level": {"danger"},
		"text.zh": {"假公告"}, "starts": {start}})
	if r.status != http.StatusForbidden {
		t.Errorf("a banner on another county's site: %d", r.status)
	}
}
