package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
)

func TestCapacityTakeAndRelease(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.TakeCapacity(ctx, "yading", "2026-12-01", "0900", 1, false); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("take before the document exists: %v", err)
	}
	c := tickets.Capacity{Site: "yading", Date: "2026-12-01", Slot: "0900", Limit: 10, Online: 9, WalkIn: 1, Remaining: 9, WalkInRemaining: 1}
	for i := 0; i < 2; i++ { // the second insert changes nothing
		if err := s.EnsureCapacity(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.TakeCapacity(ctx, "yading", "2026-12-01", "0900", 10, false); !errors.Is(err, domain.ErrSoldOut) {
		t.Fatalf("10 of 9: %v", err)
	}
	if err := s.TakeCapacity(ctx, "yading", "2026-12-01", "0900", 9, false); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeCapacity(ctx, "yading", "2026-12-01", "0900", 1, true); err != nil {
		t.Fatal("the walk-in share is separate:", err)
	}
	for i := 0; i < 3; i++ {
		if err := s.ReleaseCapacity(ctx, "yading", "2026-12-01", "0900", 4, false, "REF0000001"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Capacity(ctx, "yading", "2026-12-01", "0900")
	if err != nil || got.Remaining != 4 || got.WalkInRemaining != 0 || got.Limit != 10 {
		t.Fatalf("after a release repeated 3 times: %+v %v", got, err)
	}
	if _, err := s.Capacity(ctx, "yading", "2026-12-01", "1100"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing slot: %v", err)
	}
	if err := s.TakeCapacity(ctx, "yading", "not-a-date", "0900", 1, false); err == nil {
		t.Fatal("a bad date names a collection")
	}
}

// The conditional decrement on one connection of the embedded server:
// 50 goroutines for 20 places take exactly 20.
func TestCapacityConcurrentTakes(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.EnsureCapacity(ctx, tickets.Capacity{Site: "s", Date: "2026-12-01", Limit: 20, Online: 20, Remaining: 20}); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.TakeCapacity(ctx, "s", "2026-12-01", "", 1, false); err == nil {
				ok.Add(1)
			} else if !errors.Is(err, domain.ErrSoldOut) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := s.Capacity(ctx, "s", "2026-12-01", "")
	if ok.Load() != 20 || got.Remaining != 0 {
		t.Fatalf("%d taken, remaining %d", ok.Load(), got.Remaining)
	}
}

func TestIDClaimsBatchAndDrop(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.ClaimID(ctx, "2026-12-01", "h1|yading", "A"); err != nil {
		t.Fatal(err)
	}
	errs := s.ClaimIDs(ctx, []tickets.IDClaim{{Date: "2026-12-01", Key: "h2|yading", Ref: "B"}, {Date: "2026-12-01", Key: "h1|yading", Ref: "B"},
		{Date: "2026-12-02", Key: "h1|yading", Ref: "B"}, {Date: "2026-12-01", Key: "h2|yading", Ref: "C"}, {Date: "bad", Key: "x", Ref: "C"}})
	if errs[0] != nil || !errors.Is(errs[1], domain.ErrConflict) || errs[2] != nil || !errors.Is(errs[3], domain.ErrConflict) || errs[4] == nil {
		t.Fatalf("batch results %v", errs)
	}
	// Only the holder's unclaim deletes.
	if err := s.UnclaimID(ctx, "2026-12-01", "h1|yading", "B"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimID(ctx, "2026-12-01", "h1|yading", "D"); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("B deleted A's claim: %v", err)
	}
	if err := s.UnclaimID(ctx, "2026-12-01", "h1|yading", "A"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimID(ctx, "2026-12-01", "h1|yading", "D"); err != nil {
		t.Fatal(err)
	}
	n, err := s.DropTicketIDClaimsBefore(ctx, "2026-12-02")
	if err != nil || n != 1 {
		t.Fatalf("dropped %d: %v", n, err)
	}
	if err := s.ClaimID(ctx, "2026-12-02", "h1|yading", "E"); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("the next day's claims were dropped: %v", err)
	}
}

func TestReservationsAndTransitions(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := tickets.Reservation{Ref: "ABCDEFGHJK", Site: "yading", County: "513337", Date: "2026-12-01", Slot: "0900", ValidDays: 3,
		State: tickets.StateHeld, HoldUntil: now.Add(time.Minute), Created: now, Updated: now, Payment: tickets.PayOnline, TotalFen: 14600,
		Visitors: []tickets.Visitor{{Name: "卓玛", IDType: tickets.IDResident, IDHash: "h", IDMasked: "513***********1238", Type: "adult", Fen: 14600, TicketID: "ABCDEFGHJK-1"}}}
	errs := s.InsertReservations(ctx, []tickets.Reservation{r, r})
	if errs[0] != nil || !errors.Is(errs[1], domain.ErrConflict) {
		t.Fatalf("insert twice: %v", errs)
	}
	got, err := s.ReservationDoc(ctx, r.Ref)
	if err != nil || got.Visitors[0].IDMasked != r.Visitors[0].IDMasked || !got.HoldUntil.Equal(r.HoldUntil) || got.State != tickets.StateHeld {
		t.Fatalf("read back %+v %v", got, err)
	}
	tr := tickets.Transition{Ref: r.Ref, Seq: 1, From: tickets.StateHeld, To: tickets.StatePaid, At: now, By: "cashier:x", Fen: 14600}
	if err := s.InsertTransition(ctx, tr); err != nil {
		t.Fatal(err)
	}
	tr.To = tickets.StateExpired
	if err := s.InsertTransition(ctx, tr); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("a second transition 1: %v", err)
	}
	if got, ok, err := s.TransitionAt(ctx, r.Ref, 1); err != nil || !ok || got.To != tickets.StatePaid || got.Done {
		t.Fatalf("transition 1: %+v %v %v", got, ok, err)
	}
	if err := s.MarkTransitionDone(ctx, r.Ref, 1); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.TransitionAt(ctx, r.Ref, 1); !got.Done {
		t.Fatal("not done")
	}
	if _, ok, err := s.TransitionAt(ctx, r.Ref, 2); ok || err != nil {
		t.Fatalf("transition 2: %v %v", ok, err)
	}
	if err := s.InsertHold(ctx, r.Ref, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueHolds(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0] != r.Ref {
		t.Fatalf("due %v %v", due, err)
	}
}

// BenchmarkConditionalTake measures the conditional decrement against the
// size of its collection: "day48" is one day of a site with 48 slots,
// "flat3000" a single collection of 3,000 capacity documents (a
// prefecture's sites × slots × bookable days), "flat20000" more. If the
// embedded server scanned for the filter's second condition, the cost
// would grow with the collection; measured, it does not.
func BenchmarkConditionalTake(b *testing.B) {
	for _, tc := range []struct {
		name  string
		other int
	}{{"day48", 47}, {"flat3000", 2999}, {"flat20000", 19999}} {
		b.Run(tc.name, func(b *testing.B) {
			s := storetest.New(b)
			ctx := context.Background()
			for i := 0; i <= tc.other; i++ {
				c := tickets.Capacity{Site: fmt.Sprint("site", i%60), Date: "2026-12-01", Slot: fmt.Sprintf("%04d", i/60), Limit: 1 << 30, Online: 1 << 30, Remaining: 1 << 30}
				if err := s.EnsureCapacity(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			if srv := storetest.Server(b); srv != nil {
				if err := srv.EnsureIDIndexes(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.TakeCapacity(ctx, "site0", "2026-12-01", "0000", 1, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
