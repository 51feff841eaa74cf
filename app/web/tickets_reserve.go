package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/catalog"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The reservation page works without JavaScript, in three steps that are
// one page with more filled in: pick a day (with the places left), pick a
// slot and how many people, then name and ID of each. Every step is a
// plain GET link or form, so the back button and a reload do the obvious
// thing on a flaky link; only the last step POSTs.

type reserveData struct {
	Site       localized
	SiteHref   string
	ActionHref string
	Payment    string
	ValidDays  int
	Days       []reserveDay
	Date       string
	DateLabel  string
	Slots      []reserveSlot
	Slot       string
	SlotLabel  string
	HasSlots   bool
	Counts     []int
	N          int
	Types      []reserveType
	IDTypes    []string
	Visitors   []visitorForm
	Phone      string
	Error      string // a refusal or form error, translated
	ErrorField string
	CancelNote string
	// FormToken makes a second POST of this form (a double tap, a retry
	// after a timeout) return the first one's booking; see ReserveOnce.
	FormToken string
	// UsedHref links the booking this form made already, when it was sent
	// again with other details.
	UsedHref, UsedRef string
	RecoverHref       string
	// ErrorHref leads from the error at the top to the field it is about.
	ErrorHref string
	Sign      string // the sign scanned on the way here, carried to the booking
}

type reserveDay struct {
	Date, Label, Href string
	Closed            string // why the site is closed that day, if it is
	Remaining         int
	SoldOut           bool
}

type reserveSlot struct {
	Code, Label string
	Remaining   int
	SoldOut     bool
	Checked     bool
}

type reserveType struct {
	Code, Label, Rule string
	Proof             localized
}

type visitorForm struct {
	Index, Number               int
	Name, IDType, IDNumber, Typ string
	Birth                       string
	Error, ErrorField           string
}

// reserveForm is the POSTed form, before it becomes a request.
type reserveForm struct {
	Date, Slot, Phone string
	Visitors          []tickets.VisitorInput
	Token             string
}

func parseReserveForm(c *fiber.Ctx, limit int) reserveForm {
	f := reserveForm{Date: utils.CopyString(c.FormValue("date")), Slot: utils.CopyString(c.FormValue("slot")),
		Phone: utils.CopyString(c.FormValue("phone")), Token: utils.CopyString(c.FormValue("form"))}
	n, _ := strconv.Atoi(c.FormValue("n"))
	n = min(max(n, 0), limit)
	for i := 0; i < n; i++ {
		p := "v" + strconv.Itoa(i) + "."
		f.Visitors = append(f.Visitors, tickets.VisitorInput{Name: utils.CopyString(c.FormValue(p + "name")),
			IDType: utils.CopyString(c.FormValue(p + "id_type")), IDNumber: utils.CopyString(c.FormValue(p + "id")),
			Type: utils.CopyString(c.FormValue(p + "type")), BirthDate: utils.CopyString(c.FormValue(p + "birth"))})
	}
	return f
}

// reserveSite finds the site of the URL and its ticketing.
func (s *Server) reserveSite(c *fiber.Ctx) (*domain.Site, tickets.SiteConfig, error) {
	site, ok := s.Catalog.Snapshot().Site(c.Params("site"))
	if !ok || site.County != c.Params("county") || !site.Published {
		return nil, tickets.SiteConfig{}, domain.ErrNotFound
	}
	cfg, err := s.Tickets.Service.Site(c.UserContext(), site.Key)
	if err != nil {
		return nil, tickets.SiteConfig{}, err
	}
	return site, cfg, nil
}

func (s *Server) showReserve(c *fiber.Ctx) error {
	site, cfg, err := s.reserveSite(c)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.Query("n"))
	d, err := s.reserveData(c, site, cfg, c.Query("date"), c.Query("slot"), n, reserveSign(s.Catalog.Snapshot(), site, c.Query("sign")))
	if err != nil {
		return err
	}
	return s.renderReserve(c, fiber.StatusOK, site, d)
}

