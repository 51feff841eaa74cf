package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
	"github.com/yimayou/yimayou/public"
)

type ticketFixture struct {
	app   *fiber.App
	store *store.Store
	svc   *tickets.Service
	rec   *memRecorder
	now   *atomic.Int64 // Unix nanoseconds; 0 means the real clock
}

func (f *ticketFixture) clock() time.Time {
	if n := f.now.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Now()
}

// ticketApp serves the seeded sites with ticketing: hailuogou (Luding,
// pay at the gate), yading (Kangding here, online payment with slots) and
// luding-bridge (free). Users: admin, a Luding gate and a Kangding gate.
func ticketApp(t testing.TB, limit int) *ticketFixture {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	ctx := context.Background()
	createUsers(t, s, []testUser{{"admin", domain.RoleAdmin, nil}, {"luding-gate", domain.RoleGate, []string{"513322"}},
		{"kangding-gate", domain.RoleGate, []string{"513301"}}, {"luding-editor", domain.RoleEditor, []string{"513322"}}}...)
	demo := tickets.DemoSites()
	yading, hailuogou := demo[0], demo[1]
	yading.County = "513301"
	free := tickets.SiteConfig{Site: "luding-bridge", County: "513322", Enabled: true, Payment: tickets.PayFree,
		Types:      []tickets.TicketType{{Code: "adult", Name: domain.Text{domain.Zh: "成人", domain.En: "Adult"}}},
		DailyLimit: 100, WalkInPercent: 10, BookDays: 3, ValidDays: 1, MaxVisitors: 5, CancelAt: "23:59",
		Capacity: domain.CarryingCapacity{AreaM2: 1e6, PerPersonM2: 1, OpenHours: 10, StayHours: 1}}.WithDefaults()
	for _, c := range []tickets.SiteConfig{yading, hailuogou, free} {
		if err := s.PutTicketSite(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat, err := catalog.New(ctx, s, log)
	if err != nil {
		t.Fatal(err)
	}
	f := &ticketFixture{store: s, rec: &memRecorder{}, now: &atomic.Int64{}}
	f.svc = tickets.New(s, f.rec, tickets.Options{Log: log, Now: f.clock})
	f.app, err = New(Deps{Catalog: cat, I18n: i18n.MustLoad(), Recorder: f.rec, QR: qr.NewRenderer(1 << 20), DB: s, Log: log,
		PublicURL: "http://localhost", Public: public.FS, Accounts: s, CheckPassword: auth.CheckPassword, KV: s.KV("web"),
		FormSecret: []byte("0123456789abcdef0123456789abcdef"), Feedback: s, Alerts: s,
		Tickets: TicketDeps{Service: f.svc, ReserveLimit: limit}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// send makes a request with a raw body and headers through the browser's
// cookies.
func (b *browser) send(method, path, body string, headers ...string) resp {
	b.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if req.Header.Get("Accept-Language") == "" {
		req.Header.Set("Accept-Language", "en")
	}
	b.mu.Lock()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	b.mu.Unlock()
	res, err := b.app.Test(req, -1)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b.mu.Lock()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	b.mu.Unlock()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: string(raw)}
}

func validID(n int) string {
	s := fmt.Sprintf("51332219900101%03d", n)
	return s + string(tickets.GBCheckChar(s))
}

func reserveValues(date string, ids ...string) url.Values {
	v := url.Values{"date": {date}, "n": {fmt.Sprint(len(ids))}, "phone": {"13800000000"}}
	for i, id := range ids {
		p := fmt.Sprintf("v%d.", i)
		v.Set(p+"name", "卓玛")
		v.Set(p+"id_type", "cn")
		v.Set(p+"id", id)
		v.Set(p+"type", "adult")
	}
	return v
}

var myLinkRe = regexp.MustCompile(`^/r/([0-9A-Z]{10})/([A-Za-z0-9_-]{32})$`)

func TestTouristReservationFlow(t *testing.T) {
	f := ticketApp(t, 0)
	b := newBrowser(t, f.app)
	// Tomorrow: hailuogou lets a booking be cancelled until 17:00 China time
	// on its day, so a booking for today could not be cancelled after five
	// in the afternoon and the test failed every evening.
	today := tickets.Day(time.Now().AddDate(0, 0, 1))
	base := "/s/513322/hailuogou/reserve"

	r := b.do("GET", base, nil)
	if r.status != 200 || !strings.Contains(r.body, "Reserve tickets") || !strings.Contains(r.body, base+"?date="+today) {
		t.Fatalf("day list: %d %.2000s", r.status, r.body)
	}
	if !strings.Contains(r.body, "8370 left") { // 9300 less 10% for walk-ins
		t.Errorf("places left not shown: %.3000s", r.body)
	}
	r = b.do("GET", base+"?date="+today, nil)
	if r.status != 200 || !strings.Contains(r.body, `name="n"`) || strings.Contains(r.body, `method="post"`) {
		t.Fatalf("step 2: %d", r.status)
	}
	r = b.do("GET", base+"?date="+today+"&n=2", nil)
	if r.status != 200 || !strings.Contains(r.body, `name="v1.id"`) || strings.Contains(r.body, `name="v2.id"`) {
		t.Fatalf("step 3: %d %.3000s", r.status, r.body)
	}
	// A wrong check digit comes back on the same form, next to the field,
	// with what was typed kept.
	bad := reserveValues(today, validID(1), "513322199001010021")
	r = b.do("POST", base, bad)
	if r.status != 400 || !strings.Contains(r.body, "check digit") || !strings.Contains(r.body, `aria-invalid="true"`) ||
		!strings.Contains(r.body, validID(1)) {
		t.Fatalf("bad ID: %d %.4000s", r.status, r.body)
	}
	r = b.do("POST", base, reserveValues(today, validID(1), validID(2)))
	m := myLinkRe.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("reserve: %d %q %.2000s", r.status, r.header.Get("Location"), r.body)
	}
	link := m[0]
	// The same ID again that day is refused with a reason.
	r = b.do("POST", base, reserveValues(today, validID(2)))
	if r.status != http.StatusConflict || !strings.Contains(r.body, "already has a reservation") {
		t.Fatalf("same ID twice: %d", r.status)
	}
	r = b.do("GET", link, nil)
	if r.status != 200 || !strings.Contains(r.body, m[1]) || strings.Count(r.body, `class="qr"`) != 2 ||
		!strings.Contains(r.body, "Pay ¥180 at the ticket office") || r.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("my reservation: %d %.4000s", r.status, r.body)
	}
	if strings.Contains(r.body, validID(1)) {
		t.Fatal("the page shows a whole ID number")
	}
	img := b.do("GET", link+"/t/1.png", nil)
	if img.status != 200 || img.header.Get("Content-Type") != "image/png" {
		t.Fatalf("ticket image: %d", img.status)
	}
	if _, err := png.Decode(strings.NewReader(img.body)); err != nil {
		t.Fatal(err)
	}
	if d := b.do("GET", link+"/t/2.png?download=1", nil); !strings.HasPrefix(d.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %q", d.header.Get("Content-Disposition"))
	}
	for _, p := range []string{link + "/t/3.png", link + "/t/0.png", link + "/t/01.png", link + "/t/x", "/r/" + m[1] + "/wrongsecretwrongsecretwrongsecre", "/r/nope/x"} {
		if r := b.do("GET", p, nil); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	// Other languages keep the private link in the switcher.
	if r := b.do("GET", link+"?lang=bo", nil); r.status != 200 || !strings.Contains(r.body, link+"?lang=zh") || !strings.Contains(r.body, "ངའི་སྔོན་ཐོ།") {
		t.Fatalf("Tibetan page: %d", r.status)
	}
	r = b.do("POST", link+"/cancel", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d %.2000s", r.status, r.body)
	}
	r = b.do("GET", link, nil)
	if !strings.Contains(r.body, `data-state="cancelled"`) || strings.Contains(r.body, `class="qr"`) {
		t.Fatalf("after cancel: %.3000s", r.body)
	}
	if r := b.do("POST", link+"/cancel", url.Values{}); r.status != http.StatusConflict {
		t.Fatalf("second cancel: %d", r.status)
	}
	// The IDs are free again.
	if r := b.do("POST", base, reserveValues(today, validID(2))); r.status != http.StatusSeeOther {
		t.Fatalf("re-book after cancel: %d", r.status)
	}
	if n := countEvents(f.rec, domain.EventTicketReserved); n != 2 {
		t.Fatalf("reserved events: %d", n)
	}
	// Unknown sites and sites without ticketing are 404 pages.
	for _, p := range []string{"/s/513322/nope/reserve", "/s/513301/hailuogou/reserve", "/s/513322/draft-site/reserve"} {
		if r := b.do("GET", p, nil); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
}

func countEvents(m *memRecorder, typ domain.EventType) int {
	n := 0
	for _, e := range m.all() {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestReservationRateLimit(t *testing.T) {
	f := ticketApp(t, 5)
	b := newBrowser(t, f.app)
	today := tickets.Day(time.Now())
	var last int
	for i := 0; i < 6; i++ {
		last = b.do("POST", "/s/513322/hailuogou/reserve", reserveValues(today, "x")).status
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with a limit of 5: %d", last)
	}
}

func TestTicketKeysAndWebhook(t *testing.T) {
	f := ticketApp(t, 0)
	b := newBrowser(t, f.app)
	r := b.send("GET", "/api/tickets/keys", "")
	var keys struct {
		Keys []tickets.PublicKey `json:"keys"`
	}
	if r.status != 200 || json.Unmarshal([]byte(r.body), &keys) != nil || len(keys.Keys) != 1 || keys.Keys[0].Alg != "Ed25519" || !keys.Keys[0].Signing {
		t.Fatalf("keys: %d %s", r.status, r.body)
	}
	ctx := context.Background()
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "yading", Date: tickets.Day(time.Now().Add(24 * time.Hour)), Slot: "0700",
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "passport", IDNumber: "E12345678", Type: "adult"}}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := f.svc.WebhookSecret(ctx)
	hook := func(body, sig string) resp {
		return b.send("POST", "/api/tickets/payments/alipay", body, "Content-Type", "application/json", "Yimayou-Signature", sig)
	}
	body := fmt.Sprintf(`{"reservation":%q,"transaction_id":"2026120122001","amount_fen":14600,"status":"paid"}`, res.Ref)
	now := time.Now()
	problemOf := func(r resp) problem {
		var p problem
		if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || json.Unmarshal([]byte(r.body), &p) != nil {
			t.Fatalf("not problem+json: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		return p
	}
	// Bad signatures: none, another key, another body, too old.
	for name, sig := range map[string]string{
		"none":       "",
		"other key":  tickets.SignWebhook([]byte("not the secret at all, not at all"), []byte(body), now),
		"other body": tickets.SignWebhook(secret, []byte(body+" "), now),
		"too old":    tickets.SignWebhook(secret, []byte(body), now.Add(-10*time.Minute)),
		"gibberish":  "t=1,v1=00",
	} {
		r := hook(body, sig)
		if p := problemOf(r); r.status != 401 || p.Detail == "" {
			t.Errorf("%s: %d %+v", name, r.status, p)
		}
	}
	if p := problemOf(hook("{not json", tickets.SignWebhook(secret, []byte("{not json"), now))); p.Status != 400 {
		t.Errorf("signed junk: %+v", p)
	}
	wrong := strings.Replace(body, "14600", "100", 1)
	if r := hook(wrong, tickets.SignWebhook(secret, []byte(wrong), now)); r.status != 422 || !strings.Contains(problemOf(r).Detail, "amount") {
		t.Errorf("wrong amount: %d %s", r.status, r.body)
	}
	sig := tickets.SignWebhook(secret, []byte(body), now)
	for i := 0; i < 3; i++ { // the provider retries; a captured request is replayed
		r := hook(body, sig)
		if r.status != 200 || !strings.Contains(r.body, `"outcome":"paid"`) {
			t.Fatalf("webhook %d: %d %s", i, r.status, r.body)
		}
	}
	if n := countEvents(f.rec, domain.EventTicketPaid); n != 1 {
		t.Fatalf("%d paid events", n)
	}
	got, _ := f.svc.Reservation(ctx, res.Ref)
	if got.State != tickets.StatePaid || got.PaidBy != "webhook:alipay" {
		t.Fatalf("reservation %+v", got)
	}
	// A second transaction for a paid reservation changes nothing.
	other := strings.Replace(body, "2026120122001", "2026120122002", 1)
	if r := hook(other, tickets.SignWebhook(secret, []byte(other), now)); r.status != 200 || !strings.Contains(r.body, "already_paid") {
		t.Fatalf("second transaction: %d %s", r.status, r.body)
	}
}

func gateLogin(t *testing.T, f *ticketFixture, user string) (*browser, string) {
	b := newBrowser(t, f.app)
	if r := b.login(user, "a long test password"); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d", user, r.status)
	}
	page := b.do("GET", "/admin/gate", nil)
	m := regexp.MustCompile(`data-csrf="([^"]+)"`).FindStringSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("gate page: %d %.2000s", page.status, page.body)
	}
	return b, m[1]
}

func TestGateCheckInAPI(t *testing.T) {
	f := ticketApp(t, 0)
	ctx := context.Background()
	today := tickets.Day(time.Now())
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "luding-bridge", Date: today,
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(7), Type: "adult"}}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := f.svc.Token(ctx, res.Reservation, 0)

	b, csrf := gateLogin(t, f, "luding-gate")
	page := b.do("GET", "/admin/gate", nil)
	if !strings.Contains(page.body, `value="luding-bridge"`) || !strings.Contains(page.body, `value="hailuogou"`) || strings.Contains(page.body, `value="yading"`) {
		t.Fatalf("gate sites: %.3000s", page.body)
	}
	check := func(site, token, scan string, headers ...string) (resp, gateVerdict) {
		body, _ := json.Marshal(gateScan{Token: token, Site: site, ScanID: scan, At: time.Now().UnixMilli(), Device: "test"})
		h := append([]string{"Content-Type", "application/json", "Accept", "application/json", "X-CSRF-Token", csrf}, headers...)
		r := b.send("POST", "/admin/gate/check", string(body), h...)
		var v gateVerdict
		_ = json.Unmarshal([]byte(r.body), &v)
		return r, v
	}
	if r, v := check("luding-bridge", tok, "scan-000001"); r.status != 200 || !v.OK || v.Name != "Dawa" || v.Ticket != res.Visitors[0].TicketID {
		t.Fatalf("first scan: %d %s", r.status, r.body)
	}
	if r, v := check("luding-bridge", tok, "scan-000002"); r.status != 200 || v.OK || v.Reason != "already_used" || v.Message != "Already used" || v.FirstAt == "" {
		t.Fatalf("second scan: %d %s", r.status, r.body)
	}
	if _, v := check("hailuogou", tok, "scan-000003"); v.Reason != "wrong_site" {
		t.Fatalf("wrong site: %+v", v)
	}
	if _, v := check("luding-bridge", "Y1.garbage", "scan-000004"); v.Reason != "bad_code" {
		t.Fatalf("garbage: %+v", v)
	}
	// Another county's site is forbidden, as problem+json.
	if r, _ := check("yading", tok, "scan-000005"); r.status != 403 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("another county: %d %s", r.status, r.body)
	}
	// Bad input is a 400 problem, never a 500.
	for _, body := range []string{"", "{", `{"token":1}`, `[]`, strings.Repeat("x", 5000), `{"site":"luding-bridge","scan_id":"short"}`, `{"site":"nope","scan_id":"scan-000009"}`} {
		r := b.send("POST", "/admin/gate/check", body, "Content-Type", "application/json", "Accept", "application/json", "X-CSRF-Token", csrf)
		if r.status != 400 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("body %.20q: %d %s", body, r.status, r.body)
		}
	}
	// Without the CSRF token: refused.
	if r := b.send("POST", "/admin/gate/check", `{}`, "Content-Type", "application/json", "Accept", "application/json"); r.status != 403 {
		t.Fatalf("no CSRF: %d", r.status)
	}
	// The sync is idempotent: the same batch twice records one double use.
	batch, _ := json.Marshal(gateSyncBody{Device: "g2", Items: []gateScan{
		{Token: tok, Site: "luding-bridge", ScanID: "offline-0001", At: time.Now().UnixMilli()},
		{Token: "junk", Site: "luding-bridge", ScanID: "offline-0002"},
		{Token: tok, Site: "yading", ScanID: "offline-0003"},
	}})
	for i := 0; i < 2; i++ {
		r := b.send("POST", "/admin/gate/sync", string(batch), "Content-Type", "application/json", "Accept", "application/json", "X-CSRF-Token", csrf)
		var out struct{ Results []gateVerdict }
		if r.status != 200 || json.Unmarshal([]byte(r.body), &out) != nil || len(out.Results) != 3 ||
			out.Results[0].Reason != "already_used" || out.Results[1].Reason != "bad_code" || out.Results[2].Reason != "forbidden" {
			t.Fatalf("sync %d: %d %s", i, r.status, r.body)
		}
	}
	if n := countEvents(f.rec, domain.EventTicketDoubleUse); n != 2 { // scan-000002 and offline-0001
		t.Fatalf("double-use events: %d", n)
	}
	if page := b.do("GET", "/admin/gate", nil); !strings.Contains(page.body, `id="double-uses"`) || !strings.Contains(page.body, res.Visitors[0].TicketID) {
		t.Fatalf("double uses not listed: %.3000s", page.body)
	}
	// Anonymous and non-gate users.
	anon := newBrowser(t, f.app)
	if r := anon.send("POST", "/admin/gate/check", `{}`, "Accept", "application/json"); r.status != 401 && r.status != 403 {
		t.Fatalf("anonymous: %d", r.status)
	}
	if r := anon.do("GET", "/admin/gate", nil); r.status != http.StatusSeeOther {
		t.Fatalf("anonymous gate page: %d", r.status)
	}
	ed := newBrowser(t, f.app)
	ed.login("luding-editor", "a long test password")
	if r := ed.do("GET", "/admin/gate", nil); r.status != 403 {
		t.Fatalf("editor on the gate page: %d", r.status)
	}
	// The service worker and manifest are served for the gate's scope.
	if r := b.do("GET", "/admin/gate/sw.js", nil); r.status != 200 || r.header.Get("Service-Worker-Allowed") != "/admin/gate" || strings.Contains(r.body, "__ASSETS__") {
		t.Fatalf("sw: %d %v", r.status, r.header)
	}
	if r := b.do("GET", "/admin/gate/manifest.webmanifest", nil); r.status != 200 || !strings.Contains(r.body, `"start_url":"/admin/gate"`) {
		t.Fatalf("manifest: %d %s", r.status, r.body)
	}
}

