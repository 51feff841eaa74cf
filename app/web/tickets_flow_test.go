package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

var formTokenRe = regexp.MustCompile(`name="form" value="([A-Za-z0-9_-]{22,64})"`)

// formToken opens the visitors' step of the reservation page and returns
// its form token.
func formToken(t *testing.T, b *browser, path string) string {
	t.Helper()
	r := b.do("GET", path, nil)
	m := formTokenRe.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("no form token on %s: %d %.2000s", path, r.status, r.body)
	}
	return m[1]
}

// A double tap, a retry after a timeout, ten taps at once: one booking,
// and every answer leads to it.
func TestReserveFormSentTwice(t *testing.T) {
	f := ticketApp(t, 0)
	b := newBrowser(t, f.app)
	today := tickets.Day(time.Now())
	base := "/s/513322/hailuogou/reserve"
	tok := formToken(t, b, base+"?date="+today+"&n=1")
	if again := formToken(t, b, base+"?date="+today+"&n=1"); again == tok {
		t.Fatal("two renders of the form share a token")
	}
	form := reserveValues(today, validID(41))
	form.Set("form", tok)
	first := b.do("POST", base, form)
	second := b.do("POST", base, form)
	m1, m2 := myLinkRe.FindStringSubmatch(first.header.Get("Location")), myLinkRe.FindStringSubmatch(second.header.Get("Location"))
	if first.status != http.StatusSeeOther || second.status != http.StatusSeeOther || m1 == nil || m2 == nil || m1[1] != m2[1] {
		t.Fatalf("sent twice: %d %q, %d %q %.1000s", first.status, first.header.Get("Location"), second.status, second.header.Get("Location"), second.body)
	}
	for _, link := range []string{m1[0], m2[0]} {
		if r := b.do("GET", link, nil); r.status != 200 || !strings.Contains(r.body, m1[1]) {
			t.Fatalf("%s: %d", link, r.status)
		}
	}
	// Sent again with another visitor (back button, changed form): the
	// page says which booking the form made, and offers a fresh form.
	changed := reserveValues(today, validID(42))
	changed.Set("form", tok)
	r := b.do("POST", base, changed)
	if r.status != http.StatusConflict || !strings.Contains(r.body, `id="used-booking"`) || !strings.Contains(r.body, m1[1]) ||
		!strings.Contains(r.body, `autofocus`) || formTokenRe.FindStringSubmatch(r.body)[1] == tok {
		t.Fatalf("changed form: %d %.3000s", r.status, r.body)
	}

	// A mangled token: the form comes back, with a fresh token and the
	// reason at the top.
	mangled := reserveValues(today, validID(45))
	mangled.Set("form", "not a token")
	r = b.do("POST", base, mangled)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, "This form has expired") || formTokenRe.FindStringSubmatch(r.body) == nil {
		t.Fatalf("mangled token: %d %.2000s", r.status, r.body)
	}

	// Ten at once.
	tok = formToken(t, b, base+"?date="+today+"&n=2")
	form = reserveValues(today, validID(43), validID(44))
	form.Set("form", tok)
	const n = 10
	locs := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("POST", base, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := f.app.Test(req, -1)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes[i], locs[i] = res.StatusCode, res.Header.Get("Location")
		}()
	}
	wg.Wait()
	var ref string
	for i := range n {
		m := myLinkRe.FindStringSubmatch(locs[i])
		if codes[i] != http.StatusSeeOther || m == nil || (ref != "" && m[1] != ref) {
			t.Fatalf("tap %d: %d %q (first %s)", i, codes[i], locs[i], ref)
		}
		ref = m[1]
	}
	if got := countEvents(f.rec, domain.EventTicketReserved); got != 2 {
		t.Fatalf("%d bookings for two forms", got)
	}
}

var valueAttrRe = regexp.MustCompile(` value="[^"]*"`)

