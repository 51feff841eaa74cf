package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// TicketDeps are the ticketing collaborators.
type TicketDeps struct {
	// Service runs ticketing; without it no ticket route is served.
	Service *tickets.Service
	// ReserveLimit is how many reservation attempts one IP may make per
	// minute; 0 means 30 (tour groups share the IP of a bus's Wi-Fi or a
	// carrier's NAT, so it cannot be small).
	ReserveLimit int
}

// ticketRoutes registers the tourist reservation pages on app and the gate
// and cashier pages under /admin.
//
// Tourists: /s/{county}/{site}/reserve (the "Reserve" link of a site
// page), the private link /r/{ref}/{secret} with one QR image per visitor
// and the cancel button. Gates: /admin/gate (role gate, scoped to the
// user's counties), its JSON check and sync endpoints, and the cashier at
// /admin/gate/cashier. Machines: /api/tickets/keys (public keys for
// offline verification) and the payment webhook
// /api/tickets/payments/{provider}.
func (s *Server) ticketRoutes(app fiber.Router, admin fiber.Router) {
	if s.Tickets.Service == nil {
		return
	}
	app.Get("/s/:county/:site/reserve", s.showReserve)
	app.Post("/s/:county/:site/reserve", s.reserveLimiter(), s.reserve)
	app.Get("/r/:ref/:key", s.showMyReservation)
	app.Get("/r/:ref/:key/t/:file", s.ticketImage)
	app.Post("/r/:ref/:key/cancel", s.reserveLimiter(), s.cancelMyReservation)
	s.ticketFlowRoutes(app, admin)
	app.Get("/api/tickets/keys", s.ticketKeys)
	app.Post("/api/tickets/payments/:provider", s.paymentWebhook)

	gate := requireRole(domain.RoleGate)
	admin.Get("/gate", gate, s.showGate)
	admin.Get("/gate/sw.js", s.gateServiceWorker)
	admin.Get("/gate/manifest.webmanifest", s.gateManifest)
	admin.Get("/gate/session", s.gateAPI, s.gateSession)
	admin.Post("/gate/check", s.gateAPI, s.gateCheck)
	admin.Post("/gate/sync", s.gateAPI, s.gateSync)
	admin.Get("/gate/cashier", gate, s.showCashier)
	admin.Post("/gate/cashier/:ref/paid", gate, s.cashierMarkPaid)
}

// reserveLimiter bounds reservation and cancellation attempts per IP; its
// state is in the shared store so every node counts alike.
func (s *Server) reserveLimiter() fiber.Handler {
	max := s.Tickets.ReserveLimit
	if max == 0 {
		max = 30
	}
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: time.Minute,
		Storage:    s.KV,
		KeyGenerator: func(c *fiber.Ctx) string {
			return "reserve:" + clientIP(c)
		},
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}

// reserveHref is the "Reserve" link of a site page, or "" when the site
// sells no reserved tickets here. The answer can lag a ticketing edit by
// the service's site cache (10 s).
func (s *Server) reserveHref(ctx context.Context, site *domain.Site) string {
	if s.Tickets.Service == nil {
		return ""
	}
	if _, err := s.Tickets.Service.Site(ctx, site.Key); err != nil {
		return ""
	}
	return siteHref(site.County, site.Key) + "/reserve"
}