func TestCashierMarksPaid(t *testing.T) {
	f := ticketApp(t, 0)
	ctx := context.Background()
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "hailuogou", Date: tickets.Day(time.Now()),
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(9), Type: "adult"}}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := f.svc.Token(ctx, res.Reservation, 0)
	b, _ := gateLogin(t, f, "luding-gate")
	r := b.do("GET", "/admin/gate/cashier?q="+url.QueryEscape(tok), nil)
	if r.status != 200 || !strings.Contains(r.body, `id="mark-paid"`) || !strings.Contains(r.body, "Mark paid: ¥90") {
		t.Fatalf("cashier by ticket code: %d %.3000s", r.status, r.body)
	}
	token := csrfRe.FindStringSubmatch(r.body)[1]
	if r := b.do("POST", "/admin/gate/cashier/"+res.Ref+"/paid", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
		t.Fatalf("mark paid: %d %.2000s", r.status, r.body)
	}
	if r := b.do("POST", "/admin/gate/cashier/"+res.Ref+"/paid", url.Values{"_csrf": {token}}); r.status != http.StatusConflict {
		t.Fatalf("mark paid twice: %d", r.status)
	}
	got, _ := f.svc.Reservation(ctx, res.Ref)
	if got.State != tickets.StatePaid || got.PaidBy != "cashier:luding-gate" {
		t.Fatalf("%+v", got)
	}
	// A gate of another county cannot see it, even with the reference.
	other, _ := gateLogin(t, f, "kangding-gate")
	if r := other.do("GET", "/admin/gate/cashier?q="+res.Ref, nil); r.status != 403 {
		t.Fatalf("other county: %d", r.status)
	}
}

