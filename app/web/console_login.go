package web

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

type loginForm struct {
	Username    string
	Next        string
	ErrorKey    string
	WaitMinutes int // with ErrorKey abuse.login.wait
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

// LoginAttempts budgets password attempts per (account name, client
// address) with one conditional single-document update per step (store.Store
// implements it). See domain.LoginFreeAttempts for the policy.
type LoginAttempts interface {
	TakeLoginAttempt(ctx context.Context, key string, now time.Time) (ok bool, retryAt time.Time, err error)
	ClearLoginAttempts(ctx context.Context, key string) error
}

// dummyHash is checked when the account does not exist, so an unknown
// name costs the same argon2id work as a wrong password (80-190 ms against
// 3-20 ms before: the difference told which names exist). Its parameters
// are app/auth's; a test holds them equal.
const dummyHash = "$argon2id$v=19$m=65536,t=1,p=2$g80wpKHNZItAoAgx1C4MuQ$4Ezcn8vAJnFI5mtlG5n6sDd1ITWQE944Ozmvp8g47V0"

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
	// The attempt is taken before anything is checked, for known and
	// unknown names alike, so the answer says nothing about which names
	// exist and concurrent guesses cannot pass the budget.
	now := time.Now()
	key := form.Username + "|" + clientKey(clientIP(c))
	if th, ok := s.Accounts.(LoginAttempts); ok {
		allowed, retryAt, err := th.TakeLoginAttempt(ctx, key, now)
		if err != nil {
			return err
		}
		if !allowed {
			form.WaitMinutes = max(1, int((retryAt.Sub(now)+time.Minute-1)/time.Minute))
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retryAt.Sub(now).Seconds())+1))
			return fail("abuse.login.wait", fiber.StatusTooManyRequests)
		}
	}
	u, err := s.Accounts.User(ctx, form.Username)
	if errors.Is(err, domain.ErrNotFound) {
		// Same work and answer as a wrong password.
		_ = s.CheckPassword(dummyHash, password)
		return fail("console.login.error_wrong", fiber.StatusUnauthorized)
	}
	if err != nil {
		return err
	}
	if err := s.CheckPassword(u.PasswordHash, password); err != nil {
		s.Log.Warn("console login failed", "user", u.Username)
		return fail("console.login.error_wrong", fiber.StatusUnauthorized)
	}
	if u.Disabled {
		// Told only after the right password, so names stay unguessable.
		return fail("users.login.disabled", fiber.StatusForbidden)
	}
	if th, ok := s.Accounts.(LoginAttempts); ok {
		if err := th.ClearLoginAttempts(ctx, key); err != nil {
			return err
		}
	}
	token, sess, err := s.Accounts.CreateSession(ctx, u.Username, sessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, sess.Expires)
	rotateCSRF(c)
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
	rotateCSRF(c)
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

// consoleHome is the console's start page: what this user may do, their
// counties grouped as the region's tree has them (under a province's
// divisions).
func (s *Server) consoleHome(c *fiber.Ctx) error {
	u := currentUser(c)
	snap := s.Catalog.Snapshot()
	v := s.view(c, "")
	var groups []homeGroup
	var direct homeGroup
	add := func(g *homeGroup, n *domain.Node) {
		if n.Level == domain.LevelCounty && u.CanAccessCounty(n.Code) {
			g.Counties = append(g.Counties, homeCounty{Href: countyHref(n.Code), Name: nodeName(v, n), Sites: len(snap.SitesOf(n.Code))})
		}
	}
	tree := snap.Tree()
	add(&direct, tree)
	for _, n := range tree.Children {
		if n.Level == domain.LevelCounty {
			add(&direct, n)
			continue
		}
		g := homeGroup{Name: nodeName(v, n)}
		for _, cty := range n.Children {
			add(&g, cty)
		}
		if len(g.Counties) > 0 {
			groups = append(groups, g)
		}
	}
	if len(direct.Counties) > 0 {
		groups = append(groups, direct)
	}
	return s.renderConsole(c, fiber.StatusOK, "console/home", "console.home.title", struct {
		Groups      []homeGroup
		RegionUnset bool // region_console.go
	}{groups, s.regionUnset(u)})
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
