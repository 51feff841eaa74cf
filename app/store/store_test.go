package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// Fixtures shared by the tests of this package. Each returns a fresh value,
// so a test may change it freely.

const (
	kangding = "513301"
	luding   = "513322"
)

func county(code, zh string) domain.County {
	return domain.County{Code: code, Pinyin: "kangding", Name: domain.Text{domain.Zh: zh, domain.En: "Kangding", domain.Bo: "དར་རྩེ་མདོ།"}, Phone: "0836-2822222"}
}

func minimalSite(key, countyCode string) domain.Site {
	return domain.Site{Key: key, County: countyCode, Name: domain.Text{domain.Zh: key + "景区"},
		UpdatedAt: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
}

func sign(code, site, countyCode string) domain.Sign {
	return domain.Sign{Code: code, Site: site, County: countyCode, Enabled: true,
		CreatedAt: time.Date(2026, 5, 2, 9, 30, 0, 0, time.UTC)}
}

// seed writes the counties and sites most tests need: two counties, each
// with one site.
func seed(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, c := range []domain.County{county(kangding, "康定市"), county(luding, "泸定县")} {
		if err := s.PutCounty(ctx, c); err != nil {
			t.Fatalf("PutCounty %s: %v", c.Code, err)
		}
	}
	for _, site := range []domain.Site{minimalSite("paomashan", kangding), minimalSite("hailuogou", luding)} {
		if err := s.PutSite(ctx, site); err != nil {
			t.Fatalf("PutSite %s: %v", site.Key, err)
		}
	}
}

func contentVersion(t *testing.T, s *store.Store) int64 {
	t.Helper()
	v, err := s.ContentVersion(context.Background())
	if err != nil {
		t.Fatalf("ContentVersion: %v", err)
	}
	return v
}

// sameTime reports whether got is want at millisecond precision, in UTC as
// the store returns it.
func sameTime(got, want time.Time) bool {
	return got.Equal(want.Truncate(time.Millisecond)) && got.Location() == time.UTC
}

func TestOpenPingClose(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URI: storetest.URI(t), Database: storetest.DBName(),
		SingleConnection: storetest.Embedded()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping after Close succeeded")
	}
}

func TestOpenDefaultDatabase(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{URI: storetest.URI(t), SingleConnection: storetest.Embedded()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close(ctx)
	if got := s.DatabaseName(); got != "yimayou" {
		t.Fatalf("DatabaseName = %q, want yimayou", got)
	}
}

func TestOpenUnreachable(t *testing.T) {
	start := time.Now()
	// Port 1 on loopback refuses connections; Open must give up within its
	// timeout instead of returning a store that fails later.
	_, err := store.Open(context.Background(), store.Options{URI: "mongodb://127.0.0.1:1/",
		Timeout: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Open took %v with a 300 ms timeout", d)
	}
}

func TestContentVersionBumpsOnEveryContentWrite(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if v := contentVersion(t, s); v != 0 {
		t.Fatalf("fresh ContentVersion = %d, want 0", v)
	}
	steps := []struct {
		name  string
		write func() error
		bump  int64
	}{
		{"PutCounty", func() error { return s.PutCounty(ctx, county(kangding, "康定市")) }, 1},
		{"PutCounty again", func() error { return s.PutCounty(ctx, county(kangding, "康定")) }, 1},
		{"PutSite", func() error { return s.PutSite(ctx, minimalSite("paomashan", kangding)) }, 1},
		{"PutSign", func() error { return s.PutSign(ctx, sign("ABCD23", "paomashan", kangding)) }, 1},
		{"CreateSign", func() error { return s.CreateSign(ctx, sign("ABCD24", "paomashan", kangding)) }, 1},
		{"invalid PutCounty", func() error { return ignore(s.PutCounty(ctx, domain.County{Code: "x"}), domain.ErrInvalid) }, 0},
		{"PutSite unknown county", func() error { return ignore(s.PutSite(ctx, minimalSite("x", luding)), domain.ErrNotFound) }, 0},
		{"CreateSign duplicate", func() error {
			return ignore(s.CreateSign(ctx, sign("ABCD24", "paomashan", kangding)), domain.ErrConflict)
		}, 0},
		{"CreateUser", func() error { return s.CreateUser(ctx, user("admin", domain.RoleAdmin)) }, 0},
		{"InsertEvents", func() error {
			_, _, err := s.InsertEvents(ctx, []domain.Event{event("e1", "2026-05-01", domain.EventScan)})
			return err
		}, 0},
	}
	want := int64(0)
	for _, st := range steps {
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		want += st.bump
		if got := contentVersion(t, s); got != want {
			t.Fatalf("after %s: ContentVersion = %d, want %d", st.name, got, want)
		}
	}
}

// ignore returns nil when err is the expected failure, so a table step can
// assert that a failed write leaves the version alone.
func ignore(err, expected error) error {
	if errors.Is(err, expected) {
		return nil
	}
	return fmt.Errorf("got %v, want %v", err, expected)
}

// The embedded server loses concurrent $inc with more than one connection;
// the store opens it with one, so every bump must count.
func TestContentVersionConcurrentWrites(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	before := contentVersion(t, s)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half the writers hit one county document, the rest their own.
			code := kangding
			if i%2 == 1 {
				code = fmt.Sprintf("5133%02d", 40+i)
			}
			errs <- s.PutCounty(ctx, county(code, fmt.Sprintf("县%d", i)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("PutCounty: %v", err)
		}
	}
	if got := contentVersion(t, s) - before; got != n {
		t.Fatalf("ContentVersion rose by %d after %d concurrent writes, want %d", got, n, n)
	}
	cs, err := s.Counties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1+n/2 {
		t.Fatalf("Counties = %d, want %d", len(cs), 1+n/2)
	}
}
