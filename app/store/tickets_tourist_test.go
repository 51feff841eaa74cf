package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
)

// A form token is claimed by exactly one of many concurrent inserts.
func TestFormUseClaimedOnce(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.InsertFormUse(ctx, tickets.FormUse{ID: "f1", Fingerprint: string(rune('a' + i)), Created: time.Now()})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d inserts won the token", won)
	}
	if err := s.SetFormUseRef(ctx, "f1", "ABCDEFGHJK"); err != nil {
		t.Fatal(err)
	}
	if u, ok, err := s.InsertFormUse(ctx, tickets.FormUse{ID: "f1"}); ok || err != nil || u.Ref != "ABCDEFGHJK" {
		t.Fatalf("taken token: %+v %v %v", u, ok, err)
	}
	if err := s.DeleteFormUse(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FormUse(ctx, "f1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
}

// Reservations made before recovery existed are found after the upgrade's
// migration.
func TestRecoveryMigrationBackfills(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	for _, c := range tickets.DemoSites() {
		if err := s.PutTicketSite(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, domain.ChinaTime)
	svc := tickets.New(s, nil, tickets.Options{Now: func() time.Time { return now }})
	res, err := svc.Reserve(ctx, tickets.ReserveRequest{Site: "hailuogou", Date: "2026-12-01", Phone: "13800000000",
		Visitors: []tickets.VisitorInput{{Name: "Pema", IDType: "passport", IDNumber: "E12345678", Type: "adult"}}})
	if err != nil {
		t.Fatal(err)
	}
	q := tickets.RecoverRequest{IDType: "passport", IDNumber: "E12345678", Phone: "13800000000"}
	if err := s.ForgetRecoveryAndRemigrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Recover(ctx, q)
	if err != nil || len(got) != 1 || got[0].Ref != res.Ref {
		t.Fatalf("after the migration: %+v %v", got, err)
	}
}
