// Package browsertest drives Debian's Chromium with chromedp for tests that
// need a real browser: pages, service worker, offline, camera-less gate
// scans. .ci/run installs Chromium; on a machine without it the tests skip,
// except under CI=true, where a missing browser is a failure.
//
// chromedp v0.23 has a generic API (chromedp.Do, chromedp.Run returning
// values). Select with chromedp.CSS("h1"): a plain string is a DOM text
// search, which also matches text inside <style> and so can wait forever
// for "h1" to become visible.
package browsertest

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Executable finds Chromium, or "" when there is none.
func Executable() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Options shape the browser.
type Options struct {
	// Width and Height of the window; 0 means a phone (412×915).
	Width, Height int
	// Timeout bounds the whole test's browser work; 0 means 60 s.
	Timeout time.Duration
}

// Require skips t where New would, before the test spends time setting
// up data for a browser it will not get: browser tests call it first.
func Require(t testing.TB) {
	t.Helper()
	if raceDetector && testing.Short() {
		// A browser test waits on Chromium for most of its time, and the
		// race detector slows the server it drives several times over; CI
		// runs these tests without -race and the handlers' concurrency
		// with -race -short (.ci/run).
		t.Skip("browsertest: skipped with -race -short")
	}
}

// New starts a headless Chromium for t with an empty profile, and returns
// its context. It is closed when the test ends.
func New(t testing.TB, opt Options) context.Context {
	t.Helper()
	Require(t)
	exe := Executable()
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("browsertest: Chromium not found; .ci/run must install it (apt-get install chromium)")
		}
		t.Skip("browsertest: Chromium not installed (apt-get install chromium)")
	}
	if opt.Width == 0 {
		opt.Width, opt.Height = 412, 915
	}
	if opt.Timeout == 0 {
		opt.Timeout = 60 * time.Second
	}
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(opt.Width, opt.Height),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser and must not carry a timeout (it
	// would stop the browser); the timeout goes on a context derived after.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start Chromium: %v", err)
	}
	// Headless Chromium keeps a window at least 500 px wide: a phone's
	// width is emulated, or a "390 px" page would be laid out at 500.
	if opt.Width < 500 {
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: int64(opt.Width), Height: int64(opt.Height), DeviceScaleFactor: 1, Mobile: true}); err != nil {
			t.Fatalf("browsertest: emulate a %d px phone: %v", opt.Width, err)
		}
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, opt.Timeout)
	t.Cleanup(cancelTimeout)
	return tctx
}

// Serve serves h on a free loopback port for the test's lifetime and
// returns its base URL (http://127.0.0.1:PORT). A real listener, because a
// browser cannot reach app.Test.
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// Artifact is where tests keep screenshots: $YIMAYOU_ARTIFACTS if set
// (CI keeps that folder), else the test's temp dir.
func Artifact(t testing.TB, name string) string {
	dir := os.Getenv("YIMAYOU_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// Network sets the tab's network: offline, or throttled to a round-trip
// latency (ms) and down/up throughput (bytes per second; 0 means no limit).
// It covers the page's requests, its service worker's, and what the page
// sees in navigator.onLine.
type Network struct {
	Offline    bool
	LatencyMs  float64
	DownBps    float64
	UpBps      float64
	Connection network.ConnectionType
}

// Plateau3G is one bar of 3G at 4,000 m: a 400 ms round trip and
// 400 kbit/s each way.
var Plateau3G = Network{LatencyMs: 400, DownBps: 400 * 1000 / 8, UpBps: 400 * 1000 / 8, Connection: network.ConnectionTypeCellular3g}

// SetNetwork applies n to the tab of ctx.
func SetNetwork(ctx context.Context, n Network) error {
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	unlimited := func(v float64) float64 {
		if v == 0 {
			return -1
		}
		return v
	}
	cond := &network.Conditions{Offline: n.Offline, Latency: n.LatencyMs,
		DownloadThroughput: unlimited(n.DownBps), UploadThroughput: unlimited(n.UpBps), ConnectionType: n.Connection}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &n.Offline, MatchedNetworkConditions: []*network.Conditions{cond},
	}); err != nil {
		return err
	}
	_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: n.Offline, Latency: n.LatencyMs, DownloadThroughput: unlimited(n.DownBps),
		UploadThroughput: unlimited(n.UpBps), ConnectionType: n.Connection,
	})
	return err
}

// Screenshot saves a PNG of the tab's viewport under Artifact(t, name).
func Screenshot(ctx context.Context, t testing.TB, name string) string {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := Artifact(t, name)
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
