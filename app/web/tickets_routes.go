package web

import "github.com/gofiber/fiber/v2"

// TicketDeps are the ticketing collaborators.
type TicketDeps struct{}

// ticketRoutes registers the tourist reservation pages on app and the gate
// and cashier pages under /admin.
func (s *Server) ticketRoutes(app fiber.Router, admin fiber.Router) {}
