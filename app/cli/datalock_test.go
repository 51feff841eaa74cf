package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second serve on the same data dir is refused at once, naming the
// process that holds it; the first keeps serving and keeps its
// embedded.addr, and commands still use its database.
func TestSecondServeRefused(t *testing.T) {
	data := t.TempDir()
	base, code := serveForTest(t, data, nil)
	addrBefore, err := os.ReadFile(filepath.Join(data, "db", addrFile))
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	env, _, errb := testEnv(data, "", nil)
	// Bounded, so a second serve that wrongly starts ends the test instead
	// of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if got := Run(ctx, env, []string{"serve"}); got != 1 {
		t.Fatalf("second serve: exit %d, want 1; stderr %q", got, errb.String())
	}
	want := fmt.Sprintf("in use by process %d (yimayou serve)", os.Getpid())
	if !strings.Contains(errb.String(), want) {
		t.Errorf("second serve: stderr %q lacks %q", errb.String(), want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("second serve took %v to refuse", d)
	}

	addrAfter, err := os.ReadFile(filepath.Join(data, "db", addrFile))
	if err != nil || string(addrAfter) != string(addrBefore) {
		t.Errorf("%s after the refused serve: %q, %v; before %q", addrFile, addrAfter, err, addrBefore)
	}
	for _, u := range []string{base + "/readyz", base + "/q/" + code} {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("first serve after the refusal: GET %s %d", u, res.StatusCode)
		}
	}
	// A command beside the live server uses its database, as before.
	if c, out, errOut := run(t, data, "", "signs", "list", "--json", "--allow-local"); c != 0 || !strings.Contains(out, code) {
		t.Errorf("signs list beside serve: %d %q %q", c, out, errOut)
	}
}

// A command that opened the embedded files holds the lock too: serve
// started meanwhile refuses, and starts once the command is done.
func TestServeRefusedWhileCommandHoldsFiles(t *testing.T) {
	data := t.TempDir()
	lock, err := lockDataDir(data, "import")
	if err != nil {
		t.Fatal(err)
	}
	env, _, errb := testEnv(data, "", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if got := Run(ctx, env, []string{"serve"}); got != 1 ||
		!strings.Contains(errb.String(), fmt.Sprintf("in use by process %d (yimayou import)", os.Getpid())) {
		t.Fatalf("serve beside a command: exit %d, stderr %q", got, errb.String())
	}
	if _, err := lockDataDir(data, "import"); err == nil {
		t.Fatal("the lock was taken twice")
	}
	lock.release()
	serveForTest(t, data, nil)
}
