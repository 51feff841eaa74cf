package content

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	democontent "github.com/yimayou/yimayou/content"
)

var update = flag.Bool("update", false, "rewrite the demo pack in content/ in canonical form")

const demoDir = "../../content"

// TestDemoPack checks that the committed demo pack loads and is already in
// canonical form: writing it again changes no byte and adds or drops no
// file.
func TestDemoPack(t *testing.T) {
	if *update {
		p, err := Load(os.DirFS(demoDir))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if err := Write(demoDir, p); err != nil {
			t.Fatalf("Write: %v", err)
		}
		t.Log("rewrote", demoDir, "(rebuild to embed the new files)")
		return
	}
	p, err := Load(democontent.FS)
	if err != nil {
		t.Fatalf("Load(demo): %v", err)
	}
	files, err := encode(p)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	var written []string
	for _, f := range files {
		written = append(written, f.name)
		have, err := fs.ReadFile(democontent.FS, f.name)
		if err != nil {
			t.Errorf("%s: written but not in the pack: %v", f.name, err)
			continue
		}
		if string(have) != string(f.data) {
			t.Errorf("%s is not canonical (run go test ./app/content -run TestDemoPack -update)\n--- committed\n%s\n--- canonical\n%s", f.name, have, f.data)
		}
	}
	var committed []string
	err = fs.WalkDir(democontent.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			committed = append(committed, name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(written)
	slices.Sort(committed)
	if !slices.Equal(written, committed) {
		t.Errorf("files differ:\ncommitted %v\nwritten   %v", committed, written)
	}

	dir := t.TempDir()
	if err := Write(dir, p); err != nil {
		t.Fatalf("Write: %v", err)
	}
	again, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("Load(Write(demo)): %v", err)
	}
	if !reflect.DeepEqual(again, p) {
		t.Errorf("Load(Write(p)) != p")
	}
}

// TestDemoPackContent checks the promises the demo pack makes to the pages
// that show it.
func TestDemoPackContent(t *testing.T) {
	p, err := Load(democontent.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Counties) != 18 || len(p.Sites) != 12 {
		t.Fatalf("%d counties, %d sites; want 18 and 12", len(p.Counties), len(p.Sites))
	}
	signs := map[string]int{}
	for _, g := range p.Signs {
		signs[g.Site]++
		if len(g.Code) != domain.CodeLen || !g.Enabled {
			t.Errorf("sign %s: want %d characters and enabled", g.Code, domain.CodeLen)
		}
	}
	for _, s := range p.Sites {
		for _, l := range []domain.Lang{domain.Zh, domain.En} {
			if s.Name[l] == "" || s.Summary[l] == "" || s.Body[l] == "" {
				t.Errorf("%s: name, summary or body missing in %s", s.Key, l)
			}
		}
		if !s.Published {
			t.Errorf("%s: not published", s.Key)
		}
		if signs[s.Key] < 2 {
			t.Errorf("%s: %d signs, want at least 2", s.Key, signs[s.Key])
		}
		if s.AltitudeLevel() > 0 && s.Safety[domain.Zh] == "" {
			t.Errorf("%s: above %d m without a safety note", s.Key, domain.AltitudeWarnAt)
		}
	}
}

func fullPack() Pack {
	return Pack{
		Counties: []domain.County{
			{Code: "513301", Pinyin: "Kangding", Name: domain.Text{domain.Zh: "康定市", domain.En: "Kangding", domain.Bo: "དར་མདོ"}, Phone: "0836-0000000"},
			{Code: "513322", Name: domain.Text{domain.Zh: "泸定县"}},
		},
		Sites: []domain.Site{
			{
				Key: "a-site", County: "513301",
				Name:         domain.Text{domain.Zh: "甲", domain.En: "A: the site", domain.Bo: "ཀ"},
				Summary:      domain.Text{domain.Zh: "一句话。", domain.En: "- starts like a list item"},
				Body:         domain.Text{domain.Zh: "第一段。\n\n---\n\n    indented code\n\n第二段\\\n硬换行", domain.En: "# Heading\n\n* one\n* two"},
				Hours:        domain.Text{domain.Zh: "08:30-17:00"},
				BestSeason:   domain.Text{domain.En: "yes"},
				Safety:       domain.Text{domain.Zh: "第一行\n第二行"},
				Address:      domain.Text{domain.En: `"quoted" 'text' #hash`},
				Reservation:  domain.Text{domain.Bo: "ཁ"},
				TicketNote:   domain.Text{domain.Zh: "123"},
				AltitudeNote: domain.Text{domain.En: "true"},
				Prices: []domain.Price{
					{Label: domain.Text{domain.Zh: "门票", domain.En: "Entry"}, Fen: 14600},
					{Fen: 0},
				},
				AltitudeMin: 2900, AltitudeMax: 6032,
				ALevel: "5A", ALevelSince: "2020-12",
				Location: &domain.LatLon{Lat: 28.37, Lon: -100.000001},
				Photos: []domain.Photo{
					{Src: "/media/a.jpg", Alt: domain.Text{domain.En: "A lake"}, Width: 800, Height: 600,
						Sizes: []domain.PhotoSize{{Src: "/media/a-320.jpg", Width: 320}, {Src: "/media/a-640.jpg", Width: 640}}},
					{Src: "/media/b.jpg"},
				},
				Audio: map[domain.Lang]domain.AudioGuide{
					domain.Zh: {Src: "/media/a-zh.mp3", Type: "audio/mpeg", Seconds: 95, Transcript: "第一段。\n\n第二段：海拔 4,500 米。"},
					domain.Bo: {Src: "/media/a-bo.ogg", Type: "audio/ogg"},
				},
				Published: true,
			},
			{Key: "b", County: "513322", Name: domain.Text{domain.Zh: "乙"}},
		},
		Signs: []domain.Sign{
			{Code: "ABCDEF", Site: "a-site", County: "513301", Label: "Gate: east", Campaign: "2026", Installed: "2026-05-01", Enabled: true},
			{Code: "ZZZZZZ", Site: "a-site", County: "513301"},
			{Code: "2345", Site: "b", County: "513322", Enabled: true},
		},
	}
}

// TestRoundTrip checks Load(Write(p)) == p for a pack that uses every
// field, and that writing the loaded pack gives the same bytes.
func TestRoundTrip(t *testing.T) {
	p := fullPack().Normalize()
	dir := t.TempDir()
	if err := Write(dir, p); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("Load(Write(p)):\n%#v\nwant\n%#v", got, p)
	}
	first := readTree(t, dir)
	if err := Write(dir, got); err != nil {
		t.Fatalf("Write again: %v", err)
	}
	if second := readTree(t, dir); !reflect.DeepEqual(first, second) {
		t.Errorf("second write differs:\n%v\n%v", first, second)
	}
	for name, data := range first {
		if strings.Contains(data, " \n") || strings.Contains(data, "\r") || !strings.HasSuffix(data, "\n") {
			t.Errorf("%s: trailing space, CR or no final newline:\n%s", name, data)
		}
	}
	if _, ok := first["sites/b/en.md"]; ok {
		t.Errorf("sites/b/en.md written for a site with no English")
	}
}

