package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// nginxConfigFromReadme is the nginx block of the README's "Running behind
// nginx" section, so the documented configuration is the tested one.
func nginxConfigFromReadme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i := strings.Index(readme, "## Running behind nginx")
	if i < 0 {
		t.Fatal(`README.md lacks the section "Running behind nginx"`)
	}
	m := regexp.MustCompile("(?s)```nginx\n(.*?)```").FindStringSubmatch(readme[i:])
	if m == nil {
		t.Fatal("the README's nginx section has no ```nginx block")
	}
	for _, want := range []string{"server 127.0.0.1:8080;", "listen 80;"} {
		if !strings.Contains(m[1], want) {
			t.Fatalf("the README's nginx block lacks %q, which the test replaces", want)
		}
	}
	return m[1]
}

// startNginx runs nginx in the foreground with the README's configuration,
// its upstream pointed at upstream, listening on a free loopback port; it
// returns nginx's base URL.
func startNginx(t *testing.T, upstream string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/nginx") // not on every user's PATH
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("nginx is missing; .ci/run installs nginx-light")
		}
		t.Skip("nginx is not installed (Debian: apt-get install nginx-light)")
	}
	site := nginxConfigFromReadme(t)
	dir := t.TempDir()
	// The port is found free and then given to nginx, which another
	// process could take in between: a bind failure is retried on another.
	for attempt := 0; attempt < 5; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		conf := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
%[2]s
events { worker_connections 128; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[3]s
}
`, dir, map[bool]string{true: "user root;", false: ""}[os.Geteuid() == 0],
			strings.NewReplacer("server 127.0.0.1:8080;", "server "+upstream+";", "listen 80;", "listen "+addr+";").Replace(site))
		confFile := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confFile)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.After(20 * time.Second)
		for {
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				t.Cleanup(func() {
					// SIGQUIT: the master stops its workers and exits.
					_ = cmd.Process.Signal(syscall.SIGQUIT)
					select {
					case <-exited:
					case <-time.After(10 * time.Second):
						_ = cmd.Process.Kill()
						<-exited
					}
				})
				return "http://" + addr
			}
			select {
			case err := <-exited:
				log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
				if strings.Contains(string(log)+stderr.String(), "Address already in use") {
					goto retry
				}
				t.Fatalf("nginx exited: %v\n%s\n%s", err, stderr.String(), log)
			case <-deadline:
				_ = cmd.Process.Kill()
				<-exited
				t.Fatal("nginx did not accept connections in 20 s")
			case <-time.After(20 * time.Millisecond):
			}
		}
	retry:
	}
	t.Fatal("nginx found no free port in 5 attempts")
	return ""
}

var (
	anyURLRe  = regexp.MustCompile(`serving at (https?://\S+)`)
	anyScanRe = regexp.MustCompile(`try a scan: (https?://\S+)`)
)

// serveForTest runs `yimayou serve` in-process until the test ends and
// returns its base URL and the demo code the banner offers.
func serveForTest(t *testing.T, data string, extra map[string]string) (base, code string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	env, out, errb := testEnv(data, "", extra)
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"serve"}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-done:
			if c != 0 {
				t.Errorf("serve exit %d: %s", c, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := anyScanRe.FindStringSubmatch(out.String()); m != nil {
			u := anyURLRe.FindStringSubmatch(out.String())
			return u[1], m[1][strings.LastIndex(m[1], "/")+1:]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner; stdout %q stderr %q", out.String(), errb.String())
		}
		select {
		case c := <-done:
			done <- c
			t.Fatalf("serve exited %d early: %s", c, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// fromAddr is an HTTP client whose connections come from src, so one
// machine plays several visitors.
func fromAddr(src string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

func do(t *testing.T, c *http.Client, method, url string, headers ...string) int {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("[]")
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// Behind nginx with the README's configuration, visitors from 127.0.0.2
// and 127.0.0.3 are two clients: each has its own rate-limit bucket and
// each is a unique visitor, whatever X-Forwarded-For they send.
func TestBehindNginx(t *testing.T) {
	data := t.TempDir()
	base, code := serveForTest(t, data, map[string]string{"YIMAYOU_TRUSTED_PROXIES": "127.0.0.1"})
	front := startNginx(t, strings.TrimPrefix(base, "http://"))
	a, b := fromAddr("127.0.0.2"), fromAddr("127.0.0.3")

	if got := do(t, a, "GET", front+"/q/"+code); got != 200 {
		t.Fatalf("scan through nginx: %d", got)
	}
	// The late-events API takes 30 posts a minute per client.
	limited := -1
	for i := 0; i < 40 && limited < 0; i++ {
		if do(t, a, "POST", front+"/api/v1/events", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1)) == 429 {
			limited = i
		}
	}
	if limited != 30 {
		t.Fatalf("client A (varying its X-Forwarded-For) limited after %d posts, want 30", limited)
	}
	if got := do(t, b, "POST", front+"/api/v1/events"); got == 429 {
		t.Error("client B shares client A's bucket behind nginx")
	}

	// Unique visitors: A, B, A with the same phone: two visitor keys.
	do(t, b, "GET", front+"/q/"+code)
	do(t, a, "GET", front+"/q/"+code, "X-Forwarded-For", "203.0.113.50")
	// Events in one second have no order, so count: A twice, B once.
	perKey := map[string]int{}
	for _, k := range shippedScanKeys(t, data, 3) {
		perKey[k]++
	}
	if len(perKey) != 2 || perKey[""] != 0 {
		t.Errorf("visitor keys of scans A, B, A through nginx: %v; want two keys, one used twice", perKey)
	}
}

// shippedScanKeys waits until the serving node has shipped n scan events
// of today to its database and returns their visitor keys.
func shippedScanKeys(t *testing.T, data string, n int) []string {
	t.Helper()
	ctx := context.Background()
	uri, err := os.ReadFile(filepath.Join(data, "db", addrFile))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{URI: strings.TrimSpace(string(uri)), Database: "yimayou", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	today := time.Now().In(domain.ChinaTime).Format(time.DateOnly)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var keys []string
		err := st.Events(ctx, store.EventFilter{From: today, To: today, Type: domain.EventScan}, func(e domain.Event) error {
			keys = append(keys, e.VisitorKey)
			return nil
		})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			t.Fatal(err)
		}
		if len(keys) >= n {
			return keys
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d scans shipped in 30 s", len(keys), n)
		}
		time.Sleep(50 * time.Millisecond) // polling the shipper's progress, not synchronising on time
	}
}
