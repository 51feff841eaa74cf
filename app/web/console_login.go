package web

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

type loginForm struct {
	Username string
	Next     string
	ErrorKey string
}

// safeNext keeps a post-login redirect inside the console, so the login
// form cannot be used to send someone elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (s *Server) showLogin(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
	}
	return s.renderConsole(c, fiber.StatusOK, "console/login", "console.login.title",
		loginForm{Next: safeNext(c.Query("next"))})
}

func (s *Server) login(c *fiber.Ctx) error {
	form := loginForm{Username: strings.TrimSpace(strings.ToLower(c.FormValue("username"))), Next: safeNext(c.FormValue("next"))}
	password := c.FormValue("password")
	ctx := c.UserContext()
	fail := func(key string, status int) error {
		form.ErrorKey = key
		return s.renderConsole(c, status, "console/login", "console.login.title", form)
	}
	if form.Username == "" || password == "" || len(password) > 1024 || len(form.Username) > 64 {
		return fail("console.login.error_missing", fiber.StatusBadRequest)
	}
	u, err := s.Accounts.User(ctx, form.Username)
	if errors.Is(err, domain.ErrNotFound) {
		// Same answer as a wrong password: do not reveal which names exist.
		return fail("console.login.error_wrong", fiber.StatusUnauthorized)
	}
	if err != nil {
		return err
	}
	now := time.Now()
	if u.Locked(now) {
		return fail("console.login.error_locked", fiber.StatusTooManyRequests)
	}
	if err := s.CheckPassword(u.PasswordHash, password); err != nil {
		locked, rerr := s.Accounts.RecordLoginFailure(ctx, u.Username, now)
		if rerr != nil {
			return rerr
		}
		s.Log.Warn("console login failed", "user", u.Username, "locked", locked)
		if locked {
			return fail("console.login.error_locked", fiber.StatusTooManyRequests)
		}
		return fail("console.login.error_wrong", fiber.StatusUnauthorized)
	}
	if u.Disabled {
		// Told only after the right password, so names stay unguessable.
		return fail("users.login.disabled", fiber.StatusForbidden)
	}
	if u.FailedLogins > 0 {
		if err := s.Accounts.ResetLoginFailures(ctx, u.Username); err != nil {
			return err
		}
	}
	token, sess, err := s.Accounts.CreateSession(ctx, u.Username, sessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, sess.Expires)
	s.Log.Info("console login", "user", u.Username)
	return c.Redirect(form.Next, fiber.StatusSeeOther)
}

func (s *Server) logout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := s.Accounts.DeleteSession(c.UserContext(), token); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

// consoleHome is the console's start page: what this user may do.
func (s *Server) consoleHome(c *fiber.Ctx) error {
	u := currentUser(c)
	snap := s.Catalog.Snapshot()
	var counties []homeCounty
	for _, county := range snap.Counties {
		if u.CanAccessCounty(county.Code) {
			counties = append(counties, homeCounty{Href: countyHref(county.Code), Name: loc(county.Name, langOf(c)),
				Sites: len(snap.SitesOf(county.Code))})
		}
	}
	return s.renderConsole(c, fiber.StatusOK, "console/home", "console.home.title", struct {
		Counties []homeCounty
	}{counties})
}

// consoleView is the data of every console page: the page view plus the
// user and the CSRF token for forms.
type consoleView struct {
	*view
	User *domain.User
	CSRF string
	Page any
}

// renderConsole renders a console page with the console layout.
func (s *Server) renderConsole(c *fiber.Ctx, status int, page, titleKey string, data any) error {
	v := s.view(c, "")
	v.Title = v.T(titleKey) + " · " + v.T("console.name")
	token, _ := c.Locals(localCSRF).(string)
	cv := &consoleView{view: v, User: currentUser(c), CSRF: token, Page: data}
	v.Data = cv
	return s.tpl.render(c, status, page, v)
}
