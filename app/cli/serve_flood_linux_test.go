//go:build linux

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
)

const floodChildEnv = "YIMAYOU_TEST_FLOOD_CHILD"

// The child half of the tests below: serve, started with a low open-file
// limit (soft 128, hard 256) in a process of its own so the test process
// keeps its limit.
func TestFloodChild(t *testing.T) {
	if os.Getenv(floodChildEnv) != "1" {
		t.Skip("run by TestServeSurvivesConnectionFlood")
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 128, Max: 256}); err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	os.Exit(Run(ctx, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, []string{"serve"}))
}

type serveChild struct {
	cmd        *exec.Cmd
	base, scan string
	data       string
	stderr     *syncBuffer
	exited     chan error
}

func startServeChild(t *testing.T) *serveChild {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a server process")
	}
	c := &serveChild{data: t.TempDir(), stderr: &syncBuffer{}, exited: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestFloodChild$")
	c.cmd.Env = append(os.Environ(), floodChildEnv+"=1", "YIMAYOU_DATA_DIR="+c.data,
		"YIMAYOU_ADDR=127.0.0.1:0", "YIMAYOU_METRICS_ADDR=127.0.0.1:0", "YIMAYOU_LOG_LEVEL=warn")
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stderr = c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	banner := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var base string
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				base = m[1]
			}
			if m := scanRe.FindStringSubmatch(sc.Text()); m != nil {
				banner <- [2]string{base, m[1]}
			}
		}
		c.exited <- c.cmd.Wait()
	}()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	})
	select {
	case b := <-banner:
		c.base, c.scan = b[0], b[1]
	case err := <-c.exited:
		t.Fatalf("serve exited before serving: %v\n%s", err, c.stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("no banner\n%s", c.stderr.String())
	}
	return c
}

var noKeepAlive = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

func (c *serveChild) get(url string) (int, error) {
	res, err := noKeepAlive.Get(url)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// Finding 1 of the abuse report: idle connections beyond the open-file
// limit made accept fail with EMFILE, the HTTP server returned and serve
// exited, taking the embedded database with it. Now the server keeps
// running while 400 idle connections are held against a limit of 256,
// and serves again once they close.
func TestServeSurvivesConnectionFlood(t *testing.T) {
	c := startServeChild(t)
	if code, err := c.get(c.base + "/readyz"); err != nil || code != 200 {
		t.Fatalf("before the flood: /readyz %d %v", code, err)
	}

	addr := strings.TrimPrefix(c.base, "http://")
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 400 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", len(idle), err)
		}
		idle = append(idle, conn)
	}
	// A request made after the flood is queued behind it: an answer (503
	// at the connection cap, or 200) proves the accept loop came through
	// it; a dead server refuses every connection.
	c.waitFor(t, "/healthz", "during the flood", 200, 503)

	for _, conn := range idle {
		conn.Close()
	}
	idle = nil
	c.waitFor(t, "/readyz", "after the flood", 200)

	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.exited:
		if err != nil {
			t.Fatalf("serve exit after SIGTERM: %v\n%s", err, c.stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}

// waitFor asks path until it answers one of codes, failing if serve
// exits or 30 s pass.
func (c *serveChild) waitFor(t *testing.T, path, when string, codes ...int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, err := c.get(c.base + path)
		for _, want := range codes {
			if err == nil && code == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s %d %v\n%s", when, path, code, err, c.stderr.String())
		}
		select {
		case err := <-c.exited:
			t.Fatalf("serve exited %s: %v\n%s", when, err, c.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Should the HTTP server return on its own (here: its listening socket is
// shut from outside, so accept fails for good), serve still shuts down in
// order: the scan it answered is flushed, shipped and in the database,
// which was closed cleanly; serve exits 1.
func TestServeShutsDownInOrderWhenHTTPStops(t *testing.T) {
	c := startServeChild(t)
	if code, err := c.get(c.scan); err != nil || code != 200 {
		t.Fatalf("scan: %d %v", code, err)
	}
	u, err := url.Parse(c.base)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	shutListener(t, c.cmd.Process.Pid, port)

	select {
	case err := <-c.exited:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("serve exit: %v, want status 1\n%s", err, c.stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("serve still running after its listener was shut\n%s", c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "shutting down in order") {
		t.Errorf("no orderly shutdown logged:\n%s", c.stderr.String())
	}
	if _, err := os.Stat(filepath.Join(c.data, "db", addrFile)); !os.IsNotExist(err) {
		t.Errorf("%s left behind: the embedded database was not stopped", addrFile)
	}
	srv, err := embedded.Start(context.Background(), embedded.Options{Dir: filepath.Join(c.data, "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	st, err := store.Open(context.Background(), store.Options{URI: srv.URI(), Database: "yimayou", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	today := time.Now().In(domain.ChinaTime).Format(time.DateOnly)
	if n, err := st.CountEvents(context.Background(), store.EventFilter{From: today, To: today, Type: domain.EventScan}); err != nil || n != 1 {
		t.Fatalf("scan events after the HTTP server stopped: %d, %v; want 1", n, err)
	}
}

// shutListener shuts the receiving side of the TCP socket listening on
// port in process pid, through a copy of its descriptor (pidfd_getfd):
// the process's accept then fails with EINVAL, for good.
func shutListener(t *testing.T, pid, port int) {
	t.Helper()
	inode := listenInode(t, pid, port)
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	target := -1
	for _, e := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err == nil && link == "socket:["+inode+"]" {
			target, _ = strconv.Atoi(e.Name())
		}
	}
	if target < 0 {
		t.Fatalf("no descriptor of socket %s in process %d", inode, pid)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Skipf("pidfd_open: %v", err)
	}
	defer unix.Close(pidfd)
	fd, err := unix.PidfdGetfd(pidfd, target, 0)
	if err != nil {
		t.Skipf("pidfd_getfd: %v", err)
	}
	defer unix.Close(fd)
	if err := unix.Shutdown(fd, unix.SHUT_RD); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// listenInode finds the inode of the socket listening on port in
// /proc/PID/net/tcp.
func listenInode(t *testing.T, pid, port int) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 9 && strings.HasSuffix(f[1], suffix) && f[3] == "0A" {
			return f[9]
		}
	}
	t.Fatalf("no socket listening on port %d in process %d", port, pid)
	return ""
}

// Finding 10 of the abuse report: with the event directory unwritable,
// /readyz stayed ready. Here the directory goes away under a running
// serve (root ignores a read-only mode): the shipper cannot keep its
// mark, and /readyz says not ready, naming the event log, while scans are
// still answered.
func TestServeNotReadyWhenEventLogCannotWrite(t *testing.T) {
	c := startServeChild(t)
	c.waitFor(t, "/readyz", "at start", 200)
	if err := os.RemoveAll(filepath.Join(c.data, "events")); err != nil {
		t.Fatal(err)
	}
	if code, err := c.get(c.scan); err != nil || code != 200 {
		t.Fatalf("scan with the event directory gone: %d %v", code, err)
	}
	c.waitFor(t, "/readyz", "with the event directory gone", 503)
	res, err := noKeepAlive.Get(c.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "event log cannot write") {
		t.Errorf("/readyz does not say why: %s", body)
	}
	if n := strings.Count(c.stderr.String(), "level=ERROR"); n > 3 {
		t.Errorf("%d ERROR lines in a few seconds of a failing event directory:\n%s", n, c.stderr.String())
	}
}
