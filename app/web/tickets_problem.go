package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// ticketProblem answers a ticketing API request with an RFC 9457 problem
// in the caller's language for the errors ticketing adds (refusals, bad
// webhooks); anything else goes to the one error mapping in errors.go.
func (s *Server) ticketProblem(c *fiber.Ctx, err error) error {
	var ref *tickets.Refusal
	status, titleKey, detailKey := 0, "", ""
	switch {
	case errors.As(err, &ref):
		status, titleKey, detailKey = fiber.StatusConflict, "tickets.problem.refused", ref.Key()
		if ref.Reason == tickets.ReasonAmount {
			status = fiber.StatusUnprocessableEntity
		}
	case errors.Is(err, tickets.ErrWebhookSignature):
		status, titleKey, detailKey = fiber.StatusUnauthorized, "tickets.problem.signature", "tickets.problem.signature_detail"
	default:
		return err
	}
	lang := langOf(c)
	c.Status(status)
	return c.JSON(problem{Type: "about:blank", Title: s.I18n.T(lang, titleKey), Status: status,
		Detail: s.I18n.T(lang, detailKey), Instance: c.Path()}, "application/problem+json")
}

// badJSON is a request body that is not the JSON asked for.
func badJSON(field string) error {
	return &domain.ValidationError{Field: field, Key: "tickets.error.json"}
}
