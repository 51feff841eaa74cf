package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
)

// qrImage serves /qr/{code}.png and /qr/{code}.svg: the code of a sign as
// an image, encoding the sign's public URL.
func (s *Server) qrImage(c *fiber.Ctx) error {
	file := c.Params("file")
	code, format, ok := strings.Cut(file, ".")
	if !ok || (format != "png" && format != "svg") {
		return fiber.ErrNotFound
	}
	code = domain.NormalizeCode(code)
	if !domain.ValidCode(code) {
		return domain.ErrNotFound
	}
	if _, ok := s.Catalog.Snapshot().Sign(code); !ok {
		return domain.ErrNotFound
	}
	p, err := qr.ParseParams(func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	content := qr.SignURL(s.PublicURL, code)
	if !s.QR.Cached(content, p, format == "svg") {
		release, ok := s.qrRenders.Acquire(c.UserContext())
		if !ok {
			return &busyError{retryAfter: 2}
		}
		defer release()
	}
	var body []byte
	if format == "png" {
		body, err = s.QR.PNG(content, p)
		c.Set(fiber.HeaderContentType, "image/png")
	} else {
		body, err = s.QR.SVG(content, p)
		c.Set(fiber.HeaderContentType, "image/svg+xml")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+code+`.`+format+`"`)
	return c.Send(body)
}
