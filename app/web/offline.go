package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync"
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
	T    int64  `json:"t"`  // Unix milliseconds
	Tk   string `json:"tk"` // the late token of the page the event happened on
}

type lateRejection struct {
	Index  int    `json:"index"`
	Reason string `json:"reason"`
}

var clientIDRe = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// LateTokens signs the token a counted page response carries and checks
// it when late events come back (events.Tagger implements it): an HMAC
// over (day, site, visitor key) under the day's visitor secret, good for
// that day and the next.
type LateTokens interface {
	LateToken(ctx context.Context, e domain.Event) string
	CheckLateToken(ctx context.Context, token string, now time.Time) (domain.LateGrant, error)
}

// lateCookie carries the token. The page itself is cached and shared by
// every visitor (gzipped once per content version), so the token, which
// is the visitor's own, rides on a cookie of the response instead; the
// page's script reads it and keeps it with the site's queue.
const lateCookie = "ymy_late"

// How much a token allows: late events of its site, made from the start
// of its day on, at most lateEventsPerToken of them (a tourist viewing a
// saved page and playing its guide offline makes a handful; a token comes
// with every page fetched online). A token is good for its day and the
// next (the day's secret is deleted after that), so no late event is more
// than two days late.
const (
	lateEventsPerToken = 30
	lateTokensMax      = 50000 // tokens tracked per node, ~30 events each at most
)

// LateClaims makes the per-token limit and the once-only rule hold across
// every node and restart (store.Store implements it); without it each node
// keeps its own count in memory (lateUses).
type LateClaims interface {
	ClaimLateEvent(ctx context.Context, id, token string, max int, now time.Time) (string, error)
	UnclaimLateEvent(ctx context.Context, id string) error
}

// giveLateToken sets the late-event token of a counted page fetch. Bots,
// events past the budget and HEAD requests get none.
func (s *Server) giveLateToken(c *fiber.Ctx, e domain.Event) {
	if s.LateTokens == nil || e.VisitorKey == "" || e.Bot || e.Filter != "" {
		return
	}
	tok := s.LateTokens.LateToken(c.UserContext(), e)
	if tok == "" {
		return
	}
	c.Cookie(&fiber.Cookie{Name: lateCookie, Value: tok, Path: "/", MaxAge: 2 * 24 * 3600,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}

// lateUses counts, per node, the events each token brought and the ids
// already taken, so a token yields at most lateEventsPerToken events and a
// batch sent twice is recorded once, when no LateClaims store is given.
// With several nodes (or after a restart) a token can yield that many per
// node, and a replay to another node reaches the rollups twice: the
// server wires the store.
type lateUses struct {
	mu     sync.Mutex
	tokens map[string]*lateUse
}

type lateUse struct {
	day string
	ids map[string]bool
}

// take reports whether event id may be recorded under the token: "" if so,
// "duplicate" if it was already, "limit" if the token is used up.
func (u *lateUses) take(g domain.LateGrant, id string, yesterday string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tokens == nil {
		u.tokens = map[string]*lateUse{}
	}
	t := u.tokens[g.ID]
	if t == nil {
		if len(u.tokens) >= lateTokensMax {
			for k, t := range u.tokens {
				if t.day < yesterday {
					delete(u.tokens, k)
				}
			}
			for k := range u.tokens {
				if len(u.tokens) < lateTokensMax*7/8 {
					break
				}
				delete(u.tokens, k)
			}
		}
		t = &lateUse{day: g.Day, ids: map[string]bool{}}
		u.tokens[g.ID] = t
	}
	switch {
	case t.ids[id]:
		return "duplicate"
	case len(t.ids) >= lateEventsPerToken:
		return "limit"
	}
	t.ids[id] = true
	return ""
}

// lateEvents takes a batch of late events. Each must carry the token of a
// page this server sent (giveLateToken); a batch with no valid token at
// all is refused as a problem. The event id is derived from the client
// id, so a batch sent twice is stored once. Events it refuses for good
// (too old, unknown site, bad or used-up token) are listed, and the client
// drops them; a malformed body is a 400 problem.
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
	ctx := c.UserContext()
	now := time.Now()
	grants := map[string]*domain.LateGrant{}
	valid := 0
	for _, le := range batch {
		if _, seen := grants[le.Tk]; seen {
			continue
		}
		grants[le.Tk] = nil
		if s.LateTokens == nil || le.Tk == "" {
			continue
		}
		g, err := s.LateTokens.CheckLateToken(ctx, le.Tk, now)
		switch {
		case err == nil:
			grants[le.Tk] = &g
			valid++
		case !errors.Is(err, domain.ErrInvalid):
			return err // the secret could not be read: try again later
		}
	}
	if valid == 0 && len(batch) > 0 {
		return &domain.ValidationError{Field: "tk", Key: "abuse.late_token_required"}
	}
	yesterday := now.In(domain.ChinaTime).AddDate(0, 0, -1).Format(time.DateOnly)
	snap := s.Catalog.Snapshot()
	cl := client(c)
	accepted := 0
	rejected := []lateRejection{}
	for i, le := range batch {
		reason := ""
		site, ok := snap.Site(le.Site)
		at := time.UnixMilli(le.T)
		g := grants[le.Tk]
		switch {
		case !clientIDRe.MatchString(le.ID):
			reason = "id"
		case le.Type != string(domain.EventPageView) && le.Type != string(domain.EventAudioPlay):
			reason = "type"
		case !ok:
			reason = "site"
		case g == nil || g.Site != le.Site:
			reason = "token"
		case at.Before(now.Add(-lateEventMaxAge)) || at.After(now.Add(lateEventMaxAhead)) ||
			at.In(domain.ChinaTime).Format(time.DateOnly) < g.Day:
			reason = "time"
		}
		sum := sha256.Sum256([]byte("client|" + le.ID))
		id := hex.EncodeToString(sum[:16])
		if reason == "" {
			if s.LateClaims != nil {
				var err error
				if reason, err = s.LateClaims.ClaimLateEvent(ctx, id, g.ID, lateEventsPerToken, now); err != nil {
					return err // nothing of this event is kept: the client sends it again
				}
			} else {
				reason = s.lateUses.take(*g, id, yesterday)
			}
			if reason == "duplicate" {
				accepted++ // stored already: the client may forget it
				continue
			}
		}
		if reason != "" {
			rejected = append(rejected, lateRejection{Index: i, Reason: reason})
			continue
		}
		e := domain.Event{ID: id, Type: domain.EventType(le.Type),
			County: site.County, Site: site.Key, Extra: map[string]string{"late": "1"}}
		e.SetTime(at)
		if l, ok := domain.Lang(le.Lang), domain.Lang(le.Lang).Valid(); ok {
			e.Lang = l
		}
		if s.Tagger != nil {
			s.Tagger.Tag(ctx, cl, &e)
		}
		// The visitor is the one the page was served to, wherever the
		// phone is now. Late events come out of the same recording budget
		// as scans and views, so the tokens a client fetches within its
		// budget cannot multiply it.
		if !e.Bot {
			e.VisitorKey = g.VisitorKey
			if !s.budget.allow(cl.IP, site.Key, now) {
				e.Filter, e.VisitorKey = domain.FilterBudget, ""
			}
		}
		if s.Recorder != nil {
			if err := s.Recorder.Record(ctx, e); err != nil {
				if s.LateClaims != nil {
					if uerr := s.LateClaims.UnclaimLateEvent(ctx, id); uerr != nil {
						s.Log.Error("late event: unclaim", "err", uerr)
					}
				}
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
