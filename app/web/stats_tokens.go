package web

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// tokenLifetimes are the spans a token can be made for, in days; the
// default is store.APITokenLifetime.
var tokenLifetimes = []int{30, 90, 180, 365}

const defaultTokenDays = int(store.APITokenLifetime / (24 * time.Hour))

// tokenRow is a token as the console lists it.
type tokenRow struct {
	store.APIToken
	ExpiresAt time.Time
	Expired   bool
	Soon      bool // expires within two weeks
}

func tokenRows(list []store.APIToken, now time.Time) []tokenRow {
	rows := make([]tokenRow, len(list))
	for i, t := range list {
		rows[i] = tokenRow{APIToken: t, ExpiresAt: t.ExpiresAt().UTC(), Expired: t.Expired(now),
			Soon: !t.Expired(now) && t.Expired(now.Add(14*24*time.Hour))}
	}
	return rows
}

type tokensPage struct {
	Tokens     []tokenRow
	NewToken   string    // shown once, right after creation
	NewExpires time.Time // its expiry
	Name       string
	Days       int
	Lifetimes  []int
	ErrorKey   string
	Done       string
	Admin      bool // links to every user's tokens
}

// listTokens shows the user's API tokens; tokens act with the user's own
// role and counties.
func (h *statsViews) listTokens(c *fiber.Ctx) error {
	return h.renderTokens(c, fiber.StatusOK, &tokensPage{Done: doneKey(c)})
}

func (h *statsViews) renderTokens(c *fiber.Ctx, status int, p *tokensPage) error {
	u := currentUser(c)
	list, err := h.st.APITokens(c.UserContext(), u.Username)
	if err != nil {
		return err
	}
	p.Tokens = tokenRows(list, h.now())
	p.Lifetimes, p.Admin = tokenLifetimes, u.Role == domain.RoleAdmin
	if p.Days == 0 {
		p.Days = defaultTokenDays
	}
	return h.s.renderConsole(c, status, "console/stats_tokens", "stats.tokens.title", p)
}

// createToken makes a token and shows it once; only its hash is kept.
func (h *statsViews) createToken(c *fiber.Ctx) error {
	name := strings.TrimSpace(utils.CopyString(c.FormValue("name")))
	days := defaultTokenDays
	if d := c.FormValue("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || !validLifetime(n) {
			return h.renderTokens(c, fiber.StatusBadRequest, &tokensPage{Name: name, ErrorKey: "tokens.error_days"})
		}
		days = n
	}
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return h.renderTokens(c, fiber.StatusBadRequest, &tokensPage{Name: name, Days: days, ErrorKey: "stats.tokens.error_name"})
	}
	u := currentUser(c)
	now := h.now()
	token, made, err := h.st.CreateAPITokenUntil(c.UserContext(), u.Username, name, now, now.AddDate(0, 0, days))
	if err != nil {
		return err
	}
	h.s.Log.Info("api token created", "user", u.Username, "name", name, "days", days)
	return h.renderTokens(c, fiber.StatusCreated, &tokensPage{NewToken: token, NewExpires: made.ExpiresAt().UTC()})
}

func validLifetime(days int) bool {
	for _, d := range tokenLifetimes {
		if d == days {
			return true
		}
	}
	return false
}

// revokeToken deletes one of the user's tokens; another user's is not
// found.
func (h *statsViews) revokeToken(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	if err := h.st.RevokeAPIToken(c.UserContext(), currentUser(c).Username, id); err != nil {
		return err
	}
	return c.Redirect("/admin/stats/tokens", fiber.StatusSeeOther)
}

// allTokensPage is the admins' list of every token in their scope.
type allTokensPage struct {
	Tokens []tokenRow
	Done   string
}

// listAllTokens shows the tokens of every user in the admin's scope, so a
// token of someone who left, or one leaked, can be ended.
func (h *statsViews) listAllTokens(c *fiber.Ctx) error {
	ctx := c.UserContext()
	list, err := h.st.AllAPITokens(ctx)
	if err != nil {
		return err
	}
	owners := map[string]bool{}
	var mine []store.APIToken
	for _, t := range list {
		in, ok := owners[t.Username]
		if !ok {
			in, err = h.tokenInScope(c, t)
			if err != nil {
				return err
			}
			owners[t.Username] = in
		}
		if in {
			mine = append(mine, t)
		}
	}
	return h.s.renderConsole(c, fiber.StatusOK, "console/stats_tokens_all", "tokens.all_title",
		&allTokensPage{Tokens: tokenRows(mine, h.now()), Done: map[bool]string{true: "tokens.done_revoked"}[c.Query("done") == "revoked"]})
}

// revokeAnyToken ends a token of any user in the admin's scope; one out
// of scope is not found, as if it did not exist.
func (h *statsViews) revokeAnyToken(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, err := h.st.APITokenByID(ctx, utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	in, err := h.tokenInScope(c, t)
	if err != nil {
		return err
	}
	if !in {
		return domain.ErrNotFound
	}
	if err := h.st.RevokeAPIToken(ctx, t.Username, t.ID); err != nil {
		return err
	}
	if err := h.s.audit(c, "api_token_revoke", t.Username, "", nil); err != nil {
		return err
	}
	h.s.Log.Info("api token revoked by an admin", "user", t.Username, "name", t.Name, "by", currentUser(c).Username)
	return c.Redirect("/admin/stats/tokens/all?done=revoked", fiber.StatusSeeOther)
}

// tokenInScope reports whether the current user may see and end t: every
// county its owner works for must be one of theirs (an admin's: all). A
// token of a deleted user is in an admin's scope, to be cleaned up.
func (h *statsViews) tokenInScope(c *fiber.Ctx, t store.APIToken) (bool, error) {
	me := currentUser(c)
	owner, err := h.s.Accounts.User(c.UserContext(), t.Username)
	if errors.Is(err, domain.ErrNotFound) {
		return me.Role == domain.RoleAdmin, nil
	}
	if err != nil {
		return false, err
	}
	if owner.Role == domain.RoleAdmin {
		return me.Role == domain.RoleAdmin, nil
	}
	for _, cty := range owner.Counties {
		if !me.CanAccessCounty(cty) {
			return false, nil
		}
	}
	return true, nil
}
