package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
)

// FeedbackStore keeps visitors' feedback; store.Store implements it.
type FeedbackStore interface {
	AddFeedback(ctx context.Context, f domain.Feedback) (domain.Feedback, error)
	Feedback(ctx context.Context, id string) (domain.Feedback, error)
	ListFeedback(ctx context.Context, counties []string, openOnly bool, limit int) ([]domain.Feedback, error)
	ResolveFeedback(ctx context.Context, id, by string, at time.Time) error
}

// Spam resistance without a third-party captcha: the form carries a signed
// time, and a post is taken only between a few seconds (a person reads
// and types) and a few hours after the form was served; a field hidden
// from people (a honeypot) must stay empty; and each IP may send a few per
// quarter hour.
const (
	feedbackMinAge = 3 * time.Second
	feedbackMaxAge = 3 * time.Hour
)

func (s *Server) formToken(site string, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, s.FormSecret)
	mac.Write([]byte("feedback|" + site + "|" + ts))
	return ts + "." + hex.EncodeToString(mac.Sum(nil)[:16])
}

func (s *Server) checkFormToken(site, token string, now time.Time) bool {
	ts, _, ok := strings.Cut(token, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return false
	}
	at := time.Unix(sec, 0)
	if hmac.Equal([]byte(s.formToken(site, at)), []byte(token)) {
		age := now.Sub(at)
		return age >= feedbackMinAge && age <= feedbackMaxAge
	}
	return false
}

type feedbackForm struct {
	Site     siteItem
	Action   string
	Token    string
	Rating   int
	Text     string
	Contact  string
	ErrorKey string
	ErrArgs  []any
	Field    string
	Sent     bool
	Max      int
	Stars    []int
}

func (s *Server) feedbackSite(c *fiber.Ctx) (*domain.Site, error) {
	site, ok := s.Catalog.Snapshot().Site(c.Params("site"))
	if !ok || site.County != c.Params("county") {
		return nil, domain.ErrNotFound
	}
	return site, nil
}

func (s *Server) showFeedback(c *fiber.Ctx) error {
	site, err := s.feedbackSite(c)
	if err != nil {
		return err
	}
	return s.renderFeedback(c, fiber.StatusOK, site, feedbackForm{})
}

func (s *Server) renderFeedback(c *fiber.Ctx, status int, site *domain.Site, f feedbackForm) error {
	v := s.view(c, "")
	f.Site = siteItem{Href: siteHref(site.County, site.Key), Name: loc(site.Name, v.Lang)}
	f.Action = f.Site.Href + "/feedback"
	f.Token = s.formToken(site.Key, time.Now())
	f.Max = domain.FeedbackMaxText
	f.Stars = []int{1, 2, 3, 4, 5}
	v.Title = v.T("feedback.title") + " · " + f.Site.Name.S
	v.Data = f
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.tpl.render(c, status, "feedback", v)
}

func (s *Server) postFeedback(c *fiber.Ctx) error {
	site, err := s.feedbackSite(c)
	if err != nil {
		return err
	}
	rating, _ := strconv.Atoi(c.FormValue("rating"))
	f := feedbackForm{Rating: rating, Text: strings.TrimSpace(utils.CopyString(c.FormValue("text"))),
		Contact: strings.TrimSpace(utils.CopyString(c.FormValue("contact")))}
	now := time.Now()
	if !s.checkFormToken(site.Key, c.FormValue("token"), now) {
		f.ErrorKey = "feedback.error_token"
		return s.renderFeedback(c, fiber.StatusBadRequest, site, f)
	}
	if c.FormValue("website") != "" {
		// A bot filled the hidden field: thank it and keep nothing.
		return s.renderFeedback(c, fiber.StatusOK, site, feedbackForm{Sent: true})
	}
	fb := domain.Feedback{Site: site.Key, County: site.County, Rating: rating, Text: f.Text, Contact: f.Contact,
		Lang: langOf(c), Created: now}
	if _, err := s.Feedback.AddFeedback(c.UserContext(), fb); err != nil {
		if verr, ok := asValidation(err); ok {
			f.ErrorKey, f.ErrArgs, f.Field = verr.Key, verr.Args, verr.Field
			return s.renderFeedback(c, fiber.StatusBadRequest, site, f)
		}
		return err
	}
	return s.renderFeedback(c, fiber.StatusOK, site, feedbackForm{Sent: true})
}

func (s *Server) feedbackLimiter() fiber.Handler {
	cfg := limiter.Config{
		Max:          5,
		Expiration:   15 * time.Minute,
		Next:         func(c *fiber.Ctx) bool { return c.Method() != fiber.MethodPost },
		KeyGenerator: func(c *fiber.Ctx) string { return "feedback:" + clientIP(c) },
		// Refused posts store nothing; only what is taken counts.
		SkipFailedRequests: true,
		LimitReached:       func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	}
	if s.KV != nil {
		cfg.Storage = s.KV
	}
	return limiter.New(cfg)
}

// The bureau's side: /admin/feedback lists feedback of the user's counties,
// open first, with how long each took to resolve.

type feedbackRow struct {
	domain.Feedback
	SiteName localized
	Age      string
	Took     string
}

func (s *Server) listFeedback(c *fiber.Ctx) error {
	u := currentUser(c)
	var counties []string // nil: every county
	if !u.RegionWide() {
		counties = countiesInScope(u, s.Catalog.Snapshot())
	}
	openOnly := c.Query("state") != "all"
	list, err := s.Feedback.ListFeedback(c.UserContext(), counties, openOnly, 200)
	if err != nil {
		return err
	}
	snap := s.Catalog.Snapshot()
	lang := langOf(c)
	now := time.Now()
	rows := make([]feedbackRow, 0, len(list))
	for _, f := range list {
		r := feedbackRow{Feedback: f, Age: humanDuration(now.Sub(f.Created))}
		if site, ok := snap.Site(f.Site); ok {
			r.SiteName = loc(site.Name, lang)
		} else {
			r.SiteName = localized{S: f.Site}
		}
		if !f.Open() {
			r.Took = humanDuration(f.ResolvedAt.Sub(f.Created))
		}
		rows = append(rows, r)
	}
	return s.renderConsole(c, fiber.StatusOK, "console/feedback", "feedback.console_title", struct {
		Rows     []feedbackRow
		OpenOnly bool
	}{rows, openOnly})
}

func (s *Server) resolveFeedback(c *fiber.Ctx) error {
	f, err := s.Feedback.Feedback(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if err := authorizeCounty(c, f.County); err != nil {
		return err
	}
	if err := s.Feedback.ResolveFeedback(c.UserContext(), f.ID, currentUser(c).Username, time.Now()); err != nil {
		return err
	}
	s.Log.Info("feedback resolved", "id", f.ID, "by", currentUser(c).Username)
	return c.Redirect("/admin/feedback", fiber.StatusSeeOther)
}

// humanDuration is a compact duration for tables: "3 d", "5 h", "12 min".
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d"
	case d >= 2*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	default:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
}
