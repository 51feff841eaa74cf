package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
)

// problem is an RFC 9457 problem detail.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Field    string `json:"field,omitempty"`
}

// handleError is the one place where errors become HTTP: domain errors by
// meaning, fiber's own errors by status, anything else a 500 that is logged
// and counted. Pages are in the visitor's language; /api/ and /qr/ answer
// with problem+json.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	lang := langOf(c)
	status := fiber.StatusInternalServerError
	titleKey, detailKey, detail, field := "error.internal_title", "error.internal_detail", "", ""

	var verr *domain.ValidationError
	var ferr *fiber.Error
	var berr *busyError
	switch {
	case errors.As(err, &berr):
		status, titleKey, detailKey = fiber.StatusServiceUnavailable, "abuse.busy_title", "abuse.busy_detail"
		c.Set(fiber.HeaderRetryAfter, itoa(berr.retryAfter))
	case errors.Is(err, errCSRF):
		status, titleKey, detailKey = fiber.StatusForbidden, "error.csrf_title", "error.csrf_detail"
	case errors.As(err, &verr):
		status, titleKey, field = fiber.StatusBadRequest, "error.bad_request_title", verr.Field
		detail = s.I18n.T(lang, verr.Key, verr.Args...)
	case errors.Is(err, domain.ErrNotFound):
		status, titleKey, detailKey = fiber.StatusNotFound, "notfound.title", "notfound.body"
	case errors.Is(err, domain.ErrForbidden):
		status, titleKey, detailKey = fiber.StatusForbidden, "error.forbidden_title", "error.forbidden_detail"
	case errors.Is(err, domain.ErrConflict):
		status, titleKey, detailKey = fiber.StatusConflict, "error.conflict_title", "error.conflict_detail"
	case errors.As(err, &ferr):
		status = ferr.Code
		switch {
		case status == fiber.StatusNotFound:
			titleKey, detailKey = "notfound.title", "notfound.body"
		case status == fiber.StatusMethodNotAllowed:
			titleKey, detailKey = "error.method_title", "error.method_detail"
		case status == fiber.StatusRequestEntityTooLarge:
			titleKey, detailKey = "error.too_large_title", "error.too_large_detail"
		case status == fiber.StatusTooManyRequests:
			titleKey, detailKey = "error.too_many_title", "error.too_many_detail"
		case status == fiber.StatusUnauthorized:
			titleKey, detailKey = "error.unauthorized_title", "error.unauthorized_detail"
		case status < 500:
			titleKey, detailKey = "error.bad_request_title", "error.bad_request_detail"
		}
	}
	if status >= 500 && berr == nil {
		s.metrics.internalErrors.Inc()
		// By route, at most once per 30 s with a count: a database outage
		// fails every request, and the log must stay readable.
		s.errLog.Error("request failed "+c.Route().Path, "request failed", "method", c.Method(), "route", c.Route().Path, "err", err)
	}
	if detail == "" {
		detail = s.I18n.T(lang, detailKey)
	}

	path := c.Path()
	if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/qr/") || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		c.Status(status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(problem{
			Type: "about:blank", Title: s.I18n.T(lang, titleKey), Status: status,
			Detail: detail, Instance: path, Field: field,
		}, "application/problem+json")
	}
	if status == fiber.StatusNotFound {
		return s.renderNotFound(c, notFoundData{TitleKey: "notfound.title", BodyKey: "notfound.body"}, "")
	}
	v := s.view(c, s.I18n.T(lang, titleKey))
	v.Data = errorData{TitleKey: titleKey, Message: detail}
	if rerr := s.tpl.render(c, status, "error", v); rerr != nil {
		// The error page itself failed: say something plain rather than nothing.
		s.Log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(s.I18n.T(lang, titleKey))
	}
	return nil
}

type errorData struct {
	TitleKey string
	Message  string
}

func asValidation(err error) (*domain.ValidationError, bool) {
	var verr *domain.ValidationError
	ok := errors.As(err, &verr)
	return verr, ok
}

// busyError turns a request away while a bounded resource (QR renders) is
// taken: 503 with Retry-After, not an internal error.
type busyError struct{ retryAfter int }

func (e *busyError) Error() string { return "web: busy, retry after " + itoa(e.retryAfter) + " s" }
