package web

import (
	"strings"
	"testing"
)

// The console's menu shows each role what it may open, so nobody is led
// to a page that answers "Access denied".
func TestConsoleMenuFollowsRole(t *testing.T) {
	app, _ := consoleApp(t)
	cases := []struct {
		user       string
		want, hide []string
	}{
		{"admin", []string{`href="/admin/sites"`, `href="/admin/stats"`, `href="/admin/users"`, `href="/admin/feedback"`}, nil},
		{"luding-editor", []string{`href="/admin/sites"`, `href="/admin/feedback"`}, []string{`href="/admin/stats"`, `href="/admin/users"`, `href="/admin/gate"`}},
		{"luding-operator", []string{`href="/admin/stats"`, `href="/admin/feedback"`}, []string{`href="/admin/sites"`, `href="/admin/signs"`, `href="/admin/users"`}},
	}
	for _, tc := range cases {
		b := newBrowser(t, app)
		if r := b.login(tc.user, "a long test password"); r.status != 303 {
			t.Fatalf("%s: login %d", tc.user, r.status)
		}
		page := b.do("GET", "/admin", nil).body
		nav := page[strings.Index(page, "console-nav"):]
		nav = nav[:strings.Index(nav, "</nav>")]
		for _, w := range tc.want {
			if !strings.Contains(nav, w) {
				t.Errorf("%s: menu lacks %s", tc.user, w)
			}
		}
		for _, h := range tc.hide {
			if strings.Contains(nav, h) {
				t.Errorf("%s: menu shows %s", tc.user, h)
			}
		}
	}
}
