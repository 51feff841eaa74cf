package tickets_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// settingsEnv is newEnv with one site's settings changed.
func settingsEnv(t *testing.T, site int, edit func(c *tickets.SiteConfig)) (*env, tickets.SiteConfig) {
	t.Helper()
	e := newEnv(t)
	c := tickets.DemoSites()[site]
	edit(&c)
	if err := e.store.PutTicketSite(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	e.svc.ForgetSite(c.Site)
	return e, c
}

func TestSeasonPriceByVisitDate(t *testing.T) {
	e, c := settingsEnv(t, 1, func(c *tickets.SiteConfig) {
		c.Seasons = []domain.Season{{From: "12-01", To: "03-31", Name: domain.Text{domain.Zh: "淡季"},
			Prices: map[string]int64{"adult": 12000}}}
	})
	ctx := context.Background()
	e.clock.set(china("2026-11-28 09:00"))
	book := func(date string, n int) tickets.Reserved {
		t.Helper()
		res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: date, Visitors: []tickets.VisitorInput{adult(n)}, Phone: "13800000001"})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Booked on the same day: the visit date decides the price.
	nov, dec := book("2026-11-30", 1), book("2026-12-01", 2)
	if nov.TotalFen != 9000 || dec.TotalFen != 12000 || dec.Visitors[0].Fen != 12000 {
		t.Fatalf("30 Nov %d fen, 1 Dec %d fen", nov.TotalFen, dec.TotalFen)
	}
	// An edit of prices and rules changes new bookings only.
	c.Seasons[0].Prices["adult"] = 10000
	c.CancelAt = "09:00"
	if err := e.store.PutTicketSite(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.svc.ForgetSite(c.Site)
	r, err := e.svc.Reservation(ctx, dec.Ref)
	if err != nil || r.TotalFen != 12000 || !r.CancelBy.Equal(china("2026-12-01 17:00")) {
		t.Fatalf("a booking changed with the settings: %+v %v", r, err)
	}
	if deadline, _ := e.svc.CancelDeadline(ctx, r); !deadline.Equal(china("2026-12-01 17:00")) {
		t.Fatalf("deadline %v", deadline)
	}
	if again := book("2026-12-01", 3); again.TotalFen != 10000 {
		t.Fatalf("new booking after the edit: %d", again.TotalFen)
	}
}

func TestClosureRefusesReservations(t *testing.T) {
	reason := domain.Text{domain.Zh: "大雪封山", domain.En: "Closed by heavy snow", domain.Bo: "ཁ་བ་ཆེན་པོས་བཀག"}
	e, c := settingsEnv(t, 1, func(c *tickets.SiteConfig) {
		c.Closures = []domain.Closure{{From: "2026-12-02", To: "2026-12-03", Reason: reason}}
		c.ClosedWeekdays = []int{int(time.Saturday)}
	})
	ctx := context.Background()
	for _, date := range []string{"2026-12-02", "2026-12-03"} {
		_, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: date, Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000001"})
		var r *tickets.Refusal
		if !errors.As(err, &r) || r.Reason != tickets.ReasonClosed {
			t.Fatalf("%s: %v", date, err)
		}
		for _, l := range domain.Languages() {
			if args := r.Args(l); len(args) != 1 || args[0] != reason[l] {
				t.Fatalf("%s: reason in %s: %v", date, l, args)
			}
		}
	}
	if _, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-05", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000001"}); reason2(err) != tickets.ReasonClosedDay {
		t.Fatalf("a closed Saturday: %v", err)
	}
	if _, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-04", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000001"}); err != nil {
		t.Fatalf("the day after the closure: %v", err)
	}
}

func reason2(err error) tickets.Reason { return reason(err) }

func TestWalkInShare(t *testing.T) {
	e, c := settingsEnv(t, 1, func(c *tickets.SiteConfig) { c.DailyLimit, c.WalkInPercent = 10, 20 })
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		res, err := e.svc.SellWalkIn(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-01", Visitors: []tickets.VisitorInput{adult(10 + i)}, Phone: "13800000002"}, "cashier1")
		if err != nil || res.State != tickets.StatePaid || !res.WalkIn || res.PaidFen != 9000 {
			t.Fatalf("walk-in %d: %+v %v", i, res.Reservation, err)
		}
	}
	if _, err := e.svc.SellWalkIn(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-01", Visitors: []tickets.VisitorInput{adult(12)}, Phone: "13800000002"}, "cashier1"); !errors.Is(err, domain.ErrSoldOut) {
		t.Fatalf("beyond the walk-in share: %v", err)
	}
	capa, _ := e.store.Capacity(ctx, c.Site, "2026-12-01", "")
	if capa.WalkInRemaining != 0 || capa.Remaining != 8 {
		t.Fatalf("capacity %+v", capa)
	}
}