// Junk at every ticket route is a 4xx, never a 500.
func TestTicketRoutesNeverFail(t *testing.T) {
	f := ticketApp(t, 1000)
	b, csrf := gateLogin(t, f, "admin")
	junk := []string{"", "%00", "%ff%fe", strings.Repeat("A", 300), "../../etc", "<script>", "2026-02-30", "０"}
	for _, j := range junk {
		q := url.QueryEscape(j)
		for _, p := range []string{"/s/513322/hailuogou/reserve?date=" + q + "&slot=" + q + "&n=" + q,
			"/r/" + q + "/" + q, "/r/" + q + "/" + q + "/t/" + q, "/admin/gate/cashier?q=" + q, "/s/513301/yading/reserve?date=" + q} {
			if r := b.do("GET", p, nil); r.status >= 500 {
				t.Errorf("GET %s: %d", p, r.status)
			}
		}
		form := url.Values{"date": {j}, "slot": {j}, "n": {j}, "phone": {j}, "v0.name": {j}, "v0.id": {j}, "v0.id_type": {j}, "v0.type": {j}}
		if r := b.do("POST", "/s/513301/yading/reserve", form); r.status >= 500 {
			t.Errorf("POST reserve %q: %d", j, r.status)
		}
		if r := b.send("POST", "/api/tickets/payments/"+q, j, "Yimayou-Signature", j); r.status >= 500 {
			t.Errorf("webhook %q: %d", j, r.status)
		}
		body, _ := json.Marshal(map[string]any{"token": j, "site": j, "scan_id": j, "at": -1})
		if r := b.send("POST", "/admin/gate/check", string(body), "Accept", "application/json", "X-CSRF-Token", csrf); r.status >= 500 {
			t.Errorf("check %q: %d", j, r.status)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"items":[`)
	for i := 0; i < maxSyncItems+1; i++ {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString(`{}`)
	}
	buf.WriteString(`]}`)
	if r := b.send("POST", "/admin/gate/sync", buf.String(), "Accept", "application/json", "X-CSRF-Token", csrf); r.status != 400 {
		t.Errorf("oversized sync: %d", r.status)
	}
}
