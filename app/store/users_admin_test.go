package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestDisableAndDeleteUser(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	for _, name := range []string{"ed", "other"} {
		if err := s.CreateUser(ctx, domain.User{Username: name, Role: domain.RoleOperator, Counties: []string{luding}, PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetUserDisabled(ctx, "ed", true); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(ctx, "ed"); !u.Disabled {
		t.Error("not disabled")
	}
	if u, _ := s.User(ctx, "other"); u.Disabled {
		t.Error("the other user is disabled too")
	}
	if err := s.SetUserDisabled(ctx, "ed", false); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(ctx, "ed"); u.Disabled {
		t.Error("still disabled")
	}
	if err := s.SetUserDisabled(ctx, "ghost", true); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("disable unknown: %v", err)
	}

	mine, _, err := s.CreateAPIToken(ctx, "ed", "script", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	theirs, _, err := s.CreateAPIToken(ctx, "other", "script", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeUserTokens(ctx, "ed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APITokenUser(ctx, mine); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ed's token survived: %v", err)
	}
	if name, err := s.APITokenUser(ctx, theirs); err != nil || name != "other" {
		t.Errorf("the other user's token: %q %v", name, err)
	}

	if err := s.DeleteUser(ctx, "ed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, "ed"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("deleted user: %v", err)
	}
	if err := s.DeleteUser(ctx, "ed"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestCountyLogo(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	if _, err := s.CountyLogo(ctx, luding); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("no logo yet: %v", err)
	}
	for _, b := range [][]byte{[]byte("one"), []byte("two")} {
		if err := s.SetCountyLogo(ctx, luding, b, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, err := s.CountyLogo(ctx, luding); err != nil || string(got) != string(b) {
			t.Errorf("logo %q: %q %v", b, got, err)
		}
	}
	if err := s.DeleteCountyLogo(ctx, luding); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountyLogo(ctx, luding); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("deleted logo: %v", err)
	}
}
