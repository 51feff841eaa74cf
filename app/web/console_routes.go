package web

import "github.com/gofiber/fiber/v2"

// ConsoleDeps are the console's collaborators beyond the shared ones.
type ConsoleDeps struct{}

// consoleRoutes registers the bureau console's pages under /admin; the
// group already loads the user and checks CSRF tokens.
func (s *Server) consoleRoutes(admin fiber.Router) {}