func TestRecoverBooking(t *testing.T) {
	f := ticketApp(t, 0)
	ctx := context.Background()
	today := tickets.Day(time.Now())
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "hailuogou", Date: today, Phone: "13800000000",
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(51), Type: "adult"}}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f.app)
	if r := b.do("GET", "/s/513322/hailuogou/reserve", nil); !strings.Contains(r.body, `href="/r/find"`) {
		t.Fatal("the reservation page has no way to a lost booking")
	}
	if r := b.do("GET", "/r/find", nil); r.status != 200 || !strings.Contains(r.body, `name="phone"`) {
		t.Fatalf("form: %d", r.status)
	}
	find := func(id, phone string, lang string) resp {
		return b.send("POST", "/r/find", url.Values{"id_type": {"cn"}, "id": {id}, "phone": {phone}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded", "Accept-Language", lang)
	}
	r := find(strings.ToLower(validID(51)), "138 0000 0000", "en")
	m := myLinkRe.FindStringSubmatch(r.header.Get("Location"))
	if r.status != http.StatusSeeOther || m == nil || m[1] != res.Ref {
		t.Fatalf("found: %d %q", r.status, r.header.Get("Location"))
	}
	if page := b.do("GET", m[0], nil); page.status != 200 || !strings.Contains(page.body, res.Ref) {
		t.Fatalf("recovered link: %d", page.status)
	}
	// A wrong phone and an ID that never booked: the same page.
	wrongPhone, noBooking := find(validID(51), "13900000000", "zh"), find(validID(52), "13800000000", "zh")
	strip := func(s string) string { return valueAttrRe.ReplaceAllString(s, "") }
	if wrongPhone.status != 200 || noBooking.status != 200 || strip(wrongPhone.body) != strip(noBooking.body) ||
		!strings.Contains(wrongPhone.body, "没有找到") || !strings.Contains(wrongPhone.body, `autofocus`) {
		t.Fatalf("no match: %d %d\n%.2000s", wrongPhone.status, noBooking.status, wrongPhone.body)
	}
	// A typo in the ID is said so, in the visitor's language.
	if r := find("513322199001010021", "13800000000", "bo"); r.status != 400 || !strings.Contains(r.body, `aria-invalid="true"`) || !strings.Contains(r.body, `lang="bo"`) {
		t.Fatalf("bad ID: %d %.2000s", r.status, r.body)
	}
	// Five tries per document number per hour, whatever the address (the
	// limit's key is the number alone; two tries were made above).
	other := newBrowser(t, f.app)
	for i := range 4 {
		r := other.send("POST", "/r/find", url.Values{"id_type": {"cn"}, "id": {" " + validID(51) + " "}, "phone": {"13700000000"}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded")
		if want := map[bool]int{true: http.StatusTooManyRequests, false: http.StatusOK}[i == 3]; r.status != want {
			t.Fatalf("try %d on one ID: %d, want %d", i+3, r.status, want)
		}
	}
	// Ten tries per address per 15 minutes (seven made above from it).
	var last resp
	for range 4 {
		last = find(validID(53), "13800000000", "en")
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many tries") {
		t.Fatalf("11th try: %d %.1000s", last.status, last.body)
	}
}

// An unpaid booking's code at the gate: "collect ¥X first", then one tap
// once the money is taken; offline decisions the server overturns are
// listed for the operator.
func TestGateCollectsAndListsOverturned(t *testing.T) {
	f := ticketApp(t, 0)
	createUsers(t, f.store, testUser{"luding-operator", domain.RoleOperator, []string{"513322"}},
		testUser{"kangding-operator", domain.RoleOperator, []string{"513301"}})
	ctx := context.Background()
	today := tickets.Day(time.Now())
	reserve := func(n int) tickets.Reserved {
		res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "hailuogou", Date: today, Phone: "13800000000",
			Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(n), Type: "student"}}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	unpaid, other := reserve(61), reserve(62)
	tok, _ := f.svc.Token(ctx, unpaid.Reservation, 0)
	otherTok, _ := f.svc.Token(ctx, other.Reservation, 0)
	if !strings.HasPrefix(tok, "Y2.") {
		t.Fatalf("unpaid code %s", tok)
	}
	b, csrf := gateLogin(t, f, "luding-gate")
	page := b.do("GET", "/admin/gate", nil)
	if !strings.Contains(page.body, `id="gate-types"`) || !strings.Contains(page.body, "Check the student card") || !strings.Contains(page.body, `id="collect"`) {
		t.Fatalf("gate page lacks types or the collect button: %.3000s", page.body)
	}
	post := func(path string, body any) resp {
		raw, _ := json.Marshal(body)
		return b.send("POST", path, string(raw), "Content-Type", "application/json", "Accept", "application/json", "X-CSRF-Token", csrf)
	}
	var v gateVerdict
	r := post("/admin/gate/check", gateScan{Token: tok, Site: "hailuogou", ScanID: "scan-collect-1", Device: "t"})
	if json.Unmarshal([]byte(r.body), &v) != nil || v.OK || v.Reason != "not_paid" || v.DueFen != 4500 || v.Message != "Collect ¥45 first" || v.Proof != "Check the student card" {
		t.Fatalf("unpaid: %s", r.body)
	}
	r = post("/admin/gate/check", gateScan{Token: tok, Site: "hailuogou", ScanID: "scan-collect-2", Device: "t", CollectedFen: 4500})
	if v = (gateVerdict{}); json.Unmarshal([]byte(r.body), &v) != nil || !v.OK {
		t.Fatalf("collected: %s", r.body)
	}
	if got, _ := f.svc.Reservation(ctx, unpaid.Ref); got.State != tickets.StatePaid || got.PaidBy != "cashier:luding-gate" {
		t.Fatalf("after collecting: %+v", got)
	}
	// Offline, a gate let the other one in without collecting (an old
	// gate, or a mistake): the sync refuses it and it is listed.
	for range 2 {
		r = post("/admin/gate/sync", gateSyncBody{Device: "g9", Items: []gateScan{{Token: otherTok, Site: "hailuogou", ScanID: "offline-unpaid-1", At: time.Now().UnixMilli()}}})
		if r.status != 200 || !strings.Contains(r.body, `"reason":"not_paid"`) {
			t.Fatalf("sync: %d %s", r.status, r.body)
		}
	}
	if n := countEvents(f.rec, domain.EventTicketGateFlag); n != 1 {
		t.Fatalf("%d flag events", n)
	}
	for _, who := range []string{"luding-gate", "luding-operator"} {
		ob := newBrowser(t, f.app)
		ob.login(who, "a long test password")
		r := ob.do("GET", "/admin/gate/flags", nil)
		if r.status != 200 || !strings.Contains(r.body, other.Visitors[0].TicketID) || !strings.Contains(r.body, "Not paid") {
			t.Fatalf("%s: flags page %d %.3000s", who, r.status, r.body)
		}
	}
	kb := newBrowser(t, f.app)
	kb.login("kangding-operator", "a long test password")
	if r := kb.do("GET", "/admin/gate/flags", nil); r.status != 200 || strings.Contains(r.body, other.Visitors[0].TicketID) {
		t.Fatalf("another county's operator sees the flag: %d", r.status)
	}
	ed := newBrowser(t, f.app)
	ed.login("luding-editor", "a long test password")
	if r := ed.do("GET", "/admin/gate/flags", nil); r.status != 403 {
		t.Fatalf("editor: %d", r.status)
	}
}
