package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The ticket office: walk-in sales from the walk-in share, and the list of
// refunds to make. Gate staff see the sites of their counties.

type walkInPage struct {
	Sites    []gateSite
	Site     string
	Types    []reserveType
	IDTypes  []string
	Date     string
	Left     int
	Error    string
	Sold     *cashierData
	V        map[string]string
	HasSlots bool
	Slots    []reserveSlot
}

func (s *Server) walkInData(c *fiber.Ctx, site string) (*walkInPage, tickets.SiteConfig, error) {
	lang := langOf(c)
	p := &walkInPage{Sites: s.gateSites(c), Site: site, Date: tickets.Day(s.now()), V: map[string]string{}}
	if p.Site == "" && len(p.Sites) > 0 {
		p.Site = p.Sites[0].Key
	}
	for _, it := range tickets.IDTypes {
		p.IDTypes = append(p.IDTypes, string(it))
	}
	if p.Site == "" {
		return p, tickets.SiteConfig{}, nil
	}
	if _, ok := s.userSite(c, p.Site); !ok {
		return nil, tickets.SiteConfig{}, domain.ErrForbidden
	}
	cfg, err := s.Tickets.Service.Site(c.UserContext(), p.Site)
	if errors.Is(err, domain.ErrNotFound) {
		return p, cfg, nil
	}
	if err != nil {
		return nil, cfg, err
	}
	for _, t := range cfg.Types {
		p.Types = append(p.Types, reserveType{Code: t.Code, Label: t.Name.String(lang) + " · ¥" + yuan(cfg.PriceOn(t, p.Date))})
	}
	p.HasSlots = len(cfg.Slots) > 0
	now := s.now().In(domain.ChinaTime).Format("15:04")
	for _, code := range cfg.SlotCodes() {
		capa, err := s.Tickets.Service.WalkInLeft(c.UserContext(), cfg, p.Date, code)
		if err != nil {
			return nil, cfg, err
		}
		sl, _ := cfg.Slot(code)
		if p.HasSlots && sl.End <= now {
			continue
		}
		p.Left += capa
		p.Slots = append(p.Slots, reserveSlot{Code: code, Label: sl.Start + "–" + sl.End, Remaining: capa, SoldOut: capa == 0})
	}
	return p, cfg, nil
}

func (s *Server) showWalkIn(c *fiber.Ctx) error {
	p, _, err := s.walkInData(c, utils.CopyString(c.Query("site")))
	if err != nil {
		return err
	}
	if ref := c.Query("sold"); tickets.ValidRef(ref) {
		if r, err := s.cashierFind(c, ref); err == nil {
			d := &cashierData{}
			s.fillCashier(c, d, r)
			p.Sold = d
		}
	}
	return s.renderConsole(c, fiber.StatusOK, "console/gate_walkin", "ticketsettings.walkin.title", p)
}

// sellWalkIn sells one visitor's ticket at the office for today, from the
// walk-in share, paid at once.
func (s *Server) sellWalkIn(c *fiber.Ctx) error {
	site := formValue(c, "site")
	p, _, err := s.walkInData(c, site)
	if err != nil {
		return err
	}
	for _, k := range []string{"name", "id_type", "id", "type", "phone", "slot", "birth"} {
		p.V[k] = formValue(c, k)
	}
	req := tickets.ReserveRequest{Site: p.Site, Date: p.Date, Slot: p.V["slot"], Phone: p.V["phone"], Lang: langOf(c),
		Visitors: []tickets.VisitorInput{{Name: p.V["name"], IDType: p.V["id_type"], IDNumber: p.V["id"], Type: p.V["type"], BirthDate: p.V["birth"]}}}
	res, err := s.Tickets.Service.SellWalkIn(c.UserContext(), req, currentUser(c).Username)
	var ve *domain.ValidationError
	var ref *tickets.Refusal
	switch {
	case errors.As(err, &ve):
		p.Error = s.I18n.T(langOf(c), ve.Key, ve.Args...)
	case errors.As(err, &ref):
		p.Error = s.I18n.T(langOf(c), ref.Key(), ref.Args(langOf(c))...)
	case err != nil:
		return err
	default:
		return c.Redirect("/admin/gate/walkin?site="+p.Site+"&sold="+res.Ref, fiber.StatusSeeOther)
	}
	return s.renderConsole(c, fiber.StatusUnprocessableEntity, "console/gate_walkin", "ticketsettings.walkin.title", p)
}

