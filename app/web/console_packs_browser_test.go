package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/web/browsertest"
)

// silentMP3 is a real MPEG-1 Layer III stream: frames of silence (128
// kbit/s, 44.1 kHz, 417 bytes each, all side information zero), ~26 ms
// a frame, so a browser decodes and plays it.
func silentMP3(frames int) []byte {
	out := make([]byte, 0, frames*417)
	for i := 0; i < frames; i++ {
		frame := make([]byte, 417)
		copy(frame, []byte{0xff, 0xfb, 0x90, 0x64})
		out = append(out, frame...)
	}
	return out
}

// In a browser, on the server a pack was imported into: the photos from
// the other server show, and its audio guide plays.
func TestPackMediaPlayInBrowser(t *testing.T) {
	browsertest.Require(t)
	appA, _ := consoleApp(t)
	a := newBrowser(t, appA)
	a.login("luding-editor", testPassword)
	token := a.csrfFrom("/admin/sites/hailuogou/edit")
	for _, size := range [][2]int{{1600, 1000}, {1000, 800}} {
		if r := a.upload("/admin/sites/hailuogou/photos", map[string]string{"_csrf": token, "alt.en": "The glacier"}, "p.jpg", jpegOf(t, size[0], size[1])); r.status != http.StatusSeeOther {
			t.Fatalf("photo: %d", r.status)
		}
	}
	if r := a.upload("/admin/sites/hailuogou/audio/en", map[string]string{"_csrf": token, "transcript": "Silence."}, "g.mp3", silentMP3(120)); r.status != http.StatusSeeOther {
		t.Fatalf("audio: %d %s", r.status, r.body)
	}
	if r := a.do("POST", "/admin/sites/hailuogou/publish", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	zipData := []byte(a.do("GET", "/admin/counties/513322/export.zip", nil).body)

	appB, _ := consoleApp(t)
	b := newBrowser(t, appB)
	b.login("admin", testPassword)
	tokB := b.csrfFrom("/admin/content")
	r := b.upload("/admin/import/pack", map[string]string{"_csrf": tokB, "action": "preview"}, "pack.zip", zipData)
	m := stashRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("preview: %d", r.status)
	}
	if r := b.do("POST", "/admin/import/pack", url.Values{"_csrf": {tokB}, "stash": {m[1]}, "action": {"apply"}}); r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d", r.status)
	}

	base := serveApp(t, appB)
	ctx := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 90 * time.Second})
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/s/513322/hailuogou?lang=en"), chromedp.WaitVisible(chromedp.CSS("figure.hero img"))); err != nil {
		t.Fatal(err)
	}
	var loaded []float64
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		loaded, _ = chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.querySelector("figure.hero img").naturalWidth,
			document.querySelector(".gallery img") ? 1 : 0]`))
		if len(loaded) == 2 && loaded[0] > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(loaded) != 2 || loaded[0] == 0 || loaded[1] == 0 {
		t.Errorf("photos on the importing server: %v", loaded)
	}
	played, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise(resolve => {
		const a = document.querySelector("audio");
		a.addEventListener("timeupdate", () => { if (a.currentTime > 0.3) resolve(a.currentTime) });
		a.addEventListener("error", () => resolve(-1));
		a.play().catch(() => resolve(-2));
		setTimeout(() => resolve(a.currentTime), 8000);
	})`, chromedp.EvalAwaitPromise))
	if err != nil || played <= 0.3 {
		t.Errorf("the imported audio guide does not play: %v s (%v)", played, err)
	}
	shoot(t, ctx, "pack-imported-site-390.png")
}
