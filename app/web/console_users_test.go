package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

func TestUsersAddResetAndOwnPassword(t *testing.T) {
	app, s := consoleApp(t)
	ctx := context.Background()
	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	token := admin.csrfFrom("/admin/users")

	bad := []url.Values{
		{"username": {"X"}, "role": {"editor"}, "counties": {"513322"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
		{"username": {"newbie"}, "role": {"king"}, "counties": {"513322"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
		{"username": {"newbie"}, "role": {"editor"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
		{"username": {"newbie"}, "role": {"editor"}, "counties": {"999999"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
		{"username": {"newbie"}, "role": {"editor"}, "counties": {"513322"}, "password": {"short"}, "again": {"short"}},
		{"username": {"newbie"}, "role": {"editor"}, "counties": {"513322"}, "password": {"long enough pw"}, "again": {"different pw!"}},
		{"username": {"admin"}, "role": {"editor"}, "counties": {"513322"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
	}
	for i, f := range bad {
		f.Set("_csrf", token)
		r := admin.do("POST", "/admin/users", f)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="field-error"`) {
			t.Errorf("bad user %d: %d", i, r.status)
		}
	}
	r := admin.do("POST", "/admin/users", url.Values{"_csrf": {token}, "username": {"newbie"}, "role": {"editor"},
		"counties": {"513322", "513301"}, "password": {"long enough pw"}, "again": {"long enough pw"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add user: %d %s", r.status, r.body)
	}
	u, err := s.User(ctx, "newbie")
	if err != nil || u.Role != domain.RoleEditor || len(u.Counties) != 2 {
		t.Fatalf("new user: %+v %v", u, err)
	}
	newbie := newBrowser(t, app)
	if r := newbie.login("newbie", "long enough pw"); r.status != http.StatusSeeOther {
		t.Fatalf("new user cannot log in: %d", r.status)
	}

	// An admin reset ends the user's sessions.
	r = admin.do("POST", "/admin/users/newbie/password", url.Values{"_csrf": {token}, "password": {"short"}, "again": {"short"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("short reset: %d", r.status)
	}
	r = admin.do("POST", "/admin/users/newbie/password", url.Values{"_csrf": {token}, "password": {"another long pw"}, "again": {"another long pw"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.status)
	}
	if r := newbie.do("GET", "/admin/sites", nil); r.status != http.StatusSeeOther {
		t.Errorf("the session survived a password reset: %d", r.status)
	}
	if r := admin.do("POST", "/admin/users/ghost/password", url.Values{"_csrf": {token}, "password": {"another long pw"}, "again": {"another long pw"}}); r.status != http.StatusNotFound {
		t.Errorf("reset of an unknown user: %d", r.status)
	}

	// Every user changes their own password; all their sessions end.
	ed := newBrowser(t, app)
	ed.login("luding-editor", testPassword)
	other := newBrowser(t, app)
	other.login("luding-editor", testPassword)
	tok := ed.csrfFrom("/admin/password")
	if r := ed.do("POST", "/admin/password", url.Values{"_csrf": {tok}, "current": {"wrong"}, "new": {"a new long password"}, "again": {"a new long password"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "current password is wrong") {
		t.Errorf("wrong current password: %d", r.status)
	}
	if r := ed.do("POST", "/admin/password", url.Values{"_csrf": {tok}, "current": {testPassword}, "new": {"a new long password"}, "again": {"no match at all"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("mismatch: %d", r.status)
	}
	r = ed.do("POST", "/admin/password", url.Values{"_csrf": {tok}, "current": {testPassword}, "new": {"a new long password"}, "again": {"a new long password"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/login") {
		t.Fatalf("change password: %d", r.status)
	}
	if r := other.do("GET", "/admin/sites", nil); r.status != http.StatusSeeOther {
		t.Error("another session of the user survived the change")
	}
	if r := ed.login("luding-editor", "a new long password"); r.status != http.StatusSeeOther {
		t.Errorf("login with the new password: %d", r.status)
	}
	// The audit log has the account changes, without passwords.
	entries, _ := s.AuditPage(ctx, "", "", 50)
	actions := map[string]bool{}
	for _, e := range entries {
		actions[e.Action] = true
		for _, c := range e.Changes {
			if strings.Contains(c.After, "long") {
				t.Errorf("a password in the audit log: %+v", e)
			}
		}
	}
	for _, a := range []string{"user_create", "user_password_reset", "user_password_change"} {
		if !actions[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}
	if r := admin.do("GET", "/admin/users", nil); r.status != 200 || !strings.Contains(r.body, "newbie") {
		t.Errorf("users page: %d", r.status)
	}
}
