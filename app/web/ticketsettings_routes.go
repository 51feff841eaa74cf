package web

import (
	"context"
	"errors"
	"html"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// TicketSettingsStore is what the bureau's ticketing pages need of the
// database; store.Store implements it.
type TicketSettingsStore interface {
	TicketSite(ctx context.Context, site string) (domain.TicketSettings, error)
	PutTicketSite(ctx context.Context, c domain.TicketSettings) error
}

// TicketSettingsDeps enable the bureau's ticketing pages: a site's ticket
// settings and closures (editors), walk-in sales and refunds (gate staff),
// bulk bookings (operators) and signing keys (admins). They need
// Tickets.Service and the console's store too.
type TicketSettingsDeps struct {
	Store TicketSettingsStore
}

func (s *Server) ticketSettingsRoutes(admin fiber.Router) {
	if s.TicketSettings.Store == nil || s.Tickets.Service == nil || s.Console.Store == nil {
		return
	}
	editor := requireRole(domain.RoleEditor)
	gate := requireRole(domain.RoleGate)
	admin.Get("/sites/:key/tickets", editor, s.showTicketSettings)
	admin.Post("/sites/:key/tickets", editor, s.saveTicketSettings)
	admin.Post("/sites/:key/closures", editor, s.addClosure)
	admin.Post("/sites/:key/closures/:i/delete", editor, s.removeClosure)
	admin.Get("/gate/walkin", gate, s.showWalkIn)
	admin.Post("/gate/walkin", gate, s.sellWalkIn)
	admin.Get("/gate/refunds", gate, s.listRefunds)
	admin.Post("/gate/refunds/:ref", gate, s.recordRefund)
	admin.Get("/tickets/bulk", requireRole(domain.RoleOperator), s.showBulkBookings)
	admin.Get("/tickets/keys", requireRole(domain.RoleAdmin), s.showTicketKeys)
	admin.Post("/tickets/keys/rotate", requireRole(domain.RoleAdmin), s.rotateTicketKey)
}

// siteSettings loads a site (scoped to the user's counties) and its ticket
// settings, or the suggestions a new site starts from.
func (s *Server) siteSettings(c *fiber.Ctx) (domain.Site, domain.TicketSettings, bool, error) {
	site, err := s.loadSite(c)
	if err != nil {
		return site, domain.TicketSettings{}, false, err
	}
	cfg, err := s.TicketSettings.Store.TicketSite(c.UserContext(), site.Key)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return site, newSiteSettings(site), false, nil
	case err != nil:
		return site, cfg, false, err
	}
	// The settings follow the site's county.
	cfg.County = site.County
	return site, cfg, true, nil
}

type weekdayBox struct {
	N       int
	Key     string
	Checked bool
}

type bookingRow struct {
	Ref, Date, Slot, Phone, State, Total string
	Visitors                             int
}

type closureRow struct {
	Index    int
	From, To string
	Reason   domain.Text
	Bookings []bookingRow
}

// tsPage is the settings page.
type tsPage struct {
	Key        string
	Name       localized
	Exists     bool
	V          tsValues
	Error      string
	ErrorField string
	TypeRows   []rowNum
	SeasonRows []rowNum
	SlotRows   []rowNum
	TypeCodes  []string
	Instant    int
	Daily      int
	HasSecret  bool
	Weekdays   []weekdayBox
	Payments   []string
	Closures   []closureRow
	Today      string
	Done       string
	ReserveURL string
}

// Bad reports whether the input name is the one the error is about (or
// inside it: the error "types.0.name" marks "types.0.name.zh").
func (p *tsPage) Bad(name string) bool {
	return p.ErrorField != "" && (name == p.ErrorField || strings.HasPrefix(name, p.ErrorField+"."))
}

// Input is one input of the form, named by its setting's path.
func (p *tsPage) Input(name, typ, label string) template.HTML {
	var b strings.Builder
	b.WriteString(`<label>`)
	b.WriteString(html.EscapeString(label))
	b.WriteString(`<input name="`)
	b.WriteString(html.EscapeString(name))
	b.WriteString(`" id="ts-`)
	b.WriteString(html.EscapeString(strings.ReplaceAll(name, ".", "-")))
	b.WriteString(`" value="`)
	b.WriteString(html.EscapeString(p.V[name]))
	b.WriteString(`"`)
	switch typ {
	case "num":
		b.WriteString(` inputmode="decimal" size="7"`)
	case "clock":
		b.WriteString(` type="time"`)
	case "md":
		b.WriteString(` placeholder="MM-DD" size="5" maxlength="5"`)
	default:
		b.WriteString(` size="12"`)
	}
	if p.Bad(name) {
		b.WriteString(` aria-invalid="true" aria-describedby="ts-error"`)
	}
	b.WriteString(`></label>`)
	return template.HTML(b.String())
}

