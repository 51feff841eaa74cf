package tickets_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

func formReq(n int) tickets.ReserveRequest {
	return tickets.ReserveRequest{Site: "hailuogou", Date: "2026-12-02", Visitors: []tickets.VisitorInput{adult(n)}, Phone: "138 0000 0000"}
}

func TestReserveOnceSequential(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := tickets.NewFormToken()
	first, repeat, err := e.svc.ReserveOnce(ctx, tok, formReq(1))
	if err != nil || repeat {
		t.Fatalf("first: %v %v", repeat, err)
	}
	// The retry after a 3G timeout: same booking, a link that opens it.
	again, repeat, err := e.svc.ReserveOnce(ctx, tok, formReq(1))
	if err != nil || !repeat || again.Ref != first.Ref {
		t.Fatalf("repeat: %+v %v %v", again.Ref, repeat, err)
	}
	for _, secret := range []string{first.Secret, again.Secret} {
		if _, err := e.svc.Private(ctx, first.Ref, secret); err != nil {
			t.Fatalf("link %q: %v", secret, err)
		}
	}
	if _, err := e.svc.Private(ctx, first.Ref, again.Secret[:len(again.Secret)-1]+"x"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a wrong secret opens the booking: %v", err)
	}
	if e.rec.count(domain.EventTicketReserved) != 1 {
		t.Fatalf("%d reservations recorded", e.rec.count(domain.EventTicketReserved))
	}
	// The same form sent with other visitors: not a silent second booking
	// nor the first one passed off as this one.
	_, _, err = e.svc.ReserveOnce(ctx, tok, formReq(2))
	var used *tickets.FormUsedError
	if !errors.As(err, &used) || used.Ref != first.Ref {
		t.Fatalf("changed form: %v", err)
	}
	// A refused form frees its token: corrected, the same form books.
	tok2 := tickets.NewFormToken()
	bad := formReq(1) // this ID has its booking that day
	if _, _, err := e.svc.ReserveOnce(ctx, tok2, bad); reason(err) != tickets.ReasonIDTaken {
		t.Fatalf("second booking of an ID: %v", err)
	}
	if r, repeat, err := e.svc.ReserveOnce(ctx, tok2, formReq(3)); err != nil || repeat || r.Ref == first.Ref {
		t.Fatalf("corrected form: %v %v", repeat, err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("x", 65), "has space in it .........."} {
		var ve *domain.ValidationError
		if _, _, err := e.svc.ReserveOnce(ctx, bad, formReq(4)); !errors.As(err, &ve) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

// Ten taps at once on one form: one booking, and every tap answers with it.
func TestReserveOnceConcurrent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := tickets.NewFormToken()
	const n = 10
	refs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _, err := e.svc.ReserveOnce(ctx, tok, formReq(7))
			refs[i], errs[i] = r.Ref, err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || refs[i] != refs[0] || refs[i] == "" {
			t.Fatalf("tap %d: %q %v (first %q)", i, refs[i], errs[i], refs[0])
		}
	}
	if got := e.rec.count(domain.EventTicketReserved); got != 1 {
		t.Fatalf("%d bookings", got)
	}
	c, err := e.store.Capacity(ctx, "hailuogou", "2026-12-02", "")
	if err != nil || c.Online-c.Remaining != 1 {
		t.Fatalf("places taken: %+v %v", c, err)
	}
}

func TestRecover(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	group := formReq(11)
	group.Visitors = append(group.Visitors, passport(12))
	res, err := e.svc.Reserve(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	later := formReq(11)
	later.Date = "2026-12-03"
	res2, err := e.svc.Reserve(ctx, later)
	if err != nil {
		t.Fatal(err)
	}
	// Either visitor's document with the phone, however it is typed.
	for _, q := range []tickets.RecoverRequest{
		{IDType: "cn", IDNumber: residentID(11), Phone: "13800000000"},
		{IDType: "cn", IDNumber: strings.ToLower(residentID(11)), Phone: "+86 138-0000-0000"},
	} {
		got, err := e.svc.Recover(ctx, q)
		if err != nil || len(got) != 2 || got[0].Ref != res2.Ref || got[1].Ref != res.Ref {
			t.Fatalf("recover %+v: %+v %v", q, got, err)
		}
		if _, err := e.svc.Private(ctx, got[1].Ref, got[1].Secret); err != nil {
			t.Fatalf("recovered link: %v", err)
		}
	}
	got, err := e.svc.Recover(ctx, tickets.RecoverRequest{IDType: "passport", IDNumber: "E00000012", Phone: "13800000000"})
	if err != nil || len(got) != 1 || got[0].Ref != res.Ref {
		t.Fatalf("by passport: %+v %v", got, err)
	}
	// A wrong phone and an ID that never booked answer alike: nothing.
	for _, q := range []tickets.RecoverRequest{
		{IDType: "cn", IDNumber: residentID(11), Phone: "13900000000"},
		{IDType: "cn", IDNumber: residentID(99), Phone: "13800000000"},
	} {
		if got, err := e.svc.Recover(ctx, q); err != nil || len(got) != 0 {
			t.Fatalf("recover %+v: %+v %v", q, got, err)
		}
	}
	var ve *domain.ValidationError
	if _, err := e.svc.Recover(ctx, tickets.RecoverRequest{IDType: "cn", IDNumber: "513337195001010001", Phone: "13800000000"}); !errors.As(err, &ve) {
		t.Fatalf("bad checksum: %v", err)
	}
	if _, err := e.svc.Recover(ctx, tickets.RecoverRequest{IDType: "cn", IDNumber: residentID(11), Phone: "12"}); !errors.As(err, &ve) {
		t.Fatalf("bad phone: %v", err)
	}
}

// An unpaid booking's code says what to collect, signed: an offline gate
// cannot take it for a valid ticket, and stripping the amount breaks the
// signature. Paid, the booking's code is a plain ticket again.
func TestUnpaidTicketCarriesCollect(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := formReq(21)
	req.Visitors = append(req.Visitors, passport(22))
	res, err := e.svc.Reserve(ctx, req)
	if err != nil || res.State != tickets.StateBooked {
		t.Fatalf("%v %v", res.State, err)
	}
	tok, err := e.svc.Token(ctx, res.Reservation, 0)
	if err != nil || !strings.HasPrefix(tok, "Y2.") {
		t.Fatalf("unpaid code %q %v", tok, err)
	}
	ring, _ := e.svc.Keyring(ctx)
	c, err := ring.Verify(tok)
	if err != nil || c.DueFen != 18000 {
		t.Fatalf("claims %+v %v", c, err)
	}
	// Dropping the amount (making it look like a Y1 ticket) breaks it.
	cut := strings.LastIndexByte(tok, '.')
	payload := tok[:cut]
	stripped := "Y1" + payload[2:strings.LastIndexByte(payload, '.')] + tok[cut:]
	if _, err := ring.Verify(stripped); !errors.Is(err, tickets.ErrTokenSignature) {
		t.Fatalf("stripped code: %v", err)
	}
	e.clock.set(china("2026-12-02 09:00"))
	// Online: refused, with what to collect.
	r, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "hailuogou", ScanID: "scan-due-1"})
	if err != nil || r.OK || r.Refusal.Reason != tickets.ReasonNotPaid || r.DueFen != 18000 {
		t.Fatalf("unpaid: %+v %v", r, err)
	}
	// Too little collected changes nothing.
	r, err = e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "hailuogou", ScanID: "scan-due-2", CollectedFen: 9000, By: "gate1"})
	if err != nil || r.OK || r.Refusal.Reason != tickets.ReasonNotPaid {
		t.Fatalf("part paid: %+v %v", r, err)
	}
	// Taken in full at the gate (synced from offline): paid and checked in.
	r, err = e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "hailuogou", ScanID: "scan-due-3", CollectedFen: 18000, By: "gate1", Offline: true})
	if err != nil || !r.OK {
		t.Fatalf("collected: %+v %v", r, err)
	}
	got, _ := e.svc.Reservation(ctx, res.Ref)
	if got.State != tickets.StatePaid || got.PaidFen != 18000 || got.PaidBy != "cashier:gate1:offline" {
		t.Fatalf("after collecting: %+v", got)
	}
	if tok2, _ := e.svc.Token(ctx, got, 1); !strings.HasPrefix(tok2, "Y1.") {
		t.Fatalf("paid code %q", tok2)
	}
	// The second visitor's old unpaid code is good now: the server knows.
	if r, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: mustToken(t, e, res.Reservation, 1), Site: "hailuogou", ScanID: "scan-due-4"}); err != nil || !r.OK {
		t.Fatalf("group member: %+v %v", r, err)
	}
	if e.rec.count(domain.EventTicketPaid) != 1 {
		t.Fatalf("paid events %d", e.rec.count(domain.EventTicketPaid))
	}
}

