//go:build linux

package cli

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

const floodChildEnv = "YIMAYOU_TEST_FLOOD_CHILD"

// The child half of TestServeSurvivesConnectionFlood: serve, started with
// a low open-file limit (soft 128, hard 256) in a process of its own so
// the test process keeps its limit.
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

// Finding 1 of the abuse report: idle connections beyond the open-file
// limit made accept fail with EMFILE, the HTTP server returned and serve
// exited, taking the embedded database with it. Now the server keeps
// running while 400 idle connections are held against a limit of 256,
// and serves again once they close.
func TestServeSurvivesConnectionFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFloodChild$")
	cmd.Env = append(os.Environ(), floodChildEnv+"=1", "YIMAYOU_DATA_DIR="+t.TempDir(),
		"YIMAYOU_ADDR=127.0.0.1:0", "YIMAYOU_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	banner := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				banner <- m[1]
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})

	var base string
	select {
	case base = <-banner:
	case err := <-exited:
		t.Fatalf("serve exited before serving: %v\n%s", err, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("no banner\n%s", stderr.String())
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	get := func(path string) (int, error) {
		res, err := client.Get(base + path)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
	if code, err := get("/readyz"); err != nil || code != 200 {
		t.Fatalf("before the flood: /readyz %d %v", code, err)
	}

	addr := strings.TrimPrefix(base, "http://")
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 400 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", len(idle), err)
		}
		idle = append(idle, c)
	}
	// A request made after the flood is queued behind it: an answer (503
	// at the connection cap, or 200) proves the accept loop came through
	// it; a dead server refuses every connection.
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, err := get("/healthz")
		if err == nil && (code == 200 || code == 503) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("during the flood: /healthz %d %v\n%s", code, err, stderr.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("serve exited under the flood: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}

	for _, c := range idle {
		c.Close()
	}
	idle = nil
	deadline = time.Now().Add(30 * time.Second)
	for {
		code, err := get("/readyz")
		if err == nil && code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the flood: /readyz %d %v\n%s", code, err, stderr.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("serve exited after the flood: %v\n%s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}

	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
}
