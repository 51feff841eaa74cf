package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/app/web/browsertest"
	demo "github.com/yimayou/yimayou/content"
)

// touristFixture is the demo content pack (real texts in three languages)
// with the demo sites' ticketing, feedback and the lost-link form, served
// on loopback behind a switch that drops every connection while offline.
type touristFixture struct {
	base    string
	svc     *tickets.Service
	rec     *memRecorder
	offline *atomic.Bool
	posts   *atomic.Int64 // POSTs to a reservation page
	// second is closed when a second reservation POST arrives; until then
	// the answer to the first is held back, so that a double tap is a
	// double tap however slow the machine (the first answer cannot
	// replace the page before the second tap).
	second     chan struct{}
	secondOnce sync.Once
	hold       atomic.Bool // whether to hold the first answer
}

func newTouristFixture(t *testing.T) *touristFixture {
	t.Helper()
	s := storetest.New(t)
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := content.Import(ctx, s, pack); err != nil {
		t.Fatal(err)
	}
	for _, c := range tickets.DemoSites() {
		if err := s.PutTicketSite(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	tf := &touristFixture{rec: &memRecorder{}, offline: &atomic.Bool{}, posts: &atomic.Int64{}, second: make(chan struct{})}
	tf.svc = tickets.New(s, tf.rec, tickets.Options{})
	f := newFixtureWith(t, s, tf.rec, func(d *Deps) {
		d.Tickets = TicketDeps{Service: tf.svc}
		d.KV = s.KV("web")
		d.Feedback = s
		d.FormSecret = []byte("0123456789abcdef0123456789abcdef")
		d.Accounts, d.CheckPassword = s, auth.CheckPassword // the ticket routes come with the console
	})
	appURL, err := url.Parse(serveApp(t, f.app))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(appURL)
	tf.base = browsertest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tf.offline.Load() {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/reserve") {
			// Every POST reaches the app even when the browser gives up
			// on it (a second tap cancels the first request).
			r = r.WithContext(context.WithoutCancel(r.Context()))
			if n := tf.posts.Add(1); n > 1 || !tf.hold.Load() {
				tf.secondOnce.Do(func() { close(tf.second) })
			} else {
				rec := httptest.NewRecorder()
				proxy.ServeHTTP(rec, r)
				select {
				case <-tf.second:
				case <-time.After(10 * time.Second):
				}
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	return tf
}

func tomorrow() string { return tickets.AddDays(tickets.Day(time.Now()), 1) }

// On plateau 3G a tourist taps "Reserve" twice: both taps reach the
// server, one booking is made, and the page shows it. Then the link is
// lost, and found again with the ID number and phone.
func TestDoubleTapAndRecoverInBrowser(t *testing.T) {
	browsertest.Require(t)
	tf := newTouristFixture(t)
	phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 120 * time.Second})
	if err := browsertest.SetNetwork(phone, browsertest.Plateau3G); err != nil {
		t.Fatal(err)
	}
	form := tf.base + "/s/513322/hailuogou/reserve?lang=en&date=" + tomorrow() + "&n=1"
	err := chromedp.Do(phone, chromedp.Navigate(form),
		chromedp.WaitVisible(chromedp.CSS(`input[name="v0.name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="v0.name"]`), "Tenzin Dolma"),
		chromedp.SendKeys(chromedp.CSS(`input[name="v0.id"]`), validID(71)),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), "13800000000"))
	if err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	// Two taps 150 ms apart: the first POST is still on its way (400 ms
	// round trip, and the fixture holds its answer until the second
	// arrives) when the second leaves.
	tf.hold.Store(true)
	if _, err := chromedp.Run(phone, chromedp.Evaluate[bool](`(() => {
		const b = document.querySelector("#reserve-form button");
		b.click();
		setTimeout(() => b.click(), 150);
		return true;
	})()`)); err != nil {
		t.Fatalf("tap: %v", err)
	}
	err = chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#ref`)), chromedp.WaitVisible(chromedp.CSS(`img.qr`)))
	if err != nil {
		t.Fatalf("double tap: %v", err)
	}
	ref, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#ref`)))
	if n := tf.posts.Load(); n < 2 {
		t.Fatalf("the second tap sent no POST (%d): the test proves nothing", n)
	}
	if n := countEvents(tf.rec, domain.EventTicketReserved); n != 1 {
		t.Fatalf("%d bookings after a double tap", n)
	}
	t.Logf("double tap: %d POSTs, one booking %s", tf.posts.Load(), ref)
	browsertest.Screenshot(phone, t, "tickets-double-tap-en-390.png")

	// Lost link: found again.
	err = chromedp.Do(phone, chromedp.Navigate(tf.base+"/r/find?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#recover-form`)),
		chromedp.SendKeys(chromedp.CSS(`#recover-form input[name=id]`), validID(71)),
		chromedp.SendKeys(chromedp.CSS(`#recover-form input[name=phone]`), "138 0000 0000"),
		chromedp.Click(chromedp.CSS(`#recover-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#ref`)))
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	if got, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#ref`))); got != ref {
		t.Fatalf("recovered %q, booked %q", got, ref)
	}
	browsertest.Screenshot(phone, t, "tickets-recovered-en-390.png")
	// A wrong phone: the answer is at the top of the page, focused.
	err = chromedp.Do(phone, chromedp.Navigate(tf.base+"/r/find?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS(`#recover-form`)),
		chromedp.SendKeys(chromedp.CSS(`#recover-form input[name=id]`), validID(71)),
		chromedp.SendKeys(chromedp.CSS(`#recover-form input[name=phone]`), "13900000000"),
		chromedp.Click(chromedp.CSS(`#recover-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#form-error`)))
	if err != nil {
		t.Fatalf("recover with a wrong phone: %v", err)
	}
	if focused := errorFocused(phone); focused != "form-error" {
		t.Errorf("the error is not focused (%q)", focused)
	}
	browsertest.Screenshot(phone, t, "tickets-recover-none-zh-390.png")
}

// Opened once, a booking's page and its ticket codes come back with no
// signal at all.
func TestMyReservationOffline(t *testing.T) {
	browsertest.Require(t)
	tf := newTouristFixture(t)
	res, err := tf.svc.Reserve(context.Background(), tickets.ReserveRequest{Site: "hailuogou", Date: tomorrow(), Phone: "13800000000",
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(81), Type: "adult"},
			{Name: "Pema", IDType: "passport", IDNumber: "E55555555", Type: "adult"}}})
	if err != nil {
		t.Fatal(err)
	}
	page := tf.base + myReservationHref(res.Ref, res.Secret) + "?lang=bo"
	phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 120 * time.Second})
	if err := chromedp.Do(phone, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#offline-ready`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(phone, chromedp.Poll[bool](`navigator.serviceWorker.controller !== null`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("service worker never took control: %v", err)
	}
	cached := `(async () => {
		const want = [location.href, ...[...document.querySelectorAll("img.qr")].map(i => i.src)];
		for (const n of await caches.keys()) {
			const c = await caches.open(n);
			let all = true;
			for (const u of want) all = all && !!(await c.match(u));
			if (all) return true;
		}
		return false;
	})()`
	if _, err := chromedp.Run(phone, chromedp.Poll[bool](cached, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("page and codes not kept: %v", err)
	}
	tf.offline.Store(true)
	if err := browsertest.SetNetwork(phone, browsertest.Network{Offline: true}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(phone, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#ref`)), chromedp.WaitVisible(chromedp.CSS(`#offline-ready`)))
	if err != nil {
		t.Fatalf("offline reload: %v", err)
	}
	loaded, err := chromedp.Run(phone, chromedp.Poll[int](`(() => { const q = [...document.querySelectorAll("img.qr")]; return q.length === 2 && q.every(i => i.complete && i.naturalWidth >= 200) ? q.length : 0; })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || loaded != 2 {
		t.Fatalf("codes offline: %d %v", loaded, err)
	}
	if got, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#ref`))); got != res.Ref {
		t.Fatalf("offline page shows %q", got)
	}
	browsertest.Screenshot(phone, t, "tickets-my-reservation-offline-bo-390.png")
}

// No tourist page scrolls sideways on a small phone, in any language; the
// slot choices are rows a thumb hits.
func TestTouristPagesFitNarrowPhones(t *testing.T) {
	browsertest.Require(t)
	tf := newTouristFixture(t)
	ctx := context.Background()
	day := tomorrow()
	held, err := tf.svc.Reserve(ctx, tickets.ReserveRequest{Site: "yading", Date: day, Slot: "0900", Phone: "+447700900123",
		Visitors: []tickets.VisitorInput{{Name: "Tashi Wangmo Tsering-Lhamo", IDType: "passport", IDNumber: "E12345678", Type: "student"},
			{Name: "卓玛", IDType: "cn", IDNumber: validID(91), Type: "adult"}}})
	if err != nil {
		t.Fatal(err)
	}
	mine := myReservationHref(held.Ref, held.Secret)
	reserve := "/s/513337/yading/reserve"
	type page struct {
		name, path string
		do         func(c context.Context) error // after loading, e.g. send a bad form
	}
	submitBad := func(c context.Context) error {
		return chromedp.Do(c, chromedp.SetValue(chromedp.CSS(`input[name="v0.name"]`), "Tenzin"),
			chromedp.SetValue(chromedp.CSS(`input[name="v0.id"]`), "513322199001010021"),
			chromedp.SetValue(chromedp.CSS(`input[name="v1.name"]`), "Dawa"),
			chromedp.SetValue(chromedp.CSS(`input[name="v1.id"]`), validID(92)),
			chromedp.SetValue(chromedp.CSS(`input[name=phone]`), "13800000000"),
			chromedp.Click(chromedp.CSS(`#reserve-form button`)),
			chromedp.WaitVisible(chromedp.CSS(`#form-error`)))
	}
	findNone := func(c context.Context) error {
		return chromedp.Do(c, chromedp.SetValue(chromedp.CSS(`#recover-form input[name=id]`), validID(93)),
			chromedp.SetValue(chromedp.CSS(`#recover-form input[name=phone]`), "13800000000"),
			chromedp.Click(chromedp.CSS(`#recover-form button`)),
			chromedp.WaitVisible(chromedp.CSS(`#form-error`)))
	}
	pages := []page{
		{"home", "/", nil},
		{"county", "/c/513337", nil},
		{"site", "/s/513337/yading", nil},
		{"reserve-day", reserve, nil},
		{"reserve-slot", reserve + "?date=" + day, nil},
		{"reserve-visitors", reserve + "?date=" + day + "&slot=0900&n=2", nil},
		{"reserve-error", reserve + "?date=" + day + "&slot=0900&n=2", submitBad},
		{"my-reservation", mine, nil},
		{"recover", "/r/find", nil},
		{"recover-none", "/r/find", findNone},
		{"feedback", "/s/513337/yading/feedback", nil},
	}
	phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 600 * time.Second})
	setWidth := func(width int64) {
		t.Helper()
		if _, err := chromedp.Call(phone, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: 760, DeviceScaleFactor: 1, Mobile: true}); err != nil {
			t.Fatal(err)
		}
	}
	var failures []string
	checked := 0
	for _, lang := range []string{"zh", "en", "bo"} {
		for _, p := range pages {
			// Each page is loaded at 320 px, then measured at both widths
			// (the layout follows the viewport without a reload).
			setWidth(320)
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			if err := chromedp.Do(phone, chromedp.Navigate(tf.base+p.path+sep+"lang="+lang), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
				t.Fatalf("%s %s: %v", p.name, lang, err)
			}
			if notFound, _ := chromedp.Run(phone, chromedp.Evaluate[bool](`document.title.includes("404") || !!document.querySelector(".notfound")`)); notFound {
				t.Fatalf("%s %s: not found", p.name, lang)
			}
			if p.do != nil {
				if err := p.do(phone); err != nil {
					t.Fatalf("%s %s: %v", p.name, lang, err)
				}
				if focused := errorFocused(phone); focused != "form-error" {
					failures = append(failures, fmt.Sprintf("%s %s: the error is not focused (%q)", p.name, lang, focused))
				}
				if top, _ := chromedp.Run(phone, chromedp.Evaluate[float64](`document.getElementById("form-error").getBoundingClientRect().top`)); top < 0 || top > 760 {
					failures = append(failures, fmt.Sprintf("%s %s: the error is off screen (top %.0f px)", p.name, lang, top))
				}
			}
			for _, width := range []int64{320, 390} {
				setWidth(width)
				got, err := chromedp.Run(phone, chromedp.Evaluate[[]int](`(() => {
					const d = document.documentElement;
					let widest = "";
					for (const e of document.body.querySelectorAll("*")) {
						const r = e.getBoundingClientRect();
						if (r.right > d.clientWidth + 0.5 && !widest) widest = e.tagName + "." + e.className + "#" + e.id;
					}
					window.__widest = widest;
					return [d.scrollWidth, d.clientWidth];
				})()`))
				if err != nil {
					t.Fatal(err)
				}
				checked++
				if got[0] > got[1] || got[1] != int(width) {
					widest, _ := chromedp.Run(phone, chromedp.Evaluate[string](`window.__widest`))
					failures = append(failures, fmt.Sprintf("%s %s %dpx: scrollWidth %d, clientWidth %d (first too wide: %s)", p.name, lang, width, got[0], got[1], widest))
					browsertest.Screenshot(phone, t, fmt.Sprintf("tourist-overflow-%s-%s-%d.png", p.name, lang, width))
				}
				if p.name == "reserve-slot" {
					small, _ := chromedp.Run(phone, chromedp.Evaluate[int](`[...document.querySelectorAll(".choice, .rows .row")].filter(e => e.getBoundingClientRect().height < 44).length`))
					rows, _ := chromedp.Run(phone, chromedp.Evaluate[int](`document.querySelectorAll("label.choice input[type=radio]").length`))
					if small != 0 || rows != 4 {
						failures = append(failures, fmt.Sprintf("slots %s %dpx: %d rows under 44 px, %d slot rows", lang, width, small, rows))
					}
				}
				if width == 320 && (lang == "bo" || p.do != nil || p.name == "reserve-slot") {
					fullShot(phone, t, fmt.Sprintf("tourist-%s-%s-%d.png", p.name, lang, width))
				}
			}
		}
	}
	t.Logf("%d page × language × width checks", checked)
	for _, f := range failures {
		t.Error(f)
	}
}

