package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
	"github.com/yimayou/yimayou/app/tickets"
)

// A form token is claimed by exactly one of many concurrent inserts, and
// once in a batch with others.
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
			errs := s.InsertFormUses(ctx, []tickets.FormUse{{ID: "f1", Ref: fmt.Sprintf("REF%07d", i), Created: time.Now()}})
			if errs[0] != nil && !errors.Is(errs[0], domain.ErrConflict) {
				t.Error(errs[0])
			}
			if errs[0] == nil {
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
	errs := s.InsertFormUses(ctx, []tickets.FormUse{{ID: "f2", Ref: "A"}, {ID: "f1", Ref: "B"}, {ID: "f3", Ref: "C"}})
	if errs[0] != nil || !errors.Is(errs[1], domain.ErrConflict) || errs[2] != nil {
		t.Fatalf("batch: %v", errs)
	}
	if u, err := s.FormUse(ctx, "f3"); err != nil || u.Ref != "C" {
		t.Fatalf("f3: %+v %v", u, err)
	}
	if err := s.DeleteFormUse(ctx, "f1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FormUse(ctx, "f1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	// The recovery index: repeated entries change nothing.
	es := []tickets.RecoveryEntry{{Key: "k1", Ref: "R1"}, {Key: "k1", Ref: "R2"}, {Key: "k2", Ref: "R1"}}
	for range 2 {
		if err := s.AddRecoveries(ctx, es); err != nil {
			t.Fatal(err)
		}
	}
	if refs, err := s.Recovery(ctx, "k1"); err != nil || len(refs) != 2 {
		t.Fatalf("k1: %v %v", refs, err)
	}
	if _, err := s.Recovery(ctx, "k3"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("k3: %v", err)
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
