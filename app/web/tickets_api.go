package web

import (
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// ticketKeys serves the public keys gates verify ticket codes with.
// Public keys are not secret; gates fetch them when online and keep them
// for offline use.
func (s *Server) ticketKeys(c *fiber.Ctx) error {
	keys, err := s.Tickets.Service.PublicKeys(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(struct {
		Keys []tickets.PublicKey `json:"keys"`
	}{keys})
}

type paymentBody struct {
	Reservation   string `json:"reservation"`
	TransactionID string `json:"transaction_id"`
	AmountFen     int64  `json:"amount_fen"`
	Status        string `json:"status"`
}

// paymentWebhook takes a provider's payment confirmation: signature first
// (nothing is parsed from an unsigned body), then idempotent by the
// provider's transaction id.
func (s *Server) paymentWebhook(c *fiber.Ctx) error {
	ctx := c.UserContext()
	secret, err := s.Tickets.Service.WebhookSecret(ctx)
	if err != nil {
		return err
	}
	body := c.Body()
	if err := tickets.VerifyWebhook(secret, c.Get("Yimayou-Signature"), body, s.Tickets.Service.Now()); err != nil {
		return s.ticketProblem(c, err)
	}
	var p paymentBody
	if len(body) > 16<<10 || json.Unmarshal(body, &p) != nil {
		return badJSON("body")
	}
	if p.Status == "refunded" && tickets.ValidRef(p.Reservation) {
		// The provider gave the money back: only now is the booking
		// "refunded" for the tourist.
		r, err := s.Tickets.Service.RecordRefund(ctx, p.Reservation, "webhook:"+utils.CopyString(c.Params("provider")), p.TransactionID)
		var ref *tickets.Refusal
		if errors.As(err, &ref) {
			return c.JSON(fiber.Map{"outcome": "ignored", "reservation": p.Reservation})
		}
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"outcome": "refunded", "reservation": r.Ref})
	}
	if p.Status != "paid" {
		// Only confirmations change anything; other notices are taken
		// and ignored so the provider stops retrying.
		return c.JSON(fiber.Map{"outcome": "ignored"})
	}
	if !tickets.ValidRef(p.Reservation) {
		return &domain.ValidationError{Field: "reservation", Key: "tickets.error.webhook"}
	}
	pay, err := s.Tickets.Service.ConfirmPayment(ctx, tickets.PaymentNotice{Provider: utils.CopyString(c.Params("provider")),
		Transaction: p.TransactionID, Ref: p.Reservation, Fen: p.AmountFen})
	var ref *tickets.Refusal
	if errors.As(err, &ref) {
		return s.ticketProblem(c, err)
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"outcome": pay.Outcome, "reservation": pay.Ref})
}
