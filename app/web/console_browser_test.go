package web

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/web/browsertest"
)

// A bureau editor in a real browser, without any JavaScript of ours: log
// in, change the English summary, save the draft, publish, and see the
// public page change; print a sign sheet; and an editor of another county
// is refused. Screenshots of the editor and the sheet are kept.
func TestConsoleInBrowser(t *testing.T) {
	browsertest.Require(t)
	app, _ := consoleApp(t)
	base := serveApp(t, app)

	ctx := browsertest.New(t, browsertest.Options{Width: 1280, Height: 900, Timeout: 90 * time.Second})
	login := func(user string) {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
			chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/sites"]`)))
		if err != nil {
			t.Fatalf("login %s: %v", user, err)
		}
	}
	login("luding-editor")

	const summary = "A glacier you can walk to, edited in the browser."
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/sites/hailuogou/edit"),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name="summary.en"]`)),
		chromedp.Clear(chromedp.CSS(`textarea[name="summary.en"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="summary.en"]`), summary))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(85))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(browsertest.Artifact(t, "console-site-editor.jpg"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value=save]`))); err != nil {
		t.Fatal(err)
	}
	waitConfirmation(t, ctx, "Draft saved")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`))); err != nil {
		t.Fatal(err)
	}
	waitConfirmation(t, ctx, "Published")
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/s/513322/hailuogou?lang=en"), chromedp.WaitVisible(chromedp.CSS(`p.lead`)))
	if err != nil {
		t.Fatal(err)
	}
	if lead, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.lead`))); lead != summary {
		t.Fatalf("public page lead %q", lead)
	}

	// The print sheet, as the editor prints it.
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/admin/signs/HGK2EN/sheet?paper=a5"), chromedp.WaitVisible(chromedp.CSS(`.qr svg`)))
	if err != nil {
		t.Fatal(err)
	}
	code, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.code`)))
	if code != "HGK2EN" {
		t.Errorf("sheet code %q", code)
	}
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(85)); err == nil {
		err = os.WriteFile(browsertest.Artifact(t, "console-sign-sheet-a5.jpg"), shot, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Printed, the A5 sheet is one page (the screen note is not printed).
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatal(err)
	}
	if pages := len(pdfPageRe.FindAll(pdf, -1)); pages != 1 {
		t.Errorf("the A5 sheet prints on %d pages", pages)
	}
	_ = os.WriteFile(browsertest.Artifact(t, "console-sign-sheet-a5.pdf"), pdf, 0o644)

	// An editor of Kangding guessing the address of a Luding site is refused.
	ctx = browsertest.New(t, browsertest.Options{Width: 1280, Height: 900})
	login("kangding-editor")
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/admin/sites/hailuogou/edit"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if err != nil {
		t.Fatal(err)
	}
	if h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`))); !strings.Contains(h1, "Access denied") {
		t.Errorf("another county's editor sees %q", h1)
	}
}

var pdfPageRe = regexp.MustCompile(`/Type\s*/Page[^s]`)

// waitConfirmation waits for the page a form post leads to, with its
// confirmation starting with want. Evaluating during the navigation fails,
// so it is tried again until the new page answers.
func waitConfirmation(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	expr := `(document.querySelector("p.alert.ok")||{}).textContent?.startsWith(` + strconv.Quote(want) + `) || false`
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no confirmation %q", want)
}
