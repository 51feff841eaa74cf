package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/yimayou/yimayou/app/domain"
)

// serviceWorker serves /sw.js from the root, so its scope is the whole
// site. Its cache name carries the hash of every asset, so a new release
// replaces the old cache.
func (s *Server) serviceWorker(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(s.swBody)
}

func buildServiceWorker(a *assets) []byte {
	src, ok := a.source["sw.js"]
	if !ok {
		return nil
	}
	return []byte(strings.ReplaceAll(string(src), "__VERSION__", a.version))
}

// Late events: page views and audio plays made offline, sent when the
// signal returns, with their own time and a client-made id.
const (
	lateEventMaxAge    = 7 * 24 * time.Hour
	lateEventMaxAhead  = 5 * time.Minute // clocks of phones drift
	lateEventsPerBatch = 100
	lateEventsMaxBody  = 64 << 10
)

type lateEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Site string `json:"site"`
	Lang string `json:"lang"`
	T    int64  `json:"t"` // Unix milliseconds
}

type lateRejection struct {
	Index  int    `json:"index"`
	Reason string `json:"reason"`
}

var clientIDRe = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// lateEvents takes a batch of late events. The event id is derived from
// the client id, so a batch sent twice (a flaky link) is stored once.
// Events it refuses for good (too old, unknown site) are listed, and the
// client drops them; a malformed body is a 400 problem.
func (s *Server) lateEvents(c *fiber.Ctx) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		return &domain.ValidationError{Field: "body", Key: "error.json_required"}
	}
	if len(c.Body()) > lateEventsMaxBody {
		return fiber.ErrRequestEntityTooLarge
	}
	var batch []lateEvent
	if err := json.Unmarshal(c.Body(), &batch); err != nil {
		return &domain.ValidationError{Field: "body", Key: "error.json_invalid"}
	}
	if len(batch) > lateEventsPerBatch {
		return &domain.ValidationError{Field: "body", Key: "error.too_many_events", Args: []any{lateEventsPerBatch}}
	}
	snap := s.Catalog.Snapshot()
	now := time.Now()
	cl := client(c)
	accepted := 0
	rejected := []lateRejection{}
	for i, le := range batch {
		reason := ""
		site, ok := snap.Site(le.Site)
		at := time.UnixMilli(le.T)
		switch {
		case !clientIDRe.MatchString(le.ID):
			reason = "id"
		case le.Type != string(domain.EventPageView) && le.Type != string(domain.EventAudioPlay):
			reason = "type"
		case !ok:
			reason = "site"
		case at.Before(now.Add(-lateEventMaxAge)) || at.After(now.Add(lateEventMaxAhead)):
			reason = "time"
		}
		if reason != "" {
			rejected = append(rejected, lateRejection{Index: i, Reason: reason})
			continue
		}
		sum := sha256.Sum256([]byte("client|" + le.ID))
		e := domain.Event{ID: hex.EncodeToString(sum[:16]), Type: domain.EventType(le.Type),
			County: site.County, Site: site.Key, Extra: map[string]string{"late": "1"}}
		e.SetTime(at)
		if l, ok := domain.Lang(le.Lang), domain.Lang(le.Lang).Valid(); ok {
			e.Lang = l
		}
		if s.Tagger != nil {
			s.Tagger.Tag(c.UserContext(), cl, &e)
		}
		if s.Recorder != nil {
			if err := s.Recorder.Record(c.UserContext(), e); err != nil {
				return err
			}
		}
		accepted++
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"accepted": accepted, "rejected": rejected})
}

// lateEventsLimiter bounds how much one IP can send; a phone coming back
// online sends a few batches, not hundreds.
func (s *Server) lateEventsLimiter() fiber.Handler {
	cfg := limiter.Config{
		Max:          30,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return "late:" + clientIP(c) },
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	}
	if s.KV != nil {
		cfg.Storage = s.KV
	}
	return limiter.New(cfg)
}