func (s *Server) reserve(c *fiber.Ctx) error {
	site, cfg, err := s.reserveSite(c)
	if err != nil {
		return err
	}
	f := parseReserveForm(c, cfg.MaxVisitors)
	lang := langOf(c)
	sign := reserveSign(s.Catalog.Snapshot(), site, c.FormValue("sign"))
	req := tickets.ReserveRequest{Site: site.Key, Date: f.Date, Slot: f.Slot, Visitors: f.Visitors, Phone: f.Phone, Lang: lang, By: "tourist", Client: clientIP(c), Sign: sign}
	var res tickets.Reserved
	if f.Token == "" {
		// A form rendered before form tokens existed.
		res, err = s.Tickets.Service.Reserve(c.UserContext(), req)
	} else {
		res, _, err = s.Tickets.Service.ReserveOnce(c.UserContext(), f.Token, req)
	}
	if err == nil {
		// 303: a reload of the next page does not book twice.
		return c.Redirect(myReservationHref(res.Ref, res.Secret), fiber.StatusSeeOther)
	}
	var ve *domain.ValidationError
	var ref *tickets.Refusal
	var used *tickets.FormUsedError
	if !errors.As(err, &ve) && !errors.As(err, &ref) && !errors.As(err, &used) {
		return err
	}
	n := len(f.Visitors)
	if n == 0 {
		n = 1
	}
	d, derr := s.reserveData(c, site, cfg, f.Date, f.Slot, n, sign)
	if derr != nil {
		return derr
	}
	d.Phone = f.Phone
	for i := range d.Visitors {
		if i < len(f.Visitors) {
			v := f.Visitors[i]
			d.Visitors[i].Name, d.Visitors[i].IDType, d.Visitors[i].IDNumber, d.Visitors[i].Typ = v.Name, v.IDType, v.IDNumber, v.Type
			d.Visitors[i].Birth = v.BirthDate
		}
	}
	status := fiber.StatusBadRequest
	msg, field, who := "", "", -1
	switch {
	case used != nil:
		status, msg = fiber.StatusConflict, s.I18n.T(lang, "ticketflow.form_used", used.Ref)
		d.UsedHref, d.UsedRef = myReservationHref(used.Ref, used.Secret), used.Ref
	case ve != nil:
		msg, field = s.I18n.T(lang, ve.Key, ve.Args...), ve.Field
		if strings.HasPrefix(field, "visitor") {
			i, rest, _ := strings.Cut(strings.TrimPrefix(field, "visitor"), ".")
			who, _ = strconv.Atoi(i)
			field = rest
		}
	default:
		status, msg, who = fiber.StatusConflict, s.I18n.T(lang, ref.Key(), ref.Args(lang)...), ref.Visitor
		switch ref.Reason {
		case tickets.ReasonIDTaken, tickets.ReasonAge:
			field = "id"
		}
	}
	if who >= 0 && who < len(d.Visitors) {
		d.Visitors[who].Error, d.Visitors[who].ErrorField = msg, field
		d.Error, d.ErrorHref = s.I18n.T(lang, "ticketflow.error.visitor", who+1, msg), "#visitor"+strconv.Itoa(who)
	} else {
		d.Error, d.ErrorField = msg, field
		if field == "phone" {
			d.ErrorHref = "#phone"
		}
	}
	return s.renderReserve(c, status, site, d)
}

func (s *Server) renderReserve(c *fiber.Ctx, status int, site *domain.Site, d reserveData) error {
	v := s.view(c, "")
	v.Title = v.T("tickets.reserve.title") + " · " + d.Site.S
	v.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return s.tpl.render(c, status, "tickets/reserve", v)
}

// reserveSign is the sign of a reservation link or form if it is an
// enabled sign of the site, else "": only a real sign is credited.
func reserveSign(snap *catalog.Snapshot, site *domain.Site, code string) string {
	code = domain.NormalizeCode(code)
	if !domain.ValidCode(code) {
		return ""
	}
	if sg, ok := snap.Sign(code); ok && sg.Site == site.Key && sg.Enabled {
		return sg.Code
	}
	return ""
}

