package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

func TestHashAndCheck(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash format: %s", h)
	}
	if err := CheckPassword(h, "correct horse battery"); err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if err := CheckPassword(h, "correct horse batterx"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: want ErrMismatch, got %v", err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestBadInput(t *testing.T) {
	if _, err := HashPassword("short"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("short password: want ErrInvalid, got %v", err)
	}
	for _, h := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=x$a$b", "$argon2id$v=19$m=1,t=1,p=1$!!$!!"} {
		if err := CheckPassword(h, "whatever12345"); err == nil {
			t.Fatalf("hash %q accepted", h)
		}
	}
}

func TestNewPassword(t *testing.T) {
	p := NewPassword(16)
	if len(p) != 16 || strings.ContainsAny(p, "0O1lI") {
		t.Fatalf("password %q", p)
	}
	if NewPassword(16) == p {
		t.Fatal("passwords repeat")
	}
}
