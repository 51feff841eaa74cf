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
	s.record(c, domain.EventScan, site, sign.Code)
	return s.renderSite(c, snap, site, sign.Code)
}

// record hands an event to the pipeline. A failure to record never costs
// the tourist the page: it is logged and counted instead.
func (s *Server) record(c *fiber.Ctx, typ domain.EventType, site *domain.Site, sign string) {
	if s.Recorder == nil {
		return
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
	if err := s.Recorder.Record(ctx, e); err != nil {
		s.metrics.recordErrors.Inc()
		if ctx.Err() == nil || err != context.Canceled {
			s.Log.Error("record event", "type", typ, "err", err)
		}
	}
}
