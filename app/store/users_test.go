package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func user(name string, role domain.Role) domain.User {
	u := domain.User{Username: name, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", Role: role,
		CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 891234567, domain.ChinaTime)}
	if role != domain.RoleAdmin {
		u.Counties = []string{kangding, luding}
	}
	return u
}

func assertUser(t *testing.T, got, want domain.User) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("CreatedAt = %v, want %v (ms, UTC)", got.CreatedAt, want.CreatedAt.UTC().Truncate(time.Millisecond))
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("user = %#v\nwant   %#v", got, want)
	}
}

func TestCreateUserRoundTrip(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	for _, want := range []domain.User{
		user("admin", domain.RoleAdmin),
		user("editor.kd", domain.RoleEditor),
		user("ops_1", domain.RoleOperator),
		user("gate-hlg", domain.RoleGate),
	} {
		t.Run(want.Username, func(t *testing.T) {
			if err := s.CreateUser(ctx, want); err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			got, err := s.User(ctx, want.Username)
			if err != nil {
				t.Fatalf("User: %v", err)
			}
			assertUser(t, got, want)
		})
	}
}

func TestCreateUserDefaultsCreatedAt(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	u := user("admin", domain.RoleAdmin)
	u.CreatedAt = time.Time{}
	before := time.Now().Truncate(time.Millisecond)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got, err := s.User(ctx, u.Username)
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(after) {
		t.Fatalf("CreatedAt = %v, want between %v and %v", got.CreatedAt, before, after)
	}
}

func TestCreateUserConflict(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	first := user("editor", domain.RoleEditor)
	if err := s.CreateUser(ctx, first); err != nil {
		t.Fatal(err)
	}
	dup := user("editor", domain.RoleAdmin)
	dup.PasswordHash = "other"
	if err := s.CreateUser(ctx, dup); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("CreateUser of a taken name: err = %v, want ErrConflict", err)
	}
	got, err := s.User(ctx, "editor")
	if err != nil {
		t.Fatal(err)
	}
	assertUser(t, got, first)
}

func TestCreateUserInvalid(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.User)
	}{
		{"empty name", func(u *domain.User) { u.Username = "" }},
		{"one letter", func(u *domain.User) { u.Username = "a" }},
		{"upper case", func(u *domain.User) { u.Username = "Editor" }},
		{"starts with a dot", func(u *domain.User) { u.Username = ".editor" }},
		{"33 characters", func(u *domain.User) { u.Username = "abcdefghijabcdefghijabcdefghijabc" }},
		{"unknown role", func(u *domain.User) { u.Role = "root" }},
		{"editor without counties", func(u *domain.User) { u.Counties = nil }},
		{"bad county code", func(u *domain.User) { u.Counties = []string{kangding, "12"} }},
		{"no password hash", func(u *domain.User) { u.PasswordHash = "" }},
	}
	s := storetest.New(t)
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := user("editor", domain.RoleEditor)
			tt.change(&u)
			if err := s.CreateUser(ctx, u); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("CreateUser: err = %v, want ErrInvalid", err)
			}
		})
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers after invalid creates = %d, %v; want 0", n, err)
	}
}

func TestUserNotFound(t *testing.T) {
	s := storetest.New(t)
	if _, err := s.User(context.Background(), "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("User: err = %v, want ErrNotFound", err)
	}
}

func TestSetPasswordHash(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	want := user("editor", domain.RoleEditor)
	other := user("other", domain.RoleEditor)
	for _, u := range []domain.User{want, other} {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	want.PasswordHash = "$argon2id$new"
	if err := s.SetPasswordHash(ctx, "editor", want.PasswordHash); err != nil {
		t.Fatalf("SetPasswordHash: %v", err)
	}
	got, err := s.User(ctx, "editor")
	if err != nil {
		t.Fatal(err)
	}
	assertUser(t, got, want) // only the hash changed
	got, err = s.User(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	assertUser(t, got, other)
}

func TestSetPasswordHashErrors(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	u := user("editor", domain.RoleEditor)
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, username, hash string
		wantErr              error
	}{
		{"unknown user", "nobody", "$argon2id$x", domain.ErrNotFound},
		// An empty hash would lock the account out without saying so.
		{"empty hash", "editor", "", domain.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SetPasswordHash(ctx, tt.username, tt.hash); !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetPasswordHash: err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := s.User(ctx, "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("SetPasswordHash created a user (err = %v)", err)
	}
	got, err := s.User(ctx, "editor")
	if err != nil {
		t.Fatal(err)
	}
	assertUser(t, got, u)
}

func TestUsersAndCountUsers(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers of an empty store = %d, %v", n, err)
	}
	if us, err := s.Users(ctx); err != nil || len(us) != 0 {
		t.Fatalf("Users of an empty store = %v, %v", us, err)
	}
	in := []domain.User{
		user("zhaxi", domain.RoleGate),
		user("admin", domain.RoleAdmin),
		user("meiduo", domain.RoleEditor),
	}
	for _, u := range in {
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("CountUsers = %d, want 3", n)
	}
	us, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 3 {
		t.Fatalf("Users = %d users, want 3", len(us))
	}
	for i, want := range []domain.User{in[1], in[2], in[0]} { // by name
		assertUser(t, us[i], want)
	}
}
