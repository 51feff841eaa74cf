package web

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/auth"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// testUser is a console account made by a fixture; every one has
// testPassword.
type testUser struct {
	name     string
	role     domain.Role
	counties []string
}

func createUsers(t testing.TB, s *store.Store, users ...testUser) {
	t.Helper()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := s.CreateUser(context.Background(), domain.User{Username: u.name, Role: u.role, Counties: u.counties, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
}

// serveApp serves app on a free loopback port for the test's lifetime, as
// a browser needs, and returns its base URL.
func serveApp(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(time.Second) })
	return "http://" + ln.Addr().String()
}
