package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestAPITokenExpiryAndRevocation(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)

	tok, made, err := s.CreateAPIToken(ctx, "pema", "nightly export", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(90 * 24 * time.Hour); !made.ExpiresAt().Equal(want) {
		t.Errorf("default expiry %v, want %v", made.ExpiresAt(), want)
	}
	got, err := s.APIToken(ctx, tok)
	if err != nil || got.Username != "pema" || !got.ExpiresAt().Equal(made.ExpiresAt()) {
		t.Fatalf("APIToken: %+v %v", got, err)
	}
	if got.Expired(now.Add(89*24*time.Hour)) || !got.Expired(now.Add(90*24*time.Hour)) {
		t.Errorf("Expired around day 90 wrong")
	}
	// A token from before expiry existed lasts 90 days from its creation.
	old := store.APIToken{Created: now}
	if !old.ExpiresAt().Equal(now.Add(store.APITokenLifetime)) {
		t.Errorf("legacy expiry %v", old.ExpiresAt())
	}

	short, _, err := s.CreateAPITokenUntil(ctx, "pema", "one week", now, now.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.APIToken(ctx, short); !got.Expired(now.Add(8 * 24 * time.Hour)) {
		t.Errorf("a 7-day token works on day 8: %+v", got)
	}
	other, _, err := s.CreateAPIToken(ctx, "dorje", "dashboard", now)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.AllAPITokens(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("all tokens: %d %v", len(all), err)
	}

	n, err := s.RevokeUserTokens(ctx, "pema")
	if err != nil || n != 2 {
		t.Fatalf("revoke pema's: %d %v", n, err)
	}
	for _, x := range []string{tok, short} {
		if _, err := s.APITokenUser(ctx, x); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("revoked token still works: %v", err)
		}
	}
	if u, err := s.APITokenUser(ctx, other); err != nil || u != "dorje" {
		t.Errorf("another user's token: %q %v", u, err)
	}
	if n, err := s.RevokeUserTokens(ctx, "pema"); err != nil || n != 0 {
		t.Errorf("second revoke: %d %v", n, err)
	}
}
