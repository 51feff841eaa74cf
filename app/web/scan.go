package web

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

// scan is the hot path: the URL inside every printed code. It answers with
// the site page itself (a redirect costs a round trip of 300-800 ms on
// plateau 3G) and records a scan event.
func (s *Server) scan(c *fiber.Ctx) error {
	code := domain.NormalizeCode(c.Params("code"))
	if !domain.ValidCode(code) {
		return s.renderNotFound(c, notFoundData{TitleKey: "notfound.code_title", BodyKey: "notfound.code_body"}, "")
	}
	snap := s.Catalog.Snapshot()
	sign, ok := snap.Sign(code)
	if !ok {
		return s.renderNotFound(c, notFoundData{TitleKey: "notfound.code_title", BodyKey: "notfound.code_body"}, "")
	}
	site, published := snap.Site(sign.Site)
	if !sign.Enabled || !published {
		d := notFoundData{TitleKey: "notfound.disabled_title", BodyKey: "notfound.disabled_body"}
		if published {
			item := siteItem{Href: siteHref(site.County, site.Key), Name: loc(site.Name, langOf(c))}
			d.Site = &item
		}
		return s.renderNotFound(c, d, sign.County)
	}
	s.giveLateToken(c, s.record(c, domain.EventScan, site, sign.Code))
	return s.renderSite(c, snap, site, sign.Code)
}

// record hands an event to the pipeline and returns it (the zero event
// when nothing was recorded). A failure to record never costs the tourist
// the page: it is logged and counted instead.
func (s *Server) record(c *fiber.Ctx, typ domain.EventType, site *domain.Site, sign string) domain.Event {
	// A HEAD request fetches no page: nobody saw anything, so nothing is
	// recorded, not even as a bot.
	if s.Recorder == nil || c.Method() == fiber.MethodHead {
		return domain.Event{}
	}
	e := domain.NewEvent(typ, time.Now())
	e.County, e.Site, e.Sign, e.Lang = site.County, site.Key, utils.CopyString(sign), langOf(c)
	ctx := c.UserContext()
	cl := client(c)
	if s.Tagger != nil {
		s.Tagger.Tag(ctx, cl, &e)
	}
	// A prefetch (the browser's, or our service worker keeping a page for
	// offline use) is not a visit: recorded, but as a bot, so not counted.
	if strings.Contains(strings.ToLower(cl.Purpose), "prefetch") {
		e.Bot = true
	}
	// Past the client's recording budget the page is still served, and
	// the event kept, but flagged: it counts in no figure and no unique.
	if !e.Bot && !s.budget.allow(cl.IP, site.Key, e.Time) {
		e.Filter, e.VisitorKey = domain.FilterBudget, ""
	}
	if err := s.Recorder.Record(ctx, e); err != nil {
		s.metrics.recordErrors.Inc()
		if ctx.Err() == nil || err != context.Canceled {
			s.errLog.Error("record", "record event", "type", typ, "err", err) // once per 30 s with a count
		}
		return domain.Event{}
	}
	return e
}
