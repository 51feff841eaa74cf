package browsertest

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserReadsAPage(t *testing.T) {
	ctx := New(t, Options{})
	base := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>一码游</title><p id="p">ཨང་གཅིག</p>`))
	}))
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#p")))
	if err != nil {
		t.Fatal(err)
	}
	if text != "ཨང་གཅིག" {
		t.Fatalf("text %q", text)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || title != "一码游" {
		t.Fatalf("title %q, %v", title, err)
	}
}
