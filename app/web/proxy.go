package web

import (
	"bytes"
	"net/netip"

	"github.com/gofiber/fiber/v2"
)

// proxyTrust says whose word about the client's address is believed: only
// a peer inside one of the trusted ranges may name the client in the
// header. Everyone else is the client they connect from.
type proxyTrust struct {
	nets   []netip.Prefix
	header string // "X-Forwarded-For" or "X-Real-IP"
}

const localProxyTrust = "proxy-trust"

func newProxyTrust(nets []netip.Prefix, header string) *proxyTrust {
	if len(nets) == 0 {
		return nil
	}
	if header == "" {
		header = fiber.HeaderXForwardedFor
	}
	return &proxyTrust{nets: nets, header: header}
}

// fiberProxies is the list fiber checks X-Forwarded-Proto and -Host
// against (c.Protocol, c.Hostname): the same proxies, so a direct client
// cannot claim HTTPS or another host either.
func (p *proxyTrust) fiberProxies() []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p.nets))
	for i, n := range p.nets {
		out[i] = n.String()
	}
	return out
}

func (p *proxyTrust) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// client returns the client's address given the TCP peer (trusted by the
// caller) and the request. For X-Forwarded-For, where every proxy appends
// the address it got the request from, the client is the right-most entry
// that is not a trusted proxy: entries further left were written by the
// client itself and prove nothing. A malformed entry before that point
// ends the walk at the last address known good, never at a guess.
func (p *proxyTrust) client(peer netip.Addr, c *fiber.Ctx) netip.Addr {
	values := c.Request().Header.PeekAll(p.header)
	if p.header != fiber.HeaderXForwardedFor {
		if len(values) != 1 {
			return peer // absent, or sent twice: which one did the proxy set?
		}
		if a, ok := parseAddr(values[0]); ok {
			return a
		}
		return peer
	}
	last := peer
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for len(v) > 0 {
			var hop []byte
			if j := bytes.LastIndexByte(v, ','); j >= 0 {
				hop, v = v[j+1:], v[:j]
			} else {
				hop, v = v, nil
			}
			hop = bytes.TrimSpace(hop)
			if len(hop) == 0 {
				continue
			}
			a, ok := parseAddr(hop)
			if !ok {
				return last
			}
			if !p.trusts(a) {
				return a
			}
			last = a
		}
	}
	return last // every hop is a trusted proxy: the request came from inside
}

// parseAddr reads an address as proxies write it: a bare IPv4 or IPv6
// address, or one with a port ("1.2.3.4:5", "[::1]:5").
func parseAddr(b []byte) (netip.Addr, bool) {
	s := string(b)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// trustProxies is the first middleware: it hands clientIP the settings.
func (s *Server) trustProxies(c *fiber.Ctx) error {
	c.Locals(localProxyTrust, s.proxies)
	return c.Next()
}
