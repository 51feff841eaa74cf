package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/tickets"
)

// The gate page checks tickets with a USB or Bluetooth scanner (it types
// the code and Enter into the focused field) or the camera. It verifies
// signatures itself with the published public keys, so it answers with no
// signal at all; online, the server has the last word (paid, cancelled,
// used at another gate) and keeps the first check-in. Offline scans are
// queued on the device and synced later under their scan ids, so a sync
// sent twice changes nothing.

type gateSite struct {
	Key    string
	Name   localized
	County string
}

type gateData struct {
	Sites []gateSite
	Today string
	// UTCOffset is the region's offset from UTC in minutes now, so the
	// offline gate counts days where the server does.
	UTCOffset  int
	DoubleUses []gateDoubleUse
	// Messages are the answers' texts for offline use, as JSON; json.Marshal
	// escapes <, > and &, so it is safe inside the script element.
	Messages template.JS
	// Types are the ticket types of each site (name, proof to check), so
	// an offline answer says what to look at; JSON like Messages.
	Types template.JS
}

type gateDoubleUse struct {
	Ticket, Site, At, FirstAt, By, FirstBy string
	Offline                                bool
}

// gateSites lists the sites with ticketing that the user may check.
func (s *Server) gateSites(c *fiber.Ctx) []gateSite {
	lang := langOf(c)
	var out []gateSite
	for _, site := range s.Catalog.Snapshot().AllSites() {
		if authorizeCounty(c, site.County) != nil {
			continue
		}
		if _, err := s.Tickets.Service.Site(c.UserContext(), site.Key); err != nil {
			continue
		}
		out = append(out, gateSite{Key: site.Key, Name: loc(site.Name, lang), County: site.County})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// gateReasons are the refusals a gate can show, offline too.
var gateReasons = []tickets.Reason{tickets.ReasonBadCode, tickets.ReasonUnknownKey, tickets.ReasonWrongSite,
	tickets.ReasonTooEarly, tickets.ReasonWrongDay, tickets.ReasonAlreadyUsed, tickets.ReasonCancelled,
	tickets.ReasonNotPaid, tickets.ReasonUnknown}

func (s *Server) showGate(c *fiber.Ctx) error {
	lang := langOf(c)
	sites := s.gateSites(c)
	today := tickets.Day(s.Tickets.Service.Now())
	_, off := time.Now().In(domain.ChinaTime).Zone()
	d := gateData{Sites: sites, Today: today, UTCOffset: off / 60}
	msgs := map[string]string{}
	for _, r := range gateReasons {
		msgs[string(r)] = s.I18n.T(lang, "tickets.refuse."+string(r))
	}
	for _, k := range []string{"ok", "ok_offline", "offline", "online", "queued", "synced", "flagged", "first_at",
		"valid", "checking", "camera_none", "camera_error", "key_missing", "type", "proof", "name", "id", "replayed", "no_site", "session", "keys"} {
		msgs[k] = s.I18n.T(lang, "tickets.gate."+k)
	}
	types, err := s.gateTypes(c, sites, msgs)
	if err != nil {
		return err
	}
	d.Types = types
	raw, err := json.Marshal(msgs)
	if err != nil {
		return err
	}
	d.Messages = template.JS(raw)
	uses, err := s.Tickets.Service.DoubleUses(c.UserContext(), today)
	if err != nil {
		return err
	}
	allowed := map[string]bool{}
	for _, site := range sites {
		allowed[site.Key] = true
	}
	for _, u := range uses {
		if !allowed[u.Site] {
			continue
		}
		d.DoubleUses = append(d.DoubleUses, gateDoubleUse{Ticket: u.TicketID, Site: u.Site, By: u.By, FirstBy: u.FirstBy,
			At: u.At.In(domain.ChinaTime).Format("15:04:05"), FirstAt: u.FirstAt.In(domain.ChinaTime).Format("15:04:05"),
			Offline: u.Offline})
	}
	return s.renderConsole(c, fiber.StatusOK, "console/gate_scan", "tickets.gate.title", d)
}

// gateAPI guards the gate's JSON endpoints: a gate user (or an admin),
// with answers as problem+json rather than a redirect to the login page.
func (s *Server) gateAPI(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil {
		return fiber.NewError(fiber.StatusUnauthorized)
	}
	if u.Role != domain.RoleGate && u.Role != domain.RoleAdmin {
		return domain.ErrForbidden
	}
	return c.Next()
}

// gateSession gives the gate page a fresh CSRF token after a long offline
// spell (the token lives 2 hours) and the server's clock.
func (s *Server) gateSession(c *fiber.Ctx) error {
	token, _ := c.Locals(localCSRF).(string)
	now := s.Tickets.Service.Now()
	return c.JSON(fiber.Map{"csrf": token, "user": currentUser(c).Username, "today": tickets.Day(now), "now": now.UnixMilli()})
}

type gateScan struct {
	Token   string `json:"token"`
	Site    string `json:"site"`
	ScanID  string `json:"scan_id"`
	At      int64  `json:"at"` // Unix milliseconds on the device
	Device  string `json:"device"`
	Offline bool   `json:"offline"`
	// CollectedFen is the money taken at the gate for an unpaid ticket.
	CollectedFen int64 `json:"collected_fen"`
}

type gateVerdict struct {
	ScanID   string `json:"scan_id"`
	OK       bool   `json:"ok"`
	Reason   string `json:"reason,omitempty"`
	Message  string `json:"message"`
	Ticket   string `json:"ticket,omitempty"`
	Date     string `json:"date,omitempty"`
	LastDay  string `json:"last_day,omitempty"`
	Slot     string `json:"slot,omitempty"`
	Name     string `json:"name,omitempty"`
	Masked   string `json:"masked,omitempty"`
	Type     string `json:"type,omitempty"`
	Proof    string `json:"proof,omitempty"`
	FirstAt  string `json:"first_at,omitempty"`
	FirstBy  string `json:"first_by,omitempty"`
	Replayed bool   `json:"replayed,omitempty"`
	// DueFen is what to collect before letting an unpaid ticket in.
	DueFen int64 `json:"due_fen,omitempty"`
}

const maxSyncItems = 200

// checkScan runs one scan through the service, after checking that the
// user may check tickets at the scan's site.
func (s *Server) checkScan(c *fiber.Ctx, in gateScan) (gateVerdict, error) {
	lang := langOf(c)
	v := gateVerdict{ScanID: in.ScanID}
	site, ok := s.Catalog.Snapshot().Site(in.Site)
	if !ok {
		return v, &domain.ValidationError{Field: "site", Key: "tickets.error.site"}
	}
	if err := authorizeCounty(c, site.County); err != nil {
		return v, err
	}
	if len(in.Token) > tickets.MaxTokenLen {
		in.Token = ""
	}
	req := tickets.CheckinRequest{Token: in.Token, Site: site.Key, ScanID: in.ScanID, Device: clip(in.Device, 64),
		Offline: in.Offline, By: currentUser(c).Username, CollectedFen: max(in.CollectedFen, 0)}
	if in.At > 0 {
		req.At = time.UnixMilli(in.At)
	}
	res, err := s.Tickets.Service.CheckIn(c.UserContext(), req)
	if err != nil {
		return v, err
	}
	v.OK, v.Replayed = res.OK, res.Replayed
	if res.Claims.TicketID != "" {
		v.Ticket, v.Date, v.LastDay, v.Slot, v.Masked = res.Claims.TicketID, res.Claims.Date, res.Claims.LastDay(), res.Claims.Slot, res.Claims.MaskedID()
	}
	if res.Visitor != nil {
		v.Name, v.Masked = res.Visitor.Name, res.Visitor.IDMasked
	}
	if res.Type != nil {
		v.Type, v.Proof = res.Type.Name.String(lang), res.Type.Proof.String(lang)
	}
	if res.Visitor != nil && res.Visitor.Birth != "" {
		// An age concession booked with a passport or permit: the gate
		// compares the typed birth date with the document (#12).
		v.Proof = strings.TrimSpace(v.Proof + " " + s.I18n.T(lang, "tickets.gate.check_birth", res.Visitor.Birth))
	}
	if res.OK {
		v.Message = s.I18n.T(lang, "tickets.gate.ok")
		return v, nil
	}
	v.Reason = string(res.Refusal.Reason)
	v.Message = s.I18n.T(lang, res.Refusal.Key())
	if res.DueFen > 0 {
		v.DueFen, v.Message = res.DueFen, s.I18n.T(lang, "ticketflow.gate.collect", s.I18n.T(lang, "tickets.yuan", yuan(res.DueFen)))
	}
	if f := res.Refusal.First; f != nil {
		v.FirstAt, v.FirstBy = f.At.In(domain.ChinaTime).Format("2006-01-02 15:04:05"), f.By
	}
	return v, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Server) gateCheck(c *fiber.Ctx) error {
	var in gateScan
	if len(c.Body()) > 4<<10 || json.Unmarshal(c.Body(), &in) != nil {
		return badJSON("body")
	}
	v, err := s.checkScan(c, in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

type gateSyncBody struct {
	Device string     `json:"device"`
	Items  []gateScan `json:"items"`
}

// gateSync takes the scans a gate made offline. Each is answered on its
// own (one bad item does not fail the batch); repeating the batch gives
// the same answers and records nothing twice.
func (s *Server) gateSync(c *fiber.Ctx) error {
	var in gateSyncBody
	if len(c.Body()) > 512<<10 || json.Unmarshal(c.Body(), &in) != nil {
		return badJSON("body")
	}
	if len(in.Items) > maxSyncItems {
		return &domain.ValidationError{Field: "items", Key: "tickets.error.sync_size", Args: []any{maxSyncItems}}
	}
	out := make([]gateVerdict, 0, len(in.Items))
	for _, it := range in.Items {
		if it.Device == "" {
			it.Device = in.Device
		}
		it.Offline = true
		v, err := s.checkScan(c, it)
		var ve *domain.ValidationError
		switch {
		case errors.As(err, &ve):
			v.Reason, v.Message = "invalid", s.I18n.T(langOf(c), ve.Key, ve.Args...)
		case errors.Is(err, domain.ErrForbidden):
			v.Reason, v.Message = "forbidden", s.I18n.T(langOf(c), "error.forbidden_detail")
		case err != nil:
			return err
		}
		out = append(out, v)
	}
	return c.JSON(fiber.Map{"results": out})
}

// gateServiceWorker serves the gate's service worker from under
// /admin/gate, so it controls only the gate page; its cache name changes
// with every release.
func (s *Server) gateServiceWorker(c *fiber.Ctx) error {
	src, ok := s.assets.source["gate-sw.js"]
	if !ok {
		return fiber.ErrNotFound
	}
	body := strings.ReplaceAll(string(src), "__VERSION__", s.assets.version)
	body = strings.ReplaceAll(body, "__ASSETS__", s.gateAssetList())
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("Service-Worker-Allowed", "/admin/gate")
	return c.SendString(body)
}

// gateAssetList is the JSON list of what the gate needs offline.
func (s *Server) gateAssetList() string {
	list := []string{"/admin/gate", "/api/tickets/keys", s.assets.url("js/gate.js"), s.assets.url("js/vendor/nacl-fast.min.js"),
		s.assets.url("js/vendor/jsQR.js"), s.assets.url("css/console.css"), s.assets.url("icons/favicon.svg")}
	raw, _ := json.Marshal(list)
	return string(raw)
}

func (s *Server) gateManifest(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/manifest+json")
	lang := langOf(c)
	return c.JSON(fiber.Map{
		"name": s.I18n.T(lang, "tickets.gate.title"), "short_name": s.I18n.T(lang, "tickets.gate.short"),
		"start_url": "/admin/gate", "scope": "/admin/gate", "display": "standalone",
		"background_color": "#fbfaf7", "theme_color": "#0b5d6b",
		"icons": []fiber.Map{{"src": s.assets.url("icons/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}},
	}, "application/manifest+json")
}

// Cashier: find a reservation by its reference (or by scanning a ticket)
// and take the money of a pay-at-the-gate booking.

type cashierData struct {
	Query   string
	Found   bool
	Ref     string
	Site    localized
	State   string
	Date    string
	Slot    string
	Total   string
	Names   []string
	CanPay  bool
	Message string
	Error   string
}

func (s *Server) cashierFind(c *fiber.Ctx, q string) (tickets.Reservation, error) {
	q = strings.TrimSpace(q)
	ref := strings.ToUpper(q)
	if !tickets.ValidRef(ref) {
		claims, err := s.Tickets.Service.Verify(c.UserContext(), q)
		if err != nil {
			return tickets.Reservation{}, domain.ErrNotFound
		}
		ref, _, _ = tickets.SplitTicketID(claims.TicketID)
	}
	r, err := s.Tickets.Service.Reservation(c.UserContext(), ref)
	if err != nil {
		return r, err
	}
	// After loading, so a guessed reference of another county is refused too.
	if err := authorizeCounty(c, r.County); err != nil {
		return tickets.Reservation{}, err
	}
	return r, nil
}

func (s *Server) showCashier(c *fiber.Ctx) error {
	q := utils.CopyString(c.Query("q"))
	d := cashierData{Query: q}
	if q != "" {
		r, err := s.cashierFind(c, q)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			d.Error = s.I18n.T(langOf(c), "tickets.cashier.not_found")
		case err != nil:
			return err
		default:
			s.fillCashier(c, &d, r)
		}
	}
	if c.Query("paid") != "" {
		d.Message = s.I18n.T(langOf(c), "tickets.cashier.paid")
	}
	return s.renderConsole(c, fiber.StatusOK, "console/gate_cashier", "tickets.cashier.title", d)
}

func (s *Server) fillCashier(c *fiber.Ctx, d *cashierData, r tickets.Reservation) {
	lang := langOf(c)
	d.Found, d.Ref, d.State, d.Date, d.Slot = true, r.Ref, s.I18n.T(lang, "tickets.state."+string(r.State)), s.dayLabel(lang, r.Date), r.Slot
	d.Total = s.I18n.T(lang, "tickets.yuan", yuan(r.TotalFen))
	if site, ok := s.Catalog.Snapshot().Site(r.Site); ok {
		d.Site = loc(site.Name, lang)
	}
	for _, v := range r.Visitors {
		d.Names = append(d.Names, v.Name+" ("+v.IDMasked+")")
	}
	d.CanPay = r.State == tickets.StateBooked || r.State == tickets.StateHeld
}

func (s *Server) cashierMarkPaid(c *fiber.Ctx) error {
	ref := utils.CopyString(c.Params("ref"))
	r, err := s.cashierFind(c, ref)
	if err != nil {
		return err
	}
	_, err = s.Tickets.Service.MarkPaid(c.UserContext(), r.Ref, currentUser(c).Username)
	var refusal *tickets.Refusal
	if errors.As(err, &refusal) {
		d := cashierData{Query: r.Ref, Error: s.I18n.T(langOf(c), refusal.Key())}
		s.fillCashier(c, &d, r)
		return s.renderConsole(c, fiber.StatusConflict, "console/gate_cashier", "tickets.cashier.title", d)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/gate/cashier?paid=1&q="+r.Ref, fiber.StatusSeeOther)
}