// reserveData builds the page for the step the query reached. sign is the
// sign the tourist came from (see reserveSign), kept through every step.
func (s *Server) reserveData(c *fiber.Ctx, site *domain.Site, cfg tickets.SiteConfig, date, slot string, n int, sign string) (reserveData, error) {
	lang := langOf(c)
	ctx := c.UserContext()
	href := siteHref(site.County, site.Key)
	d := reserveData{Site: loc(site.Name, lang), SiteHref: href, ActionHref: href + "/reserve", Payment: string(cfg.Payment),
		ValidDays: cfg.ValidDays, HasSlots: len(cfg.Slots) > 0, RecoverHref: recoverHref, Sign: sign}
	dayQuery := ""
	if sign != "" {
		dayQuery = "&sign=" + sign
	}
	switch n := cfg.CancelDaysAfter; {
	case n == 0:
		d.CancelNote = s.I18n.T(lang, "tickets.reserve.cancel_same_day", cfg.CancelAt)
	case n == 1:
		d.CancelNote = s.I18n.T(lang, "tickets.reserve.cancel_day_after", cfg.CancelAt)
	case n > 1:
		d.CancelNote = s.I18n.T(lang, "tickets.reserve.cancel_days_after", n, cfg.CancelAt)
	default:
		d.CancelNote = s.I18n.T(lang, "tickets.reserve.cancel_days_before", -n, cfg.CancelAt)
	}
	now := s.Tickets.Service.Now()
	bookable := cfg.BookableDays(now)
	for _, day := range bookable {
		avail, err := s.Tickets.Service.DayAvailability(ctx, cfg, day)
		if err != nil {
			return d, err
		}
		left := 0
		for _, a := range avail {
			if day == tickets.Day(now) && d.HasSlots && a.Slot.End <= now.In(domain.ChinaTime).Format("15:04") {
				continue
			}
			left += a.Remaining
		}
		rd := reserveDay{Date: day, Label: s.dayLabel(lang, day), Href: d.ActionHref + "?date=" + day + dayQuery,
			Remaining: left, SoldOut: left == 0}
		if cl, closed := cfg.ClosureOn(day); closed {
			rd.Closed = s.I18n.T(lang, "ticketsettings.closed_badge") + " · " + cl.Reason.String(lang)
		} else if cfg.ClosedOn(day) {
			rd.Closed = s.I18n.T(lang, "ticketsettings.closed_badge")
		}
		d.Days = append(d.Days, rd)
		if day == date {
			d.Date, d.DateLabel = day, s.dayLabel(lang, day)
			for _, a := range avail {
				past := day == tickets.Day(now) && d.HasSlots && a.Slot.End <= now.In(domain.ChinaTime).Format("15:04")
				if past {
					continue
				}
				label := a.Slot.Start + "–" + a.Slot.End
				if !d.HasSlots {
					label = s.I18n.T(lang, "tickets.reserve.whole_day")
				}
				d.Slots = append(d.Slots, reserveSlot{Code: a.Slot.Code, Label: label, Remaining: a.Remaining,
					SoldOut: a.Remaining == 0, Checked: a.Slot.Code == slot || !d.HasSlots})
				if a.Slot.Code == slot && a.Remaining > 0 {
					d.Slot, d.SlotLabel = slot, label
				}
			}
			if !d.HasSlots {
				d.Slot, d.SlotLabel = "", s.I18n.T(lang, "tickets.reserve.whole_day")
			}
		}
	}
	for i := 1; i <= cfg.MaxVisitors; i++ {
		d.Counts = append(d.Counts, i)
	}
	if d.Date == "" || (d.HasSlots && d.Slot == "") || n < 1 || n > cfg.MaxVisitors {
		// Not at the last step yet; n stays 0 so the visitor form is
		// not shown.
		return d, nil
	}
	d.N = n
	d.FormToken = tickets.NewFormToken()
	for _, t := range cfg.Types {
		price := s.I18n.T(lang, "tickets.free")
		if fen := cfg.PriceOn(t, d.Date); fen > 0 { // the visit date's season
			price = s.I18n.T(lang, "tickets.yuan", yuan(fen))
		}
		rt := reserveType{Code: t.Code, Label: t.Name.String(lang) + " · " + price, Proof: loc(t.Proof, lang)}
		d.Types = append(d.Types, rt)
	}
	for _, it := range tickets.IDTypes {
		d.IDTypes = append(d.IDTypes, string(it))
	}
	for i := 0; i < n; i++ {
		d.Visitors = append(d.Visitors, visitorForm{Index: i, Number: i + 1, IDType: string(tickets.IDResident), Typ: cfg.Types[0].Code})
	}
	return d, nil
}

// dayLabel is "周三 12月2日" / "Wed Dec 2" / the Tibetan weekday and month.
func (s *Server) dayLabel(lang domain.Lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return s.I18n.T(lang, "tickets.day", s.I18n.T(lang, "tickets.weekday."+strconv.Itoa(int(t.Weekday()))),
		s.I18n.T(lang, "tickets.month."+strconv.Itoa(int(t.Month()))), t.Day())
}

func myReservationHref(ref, secret string) string { return "/r/" + ref + "/" + secret }
