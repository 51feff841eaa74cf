package web

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/stats"
	"github.com/yimayou/yimayou/app/store"
)

// StatsStore is what the statistics views need of the database;
// store.Store implements it. Dashboards read rollups and capacity
// documents by _id only, never raw events.
type StatsStore interface {
	stats.BoardStore
	stats.CapacityStore
	SignsAll(ctx context.Context) ([]domain.Sign, error)

	CreateAPITokenUntil(ctx context.Context, username, name string, now, expires time.Time) (string, store.APIToken, error)
	APIToken(ctx context.Context, token string) (store.APIToken, error)
	APITokens(ctx context.Context, username string) ([]store.APIToken, error)
	RevokeAPIToken(ctx context.Context, username, id string) error
	AllAPITokens(ctx context.Context) ([]store.APIToken, error)
	APITokenByID(ctx context.Context, id string) (store.APIToken, error)
}

// StatsDeps enable the statistics console, its API and the public crowd
// level.
type StatsDeps struct {
	Store StatsStore
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Crowd gives the site page today's crowd level; with Store set and
	// Crowd nil, a stats.Crowd over Store (5 s cache) is used.
	Crowd CrowdSource
	// Warm, when set, keeps the usual prefecture views in memory until it
	// ends (stats_warm.go), and this node's live minutes written to the
	// store; serve passes its workers' context.
	Warm context.Context
	// Node names this app node (the event log's node id): with it, the
	// live view is shared by every node through the store.
	Node string
}

// statsViews holds what the statistics handlers share; it lives as long
// as the app (no package state).
type statsViews struct {
	s     *Server
	st    StatsStore
	board *stats.Board
	live  *stats.Live
}

func (h *statsViews) now() time.Time {
	if h.s.Stats.Now != nil {
		return h.s.Stats.Now()
	}
	return time.Now()
}

// statsView is one statistics view: it computes its answer once, and the
// answer is rendered as a console page, CSV or JSON.
type statsView struct {
	name     string // URL segment
	template string // console template
	titleKey string
	compute  func(h *statsViews, c *fiber.Ctx) (statsAnswer, error)
	// answer is a zero value of the view's JSON answer: the OpenAPI
	// document describes the API from its type.
	answer any
}

// statsAnswer is a computed view: Page feeds the template, Tables the CSV
// (the first is the default; ?table= picks another), JSON the API.
type statsAnswer struct {
	Page   any
	Tables []csvTable
	JSON   any
}

func statsViewList() []statsView {
	return []statsView{
		{"overview", "console/stats_overview", "stats.overview.title", (*statsViews).overview, overviewJSON{}},
		{"funnel", "console/stats_funnel", "stats.funnel.title", (*statsViews).funnel, funnelJSON{}},
		{"dead-signs", "console/stats_deadsigns", "stats.dead.title", (*statsViews).deadSigns, deadSignsJSON{}},
		{"capacity", "console/stats_capacity", "stats.capacity.title", (*statsViews).capacity, capacityAnswerJSON{}},
		{"live", "console/stats_live", "stats.live.title", (*statsViews).liveView, liveJSON{}},
	}
}

// statsRoutes registers the statistics console under /admin/stats, the
// JSON API under /api/v1/stats (API tokens) and /api/openapi.json.
// Every view resolves its scope through statsScope, which calls
// authorizeCounty: the one check, whether the user came by session or by
// token.
func (s *Server) statsRoutes(app *fiber.App, admin fiber.Router) {
	if s.Stats.Store == nil {
		return
	}
	h := &statsViews{s: s, st: s.Stats.Store, live: stats.NewLive()}
	if ls, ok := s.Stats.Store.(stats.LiveStore); ok && s.Stats.Node != "" {
		h.live = stats.NewSharedLive(s.Stats.Node, ls)
	}
	h.board = stats.NewBoard(s.Stats.Store).WithClock(h.now)
	if s.Stats.Warm != nil {
		go h.warm(s.Stats.Warm)
		go h.live.Run(s.Stats.Warm, func(err error) { s.Log.Warn("stats: live", "err", err) })
	}
	if s.Recorder != nil {
		// Count events by minute for the live view as they are recorded.
		s.Recorder = h.live.Wrap(s.Recorder)
	}
	operator := requireRole(domain.RoleOperator)
	admin.Get("/stats", operator, h.html(statsViewList()[0]))
	for _, v := range statsViewList() {
		admin.Get("/stats/"+v.name, operator, h.html(v))
		admin.Get("/stats/"+v.name+".csv", operator, h.csv(v))
	}
	admin.Get("/stats/tokens", operator, h.listTokens)
	admin.Post("/stats/tokens", operator, h.createToken)
	admin.Post("/stats/tokens/:id/revoke", operator, h.revokeToken)
	admin.Get("/stats/tokens/all", requireRole(domain.RoleAdmin), h.listAllTokens)
	admin.Post("/stats/tokens/all/:id/revoke", requireRole(domain.RoleAdmin), h.revokeAnyToken)

	api := app.Group("/api/v1/stats", h.apiAuth)
	for _, v := range statsViewList() {
		api.Get("/"+v.name, h.json(v))
	}
	app.Get("/api/openapi.json", h.openAPI)
}

func (h *statsViews) html(v statsView) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := v.compute(h, c)
		if err != nil {
			return err
		}
		return h.s.renderConsole(c, fiber.StatusOK, v.template, v.titleKey, a.Page)
	}
}

func (h *statsViews) csv(v statsView) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := v.compute(h, c)
		if err != nil {
			return err
		}
		return sendCSV(c, v.name, a.Tables)
	}
}

func (h *statsViews) json(v statsView) fiber.Handler {
	return func(c *fiber.Ctx) error {
		a, err := v.compute(h, c)
		if err != nil {
			return err
		}
		if c.Query("format") == "csv" {
			return sendCSV(c, v.name, a.Tables)
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(a.JSON)
	}
}

// errUnauthorized answers an API request without a valid token.
var errUnauthorized = fiber.NewError(fiber.StatusUnauthorized, "a valid API token is required")

// errTokenExpired answers a request with a token past its expiry.
var errTokenExpired = fiber.NewError(fiber.StatusUnauthorized, "the API token expired: create a new one in the console")

// headerTokenExpires tells an API client when its token stops working.
const headerTokenExpires = "Yimayou-Token-Expires"

// apiAuth lets an API request act as the user its bearer token belongs
// to: the handlers then scope it exactly like that user's console.
func (h *statsViews) apiAuth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	token, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || token == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="yimayou"`)
		return errUnauthorized
	}
	ctx := c.UserContext()
	t, err := h.st.APIToken(ctx, strings.TrimSpace(token))
	if errors.Is(err, domain.ErrNotFound) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="yimayou", error="invalid_token"`)
		return errUnauthorized
	}
	if err != nil {
		return err
	}
	if t.Expired(h.now()) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="yimayou", error="invalid_token", error_description="the token expired"`)
		return errTokenExpired
	}
	// Scripts can see when to ask for a new token before it stops.
	c.Set(headerTokenExpires, t.ExpiresAt().UTC().Format(time.RFC3339))
	u, err := h.s.Accounts.User(ctx, t.Username)
	if errors.Is(err, domain.ErrNotFound) || err == nil && u.Disabled {
		return errUnauthorized
	}
	if err != nil {
		return err
	}
	if u.Role != domain.RoleAdmin && u.Role != domain.RoleOperator {
		return domain.ErrForbidden
	}
	c.Locals(localUser, &u)
	return c.Next()
}
