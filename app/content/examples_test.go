package content

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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

			// The region is the county itself, labelled as an example.
			r := p.Region
			if r == nil {
				t.Fatal("no region.yaml")
			}
			if r.Code != county || r.TopLevel() != domain.LevelCounty {
				t.Errorf("region.yaml code %q (%s), want the pack's one county %q as the top level", r.Code, r.TopLevel(), county)
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
				if *update {
					if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.name)), f.data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.name))); err != nil || string(have) != string(f.data) {
					t.Errorf("%s is not canonical (err %v)\n--- canonical\n%s", f.name, err, f.data)
				}
			}
			packFS := os.DirFS(dir)
			err = fs.WalkDir(packFS, ".", func(name string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				if name == countiesFile || name == regionFile || strings.HasPrefix(name, sitesDir+"/") {
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

// TestExamplePacksImport imports every example pack, as `yimayou import`
// does, into an empty database (it lands whole, with its region, and a
// second import changes nothing) and into the demo's database, where it is
// refused whole: its region would leave the demo's counties outside every
// level.
func TestExamplePacksImport(t *testing.T) {
	ctx := context.Background()
	for _, dir := range examplePacks(t) {
		st := storetest.New(t)
		plan, stats, err := ImportPack(ctx, st, ImportRequest{FS: os.DirFS(dir), Actor: CLIActor})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if plan.Count(Update) != 0 {
			t.Errorf("%s changes %d values in an empty database", dir, plan.Count(Update))
		}
		p, _ := Load(os.DirFS(dir))
		want := ImportStats{Region: 1, Counties: len(p.Counties), Sites: len(p.Sites), Signs: len(p.Signs), Tickets: len(p.Tickets)}
		if stats != want {
			t.Errorf("%s: stats %+v, want %+v", dir, stats, want)
		}
		if r, err := st.Region(ctx); err != nil || r.Code != p.Counties[0].Code || r.TopLevel() != domain.LevelCounty {
			t.Errorf("%s: region after import %+v, %v; want the county itself as the top", dir, r, err)
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
		if _, stats, err := ImportPack(ctx, st, ImportRequest{FS: os.DirFS(dir), Actor: CLIActor}); err != nil || stats.Unchanged != 1+len(p.Counties)+len(p.Sites)+len(p.Signs)+len(p.Tickets) {
			t.Errorf("%s: second import stats %+v, %v; want everything unchanged", dir, stats, err)
		}

		demoDB := storetest.New(t)
		if _, err := Import(ctx, demoDB, demoPack(t)); err != nil {
			t.Fatalf("Import(demo): %v", err)
		}
		version, _ := demoDB.ContentVersion(ctx)
		_, _, err = ImportPack(ctx, demoDB, ImportRequest{FS: os.DirFS(dir), Actor: CLIActor})
		if err == nil || !strings.Contains(err.Error(), "does not contain county 513301") {
			t.Errorf("%s into the demo's database: %v, want a refusal naming a demo county", dir, err)
		}
		if v, _ := demoDB.ContentVersion(ctx); v != version {
			t.Errorf("%s: a refused import wrote (content version %d → %d)", dir, version, v)
		}
	}
}
