package web

import (
	"context"
	"github.com/yimayou/yimayou/app/domain"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/web/browsertest"
)

var tokenIDRe = regexp.MustCompile(`/admin/stats/tokens/(?:all/)?([0-9a-f]{64})/revoke`)

// Tokens expire (90 days by default, or the span chosen), the console and
// every API answer show when, and an expired token is refused.
func TestAPITokenExpiry(t *testing.T) {
	app, s := statsApp(t)
	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	csrf := b.csrfFrom("/admin/stats/tokens")

	r := b.do("POST", "/admin/stats/tokens", url.Values{"_csrf": {csrf}, "name": {"excel"}})
	m := apiTokenRe.FindStringSubmatch(r.body)
	want := statsNow.AddDate(0, 0, 90).UTC()
	// The console shows every time in China time, zone written out.
	shown := want.In(domain.ChinaTime).Format("2006-01-02 15:04") + " UTC+8"
	if r.status != http.StatusCreated || m == nil || !strings.Contains(strings.ReplaceAll(r.body, "&#43;", "+"), shown) {
		t.Fatalf("create: %d, expiry %s not shown: %.3000s", r.status, shown, r.body)
	}
	res := apiGet(t, app, m[1], "/api/v1/stats/live")
	if res.status != 200 || res.header.Get("Yimayou-Token-Expires") != want.Format(time.RFC3339) {
		t.Errorf("API: %d, expiry header %q, want %q", res.status, res.header.Get("Yimayou-Token-Expires"), want.Format(time.RFC3339))
	}

	r = b.do("POST", "/admin/stats/tokens", url.Values{"_csrf": {csrf}, "name": {"month"}, "days": {"30"}})
	if m30 := apiTokenRe.FindStringSubmatch(r.body); m30 == nil || apiGet(t, app, m30[1], "/api/v1/stats/live").header.Get("Yimayou-Token-Expires") !=
		statsNow.AddDate(0, 0, 30).UTC().Format(time.RFC3339) {
		t.Errorf("30-day token: %d", r.status)
	}
	for _, days := range []string{"7", "100000", "x"} {
		if r := b.do("POST", "/admin/stats/tokens", url.Values{"_csrf": {csrf}, "name": {"odd"}, "days": {days}}); r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, "validity periods") {
			t.Errorf("days=%s: %d", days, r.status)
		}
	}
	if r := b.do("GET", "/admin/stats/tokens?lang=bo", nil); r.status != 200 || !strings.Contains(r.body, want.Format("2006-01-02")) {
		t.Errorf("list (bo): %d", r.status)
	}

	// A token past its expiry is refused, and listed as expired.
	old, _, err := s.CreateAPITokenUntil(context.Background(), "luding-operator", "old script",
		statsNow.AddDate(0, 0, -100), statsNow.AddDate(0, 0, -10))
	if err != nil {
		t.Fatal(err)
	}
	res = apiGet(t, app, old, "/api/v1/stats/live")
	if res.status != http.StatusUnauthorized || !strings.Contains(res.header.Get("WWW-Authenticate"), "expired") {
		t.Errorf("expired token: %d %q", res.status, res.header.Get("WWW-Authenticate"))
	}
	if r := b.do("GET", "/admin/stats/tokens?lang=en", nil); !strings.Contains(r.body, ">expired<") {
		t.Errorf("expired token not marked: %.3000s", r.body)
	}
}

