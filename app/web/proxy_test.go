package web

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// clientIP's reading of the proxy header, case by case. fiber's test
// connection comes from 0.0.0.0, so trusting 0.0.0.0/32 makes the test
// client a trusted proxy.
func TestClientIPFromHeaders(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name    string
		trust   []netip.Prefix
		header  string
		headers [][2]string
		want    string
	}{
		{"no proxies: the peer, whatever the header says", nil, "", [][2]string{{"X-Forwarded-For", "203.0.113.7"}, {"X-Real-IP", "203.0.113.8"}}, "0.0.0.0"},
		{"untrusted peer", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "", [][2]string{{"X-Forwarded-For", "203.0.113.7"}}, "0.0.0.0"},
		{"trusted peer, one hop", trusted, "", [][2]string{{"X-Forwarded-For", "203.0.113.7"}}, "203.0.113.7"},
		{"trusted peer, client-written entries on the left", trusted, "", [][2]string{{"X-Forwarded-For", "1.1.1.1, 2.2.2.2,203.0.113.7"}}, "203.0.113.7"},
		{"inner proxies are skipped", trusted, "", [][2]string{{"X-Forwarded-For", "1.1.1.1, 203.0.113.7, 10.1.2.3 ,10.9.9.9"}}, "203.0.113.7"},
		{"IPv6 and ports", trusted, "", [][2]string{{"X-Forwarded-For", "[2001:db8::1]:4711, fd00::5"}}, "2001:db8::1"},
		{"IPv4-mapped", trusted, "", [][2]string{{"X-Forwarded-For", "::ffff:203.0.113.9"}}, "203.0.113.9"},
		{"garbage right of the client: the last good hop", trusted, "", [][2]string{{"X-Forwarded-For", "203.0.113.7, unknown, 10.1.1.1"}}, "10.1.1.1"},
		{"garbage at once: the peer", trusted, "", [][2]string{{"X-Forwarded-For", "203.0.113.7, nonsense"}}, "0.0.0.0"},
		{"all hops trusted", trusted, "", [][2]string{{"X-Forwarded-For", "10.0.0.1, 10.0.0.2"}}, "10.0.0.1"},
		{"empty header", trusted, "", [][2]string{{"X-Forwarded-For", " , "}}, "0.0.0.0"},
		{"no header", trusted, "", nil, "0.0.0.0"},
		{"two header lines: the last one's right end", trusted, "", [][2]string{{"X-Forwarded-For", "198.51.100.1"}, {"X-Forwarded-For", "1.1.1.1, 203.0.113.7"}}, "203.0.113.7"},
		{"X-Real-IP mode ignores X-Forwarded-For", trusted, "X-Real-IP", [][2]string{{"X-Forwarded-For", "1.1.1.1"}, {"X-Real-IP", "203.0.113.7"}}, "203.0.113.7"},
		{"X-Real-IP garbage", trusted, "X-Real-IP", [][2]string{{"X-Real-IP", "203.0.113.7, 1.1.1.1"}}, "0.0.0.0"},
		{"X-Real-IP twice", trusted, "X-Real-IP", [][2]string{{"X-Real-IP", "203.0.113.7"}, {"X-Real-IP", "1.1.1.1"}}, "0.0.0.0"},
		{"X-Real-IP mode, untrusted peer", trusted[1:], "X-Real-IP", [][2]string{{"X-Real-IP", "203.0.113.7"}}, "0.0.0.0"},
	}
	for _, tc := range cases {
		s := &Server{proxies: newProxyTrust(tc.trust, tc.header)}
		app := fiber.New(fiber.Config{EnableTrustedProxyCheck: true, TrustedProxies: s.proxies.fiberProxies()})
		app.Use(s.trustProxies)
		app.Get("/", func(c *fiber.Ctx) error { return c.SendString(clientIP(c)) })
		req := httptest.NewRequest("GET", "/", nil)
		for _, h := range tc.headers {
			req.Header.Add(h[0], h[1])
		}
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		if string(b) != tc.want {
			t.Errorf("%s: clientIP %q, want %q", tc.name, b, tc.want)
		}
	}
}

// loopbackClient sends requests from its own loopback source address, so
// one machine plays several peers: a proxy, a direct visitor, a spoofer.
func loopbackClient(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

func send(t *testing.T, c *http.Client, method, url string, headers ...string) (int, http.Header) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("[]")
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14) Mobile")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header
}

// proxyFixture serves the app on loopback with real visitor keys; the
// peer 127.0.0.2 is the trusted proxy when trust is true.
func proxyFixture(t *testing.T, trust bool) (*fixture, string) {
	t.Helper()
	s := storetest.New(t)
	seed(t, s)
	f := newFixtureWith(t, s, nil, func(d *Deps) {
		d.Tagger = events.NewTagger(events.NewSecrets(s, d.Log, nil), d.Log)
		if trust {
			d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}
		}
	})
	return f, serveApp(t, f.app)
}

// limitedAfter posts late events until the limiter answers 429 and says
// after how many posts; header(i) gives the extra headers of post i.
func limitedAfter(t *testing.T, c *http.Client, base string, header func(i int) []string) int {
	t.Helper()
	for i := 0; i < 40; i++ {
		if code, _ := send(t, c, http.MethodPost, base+"/api/v1/events", header(i)...); code == http.StatusTooManyRequests {
			return i
		}
	}
	return -1
}

func xff(ip string) func(int) []string {
	return func(int) []string { return []string{"X-Forwarded-For", ip} }
}

