package content

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store/storetest"
	democontent "github.com/yimayou/yimayou/content"
)

// examplesDir holds the example packs (content/examples/<name>/): packs
// for regions other than the demo's, loaded with `yimayou import` and not
// embedded in the binary.
const examplesDir = "../../content/examples"

// examplePacks returns the folders of the example packs.
func examplePacks(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			dirs = append(dirs, filepath.Join(examplesDir, e.Name()))
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no example pack in %s", examplesDir)
	}
	return dirs
}

// yamlKeys returns the top-level keys of a YAML mapping file.
func yamlKeys(t *testing.T, file string) (map[string]any, []string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return m, keys
}

// regionText reads a {zh, en, bo} mapping of a decoded region.yaml.
func regionText(v any) domain.Text {
	m, _ := v.(map[string]any)
	t := domain.Text{}
	for k, s := range m {
		if s, ok := s.(string); ok {
			t[domain.Lang(k)] = s
		}
	}
	return t
}

// forbidden are the demo region's names in every spelling a text could
// use: an example pack that says them is not an example of another region.
var forbidden = []string{"garzê", "garze", "ganzi", "ganze", "甘孜", "དཀར་མཛེས"}

// TestExamplePacks loads every example pack with the importer's own loader
// and checks what an example promises: it is valid and canonical, it is
// one county alone (the county is the region's top level), it is labelled
// as an example, it can sit beside the demo pack in one database (no
// county, site key or sign code in common) and it never names the demo's
// region.
func TestExamplePacks(t *testing.T) {
	demo, err := Load(democontent.FS)
	if err != nil {
		t.Fatalf("Load(demo): %v", err)
	}
	for _, dir := range examplePacks(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			p, err := Load(os.DirFS(dir))
			if err != nil {
				for _, m := range Messages(err, nil) {
					t.Error(m)
				}
				t.FailNow()
			}

			if len(p.Counties) != 1 {
				t.Fatalf("%d counties, want exactly one", len(p.Counties))
			}
			county := p.Counties[0].Code
			if domain.LevelOf(county) != domain.LevelCounty {
				t.Errorf("county code %q is not a county's GB/T 2260 code", county)
			}
			if len(p.Sites) < 2 || len(p.Signs) < len(p.Sites) {
				t.Errorf("%d sites and %d signs, want two sites or more, each with a sign", len(p.Sites), len(p.Signs))
			}
			for _, s := range p.Sites {
				if s.Name[domain.Zh] == "" || s.Name[domain.En] == "" || s.Summary[domain.Zh] == "" || s.Summary[domain.En] == "" {
					t.Errorf("site %s: want a name and a summary in zh and en", s.Key)
				}
				if !s.Published {
					t.Errorf("site %s is not published", s.Key)
				}
			}

			// region.yaml is laid out as the demo's (every key is one the
			// demo's uses), and its top node is the one county. (The
			// importer reads region.yaml once the region loader lands;
			// until then this is the check of its shape.)
			region, keys := yamlKeys(t, filepath.Join(dir, "region.yaml"))
			_, demoKeys := yamlKeys(t, "../../content/region.yaml")
			for _, k := range keys {
				if !slices.Contains(demoKeys, k) {
					t.Errorf("region.yaml: key %q is not one of the demo's %v", k, demoKeys)
				}
			}
			code, _ := region["code"].(string)
			if code != county {
				t.Errorf("region.yaml code %q, want the pack's one county %q", code, county)
			}
			r := domain.Region{Code: code, Name: regionText(region["name"]), ShortName: regionText(region["short_name"]), Bureau: regionText(region["bureau"])}
			if err := r.Validate(); err != nil {
				t.Errorf("region.yaml: %v", err)
			}
			if r.TopLevel() != domain.LevelCounty {
				t.Errorf("top level %q, want county", r.TopLevel())
			}
			if !strings.Contains(r.Bureau[domain.Zh], "示例") || !strings.Contains(strings.ToLower(r.Bureau[domain.En]), "example") {
				t.Errorf("bureau %v is not labelled 示例 / Example", r.Bureau)
			}

			// Canonical form: an export of the imported pack gives back
			// the same files.
			files, err := encode(p)
			if err != nil {
				t.Fatal(err)
			}
			var written, committed []string
			for _, f := range files {
				written = append(written, f.name)
				if have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.name))); err != nil || string(have) != string(f.data) {
					t.Errorf("%s is not canonical (err %v)\n--- canonical\n%s", f.name, err, f.data)
				}
			}
			packFS := os.DirFS(dir)
			err = fs.WalkDir(packFS, ".", func(name string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				if name == countiesFile || strings.HasPrefix(name, sitesDir+"/") {
					committed = append(committed, name)
				}
				b, err := fs.ReadFile(packFS, name)
				if err != nil {
					return err
				}
				lower := strings.ToLower(string(b))
				for _, w := range forbidden {
					if strings.Contains(lower, w) {
						t.Errorf("%s names the demo's region (%q)", name, w)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(written)
			slices.Sort(committed)
			if !slices.Equal(written, committed) {
				t.Errorf("files differ:\ncommitted %v\nwritten   %v", committed, written)
			}

			// Beside the demo pack: nothing in common.
			for _, c := range demo.Counties {
				if c.Code == county {
					t.Errorf("county %s is also in the demo pack", county)
				}
			}
			for _, s := range p.Sites {
				if slices.ContainsFunc(demo.Sites, func(d domain.Site) bool { return d.Key == s.Key }) {
					t.Errorf("site key %s is also in the demo pack", s.Key)
				}
			}
			for _, g := range p.Signs {
				if slices.ContainsFunc(demo.Signs, func(d domain.Sign) bool { return d.Code == g.Code }) {
					t.Errorf("sign code %s is also in the demo pack", g.Code)
				}
			}
		})
	}
}

