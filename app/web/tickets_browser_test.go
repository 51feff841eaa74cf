package web

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/app/web/browsertest"
)

func awaitPromise(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }

// gateScanJS submits a code as a scanner would (the field, then Enter) and
// resolves when the answer changes, with the time it took in ms.
const gateScanJS = `(async (code) => {
  const a = document.getElementById("answer"), title = document.getElementById("answer-title");
  const before = title.textContent + "|" + (a.getAttribute("data-n") || "");
  a.setAttribute("data-n", String(Number(a.getAttribute("data-n") || 0) + 1));
  const t0 = performance.now();
  document.getElementById("code").value = code;
  document.getElementById("scan-form").requestSubmit();
  for (;;) {
    await new Promise(r => setTimeout(r, 5));
    const t = title.textContent;
    if (t && !t.startsWith("Checking") && t + "|" + a.getAttribute("data-n") !== before && a.getAttribute("data-reason") !== null && (performance.now() - t0) > 0 && window.__lastTitle !== t + a.getAttribute("data-n")) {
      window.__lastTitle = t + a.getAttribute("data-n");
      return {ok: a.getAttribute("data-ok") === "1", reason: a.getAttribute("data-reason"), title: t, ms: performance.now() - t0};
    }
  }
})`

type gateAnswer struct {
	OK     bool    `json:"ok"`
	Reason string  `json:"reason"`
	Title  string  `json:"title"`
	MS     float64 `json:"ms"`
}

