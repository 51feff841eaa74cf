package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestLoginAttemptsGrowingWaits(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	const key = "admin|203.0.113.9"
	take := func(at time.Time) (bool, time.Time) {
		t.Helper()
		ok, retry, err := st.TakeLoginAttempt(ctx, key, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok, retry
	}
	for i := 0; i < domain.LoginFreeAttempts; i++ {
		if ok, _ := take(now); !ok {
			t.Fatalf("free attempt %d refused", i+1)
		}
	}
	ok, retry := take(now)
	if ok || !retry.Equal(now.Add(time.Minute)) {
		t.Fatalf("sixth attempt: %v, retry at %v", ok, retry)
	}
	if ok, _ := take(now.Add(30 * time.Second)); ok {
		t.Fatal("allowed during the wait")
	}
	// Another address, and another account from this one, are untouched.
	if ok, _, _ := st.TakeLoginAttempt(ctx, "admin|198.51.100.7", now); !ok {
		t.Fatal("another address is locked out")
	}
	if ok, _, _ := st.TakeLoginAttempt(ctx, "editor|203.0.113.9", now); !ok {
		t.Fatal("another account is locked out")
	}
	// After the wait, one attempt; then a wait twice as long.
	at := now.Add(time.Minute)
	if ok, _ := take(at); !ok {
		t.Fatal("no attempt after the wait")
	}
	if ok, retry := take(at); ok || !retry.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("after the second round: %v, retry at %v", ok, retry)
	}
	// A good password clears the key.
	if err := st.ClearLoginAttempts(ctx, key); err != nil {
		t.Fatal(err)
	}
	if ok, _ := take(at); !ok {
		t.Fatal("still locked after a good password")
	}
	// Idle keys expire after a day.
	n, err := st.DeleteExpiredLoginAttempts(ctx, at.Add(25*time.Hour))
	if err != nil || n != 3 {
		t.Fatalf("expired: %d, %v", n, err)
	}
}

// Forty concurrent guesses take exactly the free attempts, not one more.
func TestLoginAttemptsExactUnderConcurrency(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	for round := 0; round < 3; round++ {
		key := "admin|round-" + string(rune('a'+round))
		var allowed atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				ok, _, err := st.TakeLoginAttempt(ctx, key, now)
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if n := allowed.Load(); n != domain.LoginFreeAttempts {
			t.Fatalf("round %d: %d of 40 concurrent attempts allowed, want %d", round, n, domain.LoginFreeAttempts)
		}
	}
}
