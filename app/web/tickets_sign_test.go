package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The sign a tourist scanned travels in the links to the reservation (no
// cookie), and the reservation's ticket events carry it: the funnel per
// sign is exact.
func TestSignTravelsToTheReservation(t *testing.T) {
	f := ticketApp(t, 0)
	b := newBrowser(t, f.app)
	today := tickets.Day(time.Now())
	base := "/s/513322/hailuogou/reserve"
	withSign := base + "?sign=HGK2EN"

	for i := 0; i < 2; i++ { // built, then from the page cache
		r := b.do("GET", "/q/HGK2EN", nil)
		if r.status != 200 || !strings.Contains(r.body, `href="`+withSign+`"`) {
			t.Fatalf("scanned page %d: %d, no reservation link with the sign: %.3000s", i, r.status, r.body)
		}
		if strings.Contains(r.header.Get("Set-Cookie"), "HGK2EN") {
			t.Fatal("the sign went into a cookie")
		}
		// The plain site page, cached per site, has the plain link.
		r = b.do("GET", "/s/513322/hailuogou", nil)
		if r.status != 200 || !strings.Contains(r.body, `href="`+base+`"`) || strings.Contains(r.body, "sign=") {
			t.Fatalf("site page %d: %d %.3000s", i, r.status, r.body)
		}
	}
	r := b.do("GET", withSign, nil)
	if r.status != 200 || !strings.Contains(r.body, base+"?date="+today+"&amp;sign=HGK2EN") {
		t.Fatalf("day list keeps no sign: %d %.3000s", r.status, r.body)
	}
	hidden := `<input type="hidden" name="sign" value="HGK2EN">`
	r = b.do("GET", base+"?date="+today+"&sign=HGK2EN", nil)
	if r.status != 200 || strings.Count(r.body, hidden) != 1 {
		t.Fatalf("slot step keeps no sign: %d %.3000s", r.status, r.body)
	}
	r = b.do("GET", base+"?date="+today+"&n=1&sign=HGK2EN", nil)
	if r.status != 200 || strings.Count(r.body, hidden) != 2 {
		t.Fatalf("visitor step keeps no sign: %d %.4000s", r.status, r.body)
	}
	// A form error keeps the sign on the form.
	bad := reserveValues(today, "513322199001010021")
	bad.Set("sign", "HGK2EN")
	if r := b.do("POST", base, bad); r.status != 400 || !strings.Contains(r.body, hidden) {
		t.Fatalf("form error: %d", r.status)
	}
	book := func(sign string, id int) string {
		t.Helper()
		v := reserveValues(today, validID(id))
		if sign != "" {
			v.Set("sign", sign)
		}
		if r := b.do("POST", base, v); r.status != http.StatusSeeOther {
			t.Fatalf("reserve with sign %q: %d %.2000s", sign, r.status, r.body)
		}
		evs := f.rec.all()
		return evs[len(evs)-1].Sign
	}
	if got := book("HGK2EN", 1); got != "HGK2EN" {
		t.Errorf("reserved event sign %q", got)
	}
	if got := book("hgk2en", 2); got != "HGK2EN" { // typed by hand
		t.Errorf("lower-case sign: %q", got)
	}
	// Only an enabled sign of this site is credited; anything else books
	// all the same, without a sign.
	for i, sign := range []string{"HGKXFF", "DRAFT2", "NOSUCH", "<b>", strings.Repeat("A", 200), ""} {
		if got := book(sign, 10+i); got != "" {
			t.Errorf("sign %q credited as %q", sign, got)
		}
	}
	for _, e := range f.rec.all() {
		if e.Type == domain.EventTicketReserved && e.Sign != "" && e.Sign != "HGK2EN" {
			t.Errorf("event with sign %q", e.Sign)
		}
	}
}

// The reservation keeps the sign in the database, so its later events
// (paid, checked in) carry it too.
func TestTicketEventsCarryTheSign(t *testing.T) {
	f := ticketApp(t, 0)
	ctx := context.Background()
	today := tickets.Day(time.Now())
	res, err := f.svc.Reserve(ctx, tickets.ReserveRequest{Site: "luding-bridge", Date: today, Sign: "QDB2AA",
		Visitors: []tickets.VisitorInput{{Name: "Dawa", IDType: "cn", IDNumber: validID(7), Type: "adult"}}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.ReservationDoc(ctx, res.Ref)
	if err != nil || stored.Sign != "QDB2AA" {
		t.Fatalf("stored reservation sign %q (%v)", stored.Sign, err)
	}
	tok, err := f.svc.Token(ctx, res.Reservation, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "luding-bridge", ScanID: "scan-sign-01", By: "test"}); err != nil {
		t.Fatal(err)
	}
	seen := map[domain.EventType]string{}
	for _, e := range f.rec.all() {
		seen[e.Type] = e.Sign
	}
	for _, typ := range []domain.EventType{domain.EventTicketReserved, domain.EventTicketPaid, domain.EventTicketCheckedIn} {
		if s, ok := seen[typ]; !ok || s != "QDB2AA" {
			t.Errorf("%s event: sign %q (recorded %v)", typ, s, ok)
		}
	}
}