func TestNormalize(t *testing.T) {
	p := Pack{
		Counties: []domain.County{{Code: "513322", Name: domain.Text{domain.Zh: " 泸定县 ", domain.En: "  "}}, {Code: "513301", Name: domain.Text{}}},
		Sites: []domain.Site{{
			Key: "a", County: "513301", Name: domain.Text{domain.Zh: "甲"},
			Body:   domain.Text{domain.Zh: "\r\n\r\nline  \r\n  two\t\r\n\r\n"},
			Prices: []domain.Price{}, Photos: []domain.Photo{},
		}},
	}
	got := p.Normalize()
	if got.Counties[0].Code != "513301" || got.Counties[0].Name != nil {
		t.Errorf("counties: %#v", got.Counties)
	}
	if want := (domain.Text{domain.Zh: "泸定县"}); !reflect.DeepEqual(got.Counties[1].Name, want) {
		t.Errorf("name %#v, want %#v", got.Counties[1].Name, want)
	}
	s := got.Sites[0]
	if s.Body[domain.Zh] != "line\n  two" || s.Prices != nil || s.Photos != nil {
		t.Errorf("site: %#v", s)
	}
	if p.Counties[0].Name[domain.Zh] != " 泸定县 " {
		t.Errorf("Normalize changed its argument")
	}
}

