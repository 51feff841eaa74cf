package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const testPassword = "a long test password"

// Every console page answers 200 for its role, 403 for an editor of
// another county (the objects below are all of Luding, so a Kangding
// editor reaches them only by guessing), 403 for a role that may not
// edit, and 303 to the login page for nobody.
func TestConsoleGetAccess(t *testing.T) {
	app, _ := consoleApp(t)
	type who struct{ admin, own, other, operator int }
	editorPage := who{200, 200, 403, 403}
	anyEditor := who{200, 200, 200, 403}
	adminPage := who{200, 403, 403, 403}
	everyone := who{200, 200, 200, 200}
	routes := []struct {
		path string
		want who
	}{
		{"/admin/sites?county=513322", editorPage},
		{"/admin/sites", anyEditor},
		{"/admin/sites/new?county=513322", editorPage},
		{"/admin/sites/hailuogou/edit", editorPage},
		{"/admin/sites/draft-site/edit", editorPage},
		{"/admin/sites/hailuogou/preview?lang=en", editorPage},
		{"/admin/sites/hailuogou/revisions", editorPage},
		{"/admin/sites/hailuogou/translations", editorPage},
		{"/admin/sites/hailuogou/signs", editorPage},
		{"/admin/counties/513322/translations", editorPage},
		{"/admin/counties/513322/sheet?paper=a5", editorPage},
		{"/admin/counties/513322/signs.zip", editorPage},
		{"/admin/counties/513322/export.zip", editorPage},
		{"/admin/signs?county=513322", editorPage},
		{"/admin/signs", anyEditor},
		{"/admin/signs/HGK2EN", editorPage},
		{"/admin/signs/hgk2en", editorPage},
		{"/admin/signs/HGK2EN/qr.png?size=256", editorPage},
		{"/admin/signs/HGK2EN/qr.svg?level=h&download=1", editorPage},
		{"/admin/signs/HGK2EN/sheet?paper=a4", editorPage},
		{"/admin/alerts", anyEditor},
		{"/admin/content", anyEditor},
		{"/admin/users", adminPage},
		{"/admin/audit", adminPage},
		{"/admin/audit?county=513322", adminPage},
		{"/admin/password", everyone},
	}
	browsers := map[string]*browser{}
	for _, u := range []string{"admin", "luding-editor", "kangding-editor", "luding-operator"} {
		b := newBrowser(t, app)
		if r := b.login(u, testPassword); r.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", u, r.status)
		}
		browsers[u] = b
	}
	anon := newBrowser(t, app)
	for _, rt := range routes {
		for user, want := range map[string]int{"admin": rt.want.admin, "luding-editor": rt.want.own,
			"kangding-editor": rt.want.other, "luding-operator": rt.want.operator} {
			r := browsers[user].do("GET", rt.path, nil)
			if r.status != want {
				t.Errorf("%s GET %s: %d, want %d: %.300s", user, rt.path, r.status, want, r.body)
			}
		}
		r := anon.do("GET", rt.path, nil)
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/login?next=") {
			t.Errorf("anonymous GET %s: %d %q", rt.path, r.status, r.header.Get("Location"))
		}
	}
	// Unknown objects are 404, not 500.
	for _, path := range []string{"/admin/sites/nope/edit", "/admin/sites/BAD_KEY/edit", "/admin/signs/ZZZZZZ",
		"/admin/signs/0O1I/sheet", "/admin/counties/999999/translations", "/admin/counties/x/export.zip"} {
		if r := browsers["admin"].do("GET", path, nil); r.status != http.StatusNotFound {
			t.Errorf("admin GET %s: %d, want 404", path, r.status)
		}
	}
}

// Every unsafe console route refuses a missing or wrong CSRF token (403),
// sends nobody to the login page (303), and refuses an editor of another
// county (403) even with a valid token.
func TestConsolePostAccess(t *testing.T) {
	app, _ := consoleApp(t)
	posts := []string{
		"/admin/sites", "/admin/sites/hailuogou", "/admin/sites/hailuogou/publish", "/admin/sites/hailuogou/unpublish",
		"/admin/sites/hailuogou/discard", "/admin/sites/hailuogou/revisions/000000000000000000000000/restore",
		"/admin/sites/hailuogou/photos", "/admin/sites/hailuogou/audio/en", "/admin/sites/hailuogou/signs",
		"/admin/signs/HGK2EN", "/admin/signs/HGK2EN/toggle", "/admin/alerts", "/admin/alerts/000000000000000000000000/delete",
		"/admin/import", "/admin/users", "/admin/users/luding-editor/password", "/admin/password",
	}
	// Objects of Luding: a Kangding editor with a valid token is refused.
	ludingOnly := map[string]bool{}
	for _, p := range posts[1:11] {
		ludingOnly[p] = true
	}
	ludingOnly["/admin/users"] = true // admin only
	ludingOnly["/admin/users/luding-editor/password"] = true

	other := newBrowser(t, app)
	other.login("kangding-editor", testPassword)
	token := other.csrfFrom("/admin/password")
	anon := newBrowser(t, app)
	anonToken := anon.csrfFrom("/admin/login")
	for _, p := range posts {
		if r := other.do("POST", p, url.Values{"_csrf": {"forged"}}); r.status != http.StatusForbidden {
			t.Errorf("POST %s with a forged token: %d", p, r.status)
		}
		if r := other.do("POST", p, url.Values{}); r.status != http.StatusForbidden {
			t.Errorf("POST %s without a token: %d", p, r.status)
		}
		if r := anon.do("POST", p, url.Values{"_csrf": {anonToken}}); r.status != http.StatusSeeOther {
			t.Errorf("anonymous POST %s: %d", p, r.status)
		}
		if ludingOnly[p] {
			form := url.Values{"_csrf": {token}, "county": {"513322"}, "key": {"x-site"}, "name": {"某"}}
			if r := other.do("POST", p, form); r.status != http.StatusForbidden {
				t.Errorf("kangding-editor POST %s: %d, want 403: %.300s", p, r.status, r.body)
			}
		}
	}
}
