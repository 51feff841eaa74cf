package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

func newUserForm(token, name, role, scope string, counties ...string) url.Values {
	return url.Values{"_csrf": {token}, "username": {name}, "role": {role}, "scope": {scope}, "counties": counties,
		"password": {"long enough pw"}, "again": {"long enough pw"}}
}

// An admin created with one county ticked is an admin of that county, not
// of the prefecture; the form says which, and contradictions are refused.
func TestUsersAdminScope(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	token := admin.csrfFrom("/admin/users")

	for i, f := range []url.Values{
		newUserForm(token, "x1", "admin", "prefecture", "513322"), // prefecture-wide with a county ticked
		newUserForm(token, "x2", "editor", "prefecture"),          // only admins are prefecture-wide
		newUserForm(token, "x3", "admin", "counties"),             // scoped without counties
	} {
		if r := admin.do("POST", "/admin/users", f); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="field-error"`) {
			t.Errorf("contradiction %d: %d", i, r.status)
		}
	}
	if r := admin.do("POST", "/admin/users", newUserForm(token, "luding-admin", "admin", "counties", "513322")); r.status != http.StatusSeeOther {
		t.Fatalf("county admin: %d %s", r.status, r.body)
	}
	if r := admin.do("POST", "/admin/users", newUserForm(token, "pref-admin", "admin", "prefecture")); r.status != http.StatusSeeOther {
		t.Fatalf("prefecture admin: %d", r.status)
	}
	la, _ := s.User(ctx, "luding-admin")
	pa, _ := s.User(ctx, "pref-admin")
	if la.RegionWide() || !la.CanAccessCounty("513322") || la.CanAccessCounty("513301") {
		t.Errorf("county admin became %+v", la)
	}
	if !pa.RegionWide() {
		t.Errorf("prefecture admin became %+v", pa)
	}
	// The list names the counties and the prefecture-wide scope.
	r := admin.do("GET", "/admin/users", nil)
	if !strings.Contains(r.body, "Luding") || strings.Contains(r.body, ">513322<") || !strings.Contains(r.body, "All of this region") {
		t.Errorf("user list without county names or scope")
	}

	// The county admin manages their county's people only.
	ca := newBrowser(t, app)
	ca.login("luding-admin", "long enough pw")
	r = ca.do("GET", "/admin/users", nil)
	if r.status != 200 || !strings.Contains(r.body, "luding-editor") || strings.Contains(r.body, "kangding-editor") || strings.Contains(r.body, ">pref-admin<") {
		t.Errorf("county admin's user list: %d", r.status)
	}
	if strings.Contains(r.body, `value="prefecture"`) {
		t.Error("a county admin is offered prefecture-wide scope")
	}
	ct := ca.csrfFrom("/admin/users")
	for _, p := range []string{"/admin/users/kangding-editor", "/admin/users/admin"} {
		if r := ca.do("GET", p, nil); r.status != http.StatusForbidden {
			t.Errorf("county admin GET %s: %d", p, r.status)
		}
	}
	if r := ca.do("POST", "/admin/users/kangding-editor/disable", url.Values{"_csrf": {ct}}); r.status != http.StatusForbidden {
		t.Errorf("county admin disables another county's user: %d", r.status)
	}
	if r := ca.do("POST", "/admin/users", newUserForm(ct, "x4", "editor", "counties", "513301")); r.status != http.StatusUnprocessableEntity {
		t.Errorf("county admin grants another county: %d", r.status)
	}
	if r := ca.do("POST", "/admin/users", newUserForm(ct, "x5", "admin", "prefecture")); r.status != http.StatusUnprocessableEntity {
		t.Errorf("county admin makes a prefecture admin: %d", r.status)
	}
	if r := ca.do("GET", "/admin/audit?county=513301", nil); r.status != http.StatusForbidden {
		t.Errorf("county admin reads another county's audit: %d", r.status)
	}
	if r := ca.do("GET", "/admin/sites?county=513301", nil); r.status != http.StatusForbidden {
		t.Errorf("county admin opens another county's sites: %d", r.status)
	}
	if r := ca.do("POST", "/admin/users/luding-editor", url.Values{"_csrf": {ct}, "role": {"operator"}, "scope": {"counties"}, "counties": {"513322"}}); r.status != http.StatusSeeOther {
		t.Errorf("county admin edits own county's user: %d", r.status)
	}
}

// Role and counties change; a disabled user's open session and API tokens
// are refused at once; a deleted user's audit entries stay.
func TestUsersEditDisableDelete(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	token := admin.csrfFrom("/admin/users/luding-editor")

	ed := newBrowser(t, app)
	ed.login("luding-editor", testPassword)
	if r := ed.do("GET", "/admin/sites?county=513301", nil); r.status != http.StatusForbidden {
		t.Fatalf("before: editor in Kangding: %d", r.status)
	}
	r := admin.do("POST", "/admin/users/luding-editor", url.Values{"_csrf": {token}, "role": {"editor"}, "scope": {"counties"}, "counties": {"513322", "513301"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save access: %d %s", r.status, r.body)
	}
	if r := ed.do("GET", "/admin/sites?county=513301", nil); r.status != 200 {
		t.Errorf("the new county does not apply at once: %d", r.status)
	}
	if r := admin.do("POST", "/admin/users/luding-editor", url.Values{"_csrf": {token}, "role": {"editor"}, "scope": {"counties"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("editor without counties: %d", r.status)
	}

	// The editor has an API token and an open session; disabling ends both.
	apiToken, _, err := s.CreateAPIToken(ctx, "luding-editor", "script", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = admin.do("POST", "/admin/users/luding-editor/disable", url.Values{"_csrf": {token}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.status)
	}
	if r := ed.do("GET", "/admin/sites", nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/login") {
		t.Errorf("a disabled user's open session still works: %d", r.status)
	}
	if _, err := s.APITokenUser(ctx, apiToken); err == nil {
		t.Error("a disabled user's API token still works")
	}
	again := newBrowser(t, app)
	if r := again.login("luding-editor", testPassword); r.status != http.StatusForbidden || !strings.Contains(r.body, "disabled") {
		t.Errorf("a disabled user logs in: %d", r.status)
	}
	if r := again.login("luding-editor", "wrong password!"); r.status != http.StatusUnauthorized || strings.Contains(r.body, "disabled") {
		t.Errorf("a wrong password reveals the account is disabled: %d", r.status)
	}
	if r := admin.do("GET", "/admin/users", nil); !strings.Contains(r.body, "disabled") {
		t.Error("the list does not show the disabled user")
	}
	if r := admin.do("POST", "/admin/users/luding-editor/enable", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("enable: %d", r.status)
	}
	if r := again.login("luding-editor", testPassword); r.status != http.StatusSeeOther {
		t.Errorf("login after enable: %d", r.status)
	}

	// Delete needs the name typed; the audit log keeps the user's entries.
	if r := admin.do("POST", "/admin/users/luding-editor/delete", url.Values{"_csrf": {token}, "confirm": {"nope"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("delete without confirmation: %d", r.status)
	}
	if _, err := s.User(ctx, "luding-editor"); err != nil {
		t.Fatal("deleted without confirmation")
	}
	if r := admin.do("POST", "/admin/users/luding-editor/delete", url.Values{"_csrf": {token}, "confirm": {"luding-editor"}}); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if _, err := s.User(ctx, "luding-editor"); err == nil {
		t.Error("still there")
	}
	if r := again.do("GET", "/admin/sites", nil); r.status != http.StatusSeeOther {
		t.Errorf("a deleted user's session still works: %d", r.status)
	}
	entries, _ := s.AuditPage(ctx, "", "", 50)
	actions := map[string]bool{}
	for _, e := range entries {
		if e.Object == "luding-editor" {
			actions[e.Action] = true
		}
	}
	for _, a := range []string{"user_access", "user_disable", "user_enable", "user_delete"} {
		if !actions[a] {
			t.Errorf("no %s in the audit log: %v", a, actions)
		}
	}
}

// No admin changes their own access, so no one locks themself out, and a
// county admin cannot touch a prefecture-wide one.
func TestUsersNoSelfLockout(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	token := admin.csrfFrom("/admin/users/admin")
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users/admin", url.Values{"_csrf": {token}, "role": {"editor"}, "scope": {"counties"}, "counties": {"513322"}}},
		{"/admin/users/admin", url.Values{"_csrf": {token}, "role": {"admin"}, "scope": {"counties"}, "counties": {"513322"}}},
		{"/admin/users/admin/disable", url.Values{"_csrf": {token}}},
		{"/admin/users/admin/delete", url.Values{"_csrf": {token}, "confirm": {"admin"}}},
	} {
		if r := admin.do("POST", tc.path, tc.form); r.status != http.StatusConflict || !strings.Contains(r.body, "another administrator") {
			t.Errorf("%s: %d", tc.path, r.status)
		}
	}
	u, err := s.User(ctx, "admin")
	if err != nil || !u.RegionWide() || u.Disabled {
		t.Errorf("the admin changed themself: %+v %v", u, err)
	}
	if r := admin.do("GET", "/admin/users", nil); r.status != 200 {
		t.Errorf("admin locked out: %d", r.status)
	}
	createUsers(t, s, testUser{"luding-admin", domain.RoleAdmin, []string{"513322"}})
	ca := newBrowser(t, app)
	ca.login("luding-admin", testPassword)
	ct := ca.csrfFrom("/admin/users")
	if r := ca.do("POST", "/admin/users/admin/delete", url.Values{"_csrf": {ct}, "confirm": {"admin"}}); r.status != http.StatusForbidden {
		t.Errorf("a county admin deletes the prefecture admin: %d", r.status)
	}
}
