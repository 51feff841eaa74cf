package web

import (
	"net/http"
	"net/url"
	"testing"
)

// The CSRF token a browser held before login is dropped at login: a
// token planted by someone else (session fixation of the CSRF token)
// cannot be used in the session that follows.
func TestCSRFTokenRotatedAtLogin(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)
	planted := b.csrfFrom("/admin/login")
	if b.cookies[csrfCookie] != planted {
		t.Fatalf("cookie %q, form %q: want the same token", b.cookies[csrfCookie], planted)
	}
	r := b.do("POST", "/admin/login", url.Values{"_csrf": {planted}, "username": {"luding-editor"},
		"password": {"a long test password"}, "next": {"/admin"}})
	if r.status != http.StatusSeeOther || b.cookies[sessionCookie] == "" {
		t.Fatalf("login: %d", r.status)
	}
	if b.cookies[csrfCookie] == planted {
		t.Error("the CSRF cookie kept the pre-login token")
	}
	// The attacker still has the planted token in the victim's cookie.
	b.cookies[csrfCookie] = planted
	if r := b.do("POST", "/admin/logout", url.Values{"_csrf": {planted}}); r.status != http.StatusForbidden {
		t.Fatalf("POST with the pre-login token after login: %d, want 403", r.status)
	}
	delete(b.cookies, csrfCookie)
	fresh := b.csrfFrom("/admin")
	if fresh == planted {
		t.Fatal("same token after login")
	}
	if r := b.do("POST", "/admin/logout", url.Values{"_csrf": {fresh}}); r.status != http.StatusSeeOther {
		t.Fatalf("logout with the fresh token: %d", r.status)
	}
}

// HSTS is sent when the request came over HTTPS (as seen through the
// proxy logic of c.Protocol) or the public URL is https.
func TestHSTS(t *testing.T) {
	app, _ := consoleApp(t) // public URL http://localhost
	b := newBrowser(t, app)
	if h := b.do("GET", "/", nil).header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("plain HTTP with an http public URL: HSTS %q", h)
	}
	// X-Forwarded-Proto counts only from a trusted proxy (none here): a
	// client cannot claim HTTPS by header.
	if h := b.send("GET", "/", "", "X-Forwarded-Proto", "https").header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("X-Forwarded-Proto from an untrusted client: HSTS %q", h)
	}
	f := newFixture(t) // public URL https://qr.example.cn
	if h := f.get(t, "/q/HGK2EN").header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("https public URL: HSTS %q", h)
	}
}
