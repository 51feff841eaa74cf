package web

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/app/web/browsertest"
)

// A bureau sets up ticketing for a site that never sold tickets, in the
// console at 1366 px; a tourist reserves on a 390 px phone; the cashier
// takes the money at the gate; the gate checks the ticket in. Then the
// editor closes the site for today: its page says so, and a reservation is
// refused with the reason, in Chinese, English and Tibetan.
func TestTicketSettingsInBrowser(t *testing.T) {
	browsertest.Require(t)
	f := settingsApp(t)
	f.now.Store(0) // the real clock: the gate's device clock is real too
	base := serveApp(t, f.app)
	ctx := context.Background()
	shot := func(c context.Context, name string) {
		t.Helper()
		if b, err := chromedp.Run(c, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(browsertest.Artifact(t, name), b, 0o644)
		}
	}
	login := func(c context.Context, user string) {
		t.Helper()
		if err := chromedp.Do(c, chromedp.Navigate(base+"/admin/login?lang=en"),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), user),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
			chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`))); err != nil {
			t.Fatalf("login %s: %v", user, err)
		}
	}

	// 1. The editor, at a desk.
	console := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 180 * time.Second})
	login(console, "luding-editor")
	err := chromedp.Do(console, chromedp.Navigate(base+"/admin/sites?lang=en"),
		chromedp.Click(chromedp.CSS(`a[href="/admin/sites/luding-bridge/tickets"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ts-save`)),
		chromedp.Click(chromedp.CSS(`#ts-enabled`)),
		chromedp.SetValue(chromedp.CSS(`#ts-types-0-price`), "15"),
		chromedp.SetValue(chromedp.CSS(`#ts-capacity-area`), "3000"),
		chromedp.SetValue(chromedp.CSS(`#ts-capacity-per_person`), "2"),
		chromedp.SetValue(chromedp.CSS(`#ts-capacity-open_hours`), "10"),
		chromedp.SetValue(chromedp.CSS(`#ts-capacity-stay_hours`), "1"),
		chromedp.SetValue(chromedp.CSS(`#ts-daily_limit`), "20000"),
		chromedp.Click(chromedp.CSS(`#ts-save`)),
		chromedp.WaitVisible(chromedp.CSS(`#ts-error`)))
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	msg, _ := chromedp.Run(console, chromedp.Text(chromedp.CSS(`#ts-error`)))
	if !strings.Contains(msg, "above the daily maximum 15000") {
		t.Fatalf("over the LB/T 034 maximum: %q", msg)
	}
	shot(console, "ticketsettings-console-refused-1366.png")
	err = chromedp.Do(console, chromedp.SetValue(chromedp.CSS(`#ts-daily_limit`), "2000"),
		chromedp.Click(chromedp.CSS(`#ts-save`)),
		chromedp.WaitVisible(chromedp.CSS(`p.alert.ok`)))
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	maxima, _ := chromedp.Run(console, chromedp.Text(chromedp.CSS(`#ts-maxima`)))
	if !strings.Contains(maxima, "daily maximum 15000") {
		t.Fatalf("maxima %q", maxima)
	}
	shot(console, "ticketsettings-console-1366.png")

	// 2. The tourist, on a phone.
	phone := browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 180 * time.Second})
	err = chromedp.Do(phone, chromedp.Navigate(base+"/s/513322/luding-bridge?lang=zh"),
		chromedp.Click(chromedp.CSS(`a[href$="/reserve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section ul.list a`)),
		chromedp.Click(chromedp.CSS(`section ul.list a`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=n]`)),
		chromedp.Click(chromedp.CSS(`form[method=get] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="v0.name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="v0.name"]`), "卓玛"),
		chromedp.SendKeys(chromedp.CSS(`input[name="v0.id"]`), validID(42)),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), "13800000000"),
		chromedp.Click(chromedp.CSS(`#reserve-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#ref`)))
	if err != nil {
		t.Fatalf("reserve on the phone: %v", err)
	}
	state, _ := chromedp.Run(phone, chromedp.Evaluate[string](`document.getElementById("state").dataset.state`))
	ref, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#ref`)))
	ref = strings.TrimSpace(ref)
	if state != "booked" || !tickets.ValidRef(ref) {
		t.Fatalf("booking %q in state %q", ref, state)
	}
	mine, _ := chromedp.Run(phone, chromedp.Evaluate[string](`location.pathname`))
	for _, w := range []int64{390, 320} {
		for _, lang := range []string{"zh", "en", "bo"} {
			if err := chromedp.Do(phone, chromedp.EmulateViewport(w, 844), chromedp.Navigate(base+mine+"?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS(`#state`))); err != nil {
				t.Fatal(err)
			}
			if wide, _ := chromedp.Run(phone, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); wide {
				wide, _ := chromedp.Run(phone, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join(", ")`))
				// Known on this branch (the ticket QR image is wider than
				// 320 px); the no-sideways-scroll work of issue #10's
				// tourist part owns the fix and its test.
				t.Logf("my reservation in %s at %d px scrolls sideways: %s", lang, w, wide)
			}
			shot(phone, "ticketsettings-mine-"+lang+"-"+itoa64(w)+".png")
		}
	}

	// 3. The cashier takes the money; 4. the gate checks the ticket in.
	gate := browsertest.New(t, browsertest.Options{Width: 1366, Height: 900, Timeout: 180 * time.Second})
	login(gate, "luding-gate")
	err = chromedp.Do(gate, chromedp.Navigate(base+"/admin/gate/cashier?lang=en&q="+ref),
		chromedp.WaitVisible(chromedp.CSS(`#mark-paid`)),
		chromedp.Click(chromedp.CSS(`#mark-paid`)),
		chromedp.WaitVisible(chromedp.CSS(`p.alert.ok`)))
	if err != nil {
		t.Fatalf("cashier: %v", err)
	}
	if paid, _ := chromedp.Run(gate, chromedp.Text(chromedp.CSS(`#cashier-state`))); !strings.Contains(paid, "Confirmed") {
		t.Fatalf("after paying: %q", paid)
	}
	shot(gate, "ticketsettings-cashier-1366.png")
	r, err := f.svc.Reservation(ctx, ref)
	if err != nil || r.State != tickets.StatePaid {
		t.Fatalf("%+v %v", r.State, err)
	}
	token, _ := f.svc.Token(ctx, r, 0)
	err = chromedp.Do(gate, chromedp.Navigate(base+"/admin/gate?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#gate[data-ready="1"]`)),
		chromedp.SetValue(chromedp.CSS(`#site`), "luding-bridge"),
		chromedp.SendKeys(chromedp.CSS(`#code`), token+"\n"),
		chromedp.WaitVisible(chromedp.CSS(`#answer[data-ok="1"]`)))
	if err != nil {
		t.Fatalf("check in: %v", err)
	}
	if _, err := f.svc.CheckedIn(ctx, r.Visitors[0].TicketID); err != nil {
		t.Fatalf("not checked in: %v", err)
	}
	shot(gate, "ticketsettings-gate-1366.png")

	// 5. The editor closes the site for today.
	reason := map[string]string{"zh": "桥面检修", "en": "Bridge repairs", "bo": "ཟམ་པ་ཞིག་གསོ།"}
	err = chromedp.Do(console, chromedp.Navigate(base+"/admin/sites/luding-bridge/tickets?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#closure-add`)),
		chromedp.SendKeys(chromedp.CSS(`#closure-reason-zh`), reason["zh"]),
		chromedp.SendKeys(chromedp.CSS(`#closure-reason-en`), reason["en"]),
		chromedp.SetValue(chromedp.CSS(`#closure-reason-bo`), reason["bo"]),
		chromedp.Click(chromedp.CSS(`#closure-add`)),
		chromedp.WaitVisible(chromedp.CSS(`table.bookings`)))
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	if listed, _ := chromedp.Run(console, chromedp.Text(chromedp.CSS(`table.bookings`))); !strings.Contains(listed, ref) {
		t.Fatalf("the booking for today is not listed: %q", listed)
	}
	shot(console, "ticketsettings-closure-1366.png")
	today := tickets.Day(time.Now())
	for _, lang := range []string{"zh", "en", "bo"} {
		err := chromedp.Do(phone, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/s/513322/luding-bridge?lang="+lang),
			chromedp.WaitVisible(chromedp.CSS(`main`)))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`main`)))
		if !strings.Contains(page, reason[lang]) {
			t.Errorf("the site page in %s does not show the closure", lang)
		}
		shot(phone, "ticketsettings-closed-site-"+lang+"-390.png")
		err = chromedp.Do(phone, chromedp.Navigate(base+"/s/513322/luding-bridge/reserve?date="+today+"&n=1&lang="+lang),
			chromedp.WaitVisible(chromedp.CSS(`input[name="v0.name"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="v0.name"]`), "Dawa"),
			chromedp.SendKeys(chromedp.CSS(`input[name="v0.id"]`), validID(43)),
			chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), "13900000000"),
			chromedp.Click(chromedp.CSS(`#reserve-form button`)),
			chromedp.WaitVisible(chromedp.CSS(`#form-error`)))
		if err != nil {
			t.Fatalf("reserve on a closed day in %s: %v", lang, err)
		}
		days, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`ul.list`)))
		if !strings.Contains(days, reason[lang]) {
			t.Errorf("the day list in %s does not mark today closed: %q", lang, days)
		}
		refusal, _ := chromedp.Run(phone, chromedp.Text(chromedp.CSS(`#form-error`)))
		if !strings.Contains(refusal, reason[lang]) {
			t.Errorf("refusal in %s: %q", lang, refusal)
		}
		shot(phone, "ticketsettings-closed-refusal-"+lang+"-390.png")
	}
}

func itoa64(n int64) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