func mustToken(t *testing.T, e *env, r tickets.Reservation, i int) string {
	t.Helper()
	tok, err := e.svc.Token(context.Background(), r, i)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Offline check-ins the server overturns on sync are recorded once, as an
// event and on the day's list; check-ins it accepts are not.
func TestOfflineDecisionsFlagged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	unpaid, err := e.svc.Reserve(ctx, formReq(31))
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := e.svc.Reserve(ctx, formReq(32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, cancelled.Ref, cancelled.Secret); err != nil {
		t.Fatal(err)
	}
	good, err := e.svc.Reserve(ctx, formReq(33))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkPaid(ctx, good.Ref, "c1"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(china("2026-12-02 10:00"))
	at := china("2026-12-02 09:30")
	sync := func(r tickets.Reservation, scan string) tickets.CheckinResult {
		t.Helper()
		res, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: mustToken(t, e, r, 0), Site: "hailuogou", ScanID: scan,
			At: at, Offline: true, By: "gate1", Device: "g1"})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for range 2 { // a sync sent twice records once
		if r := sync(unpaid.Reservation, "off-unpaid"); r.OK || r.Refusal.Reason != tickets.ReasonNotPaid {
			t.Fatalf("unpaid: %+v", r)
		}
		if r := sync(cancelled.Reservation, "off-cancel"); r.OK || r.Refusal.Reason != tickets.ReasonCancelled {
			t.Fatalf("cancelled: %+v", r)
		}
		if r := sync(good.Reservation, "off-good"); !r.OK {
			t.Fatalf("good: %+v", r)
		}
	}
	flags, err := e.svc.GateFlags(ctx, "2026-12-02")
	if err != nil || len(flags) != 2 {
		t.Fatalf("flags %+v %v", flags, err)
	}
	want := map[string]tickets.Reason{"off-unpaid": tickets.ReasonNotPaid, "off-cancel": tickets.ReasonCancelled}
	for _, f := range flags {
		if want[f.ScanID] != f.Reason || f.By != "gate1" || f.Site != "hailuogou" || !f.At.Equal(at) {
			t.Errorf("flag %+v", f)
		}
	}
	if n := e.rec.count(domain.EventTicketGateFlag); n != 2 {
		t.Fatalf("%d flag events", n)
	}
	// The same refusals at an online gate are answers, not flags.
	if _, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: mustToken(t, e, unpaid.Reservation, 0), Site: "hailuogou", ScanID: "on-unpaid"}); err != nil {
		t.Fatal(err)
	}
	if flags, _ := e.svc.GateFlags(ctx, "2026-12-02"); len(flags) != 2 {
		t.Fatalf("online refusal flagged: %d", len(flags))
	}
}
