// Package web is the only importer of fiber: routes, thin handlers,
// middleware, templates and the mapping of domain errors to pages and
// problem+json.
package web

import (
	"context"
	"html/template"
	"io/fs"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/media"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/ratelog"
)

// Recorder takes events off the request path; the event pipeline
// implements it. Record returns once the event is safe by the pipeline's
// durability contract.
type Recorder interface {
	Record(ctx context.Context, e domain.Event) error
}

// Tagger fills the visitor-derived fields of an event (device and referrer
// class, bot flag, visitor key) from facts of the request. Nothing else of
// the request is kept.
type Tagger interface {
	Tag(ctx context.Context, client domain.Client, e *domain.Event)
}

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// ReadyCheck adds a named detail to /readyz; a non-nil error makes the node
// not ready.
type ReadyCheck func(ctx context.Context) (detail any, err error)

// Deps are the server's collaborators, built in app/cli.
type Deps struct {
	Catalog  *catalog.Catalog
	I18n     *i18n.Catalogs
	Recorder Recorder
	Tagger   Tagger // optional
	// RecordBudget bounds what one client can add to the numbers
	// (record_budget.go); the zero value is the documented default.
	RecordBudget RecordBudget
	// LateTokens signs and checks the tokens that late events need
	// (offline.go); without it the late-event API refuses everything.
	LateTokens LateTokens
	LateClaims LateClaims // optional: see offline.go
	QR         *qr.Renderer
	QRRenders  *qr.RenderGate // optional: bounds uncached renders; default half the CPUs
	DB         Pinger
	Registry   *prometheus.Registry // optional: /metrics (on the public port only with MetricsToken; see MetricsApp)
	Log        *slog.Logger
	PublicURL  string
	Public     fs.FS
	ReadyExtra map[string]ReadyCheck
	Version    string

	// Reverse proxies whose ProxyHeader names the client (clientIP);
	// empty: the TCP peer is the client.
	TrustedProxies []netip.Prefix
	ProxyHeader    string
	// MetricsToken, if set, serves /metrics on the public port to
	// "Authorization: Bearer MetricsToken".
	MetricsToken string

	// The console (/admin) is served when Accounts is set.
	Accounts      Accounts
	CheckPassword PasswordChecker
	KV            fiber.Storage // CSRF and rate-limit state shared by all nodes

	Alerts AlertSource // optional: zone-wide banners on public pages

	// Feedback and FormSecret enable the visitors' feedback form.
	Feedback   FeedbackStore
	FormSecret []byte

	Console ConsoleDeps // console_routes.go
	Tickets TicketDeps  // tickets_routes.go
	// TicketSettings: the bureau's ticketing pages (ticketsettings_routes.go)
	TicketSettings TicketSettingsDeps
	Stats          StatsDeps  // stats_routes.go
	Region         RegionDeps // region_console.go
}

// Server holds what handlers share.
type Server struct {
	Deps
	tpl       *engine
	assets    *assets
	css       template.CSS
	md        *markdown
	metrics   *metrics
	pages     *pageCache
	budget    *recordBudget
	lateUses  lateUses
	alerts    *alertCache
	swBody    []byte
	cspHeader string
	started   time.Time
	photos    *media.Gate // bounds photo decoding (console_media.go)
	qrRenders *qr.RenderGate
	errLog    *ratelog.Logger // errors that repeat per request
	proxies   *proxyTrust
}

// New builds the fiber app with every route.
func New(d Deps) (*fiber.App, error) {
	tpl, err := newEngine()
	if err != nil {
		return nil, err
	}
	a, err := loadAssets(d.Public)
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, tpl: tpl, assets: a, css: template.CSS(a.css + d.I18n.CSS()), md: newMarkdown(),
		metrics: newMetrics(d.Registry), pages: newPageCache(2000), started: time.Now(),
		photos: media.NewGate(0, 0, 0), qrRenders: d.QRRenders, budget: newRecordBudget(d.RecordBudget),
		proxies: newProxyTrust(d.TrustedProxies, d.ProxyHeader)}
	s.errLog = ratelog.New(d.Log, 30*time.Second)
	if s.qrRenders == nil {
		s.qrRenders = qr.NewRenderGate(0, 500*time.Millisecond)
	}

	s.cspHeader = s.csp()
	s.Stats.useDefaultCrowd() // stats_crowd.go
	s.alerts = newAlertCache(d.Alerts, 15*time.Second)
	s.swBody = buildServiceWorker(a)
	app := fiber.New(fiber.Config{
		AppName:               "yimayou",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           30 * time.Second, // an idle keep-alive holds a file descriptor; phones reconnect cheaply
		BodyLimit:             8 << 20,
		ReadBufferSize:        8192,
		// X-Forwarded-Proto and -Host count only from trusted proxies.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.proxies.fiberProxies(),
	})
	app.Use(s.trustProxies, s.observe, s.recoverPanic, s.securityHeaders, s.language)
	app.Use(compress.New(compress.Config{Level: compress.LevelBestSpeed}))
	app.Use(etag.New())

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	if d.Registry != nil && d.MetricsToken != "" {
		app.Get("/metrics", s.metricsAuth, s.metricsHandler())
	}
	app.Get("/static/*", s.assets.serve)
	app.Get("/robots.txt", func(c *fiber.Ctx) error {
		return c.Redirect(s.assets.url("robots.txt"), fiber.StatusFound)
	})
	app.Get("/favicon.ico", func(c *fiber.Ctx) error {
		return c.Redirect(s.assets.url("icons/favicon.svg"), fiber.StatusMovedPermanently)
	})

	app.Get("/", s.showHome)
	app.Get("/c/:county", s.showCounty)
	app.Get("/s/:county/:site", s.showSite)
	app.Get("/q/:code", s.scan)
	app.Get("/qr/:file", s.qrImage)
	s.mediaRoutes(app) // console_media.go: uploaded photos and audio
	app.Get("/sw.js", s.serviceWorker)
	app.Post("/api/v1/events", s.lateEventsLimiter(), s.lateEvents)
	if d.Feedback != nil {
		app.Get("/s/:county/:site/feedback", s.showFeedback)
		app.Post("/s/:county/:site/feedback", s.feedbackLimiter(), s.postFeedback)
	}

	if d.Accounts != nil {
		admin := app.Group("/admin", s.consoleMiddleware()...)
		admin.Get("/login", s.showLogin)
		admin.Post("/login", s.loginLimiter(), s.login)
		admin.Post("/logout", s.logout)
		admin.Get("/", requireRole(domain.Roles...), s.consoleHome)
		if d.Feedback != nil {
			admin.Get("/feedback", requireRole(domain.RoleEditor, domain.RoleOperator), s.listFeedback)
			admin.Post("/feedback/:id/resolve", requireRole(domain.RoleEditor), s.resolveFeedback)
		}
		s.consoleRoutes(admin)
		s.ticketRoutes(app, admin)
		s.ticketSettingsRoutes(admin)
		s.statsRoutes(app, admin)
		s.regionRoutes(admin)
	}

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return app, nil
}
