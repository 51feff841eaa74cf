package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/embedded"
	demo "github.com/yimayou/yimayou/content"
)

func editFile(t *testing.T, name, old, new string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil || !strings.Contains(string(b), old) {
		t.Fatalf("%s: %v (no %q)", name, err, old)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// `yimayou import` applies the console's rules, reports every problem of
// the pack at once with its file and line, writes nothing while any
// remains, and records what it writes as "import (CLI)".
func TestImportRefusesWhatTheConsoleRefuses(t *testing.T) {
	data := t.TempDir()
	packDir := filepath.Join(t.TempDir(), "pack")
	pack, err := content.Load(demo.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := content.Write(packDir, pack); err != nil {
		t.Fatal(err)
	}
	hlg := filepath.Join(packDir, "sites", "hailuogou")
	editFile(t, filepath.Join(hlg, "site.yaml"), "a_level: 5A", "a_level: 9Z")
	editFile(t, filepath.Join(hlg, "site.yaml"), "lat: 29.567", "lat: 129.567")
	editFile(t, filepath.Join(hlg, "site.yaml"), "fen: 9000", "fen: 20000000")
	editFile(t, filepath.Join(packDir, "sites", "cuoka-lake", "en.md"), "name: ", "name: [unclosed ")

	code, out, errOut := run(t, data, "", "import", packDir)
	if code == 0 {
		t.Fatalf("a broken pack was imported: %q", out)
	}
	for _, want := range []string{"sites/hailuogou/site.yaml:4: a_level: The A-level is 1A to 5A", "sites/hailuogou/site.yaml:6: location:",
		"sites/hailuogou/site.yaml:9: prices: A price is at most 100,000 yuan", "sites/cuoka-lake/en.md:", "nothing was imported"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	// The dry run of a good pack writes nothing either.
	editFile(t, filepath.Join(hlg, "site.yaml"), "a_level: 9Z", "a_level: 5A")
	editFile(t, filepath.Join(hlg, "site.yaml"), "lat: 129.567", "lat: 29.567")
	editFile(t, filepath.Join(hlg, "site.yaml"), "fen: 20000000", "fen: 9000")
	editFile(t, filepath.Join(packDir, "sites", "cuoka-lake", "en.md"), "name: [unclosed ", "name: ")
	code, out, errOut = run(t, data, "", "import", "--dry-run", packDir)
	if code != 0 || !strings.Contains(out, "nothing written") || !strings.Contains(out, "create site hailuogou") {
		t.Fatalf("dry run: %d %q %q", code, out, errOut)
	}
	if code, out, errOut = run(t, data, "", "import", packDir); code != 0 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}

	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{Dir: filepath.Join(data, "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	st, err := store.Open(ctx, store.Options{URI: srv.URI(), Database: "yimayou", SingleConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	counties, _ := st.Counties(ctx)
	if len(counties) != 18 {
		t.Errorf("%d counties after the import", len(counties))
	}
	revs, err := st.Revisions(ctx, "hailuogou")
	if err != nil || len(revs) != 1 || revs[0].User != content.CLIActor {
		t.Errorf("revisions of an imported site: %+v %v", revs, err)
	}
	entries, _ := st.AuditPage(ctx, "513322", "", 50)
	var imported bool
	for _, e := range entries {
		imported = imported || e.Action == "site_import" && e.Object == "hailuogou" && e.User == content.CLIActor
	}
	if !imported {
		t.Error("no audit entry for the import")
	}
}