func TestBookingLimits(t *testing.T) {
	e, c := settingsEnv(t, 1, func(c *tickets.SiteConfig) { c.PerPhoneDay, c.PerClientDay = 6, 8 })
	ctx := context.Background()
	book := func(phone string, client string, n, first int) error {
		var vs []tickets.VisitorInput
		for i := 0; i < n; i++ {
			vs = append(vs, adult(first+i))
		}
		_, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-02", Visitors: vs, Phone: phone, Client: client})
		return err
	}
	if err := book("13800000003", "10.0.0.1", 5, 100); err != nil {
		t.Fatal(err)
	}
	err := book("13800000003", "10.0.0.1", 2, 110)
	var r *tickets.Refusal
	if !errors.As(err, &r) || r.Reason != tickets.ReasonPhoneLimit || r.Args(domain.En)[0] != 6 {
		t.Fatalf("past the phone's limit: %v", err)
	}
	if err := book("13800000003", "10.0.0.1", 1, 120); err != nil {
		t.Fatalf("up to the phone's limit: %v", err)
	}
	// Another phone from the same client: the client's limit is 8.
	if err := book("13900000004", "10.0.0.1", 2, 130); err != nil {
		t.Fatal(err)
	}
	if err := book("13900000004", "10.0.0.1", 1, 140); reason(err) != tickets.ReasonClientLimit {
		t.Fatalf("past the client's limit: %v", err)
	}
	// A refusal for another reason gives the counted places back.
	if err := book("13700000005", "10.0.0.2", 1, 100); reason(err) != tickets.ReasonIDTaken {
		t.Fatalf("ID taken: %v", err)
	}
	if err := book("13700000005", "10.0.0.2", 5, 150); err != nil {
		t.Fatalf("after a refused booking: %v", err)
	}
	bulk, err := e.svc.BulkBookers(ctx, "2026-12-02", 2)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]tickets.Booker{}
	for _, b := range bulk {
		got[b.Kind+" "+b.Masked] = b
	}
	if b := got["phone 138****0003"]; b.Places != 6 || b.Bookings != 2 || b.Refused != 1 {
		t.Fatalf("bulk view %+v", bulk)
	}
	clients := 0
	for _, b := range bulk {
		if b.Kind == "client" && b.Places == 8 && b.Refused == 1 {
			clients++
		}
	}
	if clients != 1 {
		t.Fatalf("bulk view of clients %+v", bulk)
	}
}

func TestNoShowRelease(t *testing.T) {
	e, c := settingsEnv(t, 1, func(c *tickets.SiteConfig) { c.NoShowRelease, c.NoShowAt = true, "12:00" })
	ctx := context.Background()
	noShow, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-01", Visitors: []tickets.VisitorInput{adult(1), adult(2)}, Phone: "13800000006"})
	if err != nil || !noShow.NoShowAt.Equal(china("2026-12-01 12:00")) {
		t.Fatalf("%+v %v", noShow.Reservation, err)
	}
	paid, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-01", Visitors: []tickets.VisitorInput{adult(3)}, Phone: "13800000007"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkPaid(ctx, paid.Ref, "cashier1"); err != nil {
		t.Fatal(err)
	}
	before, _ := e.store.Capacity(ctx, c.Site, "2026-12-01", "")
	e.clock.set(china("2026-12-01 11:59"))
	if n, err := e.svc.ReleaseNoShows(ctx); err != nil || n != 0 {
		t.Fatalf("before the time: %d %v", n, err)
	}
	e.clock.set(china("2026-12-01 12:01"))
	if n, err := e.svc.ReleaseNoShows(ctx); err != nil || n != 1 {
		t.Fatalf("release: %d %v", n, err)
	}
	if n, err := e.svc.ReleaseNoShows(ctx); err != nil || n != 0 {
		t.Fatalf("released twice: %d %v", n, err)
	}
	r, _ := e.svc.Reservation(ctx, noShow.Ref)
	p, _ := e.svc.Reservation(ctx, paid.Ref)
	if r.State != tickets.StateExpired || p.State != tickets.StatePaid {
		t.Fatalf("no-show %s, paid %s", r.State, p.State)
	}
	after, _ := e.store.Capacity(ctx, c.Site, "2026-12-01", "")
	if after.Remaining != before.Remaining+2 {
		t.Fatalf("places: %d → %d", before.Remaining, after.Remaining)
	}
	// The ID may book again, for another slot of the day for instance.
	if _, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: c.Site, Date: "2026-12-01", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000006"}); err != nil {
		t.Fatalf("rebook after release: %v", err)
	}
}

