package netguard

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// flakyListener fails its first n accepts with err, then hands out pipes.
type flakyListener struct {
	mu     sync.Mutex
	fails  int
	err    error
	closed chan struct{}
}

func (f *flakyListener) Accept() (net.Conn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.closed:
		return nil, net.ErrClosed
	default:
	}
	if f.fails > 0 {
		f.fails--
		return nil, f.err
	}
	a, b := net.Pipe()
	go io.Copy(io.Discard, b)
	return a, nil
}
func (f *flakyListener) Close() error   { close(f.closed); return nil }
func (f *flakyListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func emfile() error {
	return &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
}

// Out of file descriptors, accept fails; the listener waits and tries
// again instead of returning the error (which ends fasthttp's Serve).
func TestAcceptSurvivesEMFILE(t *testing.T) {
	f := &flakyListener{fails: 6, err: emfile(), closed: make(chan struct{})}
	l := Wrap(f, Options{MaxBackoff: 20 * time.Millisecond})
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("Accept returned %v after EMFILE; want to wait it out", err)
	}
	c.Close()
	if got := l.Stats().AcceptErrors; got != 6 {
		t.Errorf("accept errors counted %d, want 6", got)
	}

	// A permanent error still ends Accept, and Close ends a backoff wait.
	perm := &flakyListener{fails: 1, err: errors.New("boom"), closed: make(chan struct{})}
	if _, err := Wrap(perm, Options{}).Accept(); err == nil || err.Error() != "boom" {
		t.Errorf("permanent error: got %v", err)
	}
	stuck := &flakyListener{fails: 1 << 30, err: emfile(), closed: make(chan struct{})}
	sl := Wrap(stuck, Options{MaxBackoff: time.Hour})
	done := make(chan error, 1)
	go func() { _, err := sl.Accept(); done <- err }()
	for sl.Stats().AcceptErrors < 3 {
		time.Sleep(time.Millisecond)
	}
	sl.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close during backoff: %v", err)
	}
}

func TestTemporary(t *testing.T) {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ECONNABORTED, syscall.ENOBUFS} {
		if !Temporary(&net.OpError{Op: "accept", Err: os.NewSyscallError("accept4", e)}) {
			t.Errorf("%v not temporary", e)
		}
	}
	if Temporary(net.ErrClosed) || Temporary(errors.New("x")) {
		t.Error("closed listener or unknown error taken as temporary")
	}
}

type server struct {
	l     *Listener
	mu    sync.Mutex
	conns []net.Conn
	got   chan struct{}
}

func serve(t *testing.T, opt Options) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{l: Wrap(ln, opt), got: make(chan struct{}, 100)}
	go func() {
		for {
			c, err := s.l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.got <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		s.l.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
	})
	return s
}

func (s *server) closeOne() {
	s.mu.Lock()
	c := s.conns[0]
	s.conns = s.conns[1:]
	s.mu.Unlock()
	c.Close()
}

func dial(t *testing.T, s *server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// expectAccepted dials and waits until the server side holds the
// connection.
func expectAccepted(t *testing.T, s *server) net.Conn {
	t.Helper()
	c := dial(t, s)
	select {
	case <-s.got:
	case <-time.After(10 * time.Second):
		t.Fatal("connection not accepted")
	}
	return c
}

// expectRefused dials and reads the 503 the listener answers before
// closing.
func expectRefused(t *testing.T, s *server) {
	t.Helper()
	c := dial(t, s)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 503") {
		t.Fatalf("over the cap: read %q, %v; want a 503 and close", line, err)
	}
}

func TestPerIPCap(t *testing.T) {
	s := serve(t, Options{MaxConnsPerIP: 3, MaxConns: 100})
	for range 3 {
		expectAccepted(t, s)
	}
	expectRefused(t, s)
	if st := s.l.Stats(); st.RefusedPerIP != 1 || st.Open != 3 {
		t.Errorf("stats %+v", st)
	}
	s.closeOne() // a slot is given back when a connection closes
	expectAccepted(t, s)
}

// A trusted proxy carries many clients: only the total cap applies to it.
func TestExemptPeerOnlyTotalCap(t *testing.T) {
	loop := netip.MustParseAddr("127.0.0.1")
	s := serve(t, Options{MaxConnsPerIP: 2, MaxConns: 5, Exempt: func(a netip.Addr) bool { return a == loop }})
	for range 5 {
		expectAccepted(t, s)
	}
	expectRefused(t, s)
	if st := s.l.Stats(); st.RefusedTotal != 1 || st.RefusedPerIP != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestBucketIPv6By64(t *testing.T) {
	a := bucket(netip.MustParseAddr("2001:db8:1:2:aaaa::1"))
	b := bucket(netip.MustParseAddr("2001:db8:1:2:bbbb::9"))
	c := bucket(netip.MustParseAddr("2001:db8:1:3::1"))
	if a != b || a == c {
		t.Errorf("buckets %v %v %v: want one per /64", a, b, c)
	}
	if bucket(netip.MustParseAddr("::ffff:10.0.0.1")) != netip.MustParseAddr("10.0.0.1") {
		t.Error("IPv4-mapped address not unmapped")
	}
}

func TestAutoMaxConns(t *testing.T) {
	for _, c := range []struct {
		limit uint64
		want  int
	}{{1024, 768}, {256, 192}, {100, 36}, {20000, 15000}, {10, 1}, {1 << 20, 32768}} {
		if got := AutoMaxConns(c.limit); got != c.want {
			t.Errorf("AutoMaxConns(%d) = %d, want %d", c.limit, got, c.want)
		}
	}
}
