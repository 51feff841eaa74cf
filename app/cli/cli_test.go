package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
	demo "github.com/yimayou/yimayou/content"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(dataDir, stdin string, extra map[string]string) (Env, *syncBuffer, *syncBuffer) {
	out, errb := &syncBuffer{}, &syncBuffer{}
	vars := map[string]string{"YIMAYOU_DATA_DIR": dataDir, "YIMAYOU_ADDR": "127.0.0.1:0", "YIMAYOU_LOG_LEVEL": "warn",
		"YIMAYOU_METRICS_ADDR": "127.0.0.1:0"}
	for k, v := range extra {
		vars[k] = v
	}
	return Env{Stdin: strings.NewReader(stdin), Stdout: out, Stderr: errb, Getenv: func(k string) string { return vars[k] }}, out, errb
}

func run(t *testing.T, dataDir, stdin string, args ...string) (int, string, string) {
	t.Helper()
	env, out, errb := testEnv(dataDir, stdin, nil)
	code := Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestVersionAndUsage(t *testing.T) {
	code, out, _ := run(t, t.TempDir(), "", "version")
	if code != 0 || !strings.HasPrefix(out, "yimayou "+Release) {
		t.Errorf("version: %d %q", code, out)
	}
	code, _, errOut := run(t, t.TempDir(), "", "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "commands:") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	code, out, _ = run(t, t.TempDir(), "", "help")
	if code != 0 || !strings.Contains(out, "import") {
		t.Errorf("help: %d %q", code, out)
	}
}

func TestBadArguments(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import"}, 2, "usage"},
		{[]string{"import", filepath.Join(dir, "missing")}, 1, "not a directory"},
		{[]string{"export"}, 2, "usage"},
		{[]string{"signs"}, 2, "usage"},
		{[]string{"signs", "list", "--county", "12"}, 2, "six-digit"},
		{[]string{"user", "add", "bob"}, 2, "usage"},
		{[]string{"user", "add", "bob", "--role", "king", "--county", "513301"}, 1, "role"},
		{[]string{"user", "add", "Bob!", "--role", "editor", "--county", "513301"}, 1, "username"},
		{[]string{"user", "add", "bob", "--role", "editor"}, 1, "counties"},
		{[]string{"serve", "--addr", "nonsense"}, 2, `--addr "nonsense"`},
		{[]string{"--addr", "nonsense"}, 2, `--addr "nonsense"`},
		{[]string{"serve", "--no-such-flag"}, 2, "no-such-flag"},
	}
	for _, tc := range cases {
		code, _, errOut := run(t, dir, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestImportExportRoundTripAndUsers(t *testing.T) {
	data := t.TempDir()
	packDir := filepath.Join(t.TempDir(), "pack")
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := content.Write(packDir, pack); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := run(t, data, "", "import", packDir)
	if code != 0 || !strings.Contains(out, "18 counties") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	// A second import changes nothing.
	code, out, _ = run(t, data, "", "import", packDir)
	if code != 0 || !strings.Contains(out, "0 counties, 0 sites, 0 signs, 0 sites' ticket settings written") {
		t.Fatalf("re-import: %d %q", code, out)
	}

	exported := filepath.Join(t.TempDir(), "out")
	if code, _, errOut := run(t, data, "", "export", exported); code != 0 {
		t.Fatalf("export: %d %q", code, errOut)
	}
	assertSameTree(t, packDir, exported)

	code, out, _ = run(t, data, "", "signs", "list", "--json", "--county", "513322", "--allow-local")
	var signs []signJSON
	if code != 0 || json.Unmarshal([]byte(out), &signs) != nil || len(signs) < 4 {
		t.Fatalf("signs list: %d %q", code, out)
	}
	for _, s := range signs {
		if s.County != "513322" || !strings.HasSuffix(s.URL, "/q/"+s.Code) {
			t.Errorf("sign %+v", s)
		}
	}

	// The table lines up the URL column by display width, Chinese labels
	// included; the CSV has the same signs.
	code, out, _ = run(t, data, "", "signs", "list", "--county", "513322", "--allow-local")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != len(signs)+1 {
		t.Fatalf("signs list table: %d %q", code, out)
	}
	urlCol := runewidth.StringWidth(lines[0][:strings.Index(lines[0], "URL")])
	for _, l := range lines[1:] {
		if i := strings.Index(l, "http://"); i < 0 || runewidth.StringWidth(l[:i]) != urlCol {
			t.Errorf("URL not at display column %d: %q", urlCol, l)
		}
	}
	code, out, _ = run(t, data, "", "signs", "list", "--county", "513322", "--csv", "--allow-local")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != len(signs)+1 || rows[0][0] != "code" || rows[1][0] != signs[0].Code {
		t.Fatalf("signs list --csv: %d %v %q", code, err, out)
	}

	code, out, errOut = run(t, data, "a good long password\n", "user", "add", "zhuoma", "--role", "editor", "--county", "513322,513301")
	if code != 0 || !strings.Contains(out, "added zhuoma") {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	code, _, errOut = run(t, data, "another long password\n", "user", "add", "zhuoma", "--role", "editor", "--county", "513322")
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate user: %d %q", code, errOut)
	}
	code, _, errOut = run(t, data, "short\n", "user", "add", "pema", "--role", "gate", "--county", "513322")
	if code != 1 || !strings.Contains(errOut, "at least") {
		t.Errorf("short password: %d %q", code, errOut)
	}
	code, _, errOut = run(t, data, "", "user", "add", "pema", "--role", "gate", "--county", "513322")
	if code != 1 || !strings.Contains(errOut, "no password") {
		t.Errorf("no password: %d %q", code, errOut)
	}
	code, _, errOut = run(t, data, "a good long password\n", "user", "add", "pema", "--role", "gate", "--county", "519999")
	if code != 1 || !strings.Contains(errOut, "519999") {
		t.Errorf("unknown county: %d %q", code, errOut)
	}
	// A user may be scoped to the region's top (or a division), not to a
	// node outside the region.
	code, out, errOut = run(t, data, "a good long password\n", "user", "add", "garze-op", "--role", "operator", "--county", "513300")
	if code != 0 || !strings.Contains(out, "added garze-op") {
		t.Errorf("user add at the region's top: %d %q %q", code, out, errOut)
	}
	code, _, errOut = run(t, data, "a good long password\n", "user", "add", "aba-op", "--role", "operator", "--county", "513200")
	if code != 1 || !strings.Contains(errOut, "513200") {
		t.Errorf("user add outside the region: %d %q", code, errOut)
	}
}

func assertSameTree(t *testing.T, a, b string) {
	t.Helper()
	files := 0
	err := filepath.Walk(a, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("export lacks %s", rel)
			return nil
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs after import → export", rel)
		}
		files++
		return nil
	})
	if err != nil || files < 20 {
		t.Fatalf("compared %d files: %v", files, err)
	}
}

var urlRe = regexp.MustCompile(`serving at (http://\S+)`)
var scanRe = regexp.MustCompile(`try a scan: (http://\S+)`)

// serve starts on an empty data dir, seeds the demo pack, prints the URL and
// the first admin login, answers a scan, shuts down cleanly, and the scan is
// in the database afterwards.
func TestServeLifecycle(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	env, out, errb := testEnv(data, "", nil)
	done := make(chan int, 1)
	go func() { done <- Run(ctx, env, []string{"serve"}) }()

	var base, scan string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" || scan == "" {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner; stdout %q stderr %q", out.String(), errb.String())
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early: %s", code, errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		if m := urlRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if m := scanRe.FindStringSubmatch(out.String()); m != nil {
			scan = m[1]
		}
	}
	if !regexp.MustCompile(`first admin login: admin / \S{16}`).MatchString(out.String()) {
		t.Errorf("banner lacks the first admin login: %q", out.String())
	}
	if !strings.Contains(out.String(), "embedded database: mongodb://127.0.0.1:") {
		t.Errorf("banner lacks the embedded database address: %q", out.String())
	}
	get := func(u string) (int, string) {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(body)
	}
	for _, u := range []string{base + "/", scan, base + "/readyz"} {
		if code, body := get(u); code != 200 {
			t.Errorf("GET %s: %d %s", u, code, body)
		}
	}
	// /metrics is on its own loopback listener, not on the public port.
	m := regexp.MustCompile(`metrics: (http://127\.0\.0\.1:\d+/metrics)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("banner lacks the metrics address: %q", out.String())
	}
	if code, body := get(m[1]); code != 200 || !strings.Contains(body, `yimayou_http_requests_total{code="200",route="/q/:code"} 1`) {
		t.Errorf("GET %s: %d", m[1], code)
	}
	if code, body := get(base + "/metrics"); code != 404 || strings.Contains(body, "yimayou_http") {
		t.Errorf("the public port serves /metrics: %d", code)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if _, err := os.Stat(filepath.Join(data, "db", addrFile)); !os.IsNotExist(err) {
		t.Errorf("%s left behind after shutdown", addrFile)
	}

	// The scan answered before shutdown is in the database.
	srv, err := embedded.Start(context.Background(), embedded.Options{Dir: filepath.Join(data, "db")})
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
	n, err := st.CountEvents(context.Background(), store.EventFilter{From: today, To: today, Type: domain.EventScan})
	if err != nil || n != 1 {
		t.Fatalf("scan events after shutdown: %d, %v; want 1", n, err)
	}
	if users, err := st.CountUsers(context.Background()); err != nil || users != 1 {
		t.Fatalf("users: %d %v", users, err)
	}
}

// A rebuild drops the dashboards' digests of the months it rewrote, so the
// rebuilt figures show at once.
func TestStatsRebuildDropsDigests(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{Dir: filepath.Join(data, "db")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{URI: srv.URI(), Database: "yimayou", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"2026-10", "2026-11", "2026-12"} {
		if err := st.PutStatsDigest(ctx, "site|513322|hailuogou|"+m, m, "x"); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Close(ctx)
	srv.Stop()

	if code, _, errOut := run(t, data, "", "stats", "rebuild", "--from", "2026-11-03", "--to", "2026-11-02"); code != 2 {
		t.Errorf("reversed range: exit %d %s", code, errOut)
	}
	code, out, errOut := run(t, data, "", "stats", "rebuild", "--from", "2026-11-01", "--to", "2026-11-30")
	if code != 0 || !strings.Contains(out, "rebuilt") {
		t.Fatalf("rebuild: %d %q %q", code, out, errOut)
	}

	srv, err = embedded.Start(ctx, embedded.Options{Dir: filepath.Join(data, "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	st, err = store.Open(ctx, store.Options{URI: srv.URI(), Database: "yimayou", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	for m, want := range map[string]bool{"2026-10": true, "2026-11": false, "2026-12": true} {
		_, err := st.StatsDigest(ctx, "site|513322|hailuogou|"+m)
		if got := err == nil; got != want {
			t.Errorf("digest of %s kept = %v, want %v (%v)", m, got, want, err)
		}
	}
}
