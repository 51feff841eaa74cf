// Command load measures what the event log costs the scan path: it serves
// a constant 8 KB page from a bare fiber handler, then from a handler that
// tags and records an event per request (default mode, then strict mode),
// each in its own server process, and loads each from 64 connections on
// loopback for a bounded time. It reports req/s, p50/p99 latency and the
// ratios to the bare handler, the p99 at half the default mode's rate,
// the shipping lag the burst left and how fast it drained into the
// embedded store.
//
//	go run ./cmd/yimayou-load                      # the comparison
//	go run ./cmd/yimayou-load -url http://127.0.0.1:8080/q/HLG001 -d 10s
//	go run ./cmd/yimayou-load -url ... -rate 5000  # fixed rate, for p99
//	go run ./cmd/yimayou-load -abuse http://127.0.0.1:8080/q/HGK2EN  # scan p99 under a QR flood and idle connections
//
// Only loopback targets are accepted.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/events"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
)

func main() {
	var (
		target = flag.String("url", "", "load this loopback URL instead of running the comparison")
		dur    = flag.Duration("d", 5*time.Second, "duration of each run (at most 2m)")
		conns  = flag.Int("c", 64, "connections")
		rate   = flag.Float64("rate", 0, "requests per second in total (0: as fast as possible)")
		serve  = flag.String("serve", "", "internal: run a server (bare, log, strict)")
		ship   = flag.Bool("ship", true, "comparison: ship the log to an embedded store in the server process")
		rounds = flag.Int("rounds", 3, "comparison: rounds of bare, log and strict; medians are reported")
		prof   = flag.String("cpuprofile", "", "internal: server mode writes a CPU profile here")
		abused = flag.String("abuse", "", "abuse mode: a running server's loopback /q/CODE URL; scans at -rate (default 100/s) quiet, then under a QR render flood and idle connections")
		qrC    = flag.Int("qr-conns", 16, "abuse mode: connections flooding uncached QR renders")
		idle   = flag.Int("idle", 1000, "abuse mode: idle connections held open")
	)
	flag.Parse()
	if *dur > 2*time.Minute {
		*dur = 2 * time.Minute
	}
	var err error
	switch {
	case *serve != "":
		if *prof != "" {
			f, perr := os.Create(*prof)
			if perr != nil {
				err = perr
				break
			}
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		err = runServer(*serve, *ship)
	case *abused != "":
		r := *rate
		if r == 0 {
			r = 100
		}
		err = abuse(abuseOptions{scanURL: *abused, dur: *dur, scanRate: r, scanConns: min(*conns, 8), qrConns: *qrC, idle: *idle})
	case *target != "":
		var r result
		if r, err = load(*target, *conns, *dur, *rate); err == nil {
			fmt.Println(r)
		}
	default:
		err = compare(*conns, *dur, *ship, max(1, *rounds))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// page stands in for a site page: 8 KB of HTML.
var page = []byte("<!doctype html><title>海螺沟</title>" + strings.Repeat("<p>贡嘎山东坡，海螺沟冰川。Hailuogou glacier.</p>\n", 150))[:8192]

const ua = "Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 MicroMessenger/8.0.43.2480 WeChat/arm64 Weixin NetType/4G Language/zh_CN"

// runServer is the server process of one comparison run. It prints its
// address, serves until SIGTERM, and answers /_lag with the log's lag.
func runServer(mode string, ship bool) error {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	var lg *events.Log
	if mode == "bare" {
		app.Get("/q/:code", func(c *fiber.Ctx) error {
			c.Type("html")
			return c.Send(page)
		})
	} else {
		tmp, err := os.MkdirTemp("", "yimayou-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		lg, err = events.Open(events.Options{Dir: filepath.Join(tmp, "log"), Strict: mode == "strict", Logger: quiet})
		if err != nil {
			return err
		}
		if ship {
			srv, err := embedded.Start(context.Background(), embedded.Options{Dir: filepath.Join(tmp, "db"), Logger: quiet})
			if err != nil {
				return err
			}
			defer srv.Stop()
			st, err := store.Open(context.Background(), store.Options{URI: srv.URI(), SingleConnection: true})
			if err != nil {
				return err
			}
			if _, err := st.Migrate(context.Background()); err != nil {
				return err
			}
			lg.Ship(st, events.ShipOptions{})
		}
		// The real Tagger, over a fixed secret: it reads today's from
		// memory after the first request of the day anyway.
		tagger := events.NewTagger(events.NewSecrets(fixedSecret{}, quiet, nil), quiet)
		var n atomic.Uint64
		app.Get("/q/:code", func(c *fiber.Ctx) error {
			e := domain.NewEvent(domain.EventScan, time.Now())
			e.County, e.Site, e.Sign = "513322", "hailuogou", "S"+fmt.Sprint(n.Add(1)%50)
			e.Lang = "zh"
			tagger.Tag(c.UserContext(), domain.Client{IP: c.IP(), UserAgent: string(c.Request().Header.UserAgent()),
				Method: c.Method(), Referer: c.Get("Referer"), Purpose: c.Get("Sec-Purpose"), Host: c.Hostname()}, &e)
			if err := lg.Record(c.UserContext(), e); err != nil {
				return err
			}
			c.Type("html")
			return c.Send(page)
		})
	}
	app.Get("/_lag", func(c *fiber.Ctx) error {
		if lg == nil {
			return c.JSON(events.LagStats{})
		}
		return c.JSON(lg.Lag())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { <-sig; _ = app.Shutdown() }()
	err = app.Listener(ln)
	if lg != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = lg.Close(ctx)
	}
	return err
}

// fixedSecret stands in for the database's daily secrets.
type fixedSecret struct{}

func (fixedSecret) DailySecret(context.Context, string) ([]byte, error) {
	return []byte("0123456789abcdef0123456789abcdef"), nil
}
func (fixedSecret) DeleteSecretsBefore(context.Context, string) (int64, error) { return 0, nil }

type server struct {
	cmd  *exec.Cmd
	addr string
}

func startServer(mode string, ship bool) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve", mode, fmt.Sprintf("-ship=%v", ship))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return &server{cmd: cmd, addr: a}, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("server %s did not start", mode)
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func (s *server) lag() (events.LagStats, error) {
	var lag events.LagStats
	code, body, err := fasthttp.GetTimeout(nil, "http://"+s.addr+"/_lag", 5*time.Second)
	if err != nil {
		return lag, err
	}
	if code != 200 {
		return lag, fmt.Errorf("lag: status %d", code)
	}
	return lag, json.Unmarshal(body, &lag)
}

// compare runs bare, log and strict servers in turn, rounds times, and
// reports the median of each: other work on a shared machine makes single
// runs noisy, and interleaving spreads the noise over all three.
func compare(conns int, dur time.Duration, ship bool, rounds int) error {
	modes := []string{"bare", "log", "strict"}
	runs := map[string][]result{}
	for round := 1; round <= rounds; round++ {
		for _, mode := range modes {
			srv, err := startServer(mode, ship)
			if err != nil {
				return err
			}
			u := "http://" + srv.addr + "/q/HLG001"
			if _, err := load(u, conns, time.Second, 0); err != nil { // warm up
				srv.stop()
				return err
			}
			r, err := load(u, conns, dur, 0)
			if err != nil {
				srv.stop()
				return err
			}
			runs[mode] = append(runs[mode], r)
			fmt.Printf("round %d %-7s %s\n", round, mode, r)
			if mode != "bare" && round == rounds {
				lag, _ := srv.lag()
				fmt.Printf("        %-7s lag after the burst: %d events, %.1f MB, oldest %v\n", mode, lag.Events,
					float64(lag.Bytes)/1e6, lag.OldestAge.Round(time.Millisecond))
			}
			if mode == "log" {
				half, err := load(u, conns, dur, r.rps/2)
				if err == nil {
					runs["log@½"] = append(runs["log@½"], half)
					fmt.Printf("round %d %-7s %s\n", round, "log@½", half)
				}
				if ship && round == rounds {
					drainReport(srv)
				}
			}
			srv.stop()
		}
	}
	med := func(rs []result) result {
		sort.Slice(rs, func(i, j int) bool { return rs[i].rps < rs[j].rps })
		m := rs[len(rs)/2]
		p99s := make([]time.Duration, len(rs))
		for i, r := range rs {
			p99s[i] = r.p99
		}
		sort.Slice(p99s, func(i, j int) bool { return p99s[i] < p99s[j] })
		m.p99 = p99s[len(p99s)/2]
		return m
	}
	bare := med(runs["bare"])
	fmt.Printf("\nmedian of %d rounds, %d connections, %v each\n", rounds, conns, dur)
	fmt.Printf("%-7s %10s %8s %9s %9s %7s\n", "server", "req/s", "ratio", "p50", "p99", "errors")
	for _, name := range []string{"bare", "log", "log@½", "strict"} {
		if len(runs[name]) == 0 {
			continue
		}
		r := med(runs[name])
		fmt.Printf("%-7s %10.0f %7.2f× %9v %9v %7d\n", name, r.rps, r.rps/bare.rps, r.p50, r.p99, r.errors)
	}
	return nil
}

// drainReport waits (bounded) for the shipper to catch up after the load
// and reports the rate at which the embedded store took the events in.
func drainReport(srv *server) {
	start := time.Now()
	first, err := srv.lag()
	if err != nil {
		fmt.Println("drain: ", err)
		return
	}
	deadline := start.Add(90 * time.Second)
	for time.Now().Before(deadline) {
		lag, err := srv.lag()
		if err != nil {
			fmt.Println("drain: ", err)
			return
		}
		if lag.Events == 0 {
			el := time.Since(start)
			fmt.Printf("drained %d events in %v: %.0f events/s into the embedded store (idle duty)\n",
				first.Events, el.Round(time.Millisecond), float64(first.Events)/el.Seconds())
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	lag, _ := srv.lag()
	fmt.Printf("not drained in 90 s: %d of %d events left (%.0f events/s)\n", lag.Events, first.Events,
		float64(first.Events-lag.Events)/90)
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	n        int
	errors   int
}

func (r result) String() string {
	return fmt.Sprintf("%.0f req/s, p50 %v, p99 %v, %d requests, %d errors", r.rps, r.p50, r.p99, r.n, r.errors)
}

// loopback refuses any target that is not on this machine's loopback.
func loopback(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	host := u.Hostname()
	if host == "localhost" {
		return u.Host, nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return u.Host, nil
	}
	return "", fmt.Errorf("%s is not a loopback address", host)
}

// load sends GETs from conns connections for dur, as fast as the server
// answers, or at rate requests per second in total.
func load(target string, conns int, dur time.Duration, rate float64) (result, error) {
	addr, err := loopback(target)
	if err != nil {
		return result{}, err
	}
	client := &fasthttp.HostClient{Addr: addr, MaxConns: conns, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}
	var (
		mu    sync.Mutex
		lats  []time.Duration
		errs  int
		wg    sync.WaitGroup
		start = time.Now()
		end   = start.Add(dur)
	)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI(target)
			req.Header.SetUserAgent(ua)
			var mine []time.Duration
			bad := 0
			var gap time.Duration
			next := start
			if rate > 0 {
				gap = time.Duration(float64(time.Second) * float64(conns) / rate)
				next = start.Add(gap * time.Duration(w) / time.Duration(conns))
			}
			for {
				if rate > 0 {
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
					}
					next = next.Add(gap)
				}
				t0 := time.Now()
				if t0.After(end) {
					break
				}
				err := client.Do(req, resp)
				if err != nil || resp.StatusCode() != 200 {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lats = append(lats, mine...)
			errs += bad
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	if len(lats) == 0 {
		return result{errors: errs}, fmt.Errorf("no successful request to %s (%d errors)", target, errs)
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	pct := func(p float64) time.Duration { return lats[int(p*float64(len(lats)-1))].Round(10 * time.Microsecond) }
	return result{rps: float64(len(lats)) / el.Seconds(), p50: pct(0.50), p99: pct(0.99), n: len(lats), errors: errs}, nil
}