// rowNum is a row of the form: its index in input names, its number as
// shown.
type rowNum struct{ I, N int }

func rows(filled, empty, limit int) []rowNum {
	n := min(filled+empty, limit)
	out := make([]rowNum, n)
	for i := range out {
		out[i] = rowNum{I: i, N: i + 1}
	}
	return out
}

func countRows(v tsValues, prefix, field string) int {
	n := 0
	for i := 0; i < 100; i++ {
		if v[prefix+strconv.Itoa(i)+"."+field] != "" {
			n = i + 1
		}
	}
	return n
}

func (s *Server) renderTicketSettings(c *fiber.Ctx, status int, site domain.Site, cfg domain.TicketSettings, exists bool, v tsValues, verr *domain.ValidationError) error {
	lang := langOf(c)
	p := &tsPage{Key: site.Key, Name: loc(site.Name, lang), Exists: exists, V: v, HasSecret: cfg.Checkout.Secret != "",
		Today: tickets.Day(s.now()), Done: doneKey(c)}
	if verr != nil {
		p.Error, p.ErrorField = s.I18n.T(lang, verr.Key, verr.Args...), verr.Field
	}
	if c.Query("done") == "tickets" {
		p.Done = "ticketsettings.done.saved"
	} else if c.Query("done") == "closure" {
		p.Done = "ticketsettings.done.closure"
	}
	p.TypeRows = rows(max(countRows(v, "types.", "code"), countRows(v, "types.", "name.zh")), emptyTypeRows, domain.MaxTicketTypes)
	p.SeasonRows = rows(countRows(v, "seasons.", "from"), emptySeasonRows, domain.MaxSeasons)
	p.SlotRows = rows(countRows(v, "slots.", "start"), emptySlotRows, domain.MaxSlots)
	for _, r := range p.TypeRows {
		if code := v["types."+strconv.Itoa(r.I)+".code"]; code != "" {
			p.TypeCodes = append(p.TypeCodes, code)
		}
	}
	figures := domain.CarryingCapacity{}
	figures.AreaM2, _ = strconv.ParseFloat(v.get("capacity.area"), 64)
	figures.PerPersonM2, _ = strconv.ParseFloat(v.get("capacity.per_person"), 64)
	figures.OpenHours, _ = strconv.ParseFloat(v.get("capacity.open_hours"), 64)
	figures.StayHours, _ = strconv.ParseFloat(v.get("capacity.stay_hours"), 64)
	p.Instant, p.Daily = figures.Instant(), figures.Daily()
	for w := 1; w <= 7; w++ {
		n := w % 7 // Monday first, as Chinese calendars show the week
		p.Weekdays = append(p.Weekdays, weekdayBox{N: n, Key: "tickets.weekday." + strconv.Itoa(n), Checked: v["closed_weekdays."+strconv.Itoa(n)] != ""})
	}
	for _, m := range domain.PaymentModes {
		p.Payments = append(p.Payments, string(m))
	}
	if cfg.Enabled && site.Published {
		p.ReserveURL = siteHref(site.County, site.Key) + "/reserve"
	}
	for i, cl := range cfg.Closures {
		row := closureRow{Index: i, From: cl.From, To: cl.To, Reason: cl.Reason}
		rs, err := s.Tickets.Service.Reservations(c.UserContext(), tickets.ReservationFilter{Site: site.Key, From: cl.From, To: cl.To}, 500)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.State == tickets.StateCancelled || r.State == tickets.StateExpired || r.State == tickets.StateRefunded {
				continue
			}
			row.Bookings = append(row.Bookings, bookingRow{Ref: r.Ref, Date: r.Date, Slot: r.Slot, Phone: r.Phone,
				State: s.I18n.T(lang, "tickets.state."+string(r.State)), Total: yuan(r.TotalFen), Visitors: len(r.Visitors)})
		}
		p.Closures = append(p.Closures, row)
	}
	return s.renderConsole(c, status, "console/ticket_settings", "ticketsettings.title", p)
}

func (s *Server) showTicketSettings(c *fiber.Ctx) error {
	site, cfg, exists, err := s.siteSettings(c)
	if err != nil {
		return err
	}
	return s.renderTicketSettings(c, fiber.StatusOK, site, cfg, exists, settingsValues(cfg), nil)
}

// formValues copies every posted value (fiber's are reused buffers).
func formValues(c *fiber.Ctx) tsValues {
	v := tsValues{}
	c.Request().PostArgs().VisitAll(func(k, val []byte) {
		if len(v) < 2000 {
			v[string(k)] = string(val)
		}
	})
	return v
}

