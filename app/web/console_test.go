package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/public"
)

// browser is a minimal cookie-keeping client over app.Test.
type browser struct {
	t       testing.TB
	app     *fiber.App
	mu      sync.Mutex // a page may send requests at once (concurrent tests do)
	cookies map[string]string
}

func newBrowser(t testing.TB, app *fiber.App) *browser {
	return &browser{t: t, app: app, cookies: map[string]string{}}
}

func (b *browser) do(method, path string, form url.Values) resp {
	b.t.Helper()
	if form == nil {
		return b.send(method, path, "")
	}
	return b.send(method, path, form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfFrom reads the CSRF token out of a page's form.
func (b *browser) csrfFrom(path string) string {
	b.t.Helper()
	r := b.do("GET", path, nil)
	m := csrfRe.FindStringSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("GET %s (%d): no CSRF token in the page: %.3000s", path, r.status, r.body)
	}
	return m[1]
}

func (b *browser) login(user, password string) resp {
	b.t.Helper()
	token := b.csrfFrom("/admin/login")
	return b.do("POST", "/admin/login", url.Values{"_csrf": {token}, "username": {user}, "password": {password}, "next": {"/admin"}})
}

func consoleApp(t testing.TB) (*fiber.App, *store.Store) {
	t.Helper()
	return consoleAppIn(t, i18n.MustLoad())
}

// consoleAppIn is consoleApp with the given catalogues (an added language)
// and the dependencies adjusted.
func consoleAppIn(t testing.TB, ui *i18n.Catalogs, adjust ...func(*Deps, *store.Store)) (*fiber.App, *store.Store) {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	ctx := context.Background()
	createUsers(t, s, []testUser{{"admin", domain.RoleAdmin, nil}, {"luding-editor", domain.RoleEditor, []string{"513322"}},
		{"kangding-editor", domain.RoleEditor, []string{"513301"}}, {"luding-operator", domain.RoleOperator, []string{"513322"}}}...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(ctx, s, log)
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Catalog: cat, I18n: ui, QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS,
		Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"),
		Feedback: s, FormSecret: []byte("0123456789abcdef0123456789abcdef"), Alerts: s,
		Console: ConsoleDeps{Store: s, HashPassword: auth.HashPassword,
			ExportPack: func(ctx context.Context) (content.Pack, error) { return content.Export(ctx, s) }}}
	for _, f := range adjust {
		f(&d, s)
	}
	app, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	return app, s
}

func TestConsoleLoginFlow(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)

	r := b.do("GET", "/admin", nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/login?next=") {
		t.Fatalf("anonymous /admin: %d %q", r.status, r.header.Get("Location"))
	}
	r = b.login("luding-editor", "a long test password")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin" {
		t.Fatalf("login: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if b.cookies[sessionCookie] == "" {
		t.Fatal("no session cookie")
	}
	r = b.do("GET", "/admin", nil)
	if r.status != 200 || !strings.Contains(r.body, "Hello, luding-editor.") || !strings.Contains(r.body, "Luding") {
		t.Fatalf("console home: %d", r.status)
	}
	if strings.Contains(r.body, "Kangding") {
		t.Error("an editor of Luding sees Kangding")
	}
	// Logging out needs the CSRF token too.
	if r := b.do("POST", "/admin/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("logout without CSRF token: %d", r.status)
	}
	token := b.csrfFrom("/admin")
	if r := b.do("POST", "/admin/logout", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Errorf("logout: %d", r.status)
	}
	if r := b.do("GET", "/admin", nil); r.status != http.StatusSeeOther {
		t.Errorf("after logout /admin: %d", r.status)
	}
}

func TestConsoleLoginRefusals(t *testing.T) {
	app, s := consoleApp(t)
	b := newBrowser(t, app)

	// A form without the CSRF token is refused, with a page in the user's language.
	r := b.do("POST", "/admin/login", url.Values{"username": {"admin"}, "password": {"a long test password"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "Form expired") {
		t.Fatalf("login without CSRF: %d", r.status)
	}
	// A forged token is refused too.
	b.csrfFrom("/admin/login")
	r = b.do("POST", "/admin/login", url.Values{"_csrf": {"forged"}, "username": {"admin"}, "password": {"a long test password"}})
	if r.status != http.StatusForbidden {
		t.Fatalf("login with a forged CSRF token: %d", r.status)
	}
	// Unknown user and wrong password look the same.
	if r := b.login("nobody", "whatever whatever"); r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong username or password") {
		t.Errorf("unknown user: %d", r.status)
	}
	if r := b.login("admin", ""); r.status != http.StatusBadRequest {
		t.Errorf("empty password: %d", r.status)
	}
	// Five wrong passwords make this address wait, even for the right
	// password; the account itself is not locked (login_attempts_test.go).
	for i := 0; i < domain.LoginFreeAttempts; i++ {
		b.login("admin", "wrong password "+string(rune('a'+i)))
	}
	if r := b.login("admin", "a long test password"); r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many attempts") {
		t.Errorf("the right password was checked during the wait: %d", r.status)
	}
	u, err := s.User(context.Background(), "admin")
	if err != nil || u.Locked(time.Now()) {
		t.Errorf("the account is locked for everyone: %+v %v", u, err)
	}
	// An open redirect through ?next= is not possible.
	if got := safeNext("//evil.example/admin"); got != "/admin" {
		t.Errorf("safeNext kept %q", got)
	}
	if got := safeNext("https://evil.example"); got != "/admin" {
		t.Errorf("safeNext kept %q", got)
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	app, _ := consoleApp(t)
	b := newBrowser(t, app)
	var last int
	for i := 0; i < 12; i++ {
		last = b.login("nobody", "whatever whatever").status
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("12th login attempt in a minute: %d, want 429", last)
	}
}

// upload posts a multipart form with one file, as a browser's file input
// does.
func (b *browser) upload(path string, fields map[string]string, filename string, data []byte) resp {
	b.t.Helper()
	r, err := b.uploadResp(path, fields, filename, data)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	return r
}

// tryUpload is upload for bodies the server may refuse outright.
func (b *browser) tryUpload(path string, fields map[string]string, filename string, data []byte) (int, error) {
	r, err := b.uploadResp(path, fields, filename, data)
	return r.status, err
}

func (b *browser) uploadResp(path string, fields map[string]string, filename string, data []byte) (resp, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := b.app.Test(req, -1)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: string(raw)}, nil
}