// TestExamplePacksImportBesideDemo imports the demo pack and then every
// example pack into one real database, as `yimayou import` does: each
// lands whole, the demo is left as it was, and a second import of an
// example changes nothing.
func TestExamplePacksImportBesideDemo(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	demo := demoPack(t)
	if _, err := Import(ctx, st, demo); err != nil {
		t.Fatalf("Import(demo): %v", err)
	}
	version, err := st.ContentVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range examplePacks(t) {
		plan, stats, err := ImportPack(ctx, st, ImportRequest{FS: os.DirFS(dir), Actor: CLIActor})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if plan.Count(Update) != 0 {
			t.Errorf("%s changes %d values already in the database, want none", dir, plan.Count(Update))
		}
		p, _ := Load(os.DirFS(dir))
		want := ImportStats{Counties: len(p.Counties), Sites: len(p.Sites), Signs: len(p.Signs), Tickets: len(p.Tickets)}
		if stats != want {
			t.Errorf("%s: stats %+v, want %+v", dir, stats, want)
		}
		for _, s := range p.Sites {
			got, err := st.Site(ctx, s.Key)
			if err != nil || got.County != p.Counties[0].Code || got.Name[domain.Zh] != s.Name[domain.Zh] {
				t.Errorf("%s: site %s after import: %+v, %v", dir, s.Key, got, err)
			}
		}
		for _, g := range p.Signs {
			if got, err := st.Sign(ctx, g.Code); err != nil || got.Site != g.Site {
				t.Errorf("%s: sign %s after import: %+v, %v", dir, g.Code, got, err)
			}
		}
		if _, stats, err := ImportPack(ctx, st, ImportRequest{FS: os.DirFS(dir), Actor: CLIActor}); err != nil || stats.Unchanged != len(p.Counties)+len(p.Sites)+len(p.Signs)+len(p.Tickets) {
			t.Errorf("%s: second import stats %+v, %v; want everything unchanged", dir, stats, err)
		}
	}
	if v, _ := st.ContentVersion(ctx); v == version {
		t.Errorf("content version did not move after importing the examples")
	}
	// The demo is still whole.
	stats, err := Import(ctx, st, demo)
	if err != nil {
		t.Fatal(err)
	}
	if total := len(demo.Counties) + len(demo.Sites) + len(demo.Signs) + len(demo.Tickets); stats != (ImportStats{Unchanged: total}) {
		t.Errorf("demo after the examples: %+v, want all %d unchanged", stats, total)
	}
}
