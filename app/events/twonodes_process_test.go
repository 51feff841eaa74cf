package events

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yimayou/yimayou/app/store/storetest"
)

// Two app nodes as two server processes, each with its own log, shipping to
// one database at the same time: after both drain, every answered request
// has exactly one event and the rollups (one document per node, merged on
// read) equal the raw events.
func TestTwoProcessesOneDatabase(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("child")
	}
	if testing.Short() {
		t.Skip("two-process test skipped in -short mode")
	}
	st := storetest.New(t)
	nodes := []*childProc{startChild(t, t.TempDir(), st, false), startChild(t, t.TempDir(), st, false)}
	var next atomic.Int64
	var mu sync.Mutex
	ok := map[int64]bool{}
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	deadline := time.Now().Add(1500 * time.Millisecond)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				i := next.Add(1)
				node := nodes[int(i)%len(nodes)]
				resp, err := client.Get(fmt.Sprintf("http://%s/rec?i=%d", node.addr, i))
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mu.Lock()
					ok[i] = true
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	drainBy := time.Now().Add(60 * time.Second)
	for _, n := range nodes {
		n.drain(t, drainBy)
		n.kill(t)
	}
	stored := checkAnswered(t, st, ok, next.Load())
	nodesSeen, err := st.RollupNodes(context.Background(), "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d requests over two processes, %d events stored, rollup nodes %v", len(ok), stored, nodesSeen)
	checkRollups(t, st, "2026-11-28", "2026-11-30")
}
