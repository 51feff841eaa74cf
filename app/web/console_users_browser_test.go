package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/web/browsertest"
)

// An admin at 1366 px changes an editor's counties and disables them; the
// editor, logged in in another browser, is sent to the login page on the
// next click.
func TestUsersInBrowser(t *testing.T) {
	browsertest.Require(t)
	app, _ := consoleApp(t)
	base := serveApp(t, app)
	login := func(ctx context.Context, user string) {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
			chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`nav.console-nav`)))
		if err != nil {
			t.Fatalf("login %s: %v", user, err)
		}
	}
	admin := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
	editor := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
	login(admin, "admin")
	login(editor, "luding-editor")

	err := chromedp.Do(admin, chromedp.Navigate(base+"/admin/users"), chromedp.WaitVisible(chromedp.CSS(`table.grid`)))
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, admin, "console-users-1366.png")
	err = chromedp.Do(admin, chromedp.Click(chromedp.CSS(`a[href="/admin/users/luding-editor"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=counties][value="513301"]`)),
		chromedp.Click(chromedp.CSS(`input[name=counties][value="513301"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/users/luding-editor"] button`)))
	if err != nil {
		t.Fatal(err)
	}
	waitConfirmation(t, admin, "Role and scope saved")
	shoot(t, admin, "console-user-edit-1366.png")
	if err := chromedp.Do(admin, chromedp.Click(chromedp.CSS(`form[action$="/disable"] button`))); err != nil {
		t.Fatal(err)
	}
	waitConfirmation(t, admin, "The user is disabled")

	err = chromedp.Do(editor, chromedp.Navigate(base+"/admin/sites"), chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/login"]`)))
	if err != nil {
		t.Fatalf("the disabled editor's session still works: %v", err)
	}
	err = chromedp.Do(editor, chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "luding-editor"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.alert.danger`)))
	if err != nil {
		t.Fatal(err)
	}
	if msg, _ := chromedp.Run(editor, chromedp.Text(chromedp.CSS(`p.alert.danger`))); !strings.Contains(msg, "disabled") {
		t.Errorf("login page of a disabled user: %q", msg)
	}
	shoot(t, editor, "console-login-disabled-1366.png")
}

// shoot saves a full-page screenshot as a test artifact.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(browsertest.Artifact(t, name), shot, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
