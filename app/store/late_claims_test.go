package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/store/storetest"
)

// A late event is claimed once across every node; a token brings at most
// its number of events, exactly, under concurrency.
func TestClaimLateEvent(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	if r, err := st.ClaimLateEvent(ctx, "ev1", "tokA", 3, now); err != nil || r != "" {
		t.Fatalf("first claim: %q %v", r, err)
	}
	if r, err := st.ClaimLateEvent(ctx, "ev1", "tokA", 3, now); err != nil || r != "duplicate" {
		t.Fatalf("replay: %q %v", r, err)
	}
	if err := st.UnclaimLateEvent(ctx, "ev1"); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.ClaimLateEvent(ctx, "ev1", "tokA", 3, now); r != "" {
		t.Fatalf("after unclaim: %q", r)
	}
	// The unclaimed event's use of the token is not given back: ev1 took
	// two, ev2 takes the third, ev3 finds the token used up.
	if r, _ := st.ClaimLateEvent(ctx, "ev2", "tokA", 3, now); r != "" {
		t.Fatalf("third use of a token of 3: %q", r)
	}
	if r, _ := st.ClaimLateEvent(ctx, "ev3", "tokA", 3, now); r != "limit" {
		t.Fatalf("fourth use of a token of 3: %q", r)
	}

	// 40 different events under one token of 10, at once.
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := st.ClaimLateEvent(ctx, fmt.Sprintf("c%d", i), "tokB", 10, now)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			got[r]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if got[""] != 10 || got["limit"] != 30 {
		t.Fatalf("concurrent claims: %v, want 10 taken and 30 over the limit", got)
	}
	if n, err := st.DeleteExpiredLateClaims(ctx, now.Add(4*24*time.Hour)); err != nil || n != 3+1+40+1 {
		t.Fatalf("expired: %d %v", n, err)
	}
}
