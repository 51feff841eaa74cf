package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/web/browsertest"
)

// In a real browser at 1366 px, without any script of ours: an editor
// types a summary, chooses a photo and saves; the typed text is still
// there with the photo. Then a preview in Tibetan and "back to the editor"
// leave the console in English.
func TestEditorInBrowser(t *testing.T) {
	browsertest.Require(t)
	app, _ := consoleApp(t)
	base := serveApp(t, app)
	photo := filepath.Join(t.TempDir(), "glacier.jpg")
	if err := os.WriteFile(photo, jpegOf(t, 1200, 800), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 90 * time.Second})
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "luding-editor"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.console-nav`)))
	if err != nil {
		t.Fatal(err)
	}
	const typed = "Typed in the browser, then a photo was chosen."
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/admin/sites/hailuogou/edit"),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name="summary.en"]`)),
		chromedp.Clear(chromedp.CSS(`textarea[name="summary.en"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="summary.en"]`), typed),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="new_photo"]`), []string{photo}),
		chromedp.SendKeys(chromedp.CSS(`input[name="new_photo.alt.en"]`), "The glacier"))
	if err != nil {
		t.Fatal(err)
	}
	shoot(t, ctx, "console-editor-1366.png")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value=save]`))); err != nil {
		t.Fatal(err)
	}
	waitConfirmation(t, ctx, "Draft saved")
	summary, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`textarea[name="summary.en"]`)))
	if err != nil || summary != typed {
		t.Errorf("after the upload the summary is %q (%v)", summary, err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".photo-row img").length`)); n != 1 {
		t.Errorf("%d photos after the upload", n)
	}

	// Preview in Tibetan, then back to the editor: still English.
	// Follow the links by their href: a click followed by a wait can meet
	// the old document's nodes while the new one replaces it (chromedp's
	// "Could not find node with given id").
	follow := func(link, then string) {
		t.Helper()
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+link+`').href`))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(then))); err != nil {
			t.Fatal(err)
		}
	}
	follow(`a[href$="/preview?in=bo"]`, `html[lang="bo"] main .alert.warn a`)
	shoot(t, ctx, "console-preview-bo-1366.png")
	follow(`main .alert.warn a`, `form.editor`)
	lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	save, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`button[value=save]`)))
	if lang != "en" || !strings.Contains(save, "Save") {
		t.Errorf("back from a Tibetan preview the console is %q (%q)", lang, save)
	}
}
