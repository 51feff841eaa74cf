package events

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

// The kill test runs a small HTTP server in a child process (this test
// binary, re-executed), which records an event per request and answers
// 200 only after Record returned. The parent loads it from 16 connections,
// kills it with SIGKILL at a random moment, restarts it on the same log,
// and does that again. After a last restart has drained the log, every
// request that got a 200 must have exactly one event in the database, no
// event may exist that was never requested, and the rollups must equal
// the raw events.
const killChildEnv = "YIMAYOU_KILL_CHILD"

func TestKillNineLosesNothing(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("child")
	}
	if testing.Short() {
		t.Skip("kill -9 test skipped in -short mode")
	}
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("strict=", strict), func(t *testing.T) { killTest(t, strict) })
	}
}

func killTest(t *testing.T, strict bool) {
	st := storetest.New(t)
	logDir := t.TempDir()
	var next atomic.Int64
	var okMu sync.Mutex
	ok := map[int64]bool{}

	for round := 0; round < 3; round++ {
		child := startChild(t, logDir, st, strict)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				deadline := time.Now().Add(10 * time.Second) // bounded even if the kill never comes
				for time.Now().Before(deadline) {
					select {
					case <-stop:
						return
					default:
					}
					i := next.Add(1)
					resp, err := client.Get(fmt.Sprintf("http://%s/rec?i=%d", child.addr, i))
					if err != nil {
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						okMu.Lock()
						ok[i] = true
						okMu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(150+rand.IntN(600)) * time.Millisecond)
		child.kill(t)
		close(stop)
		wg.Wait()
		client.CloseIdleConnections()
	}

	// Restart once more without load and let it drain.
	child := startChild(t, logDir, st, strict)
	child.drain(t, time.Now().Add(60*time.Second))
	child.kill(t)

	stored := checkAnswered(t, st, ok, next.Load())
	t.Logf("%d requests answered 200, %d events stored, %d requested", len(ok), stored, next.Load())
	checkRollups(t, st, "2026-11-28", "2026-11-30")
}

// drain waits until the child has shipped its whole log.
func (c *childProc) drain(t *testing.T, deadline time.Time) {
	t.Helper()
	for {
		lag, err := c.lag()
		if err == nil && lag.Events == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("child did not drain: %+v %v", lag, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkAnswered checks that every request answered 200 has exactly one
// event and that no event exists that was never requested; it returns how
// many events are stored.
func checkAnswered(t *testing.T, st *store.Store, ok map[int64]bool, requested int64) int {
	t.Helper()
	stored := map[int64]int{}
	err := st.Events(context.Background(), store.EventFilter{From: "2026-11-28", To: "2026-11-30"}, func(e domain.Event) error {
		i, err := strconv.ParseInt(strings.TrimPrefix(e.ID, "kill-"), 10, 64)
		if err != nil || i <= 0 || i > requested {
			return fmt.Errorf("event %q was never requested", e.ID)
		}
		stored[i]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range ok {
		if stored[i] != 1 {
			t.Fatalf("request %d got 200 but has %d events", i, stored[i])
		}
	}
	if len(ok) < 100 {
		t.Fatalf("only %d requests answered; the test did not load the server", len(ok))
	}
	return len(stored)
}

type childProc struct {
	cmd  *exec.Cmd
	addr string
}

func startChild(t *testing.T, logDir string, st *store.Store, strict bool) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), killChildEnv+"=1", "YIMAYOU_KILL_LOG="+logDir,
		"YIMAYOU_KILL_URI="+storetest.URI(t), "YIMAYOU_KILL_DB="+st.DatabaseName(),
		"YIMAYOU_KILL_STRICT="+strconv.FormatBool(strict))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childProc{cmd: cmd}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, found := strings.CutPrefix(sc.Text(), "ADDR "); found {
				addrc <- a
			}
		}
	}()
	select {
	case c.addr = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatal("child did not start")
	}
	return c
}

func (c *childProc) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

func (c *childProc) lag() (LagStats, error) {
	var lag LagStats
	resp, err := http.Get("http://" + c.addr + "/lag")
	if err != nil {
		return lag, err
	}
	defer resp.Body.Close()
	err = json.NewDecoder(resp.Body).Decode(&lag)
	return lag, err
}

// TestKillChild is the child's body; it runs only when re-executed by
// TestKillNineLosesNothing, and ends itself after a minute at the latest.
func TestKillChild(t *testing.T) {
	if os.Getenv(killChildEnv) == "" {
		t.Skip("run by TestKillNineLosesNothing")
	}
	st, err := store.Open(context.Background(), store.Options{URI: os.Getenv("YIMAYOU_KILL_URI"),
		Database: os.Getenv("YIMAYOU_KILL_DB"), SingleConnection: storetest.Embedded()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(Options{Dir: os.Getenv("YIMAYOU_KILL_LOG"), Strict: os.Getenv("YIMAYOU_KILL_STRICT") == "true"})
	if err != nil {
		t.Fatal(err)
	}
	l.Ship(st, ShipOptions{MaxBackoff: 200 * time.Millisecond, MarkEvery: 20 * time.Millisecond})
	mux := http.NewServeMux()
	mux.HandleFunc("/rec", func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(r.URL.Query().Get("i"))
		if err != nil {
			http.Error(w, "bad i", http.StatusBadRequest)
			return
		}
		e := mixEvent(i)
		e.ID = fmt.Sprintf("kill-%d", i)
		if err := l.Record(r.Context(), e); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("/lag", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(l.Lag())
	})
	srv := &http.Server{Addr: "127.0.0.1:0", Handler: mux}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	go func() { _ = srv.Serve(ln) }()
	time.Sleep(60 * time.Second)
}
