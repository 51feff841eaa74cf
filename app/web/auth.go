package web

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/yimayou/yimayou/app/domain"
)

// Accounts is what the console's login needs of the store.
type Accounts interface {
	User(ctx context.Context, username string) (domain.User, error)
	CreateSession(ctx context.Context, username string, ttl time.Duration) (string, domain.Session, error)
	Session(ctx context.Context, token string, now time.Time) (domain.Session, error)
	DeleteSession(ctx context.Context, token string) error
	RecordLoginFailure(ctx context.Context, username string, now time.Time) (locked bool, err error)
	ResetLoginFailures(ctx context.Context, username string) error
}

// PasswordChecker compares a password with a stored hash; app/auth
// implements it.
type PasswordChecker func(hash, password string) error

const (
	sessionCookie = "yimayou_session"
	csrfCookie    = "yimayou_csrf"
	csrfField     = "_csrf"
	localUser     = "user"
	localCSRF     = "csrf"
	localCSRFKit  = "csrf_handler"
	sessionTTL    = 12 * time.Hour
)

// errCSRF is returned when a form's CSRF token is missing or wrong.
var errCSRF = errors.New("web: CSRF token missing or invalid")

// secureCookies is true when the public URL is https: cookies then carry
// the Secure flag.
func (s *Server) secureCookies() bool { return strings.HasPrefix(s.PublicURL, "https://") }

// consoleMiddleware guards every /admin route: the session is loaded if
// there is one, and every unsafe request must carry the CSRF token of the
// form it came from. Token state lives in MongoDB (Deps.KV) so any node
// can check a form another node served.
func (s *Server) consoleMiddleware() []fiber.Handler {
	return []fiber.Handler{
		func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Next()
		},
		s.loadUser,
		csrf.New(csrf.Config{
			Storage:           s.KV,
			CookieName:        csrfCookie,
			CookieSameSite:    "Strict",
			CookieHTTPOnly:    true,
			CookieSecure:      s.secureCookies(),
			Expiration:        2 * time.Hour,
			ContextKey:        localCSRF,
			HandlerContextKey: localCSRFKit,
			Extractor: func(c *fiber.Ctx) (string, error) {
				if t := c.FormValue(csrfField); t != "" {
					return t, nil
				}
				if t := c.Get("X-CSRF-Token"); t != "" {
					return t, nil
				}
				return "", errCSRF
			},
			ErrorHandler: func(c *fiber.Ctx, err error) error { return errCSRF },
		}),
	}
}

// rotateCSRF drops the CSRF token the browser had before the session
// changed and expires its cookie; the next page gets a fresh one. A token
// planted before login (session fixation of the CSRF token) is then
// worthless.
func rotateCSRF(c *fiber.Ctx) {
	if h, ok := c.Locals(localCSRFKit).(*csrf.CSRFHandler); ok {
		_ = h.DeleteToken(c) // no cookie: nothing to drop
	}
}

// loadUser puts the logged-in user, if any, into the request.
func (s *Server) loadUser(c *fiber.Ctx) error {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return c.Next()
	}
	ctx := c.UserContext()
	sess, err := s.Accounts.Session(ctx, token, time.Now())
	if errors.Is(err, domain.ErrNotFound) {
		s.clearSessionCookie(c)
		return c.Next()
	}
	if err != nil {
		return err
	}
	u, err := s.Accounts.User(ctx, sess.Username)
	if errors.Is(err, domain.ErrNotFound) || err == nil && u.Disabled {
		s.clearSessionCookie(c)
		return c.Next()
	}
	if err != nil {
		return err
	}
	c.Locals(localUser, &u)
	return c.Next()
}

// currentUser is the logged-in user, or nil.
func currentUser(c *fiber.Ctx) *domain.User {
	u, _ := c.Locals(localUser).(*domain.User)
	return u
}

// requireRole lets a request through only for a logged-in user with one of
// roles (admins always pass). A visitor who is not logged in is sent to
// the login page and back.
func requireRole(roles ...domain.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			return c.Redirect("/admin/login?next="+urlQueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		if u.Role != domain.RoleAdmin && !slices.Contains(roles, u.Role) {
			return domain.ErrForbidden
		}
		return c.Next()
	}
}

// authorizeCounty is the one place where county scoping is decided: every
// console handler that touches a county's data calls it with that county,
// after loading the data (so a guessed id of another county is refused
// too).
func authorizeCounty(c *fiber.Ctx, county string) error {
	u := currentUser(c)
	if u == nil || !u.CanAccessCounty(county) {
		return domain.ErrForbidden
	}
	return nil
}

// loginLimiter bounds login attempts per IP; the per-account lockout in
// the store covers attacks spread over many IPs.
func (s *Server) loginLimiter() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        10,
		Expiration: time.Minute,
		Storage:    s.KV,
		Next:       func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: func(c *fiber.Ctx) string {
			return "login:" + clientIP(c)
		},
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}

func (s *Server) setSessionCookie(c *fiber.Ctx, token string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HTTPOnly: true, Secure: s.secureCookies(), SameSite: fiber.CookieSameSiteLaxMode})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: s.secureCookies(), SameSite: fiber.CookieSameSiteLaxMode})
}
