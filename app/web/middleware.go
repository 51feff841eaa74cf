package web

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/netip"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

const (
	localLang  = "lang"
	langCookie = "lang"
)

func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic", "route", c.Route().Path, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("web: panic: %v", r)
		}
	}()
	return c.Next()
}

// observe counts requests and their latency by route pattern (never by raw
// path, which would let anyone grow the label set).
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.ErrorHandlerFor(c, err); herr != nil {
			s.Log.Error("error handler", "err", herr)
		}
	}
	route := c.Route().Path
	if c.Response().StatusCode() == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched"
	}
	s.metrics.observe(route, c.Response().StatusCode(), time.Since(start))
	return nil
}

// ErrorHandlerFor renders err as the response, so the metrics see the final
// status.
func (s *Server) ErrorHandlerFor(c *fiber.Ctx, err error) error { return s.handleError(c, err) }

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", s.cspHeader)
	if c.Protocol() == "https" || s.secureCookies() {
		// Browsers ignore it over plain HTTP, so a public URL of https is
		// enough to send it. No includeSubDomains: a bureau's other hosts
		// may still be plain HTTP.
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	return c.Next()
}

// csp allows the one inlined stylesheet by its hash and nothing from
// outside: no CDN, no third-party script.
func (s *Server) csp() string {
	sum := sha256.Sum256([]byte(s.css))
	return "default-src 'self'; style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'self' data:; media-src 'self'; script-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// language picks the page language: ?lang=, then the cookie, then
// Accept-Language. An explicit valid ?lang= is remembered in a cookie; an
// unknown one is ignored, never an error.
func (s *Server) language(c *fiber.Ctx) error {
	q := c.Query("lang")
	lang := s.I18n.Negotiate(q, c.Cookies(langCookie), c.Get(fiber.HeaderAcceptLanguage))
	if l, ok := i18n.Parse(q); ok && c.Cookies(langCookie) != string(l) {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
			SameSite: fiber.CookieSameSiteLaxMode, HTTPOnly: true, Secure: c.Protocol() == "https"})
	}
	c.Locals(localLang, lang)
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return c.Next()
}

func langOf(c *fiber.Ctx) domain.Lang {
	if l, ok := c.Locals(localLang).(domain.Lang); ok {
		return l
	}
	return domain.Zh
}

// client copies the request facts an event is tagged from. fiber's strings
// point into reused buffers, so each is copied.
func client(c *fiber.Ctx) domain.Client {
	purpose := c.Get("Sec-Purpose")
	if purpose == "" {
		purpose = c.Get("Purpose")
	}
	return domain.Client{
		IP:        clientIP(c),
		UserAgent: utils.CopyString(c.Get(fiber.HeaderUserAgent)),
		Method:    utils.CopyString(c.Method()),
		Referer:   utils.CopyString(c.Get(fiber.HeaderReferer)),
		Purpose:   utils.CopyString(purpose),
		Host:      utils.CopyString(c.Hostname()),
	}
}

// clientIP is the one place that says who the client is: every limit,
// visitor key and log line that keys on the client calls it. It is the TCP
// peer, unless that peer is a trusted proxy (YIMAYOU_TRUSTED_PROXIES): then
// the client the proxy names in its header (proxy.go). With no trusted
// proxy, no header can change it. The result is a fresh string, safe to
// keep past the handler.
//
// c.IP() is left as fiber's TCP peer (fiber's ProxyHeader is not set: its
// X-Forwarded-For reading takes the left-most entry, which the client
// writes).
func clientIP(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if p, _ := c.Locals(localProxyTrust).(*proxyTrust); p != nil && p.trusts(peer) {
		return p.client(peer, c).String()
	}
	return peer.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
