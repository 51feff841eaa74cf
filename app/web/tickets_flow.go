package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// A tourist who lost the private link (closed the tab, a new phone, the
// screenshot of the link cut off) gets it back with a visitor's document
// number and the phone given when booking: both are needed, the answer to
// "nothing found" is the same page whether the ID never booked or the
// phone is wrong, and tries are limited per client address so the phone
// of a known ID cannot be guessed.

const recoverHref = "/r/find"

type recoverData struct {
	Action                  string
	IDTypes                 []string
	IDType, IDNumber, Phone string
	Error, ErrorField       string
	NotFound                bool
	Found                   []recoverItem
}

type recoverItem struct {
	Ref, Href, DateLabel, StateKey string
	Site                           localized
}

// ticketFlowRoutes registers the lost-link pages (ticketRoutes calls it).
func (s *Server) ticketFlowRoutes(app fiber.Router, admin fiber.Router) {
	app.Get(recoverHref, s.showRecover)
	app.Post(recoverHref, s.recoverLimiter(), s.recoverIDLimiter(), s.recoverBooking)
	admin.Get("/gate/flags", requireRole(domain.RoleGate, domain.RoleOperator), s.showGateFlags)
}

// recoverLimiter allows 10 tries per client address per 15 minutes: enough
// for typos, far too few to guess a phone number.
func (s *Server) recoverLimiter() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        10,
		Expiration: 15 * time.Minute,
		Storage:    s.KV,
		KeyGenerator: func(c *fiber.Ctx) string {
			return "recover:" + clientIP(c)
		},
		LimitReached: func(c *fiber.Ctx) error {
			d := s.recoverForm(c)
			d.Error = s.I18n.T(langOf(c), "ticketflow.recover.limit")
			return s.renderRecover(c, fiber.StatusTooManyRequests, d)
		},
	})
}

// recoverIDLimiter allows 5 tries per document number per hour, whatever
// the client address: a phone number cannot be guessed from many
// addresses either. The key is a keyed hash, never the number.
func (s *Server) recoverIDLimiter() fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        5,
		Expiration: time.Hour,
		Storage:    s.KV,
		Next: func(c *fiber.Ctx) bool {
			return s.Tickets.Service.ThrottleKey(c.UserContext(), c.FormValue("id")) == ""
		},
		KeyGenerator: func(c *fiber.Ctx) string {
			return "recover-id:" + s.Tickets.Service.ThrottleKey(c.UserContext(), c.FormValue("id"))
		},
		LimitReached: func(c *fiber.Ctx) error {
			d := s.recoverForm(c)
			d.Error = s.I18n.T(langOf(c), "ticketflow.recover.limit")
			return s.renderRecover(c, fiber.StatusTooManyRequests, d)
		},
	})
}

func (s *Server) recoverForm(c *fiber.Ctx) recoverData {
	d := recoverData{Action: recoverHref, IDType: string(tickets.IDResident)}
	for _, it := range tickets.IDTypes {
		d.IDTypes = append(d.IDTypes, string(it))
	}
	if c.Method() == fiber.MethodPost {
		d.IDType, d.IDNumber, d.Phone = utils.CopyString(c.FormValue("id_type")), utils.CopyString(c.FormValue("id")),
			utils.CopyString(c.FormValue("phone"))
	}
	return d
}

func (s *Server) showRecover(c *fiber.Ctx) error {
	return s.renderRecover(c, fiber.StatusOK, s.recoverForm(c))
}

func (s *Server) recoverBooking(c *fiber.Ctx) error {
	lang := langOf(c)
	d := s.recoverForm(c)
	found, err := s.Tickets.Service.Recover(c.UserContext(), tickets.RecoverRequest{IDType: d.IDType, IDNumber: d.IDNumber, Phone: d.Phone})
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		d.Error, d.ErrorField = s.I18n.T(lang, ve.Key, ve.Args...), ve.Field
		return s.renderRecover(c, fiber.StatusBadRequest, d)
	case err != nil:
		return err
	case len(found) == 1:
		return c.Redirect(myReservationHref(found[0].Ref, found[0].Secret), fiber.StatusSeeOther)
	case len(found) == 0:
		d.NotFound = true
		d.Error = s.I18n.T(lang, "ticketflow.recover.none")
		return s.renderRecover(c, fiber.StatusOK, d)
	}
	snap := s.Catalog.Snapshot()
	for _, r := range found {
		it := recoverItem{Ref: r.Ref, Href: myReservationHref(r.Ref, r.Secret), DateLabel: s.dayLabel(lang, r.Date),
			StateKey: "tickets.state." + string(r.State), Site: localized{S: r.Site}}
		if site, ok := snap.Site(r.Site); ok {
			it.Site = loc(site.Name, lang)
		}
		d.Found = append(d.Found, it)
	}
	return s.renderRecover(c, fiber.StatusOK, d)
}

func (s *Server) renderRecover(c *fiber.Ctx, status int, d recoverData) error {
	v := s.view(c, "")
	v.Title = v.T("ticketflow.recover.title")
	v.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex")
	return s.tpl.render(c, status, "tickets/recover", v)
}