func (s *Server) saveTicketSettings(c *fiber.Ctx) error {
	site, before, exists, err := s.siteSettings(c)
	if err != nil {
		return err
	}
	v := formValues(c)
	delete(v, "_csrf")
	base := before
	if secret := strings.TrimSpace(v["checkout.secret"]); secret != "" {
		base.Checkout.Secret = secret
	}
	delete(v, "checkout.secret")
	after, err := parseSettings(v, base)
	if err == nil {
		err = after.Validate()
	}
	var verr *domain.ValidationError
	if errors.As(err, &verr) {
		return s.renderTicketSettings(c, fiber.StatusUnprocessableEntity, site, before, exists, v, verr)
	}
	if err != nil {
		return err
	}
	if err := s.TicketSettings.Store.PutTicketSite(c.UserContext(), after); err != nil {
		return err
	}
	s.Tickets.Service.ForgetSite(site.Key)
	if !exists {
		before = domain.TicketSettings{}
	}
	if err := s.audit(c, "tickets_settings", site.Key, site.County, settingsChanges(before, after)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+site.Key+"/tickets?done=tickets", fiber.StatusSeeOther)
}

// addClosure closes a site for a date range with a reason in up to three
// languages. The closure is part of the settings, so a site without
// ticketing gets settings that carry closures only.
func (s *Server) addClosure(c *fiber.Ctx) error {
	site, before, exists, err := s.siteSettings(c)
	if err != nil {
		return err
	}
	if !exists {
		before = domain.TicketSettings{Site: site.Key, County: site.County}
	}
	cl := domain.Closure{From: formValue(c, "from"), To: formValue(c, "to"), Reason: domain.Text{}}
	if cl.To == "" {
		cl.To = cl.From
	}
	for _, l := range domain.Languages() {
		if r := formValue(c, "reason."+string(l)); r != "" {
			cl.Reason[l] = r
		}
	}
	after := before
	after.Closures = append(append([]domain.Closure(nil), before.Closures...), cl)
	if err := after.Validate(); err != nil {
		var verr *domain.ValidationError
		if !errors.As(err, &verr) {
			return err
		}
		v := settingsValues(before)
		v["closure.from"], v["closure.to"] = cl.From, cl.To
		for l, r := range cl.Reason {
			v["closure.reason."+string(l)] = r
		}
		verr.Field = strings.Replace(verr.Field, "closures."+strconv.Itoa(len(before.Closures)), "closure", 1)
		return s.renderTicketSettings(c, fiber.StatusUnprocessableEntity, site, before, exists, v, verr)
	}
	if err := s.TicketSettings.Store.PutTicketSite(c.UserContext(), after); err != nil {
		return err
	}
	s.Tickets.Service.ForgetSite(site.Key)
	if err := s.audit(c, "site_closure_add", site.Key, site.County, settingsChanges(before, after)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+site.Key+"/tickets?done=closure#closures", fiber.StatusSeeOther)
}

func (s *Server) removeClosure(c *fiber.Ctx) error {
	site, before, exists, err := s.siteSettings(c)
	if err != nil {
		return err
	}
	i, err := strconv.Atoi(c.Params("i"))
	if err != nil || !exists || i < 0 || i >= len(before.Closures) {
		return domain.ErrNotFound
	}
	after := before
	after.Closures = append(append([]domain.Closure(nil), before.Closures[:i]...), before.Closures[i+1:]...)
	if err := s.TicketSettings.Store.PutTicketSite(c.UserContext(), after); err != nil {
		return err
	}
	s.Tickets.Service.ForgetSite(site.Key)
	if err := s.audit(c, "site_closure_remove", site.Key, site.County, settingsChanges(before, after)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+site.Key+"/tickets?done=closure#closures", fiber.StatusSeeOther)
}

// closureAlert is a site's closure today as a banner at the top of its
// page, in every language, and the part it adds to the page cache's key
// ("" when the site is open). The settings come through the ticketing
// service's cache.
func (s *Server) closureAlert(ctx context.Context, site string) (domain.Alert, string) {
	if s.Tickets.Service == nil {
		return domain.Alert{}, ""
	}
	// Ticketing's clock, so the page and the reservations agree on "today".
	cl, ok := s.Tickets.Service.ClosureOn(ctx, site, tickets.Day(s.Tickets.Service.Now()))
	if !ok {
		return domain.Alert{}, ""
	}
	a := domain.Alert{Level: domain.AlertDanger, Text: domain.Text{}}
	for _, l := range domain.Languages() {
		// "Closed today" in the visitor's language; the reason falls back
		// to another language when the bureau did not translate it.
		a.Text[l] = s.I18n.T(l, "site.closed_banner", cl.Reason.String(l))
	}
	key := "|closed:" + cl.From + ":" + cl.To + ":"
	for _, l := range domain.Languages() {
		key += cl.Reason[l]
	}
	return a, key
}

// userSite reports whether the site is in the user's counties.
func (s *Server) userSite(c *fiber.Ctx, key string) (*domain.Site, bool) {
	site, ok := s.Catalog.Snapshot().Site(key)
	if !ok || authorizeCounty(c, site.County) != nil {
		return nil, false
	}
	return site, true
}