// A tourist reserves on a phone, without JavaScript; the gate checks the
// ticket in from the QR code on the tourist's page (decoded by the gate's
// vendored decoder), and the second scan shows "already used". Then the
// gate loses its signal: a ticket is checked offline against the
// signature alone, a second scan is refused from the local list, and the
// check-in reaches the server when the signal is back.
func TestTicketsInBrowser(t *testing.T) {
	browsertest.Require(t)
	f := ticketApp(t, 0)
	base := serveApp(t, f.app)

	// The tourist, on a phone.
	phone := browsertest.New(t, browsertest.Options{Timeout: 90 * time.Second})
	err := chromedp.Do(phone, chromedp.Navigate(base+"/s/513322/luding-bridge/reserve?lang=en"),
		chromedp.Click(chromedp.CSS(`#step-day ~ ul a, section ul.list a`)),
		chromedp.WaitVisible(chromedp.CSS(`select[name=n]`)),
		chromedp.Click(chromedp.CSS(`form[method=get] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="v0.name"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="v0.name"]`), "Tenzin Dolma"),
		chromedp.SendKeys(chromedp.CSS(`input[name="v0.id"]`), validID(42)),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), "13800000000"),
		chromedp.Click(chromedp.CSS(`#reserve-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#ref`)),
		chromedp.WaitVisible(chromedp.CSS(`img.qr`)))
	if err != nil {
		t.Fatalf("reserve on the phone: %v", err)
	}
	ticketURL, err := chromedp.Run(phone, chromedp.Evaluate[string](`document.querySelector("img.qr").src`))
	if err != nil {
		t.Fatal(err)
	}
	state, _ := chromedp.Run(phone, chromedp.Evaluate[string](`document.getElementById("state").dataset.state`))
	if state != "paid" { // a free site: good at once
		t.Fatalf("state %q", state)
	}
	if shot, err := chromedp.Run(phone, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(browsertest.Artifact(t, "tickets-my-reservation-en.png"), shot, 0o644)
	}

	// The gate, logged in.
	gate := browsertest.New(t, browsertest.Options{Width: 1024, Height: 900, Timeout: 120 * time.Second})
	err = chromedp.Do(gate, chromedp.Navigate(base+"/admin/login?lang=en"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "luding-gate"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a long test password"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/admin/logout"]`)),
		chromedp.Navigate(base+"/admin/gate?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#gate[data-ready="1"]`)),
		chromedp.SetValue(chromedp.CSS(`#site`), "luding-bridge"))
	if err != nil {
		t.Fatalf("gate page: %v", err)
	}
	// The code in the tourist's QR image, read by the gate's own decoder.
	token, err := chromedp.Run(gate, chromedp.Evaluate[string](`(async (src) => {
	  await new Promise((ok, bad) => { const s = document.createElement("script"); s.src = document.getElementById("gate").dataset.jsqr; s.onload = ok; s.onerror = bad; document.head.appendChild(s); });
	  const bmp = await createImageBitmap(await (await fetch(src)).blob());
	  const c = document.createElement("canvas"); c.width = bmp.width; c.height = bmp.height;
	  const g = c.getContext("2d"); g.drawImage(bmp, 0, 0);
	  const img = g.getImageData(0, 0, c.width, c.height);
	  const code = jsQR(img.data, img.width, img.height);
	  return code ? code.data : "";
	})(`+jsString(ticketURL)+`)`, awaitPromise))
	if err != nil || !strings.HasPrefix(token, "Y1.") {
		t.Fatalf("decode the ticket QR: %q %v", token, err)
	}
	scan := func(code string) gateAnswer {
		t.Helper()
		a, err := chromedp.Run(gate, chromedp.Evaluate[gateAnswer](gateScanJS+"("+jsString(code)+")", awaitPromise))
		if err != nil {
			t.Fatalf("scan: %v", err)
		}
		return a
	}
	// The first code goes in as a scanner types it: keystrokes and Enter.
	if err := chromedp.Do(gate, chromedp.SendKeys(chromedp.CSS(`#code`), token+"\n"),
		chromedp.WaitVisible(chromedp.CSS(`#answer[data-ok="1"]`))); err != nil {
		t.Fatalf("first scan: %v", err)
	}
	title, _ := chromedp.Run(gate, chromedp.Text(chromedp.CSS(`#answer-title`)))
	if !strings.Contains(title, "Valid") {
		t.Fatalf("first scan shows %q", title)
	}
	if shot, err := chromedp.Run(gate, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(browsertest.Artifact(t, "tickets-gate-valid.png"), shot, 0o644)
	}
	again := scan(token)
	if again.OK || again.Reason != "already_used" || !strings.Contains(again.Title, "Already used") || again.MS > 1000 {
		t.Fatalf("second scan: %+v", again)
	}
	t.Logf("second scan answered online in %.0f ms", again.MS)
	if shot, err := chromedp.Run(gate, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(browsertest.Artifact(t, "tickets-gate-already-used.png"), shot, 0o644)
	}
	if n := countEvents(f.rec, domain.EventTicketCheckedIn); n != 1 {
		t.Fatalf("%d check-in events", n)
	}

	// Offline: a second visitor's ticket.
	ctx := context.Background()
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "luding-bridge", Date: tickets.Day(time.Now()),
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "passport", IDNumber: "E87654321", Type: "adult"}}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	offlineToken, _ := f.svc.Token(ctx, res.Reservation, 0)
	setOffline := func(off bool) {
		t.Helper()
		err := chromedp.Do(gate, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			var rules []*network.Conditions
			if off {
				rules = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
			}
			if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: rules, EmulateOfflineServiceWorker: new(off)}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off,
				DownloadThroughput: -1, UploadThroughput: -1})
			return err
		}))
		if err != nil {
			t.Fatalf("network emulation: %v", err)
		}
	}
	setOffline(true)
	if online, _ := chromedp.Run(gate, chromedp.Evaluate[bool](`navigator.onLine`)); online {
		t.Fatal("the gate still thinks it is online")
	}
	first := scan(offlineToken)
	if !first.OK || !strings.Contains(first.Title, "offline") {
		t.Fatalf("offline scan: %+v", first)
	}
	verifyMS, _ := chromedp.Run(gate, chromedp.Evaluate[float64](`window.gateLastVerifyMs`))
	t.Logf("offline answer in %.1f ms (signature check %.2f ms)", first.MS, verifyMS)
	if first.MS > 1000 || verifyMS > 50 {
		t.Errorf("offline check too slow: %.1f ms, verify %.2f ms", first.MS, verifyMS)
	}
	if second := scan(offlineToken); second.OK || second.Reason != "already_used" {
		t.Fatalf("second offline scan: %+v", second)
	}
	if forged := scan(forgeCode(offlineToken)); forged.OK || forged.Reason != "bad_code" {
		t.Fatalf("forged code offline: %+v", forged)
	}
	if q, _ := chromedp.Run(gate, chromedp.Evaluate[int](`JSON.parse(localStorage.getItem("gate.queue")).length`)); q != 1 {
		t.Fatalf("queued: %d", q)
	}
	if _, err := f.svc.CheckedIn(ctx, res.Visitors[0].TicketID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("the server knows of an offline check-in already: %v", err)
	}
	if shot, err := chromedp.Run(gate, chromedp.CaptureScreenshot()); err == nil {
		_ = os.WriteFile(browsertest.Artifact(t, "tickets-gate-offline.png"), shot, 0o644)
	}
	// The signal returns: the queue syncs by itself.
	setOffline(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := f.svc.CheckedIn(ctx, res.Visitors[0].TicketID); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the offline check-in did not sync")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := chromedp.Run(gate, chromedp.Poll[bool](`JSON.parse(localStorage.getItem("gate.queue") || "[]").length === 0`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("queue not emptied: %v", err)
	}
	// Synced again (a flaky link repeats a batch): nothing new.
	if _, err := chromedp.Run(gate, chromedp.Evaluate[chromedp.Void](`window.gateSync()`, awaitPromise)); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(f.rec, domain.EventTicketCheckedIn); n != 2 {
		t.Fatalf("%d check-in events after sync", n)
	}
	// The vendored tweetnacl verifies codes too, for browsers without
	// Ed25519 in WebCrypto.
	ok, err := chromedp.Run(gate, chromedp.Evaluate[bool](`(async (tok) => {
	  await new Promise((ok, bad) => { const s = document.createElement("script"); s.src = document.getElementById("gate").dataset.nacl; s.onload = ok; s.onerror = bad; document.head.appendChild(s); });
	  const keys = JSON.parse(localStorage.getItem("gate.keys"));
	  const b = s => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4)), c => c.charCodeAt(0));
	  const cut = tok.lastIndexOf("."), kid = tok.split(".")[1];
	  const key = keys.find(k => k.kid === kid);
	  return nacl.sign.detached.verify(new TextEncoder().encode(tok.slice(0, cut)), b(tok.slice(cut + 1)), b(key.key));
	})(`+jsString(offlineToken)+`)`, awaitPromise))
	if err != nil || !ok {
		t.Fatalf("tweetnacl verification: %v %v", ok, err)
	}
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// forgeCode changes one character in the middle of a code's signature to a
// different one, so the result can never be the real code (a fixed tail such
// as "AAAA" sometimes is).
func forgeCode(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 20
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
