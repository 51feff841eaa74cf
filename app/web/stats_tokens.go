package web

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/store"
)

type tokensPage struct {
	Tokens   []store.APIToken
	NewToken string // shown once, right after creation
	Name     string
	ErrorKey string
	Done     string
}

// listTokens shows the user's API tokens; tokens act with the user's own
// role and counties.
func (h *statsViews) listTokens(c *fiber.Ctx) error {
	return h.renderTokens(c, fiber.StatusOK, &tokensPage{Done: doneKey(c)})
}

func (h *statsViews) renderTokens(c *fiber.Ctx, status int, p *tokensPage) error {
	list, err := h.st.APITokens(c.UserContext(), currentUser(c).Username)
	if err != nil {
		return err
	}
	p.Tokens = list
	return h.s.renderConsole(c, status, "console/stats_tokens", "stats.tokens.title", p)
}

// createToken makes a token and shows it once; only its hash is kept.
func (h *statsViews) createToken(c *fiber.Ctx) error {
	name := strings.TrimSpace(utils.CopyString(c.FormValue("name")))
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return h.renderTokens(c, fiber.StatusBadRequest, &tokensPage{Name: name, ErrorKey: "stats.tokens.error_name"})
	}
	u := currentUser(c)
	token, _, err := h.st.CreateAPIToken(c.UserContext(), u.Username, name, h.now())
	if err != nil {
		return err
	}
	h.s.Log.Info("api token created", "user", u.Username, "name", name)
	return h.renderTokens(c, fiber.StatusCreated, &tokensPage{NewToken: token})
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
