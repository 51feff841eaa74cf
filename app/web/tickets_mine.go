package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/app/tickets"
)

// The tourist's private link /r/{ref}/{secret} is the only way to the
// reservation: no account, nothing to remember but a bookmark. The secret
// is never stored (only its hash), pages behind it are not indexed and not
// kept by shared caches, and the ticket images can be saved to the phone
// for the gate, where the signal may be gone.

type myReservationData struct {
	Ref, Href, SiteHref  string
	Site                 localized
	State                string
	StateKey             string
	DateLabel, SlotLabel string
	LastDayLabel         string
	Total                string
	HoldUntil            string
	Tickets              []myTicket
	CanCancel            bool
	CancelUntil          string
	Cancelled            bool
	Message              string
	Phone                string
	// Due is what an unpaid booking's codes ask the gate to collect.
	Due     string
	PayHref string // the provider's checkout, for an online booking awaiting payment
	NoShow  string // the no-show rule, when it applies
}

type myTicket struct {
	ID, Name, Masked, Type string
	Proof                  localized
	ImgHref, DownloadHref  string
	Used                   bool
}

func (s *Server) privateReservation(c *fiber.Ctx) (tickets.Reservation, error) {
	ref := c.Params("ref")
	if !tickets.ValidRef(ref) {
		return tickets.Reservation{}, domain.ErrNotFound
	}
	return s.Tickets.Service.Private(c.UserContext(), ref, c.Params("key"))
}

func (s *Server) showMyReservation(c *fiber.Ctx) error {
	r, err := s.privateReservation(c)
	if err != nil {
		return err
	}
	return s.renderMyReservation(c, fiber.StatusOK, r, "")
}

func (s *Server) renderMyReservation(c *fiber.Ctx, status int, r tickets.Reservation, message string) error {
	lang := langOf(c)
	ctx := c.UserContext()
	site, ok := s.Catalog.Snapshot().Site(r.Site)
	if !ok {
		return domain.ErrNotFound
	}
	cfg, err := s.Tickets.Service.Site(ctx, r.Site)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	href := myReservationHref(r.Ref, c.Params("key"))
	d := myReservationData{Ref: r.Ref, Href: href, SiteHref: siteHref(site.County, site.Key), Site: loc(site.Name, lang),
		State: string(r.State), StateKey: "tickets.state." + string(r.State), DateLabel: s.dayLabel(lang, r.Date),
		Total: s.I18n.T(lang, "tickets.yuan", yuan(r.TotalFen)), Cancelled: r.State.Final(), Message: message,
		Phone: maskPhone(r.Phone)}
	if r.TotalFen == 0 {
		d.Total = s.I18n.T(lang, "tickets.free")
	}
	if r.ValidDays > 1 {
		d.LastDayLabel = s.dayLabel(lang, tickets.AddDays(r.Date, r.ValidDays-1))
	}
	if slot, ok := cfg.Slot(r.Slot); ok && r.Slot != "" {
		d.SlotLabel = slot.Start + "–" + slot.End
	}
	if due := r.DueFen(); due > 0 {
		d.Due = s.I18n.T(lang, "tickets.yuan", yuan(due))
	}
	if r.State == tickets.StateHeld {
		d.HoldUntil = r.HoldUntil.In(domain.ChinaTime).Format("15:04")
		d.PayHref = s.Tickets.Service.CheckoutURL(ctx, r)
	}
	if !r.NoShowAt.IsZero() && (r.State == tickets.StateBooked || r.State == tickets.StatePaid) && r.PaidFen == 0 {
		at := r.NoShowAt.In(domain.ChinaTime)
		d.NoShow = s.I18n.T(lang, "tickets.mine.no_show", s.dayLabel(lang, tickets.Day(at))+" "+at.Format("15:04"))
	}
	used := false
	for i, v := range r.Visitors {
		t := myTicket{ID: v.TicketID, Name: v.Name, Masked: v.IDMasked, Type: v.Type,
			ImgHref: href + "/t/" + strconv.Itoa(i+1) + ".png"}
		// The code changes when the booking is paid: a new URL, so that
		// neither the browser nor the service worker keeps the old one.
		t.DownloadHref = t.ImgHref + "?download=1&v=" + strconv.Itoa(r.Seq)
		t.ImgHref += "?v=" + strconv.Itoa(r.Seq)
		if tt, ok := cfg.Type(v.Type); ok {
			t.Type, t.Proof = tt.Name.String(lang), loc(tt.Proof, lang)
		}
		if _, err := s.ticketCheckin(c, v.TicketID); err == nil {
			t.Used, used = true, true
		}
		d.Tickets = append(d.Tickets, t)
	}
	if !r.State.Final() && !used && cfg.Site != "" {
		deadline := cfg.CancelDeadline(r.Date)
		if !r.CancelBy.IsZero() {
			deadline = r.CancelBy // the rule the booking was made under
		}
		if s.Tickets.Service.Now().Before(deadline) {
			d.CanCancel = true
			d.CancelUntil = s.dayLabel(lang, tickets.Day(deadline)) + " " + deadline.In(domain.ChinaTime).Format("15:04")
		}
	}
	v := s.view(c, "")
	v.Title = v.T("tickets.mine.title") + " · " + d.Site.S
	// The language switcher must keep the secret link.
	for i := range v.Switch {
		v.Switch[i].Href = href + "?lang=" + strings.TrimPrefix(v.Switch[i].Href, c.Path()+"?lang=")
	}
	v.Data = d
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex")
	return s.tpl.render(c, status, "tickets/mine", v)
}

// ticketCheckin tells the page whether a ticket was used.
func (s *Server) ticketCheckin(c *fiber.Ctx, ticketID string) (time.Time, error) {
	return s.Tickets.Service.CheckedIn(c.UserContext(), ticketID)
}

func maskPhone(p string) string {
	if len(p) < 7 {
		return p
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// ticketImage serves visitor n's ticket code as a PNG, inline or as a
// download to keep in the phone's photos.
func (s *Server) ticketImage(c *fiber.Ctx) error {
	r, err := s.privateReservation(c)
	if err != nil {
		return err
	}
	num, ok := strings.CutSuffix(c.Params("file"), ".png")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || n > len(r.Visitors) || strconv.Itoa(n) != num {
		return domain.ErrNotFound
	}
	if r.State.Final() {
		return domain.ErrNotFound
	}
	token, err := s.Tickets.Service.Token(c.UserContext(), r, n-1)
	if err != nil {
		return err
	}
	p := qr.DefaultParams()
	p.Size, p.Level = 480, qr.LevelM
	img, err := s.QR.PNG(token, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set("Referrer-Policy", "no-referrer")
	name := r.Visitors[n-1].TicketID + ".png"
	if c.Query("download") != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	} else {
		c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`"`)
	}
	return c.Send(img)
}

func (s *Server) cancelMyReservation(c *fiber.Ctx) error {
	ref := c.Params("ref")
	if !tickets.ValidRef(ref) {
		return domain.ErrNotFound
	}
	r, err := s.Tickets.Service.Cancel(c.UserContext(), ref, c.Params("key"))
	var refusal *tickets.Refusal
	if errors.As(err, &refusal) {
		return s.renderMyReservation(c, fiber.StatusConflict, r, s.I18n.T(langOf(c), refusal.Key()))
	}
	if err != nil {
		return err
	}
	return c.Redirect(myReservationHref(r.Ref, c.Params("key"))+"?cancelled=1", fiber.StatusSeeOther)
}
