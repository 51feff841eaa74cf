package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/public"
)

// loginApp is the console with a password checker that counts the
// hashes it computes.
func loginApp(t *testing.T) (*fiber.App, *store.Store, *atomic.Int32) {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	createUsers(t, s, testUser{"admin", domain.RoleAdmin, nil})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(context.Background(), s, log)
	if err != nil {
		t.Fatal(err)
	}
	var hashes atomic.Int32
	app, err := New(Deps{Catalog: cat, I18n: i18n.MustLoad(), QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Accounts: s, KV: s.KV("web"),
		CheckPassword: func(hash, password string) error { hashes.Add(1); return auth.CheckPassword(hash, password) },
		Console:       ConsoleDeps{Store: s, HashPassword: auth.HashPassword}})
	if err != nil {
		t.Fatal(err)
	}
	return app, s, &hashes
}

// The dummy hash for unknown names costs what a real one does.
func TestDummyHashHasAuthParameters(t *testing.T) {
	real, err := auth.HashPassword("a long test password")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(dummyHash) != params(real) {
		t.Fatalf("dummy hash %s, app/auth makes %s", params(dummyHash), params(real))
	}
	if err := auth.CheckPassword(dummyHash, "x"); err != auth.ErrMismatch {
		t.Fatalf("dummy hash does not verify as a mismatch: %v", err)
	}
}

// An unknown name runs the same password hash as a known one and gets the
// same answer, so neither the time nor the page tells which names exist.
func TestLoginUnknownUserCostsAHash(t *testing.T) {
	app, _, hashes := loginApp(t)
	b := newBrowser(t, app)
	known := b.login("admin", "wrong password 1")
	if hashes.Load() != 1 {
		t.Fatalf("known user: %d hashes", hashes.Load())
	}
	unknown := b.login("nobody-at-all", "wrong password 1")
	if hashes.Load() != 2 {
		t.Fatalf("unknown user: %d hashes in all, want 2", hashes.Load())
	}
	alert := func(body string) string {
		i := strings.Index(body, `role="alert"`)
		if i < 0 {
			return ""
		}
		return body[i : i+strings.Index(body[i:], "</p>")]
	}
	if known.status != unknown.status || alert(known.body) == "" || alert(known.body) != alert(unknown.body) {
		t.Fatalf("answers differ: %d %q vs %d %q", known.status, alert(known.body), unknown.status, alert(unknown.body))
	}
}

// Forty concurrent guesses at one account from one address check five
// passwords, not one more; the others are told to wait (by the budget, or
// by the per-address rate limit in front of it).
func TestLoginConcurrentGuessesCheckAtMostFive(t *testing.T) {
	app, _, hashes := loginApp(t)
	b := newBrowser(t, app)
	token := b.csrfFrom("/admin/login")
	var wg sync.WaitGroup
	var waited atomic.Int32
	start := make(chan struct{})
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := b.do("POST", "/admin/login", url.Values{"_csrf": {token}, "username": {"admin"}, "password": {"wrong password"}})
			if r.status == http.StatusTooManyRequests {
				waited.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := hashes.Load(); n > domain.LoginFreeAttempts {
		t.Fatalf("%d passwords checked under 40 concurrent guesses, policy %d", n, domain.LoginFreeAttempts)
	}
	if n := waited.Load(); n < 40-domain.LoginFreeAttempts {
		t.Fatalf("%d answers told to wait, want at least %d", n, 40-domain.LoginFreeAttempts)
	}
	before := hashes.Load()
	if r := b.login("admin", "a long test password"); r.status != http.StatusTooManyRequests || hashes.Load() != before {
		t.Fatalf("right password during the wait: %d, %d more hashes", r.status, hashes.Load()-before)
	}
}

// The wait is said in the user's language, with Retry-After.
func TestLoginWaitAnswer(t *testing.T) {
	app, _, _ := loginApp(t)
	b := newBrowser(t, app)
	for i := 0; i < domain.LoginFreeAttempts; i++ {
		b.login("admin", "wrong password")
	}
	token := b.csrfFrom("/admin/login?lang=en")
	r := b.do("POST", "/admin/login", url.Values{"_csrf": {token}, "username": {"admin"}, "password": {"a long test password"}})
	ra, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if r.status != http.StatusTooManyRequests || ra < 1 || ra > 61 || !strings.Contains(r.body, "Try again in 1 min.") {
		t.Fatalf("wait: %d %q %.3000s", r.status, r.header.Get("Retry-After"), r.body)
	}
}

// netLogin logs in over a real socket from source address ip.
func netLogin(t *testing.T, base, ip, user, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	cl := &http.Client{Jar: jar, Transport: &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer cl.CloseIdleConnections()
	res, err := cl.Get(base + "/admin/login?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token: %.500s", page)
	}
	res, err = cl.PostForm(base+"/admin/login", url.Values{"_csrf": {string(m[1])}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Guessing from one address makes that address wait; the owner, from
// another address, logs in as usual.
func TestLoginLockoutIsPerAddress(t *testing.T) {
	app, _, _ := loginApp(t)
	base := serveApp(t, app)
	const attacker, owner = "127.0.0.2", "127.0.0.3"
	for i := 0; i < domain.LoginFreeAttempts; i++ {
		if st := netLogin(t, base, attacker, "admin", "guess"); st != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, st)
		}
	}
	if st := netLogin(t, base, attacker, "admin", "a long test password"); st != http.StatusTooManyRequests {
		t.Fatalf("attacker's address after 5 guesses: %d, want 429", st)
	}
	if st := netLogin(t, base, owner, "admin", "a long test password"); st != http.StatusSeeOther {
		t.Fatalf("owner from another address: %d, want a login", st)
	}
}