func visitorKeys(f *fixture) []string {
	var keys []string
	for _, e := range f.rec.all() {
		keys = append(keys, e.VisitorKey)
	}
	return keys
}

func TestBehindTrustedProxyEachClientCounts(t *testing.T) {
	f, base := proxyFixture(t, true)
	proxy, direct := loopbackClient("127.0.0.2"), loopbackClient("127.0.0.3")
	// fiber's own c.IP() stays the TCP peer (its X-Forwarded-For reading
	// takes the client-written left end), and its X-Forwarded-Proto/-Host
	// are checked against the same proxies.
	if cfg := f.app.Config(); cfg.ProxyHeader != "" || !cfg.EnableTrustedProxyCheck || len(cfg.TrustedProxies) != 1 {
		t.Errorf("fiber proxy config: header %q, check %v, proxies %v", cfg.ProxyHeader, cfg.EnableTrustedProxyCheck, cfg.TrustedProxies)
	}

	// Limits: client A behind the proxy uses up its own bucket...
	if n := limitedAfter(t, proxy, base, xff("203.0.113.1")); n != 30 {
		t.Fatalf("client A limited after %d posts, want 30", n)
	}
	// ...client B behind the same proxy still has its own, and so does
	// a visitor connecting directly.
	if code, _ := send(t, proxy, "POST", base+"/api/v1/events", "X-Forwarded-For", "203.0.113.2"); code == 429 {
		t.Error("client B shares client A's bucket")
	}
	if code, _ := send(t, direct, "POST", base+"/api/v1/events"); code == 429 {
		t.Error("a direct visitor shares client A's bucket")
	}
	// Entries the client writes itself, left of what the proxy appended,
	// do not open a new bucket.
	if code, _ := send(t, proxy, "POST", base+"/api/v1/events", "X-Forwarded-For", "198.51.100.77, 203.0.113.1"); code != 429 {
		t.Errorf("client A escaped its limit by prepending an address: %d", code)
	}

	// Unique visitors: same user agent, two clients, two keys; the same
	// client twice, one key.
	for _, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.1"} {
		if code, _ := send(t, proxy, "GET", base+"/q/HGK2EN", "X-Forwarded-For", ip); code != 200 {
			t.Fatalf("scan: %d", code)
		}
	}
	k := visitorKeys(f)
	if len(k) != 3 || k[0] == "" || k[0] == k[1] || k[0] != k[2] {
		t.Errorf("visitor keys behind the proxy: %q; want A, B, A", k)
	}
}

// A peer that is not a trusted proxy cannot choose its address by header:
// not to escape its own limit, not to use up someone else's, not to pose
// as several visitors.
func TestSpoofedHeadersFromUntrustedPeersIgnored(t *testing.T) {
	f, base := proxyFixture(t, true)
	proxy, spoofer := loopbackClient("127.0.0.2"), loopbackClient("127.0.0.3")

	// Spoofer posts as "the victim": its own bucket fills, not the victim's.
	if n := limitedAfter(t, spoofer, base, xff("203.0.113.9")); n != 30 {
		t.Fatalf("spoofer limited after %d, want 30", n)
	}
	if code, _ := send(t, proxy, "POST", base+"/api/v1/events", "X-Forwarded-For", "203.0.113.9"); code == 429 {
		t.Error("the victim behind the proxy was limited by the spoofer's posts")
	}
	// Varying the header opens no new bucket, in either header.
	for _, h := range []string{"X-Forwarded-For", "X-Real-IP"} {
		if code, _ := send(t, spoofer, "POST", base+"/api/v1/events", h, "198.51.100.200"); code != 429 {
			t.Errorf("spoofer escaped its limit with %s: %d", h, code)
		}
	}
	// Nor claim HTTPS: the language cookie is not marked Secure on the
	// word of a spoofer, and is on the word of the proxy.
	_, h := send(t, spoofer, "GET", base+"/?lang=en", "X-Forwarded-Proto", "https")
	if strings.Contains(strings.ToLower(h.Get("Set-Cookie")), "secure") {
		t.Errorf("X-Forwarded-Proto believed from an untrusted peer: %q", h.Get("Set-Cookie"))
	}
	_, h = send(t, proxy, "GET", base+"/?lang=en", "X-Forwarded-Proto", "https")
	if !strings.Contains(strings.ToLower(h.Get("Set-Cookie")), "secure") {
		t.Errorf("X-Forwarded-Proto from the trusted proxy ignored: %q", h.Get("Set-Cookie"))
	}

	// Visitor keys: the spoofer is one visitor however it names itself.
	before := len(f.rec.all())
	for i := 0; i < 3; i++ {
		send(t, spoofer, "GET", base+"/q/HGK2EN", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
	}
	k := visitorKeys(f)[before:]
	if len(k) != 3 || k[0] == "" || k[0] != k[1] || k[1] != k[2] {
		t.Errorf("spoofed visitor keys: %q; want one key", k)
	}
}

// With no proxy configured (the default), 32 posts with 32 different
// X-Forwarded-For headers are still one client.
func TestNoTrustedProxiesNoHeaderCounts(t *testing.T) {
	_, base := proxyFixture(t, false)
	c := loopbackClient("127.0.0.2")
	n := limitedAfter(t, c, base, func(i int) []string {
		return []string{"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1), "X-Real-IP", fmt.Sprintf("192.0.2.%d", i+1)}
	})
	if n != 30 {
		t.Fatalf("limited after %d posts with spoofed headers, want 30", n)
	}
}