func TestAgeConcessionNeedsBirthDate(t *testing.T) {
	e, c := settingsEnv(t, 1, func(c *tickets.SiteConfig) {})
	ctx := context.Background()
	child := func(birth string) tickets.VisitorInput {
		return tickets.VisitorInput{Name: "Pema", IDType: "passport", IDNumber: "E12345678", Type: "child", BirthDate: birth}
	}
	req := func(v tickets.VisitorInput) tickets.ReserveRequest {
		return tickets.ReserveRequest{Site: c.Site, Date: "2026-12-02", Visitors: []tickets.VisitorInput{v}, Phone: "13800000008"}
	}
	var ve *domain.ValidationError
	if _, err := e.svc.Reserve(ctx, req(child(""))); !errors.As(err, &ve) || ve.Field != "visitor0.birth" {
		t.Fatalf("a passport child without a birth date: %v", err)
	}
	if _, err := e.svc.Reserve(ctx, req(child("1990-05-01"))); reason(err) != tickets.ReasonAge {
		t.Fatalf("an adult's birth date for a child ticket: %v", err)
	}
	res, err := e.svc.Reserve(ctx, req(child("2016-05-01")))
	if err != nil || res.Visitors[0].Birth != "2016-05-01" || res.TotalFen != 4500 {
		t.Fatalf("a passport child: %+v %v", res.Reservation, err)
	}
	// The gate is told which birth date to check on the passport.
	if _, err := e.svc.MarkPaid(ctx, res.Ref, "cashier1"); err != nil {
		t.Fatal(err)
	}
	paid, _ := e.svc.Reservation(ctx, res.Ref)
	token, _ := e.svc.Token(ctx, paid, 0)
	e.clock.set(china("2026-12-02 10:00"))
	in, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: token, Site: c.Site, ScanID: "scan-birth-1", By: "gate1"})
	if err != nil || !in.OK || in.Visitor == nil || in.Visitor.Birth != "2016-05-01" {
		t.Fatalf("check-in of a passport child: %+v %v", in, err)
	}
	e.clock.set(china("2026-12-01 08:00"))
	// The site's rule may keep age concessions for resident ID cards.
	c.ForeignConcession = domain.ForeignMainlandOnly
	if err := e.store.PutTicketSite(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.svc.ForgetSite(c.Site)
	v := child("2016-05-01")
	v.IDNumber = "E99999999"
	if _, err := e.svc.Reserve(ctx, req(v)); reason(err) != tickets.ReasonMainlandOnly {
		t.Fatalf("mainland only: %v", err)
	}
}

func TestKeyRotationRetiresOldKeys(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: "2026-12-02", Slot: "1000", Visitors: []tickets.VisitorInput{passport(1)}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := e.svc.Token(ctx, res.Reservation, 0)
	if _, err := e.svc.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	fresh, _ := e.svc.Token(ctx, res.Reservation, 0)
	if c, _, _, _ := tickets.ParseToken(fresh); c.KeyID != "2" {
		t.Fatalf("new tickets sign with key %s", c.KeyID)
	}
	keys, _ := e.svc.PublicKeys(ctx)
	if len(keys) != 2 || keys[0].Retires == nil || keys[1].Retires != nil {
		t.Fatalf("keys %+v", keys)
	}
	// Until every ticket the old key signed is over, it verifies.
	e.clock.set(keys[0].Retires.Add(-time.Minute))
	node := tickets.New(e.store, nil, tickets.Options{Now: e.clock.now})
	if _, err := node.Verify(ctx, old); err != nil {
		t.Fatalf("before retirement: %v", err)
	}
	e.clock.set(keys[0].Retires.Add(time.Minute))
	node = tickets.New(e.store, nil, tickets.Options{Now: e.clock.now})
	if _, err := node.Verify(ctx, old); !errors.Is(err, tickets.ErrTokenUnknownKey) {
		t.Fatalf("after retirement: %v", err)
	}
	if _, err := node.Verify(ctx, fresh); err != nil {
		t.Fatalf("the signing key: %v", err)
	}
	if keys, _ := node.PublicKeys(ctx); len(keys) != 1 || keys[0].ID != "2" {
		t.Fatalf("gates still get the retired key: %+v", keys)
	}
}
