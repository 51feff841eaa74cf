package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestMigrateFreshDatabase(t *testing.T) {
	s := storetest.NewUnmigrated(t)
	ctx := context.Background()
	if v, err := s.SchemaVersionStored(ctx); err != nil || v != 0 {
		t.Fatalf("SchemaVersionStored of an empty database = %d, %v; want 0", v, err)
	}
	if store.SchemaVersion() < 1 {
		t.Fatalf("SchemaVersion = %d, want at least 1", store.SchemaVersion())
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if applied != store.SchemaVersion() {
		t.Fatalf("Migrate applied %d, want %d", applied, store.SchemaVersion())
	}
	if v, err := s.SchemaVersionStored(ctx); err != nil || v != store.SchemaVersion() {
		t.Fatalf("SchemaVersionStored = %d, %v; want %d", v, err, store.SchemaVersion())
	}
	// The migrated store answers every kind of read without error.
	if _, err := s.Counties(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sites(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Signs(ctx, store.SignFilter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users(ctx); err != nil {
		t.Fatal(err)
	}
	// Migrations keep the schema marker out of the content counter.
	if v := contentVersion(t, s); v != 0 {
		t.Fatalf("ContentVersion after Migrate = %d, want 0", v)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	s := storetest.New(t) // migrated once
	ctx := context.Background()
	seed(t, s)
	for run := 2; run <= 3; run++ {
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatalf("Migrate run %d: %v", run, err)
		}
		if applied != 0 {
			t.Fatalf("Migrate run %d applied %d, want 0", run, applied)
		}
	}
	if v, err := s.SchemaVersionStored(ctx); err != nil || v != store.SchemaVersion() {
		t.Fatalf("SchemaVersionStored = %d, %v; want %d", v, err, store.SchemaVersion())
	}
	// Data written before the re-run is untouched.
	if sites, err := s.Sites(ctx, ""); err != nil || len(sites) != 2 {
		t.Fatalf("Sites after re-migrating = %d, %v; want 2", len(sites), err)
	}
}

// Two nodes starting together must both come up: the second finds the
// collections made by the first.
func TestMigrateFromSecondStore(t *testing.T) {
	ctx := context.Background()
	name := storetest.DBName()
	a := storetest.Open(t, name)
	b := storetest.Open(t, name)
	if applied, err := a.Migrate(ctx); err != nil || applied != store.SchemaVersion() {
		t.Fatalf("first Migrate = %d, %v", applied, err)
	}
	if applied, err := b.Migrate(ctx); err != nil || applied != 0 {
		t.Fatalf("second store's Migrate = %d, %v; want 0, nil", applied, err)
	}
	// Both handles see one database.
	if err := a.PutCounty(ctx, county(kangding, "康定市")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.County(ctx, kangding); err != nil {
		t.Fatalf("County through the second store: %v", err)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	newer := store.SchemaVersion() + 1
	if err := s.SetStoredSchemaVersion(ctx, newer); err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if !errors.Is(err, domain.ErrSchemaTooNew) {
		t.Fatalf("Migrate against schema %d: err = %v, want ErrSchemaTooNew", newer, err)
	}
	if applied != 0 {
		t.Fatalf("Migrate applied %d against a newer schema", applied)
	}
	// The stored version is left for the newer binary.
	if v, err := s.SchemaVersionStored(ctx); err != nil || v != newer {
		t.Fatalf("SchemaVersionStored = %d, %v; want %d", v, err, newer)
	}
}

// A database left half-way (here: marked at version 0 but with collections
// already there) migrates again without error.
func TestMigrateResumesAfterPartialRun(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.SetStoredSchemaVersion(ctx, 0); err != nil {
		t.Fatal(err)
	}
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if applied != store.SchemaVersion() {
		t.Fatalf("Migrate applied %d, want %d", applied, store.SchemaVersion())
	}
}
