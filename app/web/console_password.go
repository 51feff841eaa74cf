package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

type passwordForm struct {
	Errors map[string]string
	Done   string
}

func (s *Server) showPassword(c *fiber.Ctx) error {
	return s.renderConsole(c, fiber.StatusOK, "console/password", "console.password.title", &passwordForm{Done: doneKey(c)})
}

// changePassword sets the user's own password after checking the current
// one. Every session of the user ends, this one included, so a stolen
// session dies with the old password; the user logs in again.
func (s *Server) changePassword(c *fiber.Ctx) error {
	u := currentUser(c)
	current, next, again := c.FormValue("current"), c.FormValue("new"), c.FormValue("again")
	f := &passwordForm{}
	fail := func(field, key string) error {
		f.Errors = map[string]string{field: key}
		return s.renderConsole(c, fiber.StatusUnprocessableEntity, "console/password", "console.password.title", f)
	}
	if err := s.CheckPassword(u.PasswordHash, current); err != nil {
		return fail("current", "console.error.password_wrong")
	}
	if key := checkNewPassword(next, again); key != "" {
		return fail("new", key)
	}
	if err := s.setPassword(c, u.Username, next); err != nil {
		return err
	}
	if err := s.audit(c, "user_password_change", u.Username, "", nil); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	return c.Redirect("/admin/login?next=/admin/password%3Fdone%3Dpassword", fiber.StatusSeeOther)
}

// checkNewPassword returns the translation key of what is wrong with a new
// password, or "".
func checkNewPassword(next, again string) string {
	switch {
	case len([]rune(next)) < domain.MinPasswordLen:
		return "console.error.password_short"
	case len(next) > 1024:
		return "console.error.too_long"
	case next != again:
		return "console.error.password_mismatch"
	}
	return ""
}

// setPassword hashes and stores a password and ends the user's sessions
// and API tokens: whatever the old password gave ends with it.
func (s *Server) setPassword(c *fiber.Ctx, username, password string) error {
	if s.Console.HashPassword == nil {
		return errors.New("web: console: no password hasher")
	}
	hash, err := s.Console.HashPassword(password)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.Console.Store.SetPasswordHash(ctx, username, hash); err != nil {
		return err
	}
	if err := s.Console.Store.DeleteUserSessions(ctx, username); err != nil {
		return err
	}
	n, err := s.Console.Store.RevokeUserTokens(ctx, username)
	if n > 0 {
		s.Log.Info("api tokens revoked with the password", "user", username, "tokens", n)
	}
	return err
}