type refundRow struct {
	Ref, Site, Date, Phone, Total, Requested string
}

// listRefunds lists the paid reservations cancelled by their tourists whose
// money has not been recorded as given back, in the user's counties.
func (s *Server) listRefunds(c *fiber.Ctx) error {
	lang := langOf(c)
	var sites []string
	for _, g := range s.gateSites(c) {
		sites = append(sites, g.Key)
	}
	var rows []refundRow
	if len(sites) > 0 {
		rs, err := s.Tickets.Service.Reservations(c.UserContext(), tickets.ReservationFilter{Sites: sites, State: tickets.StateRefundRequested}, 500)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if authorizeCounty(c, r.County) != nil {
				continue
			}
			name := r.Site
			if site, ok := s.Catalog.Snapshot().Site(r.Site); ok {
				name = site.Name.String(lang)
			}
			rows = append(rows, refundRow{Ref: r.Ref, Site: name, Date: r.Date, Phone: r.Phone, Total: yuan(r.PaidFen),
				Requested: chinaTime(r.Updated).String()})
		}
	}
	done := ""
	if c.Query("done") != "" {
		done = "ticketsettings.refunds.done"
	}
	return s.renderConsole(c, fiber.StatusOK, "console/gate_refunds", "ticketsettings.refunds.title", struct {
		Rows []refundRow
		Done string
	}{rows, done})
}

func (s *Server) recordRefund(c *fiber.Ctx) error {
	r, err := s.cashierFind(c, utils.CopyString(c.Params("ref")))
	if err != nil {
		return err
	}
	note := formValue(c, "note")
	if len(note) > 200 {
		note = note[:200]
	}
	_, err = s.Tickets.Service.RecordRefund(c.UserContext(), r.Ref, "cashier:"+currentUser(c).Username, note)
	var refusal *tickets.Refusal
	if errors.As(err, &refusal) {
		return domain.ErrConflict
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/gate/refunds?done=1", fiber.StatusSeeOther)
}

// showBulkBookings is the operator's view of phones and clients that
// booked many places for one visit day, or ran into the limits.
func (s *Server) showBulkBookings(c *fiber.Ctx) error {
	day := utils.CopyString(c.Query("date"))
	if !tickets.ValidDate(day) {
		day = tickets.Day(s.now())
	}
	all, err := s.Tickets.Service.BulkBookers(c.UserContext(), day, 2)
	if err != nil {
		return err
	}
	lang := langOf(c)
	type row struct {
		tickets.Booker
		SiteName string
	}
	var rows []row
	for _, b := range all {
		site, ok := s.userSite(c, b.Site)
		if !ok {
			continue
		}
		rows = append(rows, row{Booker: b, SiteName: site.Name.String(lang)})
	}
	return s.renderConsole(c, fiber.StatusOK, "console/tickets_bulk", "ticketsettings.bulk.title", struct {
		Date, Prev, Next string
		Rows             []row
	}{day, tickets.AddDays(day, -1), tickets.AddDays(day, 1), rows})
}

type keyRow struct {
	tickets.PublicKey
	CreatedAt, RetiresAt string
}

func (s *Server) showTicketKeys(c *fiber.Ctx) error {
	keys, err := s.Tickets.Service.PublicKeys(c.UserContext())
	if err != nil {
		return err
	}
	var rows []keyRow
	for _, k := range keys {
		r := keyRow{PublicKey: k, CreatedAt: chinaTime(k.Created).String()}
		if k.Retires != nil {
			r.RetiresAt = chinaTime(*k.Retires).String()
		}
		rows = append(rows, r)
	}
	done := ""
	if c.Query("done") != "" {
		done = "ticketsettings.keys.rotated"
	}
	return s.renderConsole(c, fiber.StatusOK, "console/tickets_keys", "ticketsettings.keys.title", struct {
		Keys []keyRow
		Done string
	}{rows, done})
}

func (s *Server) rotateTicketKey(c *fiber.Ctx) error {
	kid, err := s.Tickets.Service.RotateKey(c.UserContext())
	if err != nil {
		return err
	}
	if err := s.audit(c, "tickets_key_rotate", "ed25519:"+kid, "", []domain.FieldChange{{Field: "signing key", After: kid}}); err != nil {
		return err
	}
	return c.Redirect("/admin/tickets/keys?done=1", fiber.StatusSeeOther)
}
