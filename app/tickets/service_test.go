package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
)

// memRecorder keeps events for assertions; it stands in for the event
// pipeline, not for the database.
type memRecorder struct {
	mu     sync.Mutex
	events []domain.Event
}

func (m *memRecorder) Record(_ context.Context, e domain.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, e)
	return nil
}

func (m *memRecorder) count(typ domain.EventType) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, e := range m.events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// clock is a settable time for the service.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }
func china(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, domain.ChinaTime)
	if err != nil {
		panic(err)
	}
	return t
}

type env struct {
	svc   *tickets.Service
	store *store.Store
	rec   *memRecorder
	clock *clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	s := storetest.New(t)
	ctx := context.Background()
	for _, c := range tickets.DemoSites() {
		// The race tests book from one phone and one client.
		c.PerPhoneDay, c.PerClientDay = 1000, 100_000
		if err := s.PutTicketSite(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// A free site with 48 half-hour slots, for races over many keys.
	race := tickets.SiteConfig{Site: "race", County: "513337", Enabled: true, Payment: tickets.PayFree,
		Types: []tickets.TicketType{{Code: "adult", Name: domain.Text{domain.Zh: "成人"}}}, WalkInPercent: 10,
		BookDays: 90, ValidDays: 1, MaxVisitors: 5, CancelDaysAfter: 0, CancelAt: "23:59",
		Capacity:    domain.CarryingCapacity{AreaM2: 1e6, PerPersonM2: 1, OpenHours: 10, StayHours: 1},
		PerPhoneDay: 1000, PerClientDay: 100_000}.WithDefaults()
	for i := 0; i < 48; i++ {
		race.Slots = append(race.Slots, tickets.Slot{Code: fmt.Sprintf("%02d%02d", i/2, i%2*30),
			Start: fmt.Sprintf("%02d:%02d", i/2, i%2*30), End: fmt.Sprintf("%02d:%02d", i/2, i%2*30+29), Limit: 1000})
	}
	if err := s.PutTicketSite(ctx, race); err != nil {
		t.Fatal(err)
	}
	e := &env{store: s, rec: &memRecorder{}, clock: &clock{}}
	e.clock.set(china("2026-12-01 08:00"))
	e.svc = tickets.New(s, e.rec, tickets.Options{Now: e.clock.now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return e
}

// residentID makes the n-th valid resident ID (Daocheng, born 1950 on).
func residentID(n int) string {
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	s := "513337" + birth.Format("20060102") + fmt.Sprintf("%03d", n%1000)
	return s + string(tickets.GBCheckChar(s))
}

func passport(n int) tickets.VisitorInput {
	return tickets.VisitorInput{Name: "Pema Lhamo", IDType: "passport", IDNumber: fmt.Sprintf("E%08d", n), Type: "adult"}
}

func adult(n int) tickets.VisitorInput {
	return tickets.VisitorInput{Name: "卓玛", IDType: "cn", IDNumber: residentID(n), Type: "adult"}
}

// forge changes one character in the middle of a code's signature to a
// different one. Overwriting the tail with a fixed string (as this test once
// did with "AAA") leaves about one signature in a thousand unchanged, and that
// "forgery" is the real ticket.
func forge(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 20
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func reason(err error) tickets.Reason {
	var r *tickets.Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

func TestReserveAndCheckIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "yading", Date: "2026-12-02", Slot: "0900",
		Visitors: []tickets.VisitorInput{adult(1), {Name: "Tenzin Dorje", IDType: "passport", IDNumber: "g1234 5678", Type: "student"}},
		Phone:    "138 0000 0000", Lang: domain.Bo})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != tickets.StateHeld || res.TotalFen != 14600+7300 || res.Phone != "13800000000" || len(res.Secret) < 30 {
		t.Fatalf("reservation %+v", res.Reservation)
	}
	for _, v := range res.Visitors {
		if len(v.IDHash) != 40 || v.IDMasked == "" || v.IDMasked[len(v.IDMasked)-4:] == "" {
			t.Fatalf("visitor %+v", v)
		}
	}
	if res.Visitors[0].IDMasked != "513***********"+residentID(1)[14:] {
		t.Fatalf("masked %s", res.Visitors[0].IDMasked)
	}
	capa, _ := e.store.Capacity(ctx, "yading", "2026-12-02", "0900")
	if capa.Online != 4500 || capa.WalkIn != 500 || capa.Remaining != 4498 {
		t.Fatalf("capacity %+v", capa)
	}
	// The private link finds it; a wrong secret does not.
	if _, err := e.svc.Private(ctx, res.Ref, res.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Private(ctx, res.Ref, res.Secret+"x"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("wrong secret: %v", err)
	}
	tok, err := e.svc.Token(ctx, res.Reservation, 0)
	if err != nil {
		t.Fatal(err)
	}
	scan := func(token, site, scanID string, at time.Time) tickets.CheckinResult {
		t.Helper()
		e.clock.set(at)
		r, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: token, Site: site, ScanID: scanID, At: at, By: "gate1"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	day2 := china("2026-12-02 09:30")
	// The provider confirms payment within the hold.
	p, err := e.svc.ConfirmPayment(ctx, tickets.PaymentNotice{Provider: "demo", Transaction: "tx-1", Ref: res.Ref, Fen: res.TotalFen})
	if err != nil || p.Outcome != "paid" {
		t.Fatalf("payment %+v %v", p, err)
	}
	again, err := e.svc.ConfirmPayment(ctx, tickets.PaymentNotice{Provider: "demo", Transaction: "tx-1", Ref: res.Ref, Fen: res.TotalFen})
	if err != nil || again.Outcome != "paid" {
		t.Fatalf("replayed payment %+v %v", again, err)
	}
	if e.rec.count(domain.EventTicketPaid) != 1 {
		t.Fatalf("paid events: %d", e.rec.count(domain.EventTicketPaid))
	}
	cases := []struct {
		site string
		at   time.Time
		want tickets.Reason
	}{
		{"hailuogou", day2, tickets.ReasonWrongSite},
		{"yading", china("2026-12-01 23:59"), tickets.ReasonTooEarly},
		{"yading", china("2026-12-05 00:00"), tickets.ReasonWrongDay},
	}
	for _, tc := range cases {
		if r := scan(tok, tc.site, "scan-x"+string(tc.want), tc.at); r.OK || r.Refusal.Reason != tc.want {
			t.Errorf("%s at %v: %+v, want %s", tc.site, tc.at, r, tc.want)
		}
	}
	if r := scan(tok, "yading", "scan-0002", day2); !r.OK || r.Visitor.Name != "卓玛" || r.Type.Code != "adult" {
		t.Fatalf("check-in: %+v", r)
	}
	// The same scan synced again is the same check-in.
	if r := scan(tok, "yading", "scan-0002", day2); !r.OK || !r.Replayed {
		t.Fatalf("replayed scan: %+v", r)
	}
	// Another scan of the same ticket, even on its third day, is a double use.
	r := scan(tok, "yading", "scan-0003", china("2026-12-04 10:00"))
	if r.OK || r.Refusal.Reason != tickets.ReasonAlreadyUsed || r.Refusal.First.ScanID != "scan-0002" || !errors.Is(r.Refusal, domain.ErrAlreadyCheckedIn) {
		t.Fatalf("second scan: %+v", r)
	}
	scan(tok, "yading", "scan-0003", china("2026-12-04 10:00")) // its sync replayed
	uses, err := e.svc.DoubleUses(ctx, "2026-12-04")
	if err != nil || len(uses) != 1 || uses[0].TicketID != res.Visitors[0].TicketID {
		t.Fatalf("double uses %+v %v", uses, err)
	}
	if e.rec.count(domain.EventTicketCheckedIn) != 1 || e.rec.count(domain.EventTicketDoubleUse) != 1 {
		t.Fatalf("events: %d check-ins, %d double uses", e.rec.count(domain.EventTicketCheckedIn), e.rec.count(domain.EventTicketDoubleUse))
	}
	// A ticket was used: the reservation cannot be cancelled any more.
	e.clock.set(day2)
	if _, err := e.svc.Cancel(ctx, res.Ref, res.Secret); reason(err) != tickets.ReasonUsed {
		t.Fatalf("cancel after use: %v", err)
	}
	// A forged code and gibberish are refused, not errors.
	if r := scan(forge(tok), "yading", "scan-0004", day2); r.Refusal.Reason != tickets.ReasonBadCode {
		t.Fatalf("forged: %+v", r)
	}
	if r := scan("hello there", "yading", "scan-0005", day2); r.Refusal.Reason != tickets.ReasonBadCode {
		t.Fatalf("gibberish: %+v", r)
	}
	for _, ev := range e.rec.events {
		for k, v := range ev.Extra {
			if v == residentID(1) || k == "id" {
				t.Fatalf("event %s carries the ID number", ev.Type)
			}
		}
	}
}

func TestReserveRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := tickets.ReserveRequest{Site: "hailuogou", Date: "2026-12-02", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000000"}
	if _, err := e.svc.Reserve(ctx, base); err != nil {
		t.Fatal(err)
	}
	kid := adult(2)
	kid.Type, kid.IDNumber = "child", residentID(2) // born 1950: no child
	senior := tickets.VisitorInput{Name: "Old", IDType: "cn", IDNumber: "11010519491231002X", Type: "senior-free"}
	withVisitors := func(v ...tickets.VisitorInput) func(*tickets.ReserveRequest) {
		return func(r *tickets.ReserveRequest) { r.Visitors = v }
	}
	cases := []struct {
		name   string
		change func(*tickets.ReserveRequest)
		reason tickets.Reason
		key    string
	}{
		{"same ID same day", nil, tickets.ReasonIDTaken, ""},
		{"same ID in a group", withVisitors(adult(3), adult(1)), tickets.ReasonIDTaken, ""},
		{"yesterday", func(r *tickets.ReserveRequest) { r.Date = "2026-11-30" }, tickets.ReasonNotBookable, ""},
		{"beyond the window", func(r *tickets.ReserveRequest) { r.Date = "2026-12-08" }, tickets.ReasonNotBookable, ""},
		{"a slot at a site without", func(r *tickets.ReserveRequest) { r.Slot = "0900" }, tickets.ReasonNotBookable, ""},
		{"not a date", func(r *tickets.ReserveRequest) { r.Date = "tomorrow" }, tickets.ReasonNotBookable, ""},
		{"child ticket for an adult", withVisitors(kid), tickets.ReasonAge, ""},
		{"no visitors", withVisitors(), "", "tickets.error.visitor_count"},
		{"too many", withVisitors(adult(10), adult(11), adult(12), adult(13), adult(14), adult(15)), "", "tickets.error.visitor_count"},
		{"bad phone", func(r *tickets.ReserveRequest) { r.Phone = "12345" }, "", "tickets.error.phone"},
		{"bad name", withVisitors(tickets.VisitorInput{Name: "<script>", IDType: "cn", IDNumber: residentID(4), Type: "adult"}), "", "tickets.error.name"},
		{"bad checksum", withVisitors(tickets.VisitorInput{Name: "A", IDType: "cn", IDNumber: "110105194912310021", Type: "adult"}), "", "tickets.error.id_checksum"},
		{"unknown type", withVisitors(tickets.VisitorInput{Name: "A", IDType: "cn", IDNumber: residentID(5), Type: "vip"}), "", "tickets.error.ticket_type"},
		{"twice in one form", withVisitors(adult(6), adult(6)), "", "tickets.error.id_twice"},
	}
	for _, tc := range cases {
		req := base
		if tc.change != nil {
			tc.change(&req)
		}
		_, err := e.svc.Reserve(ctx, req)
		var ve *domain.ValidationError
		switch {
		case tc.reason != "" && reason(err) != tc.reason:
			t.Errorf("%s: %v, want %s", tc.name, err, tc.reason)
		case tc.key != "" && (!errors.As(err, &ve) || ve.Key != tc.key):
			t.Errorf("%s: %v, want %s", tc.name, err, tc.key)
		}
	}
	// A refused group holds nothing: adult(3) can book alone now.
	req := base
	req.Visitors = []tickets.VisitorInput{adult(3), senior}
	if _, err := e.svc.Reserve(ctx, req); err != nil {
		t.Fatalf("after a refused group: %v", err)
	}
	// The same ID on another day, or at another site, is fine.
	req = base
	req.Date = "2026-12-03"
	if _, err := e.svc.Reserve(ctx, req); err != nil {
		t.Fatal(err)
	}
	capa, _ := e.store.Capacity(ctx, "hailuogou", "2026-12-02", "")
	if capa.Online-capa.Remaining != 3 {
		t.Fatalf("places taken: %+v", capa)
	}
	// A site without ticketing.
	if _, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "tagong", Date: "2026-12-02"}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("site without tickets: %v", err)
	}
	// Sold out: the last places go, then nothing.
	if err := e.store.EnsureCapacity(ctx, tickets.Capacity{Site: "hailuogou", Date: "2026-12-04", Limit: 2, Online: 2, Remaining: 2}); err != nil {
		t.Fatal(err)
	}
	req = base
	req.Date = "2026-12-04"
	req.Visitors = []tickets.VisitorInput{adult(20), adult(21), adult(22)}
	if _, err := e.svc.Reserve(ctx, req); reason(err) != tickets.ReasonSoldOut || !errors.Is(err, domain.ErrSoldOut) {
		t.Fatalf("3 of 2 places: %v", err)
	}
	req.Visitors = req.Visitors[:2]
	if _, err := e.svc.Reserve(ctx, req); err != nil {
		t.Fatalf("2 of 2 places: %v", err)
	}
	// The sold-out attempt released its ID claims: adult(22) may book elsewhere that day.
	req.Visitors = []tickets.VisitorInput{adult(22)}
	req.Site = "yading"
	req.Slot = "1100"
	if _, err := e.svc.Reserve(ctx, req); err != nil {
		t.Fatalf("after sold out: %v", err)
	}
	// Today's slot that is already over cannot be booked.
	e.clock.set(china("2026-12-01 11:30"))
	req = tickets.ReserveRequest{Site: "yading", Date: "2026-12-01", Slot: "0900", Visitors: []tickets.VisitorInput{adult(30)}, Phone: "+85291234567"}
	if _, err := e.svc.Reserve(ctx, req); reason(err) != tickets.ReasonNotBookable {
		t.Fatalf("past slot: %v", err)
	}
	req.Slot = "1100"
	if _, err := e.svc.Reserve(ctx, req); err != nil {
		t.Fatalf("current slot: %v", err)
	}
}

func TestPayAtGate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "hailuogou", Date: "2026-12-01", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000000"})
	if err != nil || res.State != tickets.StateBooked {
		t.Fatalf("%+v %v", res.State, err)
	}
	tok, _ := e.svc.Token(ctx, res.Reservation, 0)
	r, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "hailuogou", ScanID: "scan-unpaid"})
	if err != nil || r.OK || r.Refusal.Reason != tickets.ReasonNotPaid {
		t.Fatalf("unpaid at the gate: %+v %v", r, err)
	}
	// Pay-at-gate bookings do not expire with the hold job.
	e.clock.add(6 * time.Hour)
	if n, _ := e.svc.ExpireDue(ctx); n != 0 {
		t.Fatalf("expired %d", n)
	}
	if _, err := e.svc.MarkPaid(ctx, res.Ref, "cashier1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkPaid(ctx, res.Ref, "cashier2"); reason(err) != tickets.ReasonState {
		t.Fatalf("paid twice: %v", err)
	}
	r, err = e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "hailuogou", ScanID: "scan-paid"})
	if err != nil || !r.OK {
		t.Fatalf("paid at the gate: %+v %v", r, err)
	}
	got, _ := e.svc.Reservation(ctx, res.Ref)
	if got.PaidFen != 9000 || got.PaidBy != "cashier:cashier1" {
		t.Fatalf("paid %+v", got)
	}
}

func TestCancelRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// 稻城亚丁: refunds until 17:00 the day after the visit date.
	res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "yading", Date: "2026-12-02", Slot: "0700", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MarkPaid(ctx, res.Ref, "cashier1"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(china("2026-12-03 17:01"))
	if _, err := e.svc.Cancel(ctx, res.Ref, res.Secret); reason(err) != tickets.ReasonCancelDeadline {
		t.Fatalf("after the deadline: %v", err)
	}
	e.clock.set(china("2026-12-03 16:59"))
	r, err := e.svc.Cancel(ctx, res.Ref, res.Secret)
	// Cancelled after paying: the places are back at once, but "refunded"
	// waits until someone records the money going back.
	if err != nil || r.State != tickets.StateRefundRequested {
		t.Fatalf("refund request: %+v %v", r.State, err)
	}
	if e.rec.count(domain.EventTicketRefunded) != 0 {
		t.Fatal("refund event before any refund was recorded")
	}
	if _, err := e.svc.Cancel(ctx, res.Ref, res.Secret); reason(err) != tickets.ReasonState {
		t.Fatalf("second cancel: %v", err)
	}
	if r, err = e.svc.RecordRefund(ctx, res.Ref, "cashier:c1", ""); err != nil || r.State != tickets.StateRefunded || r.RefundedFen != 14600 {
		t.Fatalf("record refund: %+v %v", r, err)
	}
	if _, err := e.svc.RecordRefund(ctx, res.Ref, "cashier:c1", ""); reason(err) != tickets.ReasonState {
		t.Fatalf("second refund: %v", err)
	}
	if _, err := e.svc.Cancel(ctx, res.Ref, "wrong"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("cancel with a wrong secret: %v", err)
	}
	capa, _ := e.store.Capacity(ctx, "yading", "2026-12-02", "0700")
	if capa.Remaining != capa.Online {
		t.Fatalf("places not given back: %+v", capa)
	}
	if e.rec.count(domain.EventTicketRefunded) != 1 {
		t.Fatal("no refund event")
	}
	// A cancelled ticket is refused at the gate.
	tok, _ := e.svc.Token(ctx, r, 0)
	out, err := e.svc.CheckIn(ctx, tickets.CheckinRequest{Token: tok, Site: "yading", ScanID: "scan-after-refund", At: china("2026-12-02 08:00")})
	if err != nil || out.Refusal == nil || out.Refusal.Reason != tickets.ReasonCancelled {
		t.Fatalf("cancelled at the gate: %+v %v", out, err)
	}
	// The ID may book that day again.
	e.clock.set(china("2026-12-01 08:00"))
	if _, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "yading", Date: "2026-12-02", Slot: "0700", Visitors: []tickets.VisitorInput{adult(1)}, Phone: "13800000000"}); err != nil {
		t.Fatalf("re-book after cancel: %v", err)
	}
}

func TestHoldExpiresExactlyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "yading", Date: "2026-12-02", Slot: "0700",
		Visitors: []tickets.VisitorInput{adult(1), adult(2)}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("nothing due yet: %d %v", n, err)
	}
	e.clock.add(16 * time.Minute)
	// The job, a reader and a late payment race for the same hold.
	var wg sync.WaitGroup
	var expired atomic.Int64
	var outcomes sync.Map
	for i := 0; i < 4; i++ {
		wg.Add(3)
		go func() {
			defer wg.Done()
			n, err := e.svc.ExpireDue(ctx)
			if err != nil {
				t.Error(err)
			}
			expired.Add(int64(n))
		}()
		go func() {
			defer wg.Done()
			if _, err := e.svc.Reservation(ctx, res.Ref); err != nil {
				t.Error(err)
			}
		}()
		go func(i int) {
			defer wg.Done()
			p, err := e.svc.ConfirmPayment(ctx, tickets.PaymentNotice{Provider: "demo", Transaction: "late", Ref: res.Ref, Fen: res.TotalFen})
			if err != nil {
				t.Error(err)
			}
			outcomes.Store(p.Outcome, true)
		}(i)
	}
	wg.Wait()
	r, _ := e.svc.Reservation(ctx, res.Ref)
	capa, _ := e.store.Capacity(ctx, "yading", "2026-12-02", "0700")
	switch r.State {
	case tickets.StateExpired:
		if capa.Remaining != capa.Online || e.rec.count(domain.EventTicketExpired) != 1 {
			t.Fatalf("expired: capacity %+v, %d expiry events", capa, e.rec.count(domain.EventTicketExpired))
		}
		if _, ok := outcomes.Load("late"); !ok {
			t.Fatal("the payment after expiry is not flagged late")
		}
	case tickets.StatePaid:
		if capa.Remaining != capa.Online-2 || e.rec.count(domain.EventTicketExpired) != 0 {
			t.Fatalf("paid: capacity %+v", capa)
		}
	default:
		t.Fatalf("state %s", r.State)
	}
	if e.rec.count(domain.EventTicketExpired)+e.rec.count(domain.EventTicketPaid) != 1 {
		t.Fatalf("both an expiry and a payment happened")
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: "2026-12-02", Slot: "1000", Visitors: []tickets.VisitorInput{passport(1)}, Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := e.svc.Token(ctx, res.Reservation, 0)
	// A second node shares the database.
	other := tickets.New(e.store, nil, tickets.Options{Now: e.clock.now})
	if _, err := other.Verify(ctx, old); err != nil {
		t.Fatalf("other node: %v", err)
	}
	kid, err := e.svc.RotateKey(ctx)
	if err != nil || kid != "2" {
		t.Fatalf("rotate: %s %v", kid, err)
	}
	fresh, _ := e.svc.Token(ctx, res.Reservation, 0)
	e.clock.add(time.Minute) // the other node re-reads keys at most every 30 s
	c, err := other.Verify(ctx, fresh)
	if err != nil || c.KeyID != "2" {
		t.Fatalf("other node after rotation: %+v %v", c, err)
	}
	if _, err := e.svc.Verify(ctx, old); err != nil {
		t.Fatalf("an old ticket after rotation: %v", err)
	}
	keys, _ := other.PublicKeys(ctx)
	if len(keys) != 2 || !keys[0].Signing && !keys[1].Signing {
		t.Fatalf("public keys %+v", keys)
	}
}

func TestWebhookSignature(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`{"reservation":"X"}`)
	now := time.Unix(1_800_000_000, 0)
	h := tickets.SignWebhook(secret, body, now)
	if err := tickets.VerifyWebhook(secret, h, body, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	bad := map[string]struct {
		header string
		body   []byte
		at     time.Time
	}{
		"other body":      {h, []byte(`{"reservation":"Y"}`), now},
		"other secret":    {tickets.SignWebhook([]byte("another secret of thirty-two by"), body, now), body, now},
		"replayed later":  {h, body, now.Add(6 * time.Minute)},
		"from the future": {h, body, now.Add(-6 * time.Minute)},
		"no header":       {"", body, now},
		"garbage":         {"t=abc,v1=zz", body, now},
		"no signature":    {"t=1800000000", body, now},
	}
	for name, tc := range bad {
		if err := tickets.VerifyWebhook(secret, tc.header, tc.body, tc.at); !errors.Is(err, tickets.ErrWebhookSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