func TestWriteReplacesOnlyPackFiles(t *testing.T) {
	dir := t.TempDir()
	p := fullPack()
	if err := Write(dir, p); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "embed.go"), "package content\n")
	mustWrite(t, filepath.Join(dir, "sites", "a-site", ".swp"), "junk")
	p.Sites = p.Sites[:1]
	p.Signs = p.Signs[:2]
	p.Sites[0] = domain.Site{Key: "a-site", County: "513301", Name: domain.Text{domain.Zh: "甲"}}
	if err := Write(dir, p); err != nil {
		t.Fatal(err)
	}
	tree := readTree(t, dir)
	var names []string
	for name := range tree {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"counties.yaml", "embed.go", "sites/a-site/site.yaml", "sites/a-site/zh.md"}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}

	mustWrite(t, filepath.Join(dir, "sites", "a-site", "photo.jpg"), "jpeg")
	err := Write(dir, p)
	if err == nil || !strings.Contains(err.Error(), "sites/a-site/photo.jpg is not part of a content pack") {
		t.Errorf("Write over a foreign file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sites", "a-site", "photo.jpg")); err != nil {
		t.Errorf("foreign file gone: %v", err)
	}
}

func TestWriteRejectsInvalidPack(t *testing.T) {
	for name, edit := range map[string]func(*Pack){
		"sign county":      func(p *Pack) { p.Signs[0].County = "513322" },
		"sign site":        func(p *Pack) { p.Signs[0].Site = "nowhere" },
		"duplicate site":   func(p *Pack) { p.Sites = append(p.Sites, p.Sites[1]) },
		"duplicate county": func(p *Pack) { p.Counties = append(p.Counties, p.Counties[1]) },
		"duplicate sign":   func(p *Pack) { p.Signs[1].Code = p.Signs[0].Code },
		"unknown language": func(p *Pack) { p.Sites[0].Name["fr"] = "Un site" },
		"site county":      func(p *Pack) { p.Sites[1].County = "513399" },
		"photo src":        func(p *Pack) { p.Sites[0].Photos[1].Src = "" },
	} {
		t.Run(name, func(t *testing.T) {
			p := fullPack()
			edit(&p)
			dir := t.TempDir()
			if err := Write(dir, p); err == nil {
				t.Fatal("Write accepted an invalid pack")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("Write left files behind: %v", entries)
			}
		})
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, name)
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		b, err := os.ReadFile(name)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustWrite(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A fourth visitor language is a pack language like the others: its keys
// in YAML texts (written after zh, en, bo), its <lang>.md file, its audio;
// a pack in it is refused where the region does not offer it.
func TestRoundTripAddedLanguage(t *testing.T) {
	t.Cleanup(domain.ResetLanguages)
	ug := domain.Lang("ug")
	if err := domain.SetLanguages([]domain.Language{{Code: domain.Zh}, {Code: domain.En}, {Code: domain.Bo}, {Code: ug, RTL: true}}); err != nil {
		t.Fatal(err)
	}
	p := fullPack()
	p.Counties[0].Name[ug] = "كاڭدىڭ"
	p.Sites[0].Name[ug] = "بىرىنچى"
	p.Sites[0].Body[ug] = "بىرىنچى ئابزاس."
	p.Sites[0].Prices[0].Label[ug] = "بېلەت"
	p.Sites[0].Audio[ug] = domain.AudioGuide{Src: "/media/a-ug.mp3", Type: "audio/mpeg"}
	p = p.Normalize()
	dir := t.TempDir()
	if err := Write(dir, p); err != nil {
		t.Fatalf("Write: %v", err)
	}
	got, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("Load(Write(p)) lost the added language:\n%#v\nwant\n%#v", got.Sites[0], p.Sites[0])
	}
	tree := readTree(t, dir)
	if _, ok := tree["sites/a-site/ug.md"]; !ok {
		t.Fatal("no sites/a-site/ug.md")
	}
	counties := tree["counties.yaml"]
	if i, j := strings.Index(counties, "bo: དར་མདོ"), strings.Index(counties, "ug: كاڭدىڭ"); i < 0 || j < i {
		t.Fatalf("ug not written after bo:\n%s", counties)
	}
	// The default languages: the same pack is refused, with the file and
	// line of the Uyghur key, and no Uyghur Markdown file is taken.
	domain.ResetLanguages()
	_, err = Load(os.DirFS(dir))
	if err == nil || !strings.Contains(err.Error(), `counties.yaml:`) || !strings.Contains(err.Error(), `unknown language "ug" (the visitor languages are zh, en, bo)`) {
		t.Fatalf("Load without ug offered: %v", err)
	}
}