// A password change or reset ends the user's API tokens.
func TestPasswordChangeAndResetRevokeTokens(t *testing.T) {
	app, _ := statsApp(t)
	own := apiToken(t, app, "luding-operator")
	other := apiToken(t, app, "kangding-operator")

	b := newBrowser(t, app)
	b.login("luding-operator", testPassword)
	csrf := b.csrfFrom("/admin/password")
	r := b.do("POST", "/admin/password", url.Values{"_csrf": {csrf}, "current": {testPassword}, "new": {"another long password"}, "again": {"another long password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("change password: %d %.2000s", r.status, r.body)
	}
	if r := apiGet(t, app, own, "/api/v1/stats/live"); r.status != http.StatusUnauthorized {
		t.Errorf("token after a password change: %d", r.status)
	}
	if r := apiGet(t, app, other, "/api/v1/stats/live"); r.status != http.StatusOK {
		t.Errorf("another user's token after the change: %d", r.status)
	}

	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	csrf = admin.csrfFrom("/admin/users")
	r = admin.do("POST", "/admin/users/kangding-operator/password", url.Values{"_csrf": {csrf}, "password": {"a reset long password"}, "again": {"a reset long password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("reset password: %d %.2000s", r.status, r.body)
	}
	if r := apiGet(t, app, other, "/api/v1/stats/live"); r.status != http.StatusUnauthorized {
		t.Errorf("token after a password reset: %d", r.status)
	}
}

// Admins list every user's tokens and revoke any; others cannot.
func TestAdminListsAndRevokesAnyToken(t *testing.T) {
	app, _ := statsApp(t)
	tok := apiToken(t, app, "luding-operator")
	kept := apiToken(t, app, "kangding-operator")

	op := newBrowser(t, app)
	op.login("kangding-operator", testPassword)
	if r := op.do("GET", "/admin/stats/tokens/all", nil); r.status != http.StatusForbidden {
		t.Errorf("operator on all tokens: %d", r.status)
	}
	if r := op.do("GET", "/admin/stats/tokens", nil); strings.Contains(r.body, "/admin/stats/tokens/all") {
		t.Error("an operator is offered the admins' list")
	}

	admin := newBrowser(t, app)
	admin.login("admin", testPassword)
	r := admin.do("GET", "/admin/stats/tokens/all", nil)
	if r.status != 200 || !strings.Contains(r.body, "luding-operator") || !strings.Contains(r.body, "kangding-operator") {
		t.Fatalf("all tokens: %d %.3000s", r.status, r.body)
	}
	ids := tokenIDRe.FindAllStringSubmatch(r.body, -1)
	if len(ids) != 2 {
		t.Fatalf("revoke forms: %v", ids)
	}
	// The row of luding-operator's token.
	var id string
	for _, row := range strings.Split(r.body, "<tr") {
		if strings.Contains(row, "luding-operator") {
			id = tokenIDRe.FindStringSubmatch(row)[1]
		}
	}
	opCSRF := op.csrfFrom("/admin/stats/tokens")
	if r := op.do("POST", "/admin/stats/tokens/all/"+id+"/revoke", url.Values{"_csrf": {opCSRF}}); r.status != http.StatusForbidden {
		t.Errorf("operator revoking another's token: %d", r.status)
	}
	csrf := admin.csrfFrom("/admin/stats/tokens/all")
	if r := admin.do("POST", "/admin/stats/tokens/all/"+strings.Repeat("0", 64)+"/revoke", url.Values{"_csrf": {csrf}}); r.status != http.StatusNotFound {
		t.Errorf("unknown token: %d", r.status)
	}
	if r := admin.do("POST", "/admin/stats/tokens/all/"+id+"/revoke", url.Values{"_csrf": {csrf}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %.2000s", r.status, r.body)
	}
	if r := apiGet(t, app, tok, "/api/v1/stats/live"); r.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", r.status)
	}
	if r := apiGet(t, app, kept, "/api/v1/stats/live"); r.status != http.StatusOK {
		t.Errorf("the other token: %d", r.status)
	}
	r = admin.do("GET", "/admin/stats/tokens/all?done=revoked&lang=zh", nil)
	if !strings.Contains(r.body, "令牌已撤销") || strings.Count(r.body, "/revoke") != 1 {
		t.Errorf("after revoke: %.3000s", r.body)
	}
	if r := admin.do("GET", "/admin/audit?lang=en", nil); !strings.Contains(r.body, "revoked an API token") {
		t.Errorf("audit lacks the revocation")
	}
}

// An admin in a real browser at the console's width: a token made for 30
// days shows its expiry, and the list of every user's tokens revokes one.
func TestAPITokensInBrowser(t *testing.T) {
	browsertest.Require(t)
	app, _ := statsApp(t)
	apiToken(t, app, "luding-operator")
	base := serveApp(t, app)
	ctx := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/stats"]`)),
		chromedp.Navigate(base+"/admin/stats/tokens"),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "monthly report"),
		chromedp.SetValue(chromedp.CSS(`select[name=days]`), "30"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/stats/tokens"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`code.token`)))
	if err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.alert.ok time').textContent`))
	if want := statsNow.AddDate(0, 0, 30).In(domain.ChinaTime).Format("2006-01-02 15:04") + " UTC+8"; err != nil || shown != want {
		t.Errorf("expiry shown %q, want %q (%v)", shown, want, err)
	}
	browsertest.Screenshot(ctx, t, "api-tokens.png")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/admin/stats/tokens/all"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/admin/stats/tokens/all/"]`)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tbody tr').length`))
	if err != nil || rows != 2 {
		t.Errorf("all tokens: %d rows (%v)", rows, err)
	}
	browsertest.Screenshot(ctx, t, "api-tokens-all.png")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tbody tr:first-child button.danger`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)))
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('tbody tr').length`)); err != nil || rows != 1 {
		t.Errorf("after revoke: %d rows (%v)", rows, err)
	}
}
