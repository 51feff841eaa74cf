package tickets_test

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

// raceKey is the capacity key of round i: 48 slots on each of 3 days.
func raceKey(i int) (date, slot string) {
	day := 2 + i/48
	s := i % 48
	return fmt.Sprintf("2026-12-%02d", day), fmt.Sprintf("%02d%02d", s/2, s%2*30)
}

// 200 tourists at once for the last 10 places, 100 times over: exactly 10
// get a place every round, and no reader ever sees a negative count. This
// runs on the embedded server with its single connection (storetest), the
// configuration that oversold before the store kept to one connection.
func TestLastPlacesNeverOversold(t *testing.T) {
	if !storetest.Embedded() {
		t.Log("running on TEST_MONGODB_URI")
	}
	rounds, racers := 100, 200
	if testing.Short() {
		rounds = 10
	}
	e := newEnv(t)
	ctx := context.Background()
	var negative atomic.Int64
	start := time.Now()
	for round := 0; round < rounds; round++ {
		date, slot := raceKey(round)
		// The slot has 1000 places; 990 are gone.
		if err := e.store.EnsureCapacity(ctx, tickets.Capacity{Site: "race", Date: date, Slot: slot, Limit: 1000, Online: 900, WalkIn: 100, Remaining: 10, WalkInRemaining: 100}); err != nil {
			t.Fatal(err)
		}
		var ok, soldOut, other atomic.Int64
		var wg sync.WaitGroup
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := e.store.Capacity(ctx, "race", date, slot)
				if err == nil && (c.Remaining < 0 || c.WalkInRemaining != 100) {
					negative.Add(1)
				}
				time.Sleep(time.Millisecond)
			}
		}()
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: date, Slot: slot,
					Visitors: []tickets.VisitorInput{passport(round*racers + i)}, Phone: "13800000000"})
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, domain.ErrSoldOut):
					soldOut.Add(1)
				default:
					other.Add(1)
					t.Errorf("round %d: %v", round, err)
				}
			}(i)
		}
		wg.Wait()
		close(stop)
		<-sampled
		c, err := e.store.Capacity(ctx, "race", date, slot)
		if err != nil {
			t.Fatal(err)
		}
		if ok.Load() != 10 || soldOut.Load() != int64(racers-10) || c.Remaining != 0 {
			t.Fatalf("round %d: %d reserved, %d sold out, %d other, remaining %d", round, ok.Load(), soldOut.Load(), other.Load(), c.Remaining)
		}
	}
	if negative.Load() > 0 {
		t.Fatalf("a reader saw a negative or disturbed count %d times", negative.Load())
	}
	t.Logf("%d rounds of %d racers for 10 places: %v (%.0f reservation attempts/s)", rounds, racers, time.Since(start),
		float64(rounds*racers)/time.Since(start).Seconds())
}

// Cancels race each other (every cancel sent twice) and new tourists race
// for the places they free: each reservation is cancelled exactly once,
// places are conserved, and nothing is oversold.
func TestCancelAndRebookRace(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 4
	}
	e := newEnv(t)
	ctx := context.Background()
	for round := 0; round < rounds; round++ {
		date, slot := raceKey(100 + round)
		if err := e.store.EnsureCapacity(ctx, tickets.Capacity{Site: "race", Date: date, Slot: slot, Limit: 10, Online: 10, Remaining: 10}); err != nil {
			t.Fatal(err)
		}
		held := make([]tickets.Reserved, 10)
		for i := range held {
			r, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: date, Slot: slot,
				Visitors: []tickets.VisitorInput{passport(1_000_000 + round*1000 + i)}, Phone: "13800000000"})
			if err != nil {
				t.Fatal(err)
			}
			held[i] = r
		}
		var cancelled, refusedTwice, rebooked atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 5; i++ { // half of them cancel, each twice at once
			for twice := 0; twice < 2; twice++ {
				wg.Add(1)
				go func(r tickets.Reserved) {
					defer wg.Done()
					_, err := e.svc.Cancel(ctx, r.Ref, r.Secret)
					switch {
					case err == nil:
						cancelled.Add(1)
					case reason(err) == tickets.ReasonState:
						refusedTwice.Add(1)
					default:
						t.Error(err)
					}
				}(held[i])
			}
		}
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := e.svc.Reserve(ctx, tickets.ReserveRequest{Site: "race", Date: date, Slot: slot,
					Visitors: []tickets.VisitorInput{passport(2_000_000 + round*1000 + i)}, Phone: "13800000000"})
				if err == nil {
					rebooked.Add(1)
				} else if !errors.Is(err, domain.ErrSoldOut) {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		c, _ := e.store.Capacity(ctx, "race", date, slot)
		live := 10 - cancelled.Load() + rebooked.Load()
		if cancelled.Load() != 5 || refusedTwice.Load() != 5 || c.Remaining < 0 || live+int64(c.Remaining) != 10 {
			t.Fatalf("round %d: %d cancelled, %d second cancels refused, %d rebooked, remaining %d",
				round, cancelled.Load(), refusedTwice.Load(), rebooked.Load(), c.Remaining)
		}
		// Releasing again (a retried cancellation) gives nothing back.
		if err := e.store.ReleaseCapacity(ctx, "race", date, slot, 1, false, held[0].Ref); err != nil {
			t.Fatal(err)
		}
		if again, _ := e.store.Capacity(ctx, "race", date, slot); again.Remaining != c.Remaining {
			t.Fatalf("a second release of %s changed remaining %d → %d", held[0].Ref, c.Remaining, again.Remaining)
		}
	}
	if n := e.rec.count(domain.EventTicketCancelled); n != 5*rounds {
		t.Fatalf("%d cancel events, want %d", n, 5*rounds)
	}
}