// fullShot saves the whole page, not only the viewport.
func fullShot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(browsertest.Artifact(t, name), shot, 0o644)
	}
}

// An unpaid booking's code at a gate with no signal: never "valid", but
// "collect ¥45 first" with the ticket type and the proof to check; once
// the money is taken, one tap lets the visitor in, and the sync marks the
// booking paid and checked in.
func TestOfflineGateCollectsUnpaid(t *testing.T) {
	browsertest.Require(t)
	f := ticketApp(t, 0)
	base := serveApp(t, f.app)
	ctx := context.Background()
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "hailuogou", Date: tickets.Day(time.Now()), Phone: "13800000000",
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(95), Type: "student"}}})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := f.svc.Token(ctx, res.Reservation, 0)
	gate := browsertest.New(t, browsertest.Options{Width: 1024, Height: 900, Timeout: 120 * time.Second})
	err = chromedp.Do(gate, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "luding-gate"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a long test password"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		chromedp.Navigate(base+"/admin/gate?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#gate[data-ready="1"]`)),
		chromedp.SetValue(chromedp.CSS(`#site`), "hailuogou"))
	if err != nil {
		t.Fatalf("gate page: %v", err)
	}
	if err := browsertest.SetNetwork(gate, browsertest.Network{Offline: true}); err != nil {
		t.Fatal(err)
	}
	a, err := chromedp.Run(gate, chromedp.Evaluate[gateAnswer](gateScanJS+"("+jsString(token)+")", awaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	detail, _ := chromedp.Run(gate, chromedp.Text(chromedp.CSS(`#answer-detail`)))
	if a.OK || a.Reason != "collect" || !strings.Contains(a.Title, "Collect ¥45 first") || !strings.Contains(detail, "Check the student card") ||
		!strings.Contains(detail, "Student") {
		t.Fatalf("unpaid code offline: %+v %q", a, detail)
	}
	if shown, _ := chromedp.Run(gate, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("collect")).display !== "none"`)); !shown {
		t.Error("no payment button on an unpaid code")
	}
	browsertest.Screenshot(gate, t, "tickets-gate-offline-collect.png")
	err = chromedp.Do(gate, chromedp.Click(chromedp.CSS(`#collect`)), chromedp.WaitVisible(chromedp.CSS(`#answer[data-ok="1"]`)))
	if err != nil {
		t.Fatalf("payment taken: %v", err)
	}
	browsertest.Screenshot(gate, t, "tickets-gate-offline-collected.png")
	if shown, _ := chromedp.Run(gate, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("collect")).display !== "none"`)); shown {
		t.Error("the payment button stays after the visitor was let in")
	}
	queued, _ := chromedp.Run(gate, chromedp.Evaluate[string](`localStorage.getItem("gate.queue")`))
	if !strings.Contains(queued, `"collected_fen":4500`) {
		t.Fatalf("queue: %s", queued)
	}
	if got, _ := f.svc.Reservation(ctx, res.Ref); got.State != tickets.StateBooked {
		t.Fatalf("paid while offline? %s", got.State)
	}
	if err := browsertest.SetNetwork(gate, browsertest.Network{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(gate, chromedp.Evaluate[bool](`(async () => { await window.gateSync(); return true; })()`, awaitPromise)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(gate, chromedp.Poll[bool](`JSON.parse(localStorage.getItem("gate.queue") || "[]").length === 0`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("queue not synced: %v", err)
	}
	got, _ := f.svc.Reservation(ctx, res.Ref)
	if got.State != tickets.StatePaid || got.PaidFen != 4500 || got.PaidBy != "cashier:luding-gate:offline" {
		t.Fatalf("after sync: %+v", got)
	}
	if _, err := f.svc.CheckedIn(ctx, res.Visitors[0].TicketID); err != nil {
		t.Fatalf("not checked in: %v", err)
	}
}

// errorFocused waits (up to 5 s) for the page's form error to take the
// focus and returns the id of what has it. The error is visible before
// Chromium runs autofocus (that happens at a later rendering step), so
// reading document.activeElement right after it appears can find <body>.
func errorFocused(ctx context.Context) string {
	_, _ = chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.id === "form-error"`,
		chromedp.WithPollingTimeout(5*time.Second)))
	focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	return focused
}
