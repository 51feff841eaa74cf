// Package netguard wraps the HTTP listener so that no client can stop the
// server by exhausting its file descriptors: accept errors such as EMFILE
// are waited out with backoff instead of ending the server, connections
// are capped per client address and in total, and the process's soft
// open-file limit is raised to the hard limit at start.
package netguard

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/yimayou/yimayou/app/ratelog"
)

// Defaults, documented in the README settings table.
//
// DefaultMaxConnsPerIP is generous on purpose: a mobile carrier's NAT puts
// hundreds of phones behind one public address (carrier-grade NAT), and a
// crowd at a viewpoint scanning the same sign arrives from a handful of
// them. A phone's browser opens up to 6 connections to one host and keeps
// them for the idle timeout, so 512 leaves room for some 100 tourists
// browsing at the same instant from one address, while one attacker's
// address can hold only a small share of the total.
const (
	DefaultMaxConnsPerIP = 512
	// reserveFiles is kept for everything that is not a client connection:
	// the embedded database and its SQLite files, event log segments,
	// uploaded media being served, the MongoDB pool.
	minReserveFiles = 64
)

// maxAutoConns bounds the automatic cap by memory as well: an open
// connection costs the server some 20–30 KB (goroutine, read buffer,
// request context), so 32768 of them ~1 GB, whatever the file limit.
const maxAutoConns = 32768

// AutoMaxConns is the total cap for a process allowed limit open files:
// three quarters of it, always leaving at least minReserveFiles for the
// database, logs and media, and at most maxAutoConns.
func AutoMaxConns(limit uint64) int {
	reserve := max(limit/4, minReserveFiles)
	if limit <= reserve {
		return 1
	}
	return int(min(limit-reserve, maxAutoConns))
}

// Options configure Wrap.
type Options struct {
	// MaxConns caps open client connections in total; 0 means no cap.
	MaxConns int
	// MaxConnsPerIP caps open connections from one peer address (IPv6
	// peers by their /64, which one client usually owns whole); 0 means
	// no cap.
	MaxConnsPerIP int
	// Exempt names peers the per-IP cap does not apply to: a trusted
	// reverse proxy carries every client's connections, so it must not be
	// capped as one client (the proxy enforces its own per-client limits).
	// The total cap still applies. Nil exempts no one.
	Exempt func(netip.Addr) bool
	// Log receives accept errors and refusals, at most one line per kind
	// every LogEvery with the count of the others.
	Log      *slog.Logger
	LogEvery time.Duration
	// MaxBackoff bounds the wait between accept attempts after a
	// temporary error (net/http waits 5 ms doubling to 1 s).
	MaxBackoff time.Duration
}

// Listener is a net.Listener with the guards of Options.
type Listener struct {
	net.Listener
	opt    Options
	closed chan struct{}
	once   sync.Once

	mu    sync.Mutex
	total int
	perIP map[netip.Addr]int

	log *ratelog.Logger

	// Counters for metrics and tests.
	acceptErrors atomic.Uint64
	refusedTotal atomic.Uint64
	refusedPerIP atomic.Uint64
	lingering    atomic.Int64
}

// Wrap guards ln.
func Wrap(ln net.Listener, opt Options) *Listener {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.LogEvery <= 0 {
		opt.LogEvery = 10 * time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = time.Second
	}
	return &Listener{Listener: ln, opt: opt, closed: make(chan struct{}), perIP: map[netip.Addr]int{},
		log: ratelog.New(opt.Log, opt.LogEvery)}
}

// Stats are the listener's counters.
type Stats struct {
	Open, AcceptErrors, RefusedTotal, RefusedPerIP uint64
}

// Stats reports the open connections and what was refused so far.
func (l *Listener) Stats() Stats {
	l.mu.Lock()
	open := l.total
	l.mu.Unlock()
	return Stats{Open: uint64(open), AcceptErrors: l.acceptErrors.Load(),
		RefusedTotal: l.refusedTotal.Load(), RefusedPerIP: l.refusedPerIP.Load()}
}

