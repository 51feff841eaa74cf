package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz says the process is up; it touches nothing else, so a slow
// database never gets a healthy node restarted.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version, "uptime_s": int(time.Since(s.started).Seconds())})
}

// readyz says whether this node should get traffic: the database answers
// and every extra check (event log lag…) passes. Details are included so
// an operator sees why.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	c.Set(fiber.HeaderCacheControl, "no-store")
	checks := fiber.Map{}
	ready := true
	if err := s.DB.Ping(ctx); err != nil {
		checks["database"] = fiber.Map{"ok": false, "error": err.Error()}
		ready = false
	} else {
		checks["database"] = fiber.Map{"ok": true}
	}
	for name, check := range s.ReadyExtra {
		detail, err := check(ctx)
		entry := fiber.Map{"ok": err == nil, "detail": detail}
		if err != nil {
			entry["error"] = err.Error()
			ready = false
		}
		checks[name] = entry
	}
	checks["content_version"] = s.Catalog.Snapshot().Version
	status := fiber.StatusOK
	if !ready {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(fiber.Map{"ready": ready, "checks": checks})
}
