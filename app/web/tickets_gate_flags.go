package web

import (
	"encoding/json"
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// Offline, a gate decides alone; when it syncs, the server may find that
// a visitor let in held an unpaid, cancelled or unknown ticket, or one
// used before. Those decisions are recorded (tickets.GateFlag, double
// uses) and listed here for gate staff and operators, by day.

type gateFlagsData struct {
	Day, Prev, Next string
	Flags           []gateFlagRow
	DoubleUses      []gateDoubleUse
}

type gateFlagRow struct {
	At, Site, Ticket, Reason, By, Device, Collected string
}

func (s *Server) showGateFlags(c *fiber.Ctx) error {
	lang := langOf(c)
	ctx := c.UserContext()
	day := c.Query("day")
	if !tickets.ValidDate(day) {
		day = tickets.Day(s.Tickets.Service.Now())
	}
	d := gateFlagsData{Day: day, Prev: tickets.AddDays(day, -1), Next: tickets.AddDays(day, 1)}
	snap := s.Catalog.Snapshot()
	mine := func(key string) (localized, bool) {
		site, ok := snap.Site(key)
		if !ok || authorizeCounty(c, site.County) != nil {
			return localized{}, false
		}
		return loc(site.Name, lang), true
	}
	flags, err := s.Tickets.Service.GateFlags(ctx, day)
	if err != nil {
		return err
	}
	for _, f := range flags {
		name, ok := mine(f.Site)
		if !ok {
			continue
		}
		row := gateFlagRow{At: f.At.In(domain.ChinaTime).Format("15:04:05"), Site: name.S, Ticket: f.TicketID,
			Reason: s.I18n.T(lang, "tickets.refuse."+string(f.Reason)), By: f.By, Device: f.Device}
		if f.CollectedFen > 0 {
			row.Collected = s.I18n.T(lang, "tickets.yuan", yuan(f.CollectedFen))
		}
		d.Flags = append(d.Flags, row)
	}
	uses, err := s.Tickets.Service.DoubleUses(ctx, day)
	if err != nil {
		return err
	}
	for _, u := range uses {
		if _, ok := mine(u.Site); !ok {
			continue
		}
		d.DoubleUses = append(d.DoubleUses, gateDoubleUse{Ticket: u.TicketID, Site: u.Site, By: u.By, FirstBy: u.FirstBy,
			At: u.At.In(domain.ChinaTime).Format("15:04:05"), FirstAt: u.FirstAt.In(domain.ChinaTime).Format("15:04:05"),
			Offline: u.Offline})
	}
	return s.renderConsole(c, fiber.StatusOK, "console/gate_flags", "ticketflow.flags.title", d)
}

type gateType struct {
	Name  string `json:"name"`
	Proof string `json:"proof,omitempty"`
}

// gateTypes is the ticket types of the gate's sites as JSON, and adds the
// texts of the "collect payment" answer to msgs.
func (s *Server) gateTypes(c *fiber.Ctx, sites []gateSite, msgs map[string]string) (template.JS, error) {
	lang := langOf(c)
	for _, k := range []string{"collect", "collect_offline", "collected", "flagged", "booking"} {
		msgs[k] = s.I18n.T(lang, "ticketflow.gate."+k)
	}
	msgs["yuan"] = s.I18n.T(lang, "tickets.yuan")
	types := map[string]map[string]gateType{}
	for _, site := range sites {
		cfg, err := s.Tickets.Service.Site(c.UserContext(), site.Key)
		if err != nil {
			continue
		}
		m := map[string]gateType{}
		for _, t := range cfg.Types {
			m[t.Code] = gateType{Name: t.Name.String(lang), Proof: t.Proof.String(lang)}
		}
		types[site.Key] = m
	}
	raw, err := json.Marshal(types)
	return template.JS(raw), err
}