// Close stops accepting, including a wait between retries.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// Accept returns the next admitted connection. Temporary errors (the
// process or system is out of file descriptors, buffers or memory; the
// peer gave up before accept) are retried with backoff like net/http's
// Server does, so the HTTP server never returns because of them.
// Connections over a cap are answered 503 and closed at once.
func (l *Listener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !Temporary(err) {
				return nil, err
			}
			l.acceptErrors.Add(1)
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else {
				delay = min(2*delay, l.opt.MaxBackoff)
			}
			l.log.Error("accept", "http: accept failed; retrying", "err", err, "retry_in", delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-l.closed:
				t.Stop()
				return nil, net.ErrClosed
			}
			continue
		}
		delay = 0
		addr := peerAddr(c)
		key, refusal := l.admit(addr)
		if refusal != "" {
			l.refuse(c, addr, refusal)
			continue
		}
		return &conn{Conn: c, l: l, key: key}, nil
	}
}

// Temporary reports whether an accept error is worth waiting out.
func Temporary(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EPROTO} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// admit counts the connection in or says why not. key is the per-IP
// bucket ("" when the peer is not capped per IP).
func (l *Listener) admit(addr netip.Addr) (key netip.Addr, refusal string) {
	if addr.IsValid() && l.opt.MaxConnsPerIP > 0 && (l.opt.Exempt == nil || !l.opt.Exempt(addr)) {
		key = bucket(addr)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.opt.MaxConns > 0 && l.total >= l.opt.MaxConns {
		return netip.Addr{}, "total"
	}
	if key.IsValid() {
		if l.perIP[key] >= l.opt.MaxConnsPerIP {
			return netip.Addr{}, "per_ip"
		}
		l.perIP[key]++
	}
	l.total++
	return key, ""
}

func (l *Listener) release(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if key.IsValid() {
		if n := l.perIP[key] - 1; n > 0 {
			l.perIP[key] = n
		} else {
			delete(l.perIP, key)
		}
	}
}

// busyResponse tells a well-behaved client why it was turned away; the
// request it may send is never read.
var busyResponse = []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Retry-After: 5\r\nConnection: close\r\nContent-Length: 29\r\n\r\ntoo many connections, retry.\n")

func (l *Listener) refuse(c net.Conn, addr netip.Addr, why string) {
	if why == "total" {
		l.refusedTotal.Add(1)
		l.log.Warn("refuse_total", "http: connection refused: total cap reached", "max_conns", l.opt.MaxConns)
	} else {
		l.refusedPerIP.Add(1)
		l.log.Warn("refuse_ip", "http: connection refused: per-client cap reached",
			"peer", addr.String(), "max_conns_per_ip", l.opt.MaxConnsPerIP)
	}
	// The answer is written, the sending side shut and the request read
	// away for up to a second, off the accept loop: closing with the
	// request unread would reset the connection before the client reads
	// the 503. Only a few linger at once; the rest are closed at once.
	if l.lingering.Add(1) > maxLingering {
		l.lingering.Add(-1)
		_ = c.Close()
		return
	}
	go func() {
		defer l.lingering.Add(-1)
		_ = c.SetDeadline(time.Now().Add(time.Second))
		_, _ = c.Write(busyResponse)
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
		_ = c.Close()
	}()
}

// maxLingering bounds the refused connections being answered at once:
// they hold file descriptors beyond the cap.
const maxLingering = 16

// bucket is the per-IP key: IPv4 addresses as they are, IPv6 by /64.
func bucket(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is4() {
		return a
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a
	}
	return p.Addr()
}

func peerAddr(c net.Conn) netip.Addr {
	switch a := c.RemoteAddr().(type) {
	case *net.TCPAddr:
		return a.AddrPort().Addr().Unmap()
	case nil:
		return netip.Addr{}
	default:
		ap, err := netip.ParseAddrPort(a.String())
		if err != nil {
			return netip.Addr{}
		}
		return ap.Addr().Unmap()
	}
}

// conn gives its slot back once, however often it is closed.
type conn struct {
	net.Conn
	l    *Listener
	key  netip.Addr
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.key) })
	return err
}
