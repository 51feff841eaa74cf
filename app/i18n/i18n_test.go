package i18n

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

var fileExt = regexp.MustCompile(`\.(yaml|yml|md|json|go|html|css|js|svg|png|txt|csv|zip)$`)

// Every locale has every key, with the same format verbs in the same order,
// and no empty message.
func TestCatalogsComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Langs(); len(got) < 3 {
		t.Fatalf("catalogue languages %v: want at least zh, en, bo", got)
	}
	keys := 0
	for _, l := range c.Langs() {
		keys = max(keys, len(c.Keys(l)))
	}
	if keys < 50 {
		t.Fatalf("only %d keys: catalogs not loaded?", keys)
	}
	for _, p := range c.Gaps() {
		t.Error(p)
	}
}

// Every key named in the code or templates exists in the catalogs. Keys are
// found as string literals with a catalog prefix, so a typo or a key added
// in code but not in the catalogs fails here.
func TestKeysUsedInCodeExist(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{}
	for _, k := range c.Keys(domain.En) {
		p, _, _ := strings.Cut(k, ".")
		prefixes[p] = true
	}
	var ps []string
	for p := range prefixes {
		ps = append(ps, regexp.QuoteMeta(p))
	}
	sort.Strings(ps)
	keyRe := regexp.MustCompile(`"((?:` + strings.Join(ps, "|") + `)(?:\.[a-z0-9_]+)+)"`)
	root := filepath.Join("..")
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".html") {
			return nil
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			key := m[1]
			if fileExt.MatchString(key) || strings.HasSuffix(key, "_") {
				continue // a file name such as "site.yaml", or a prefix completed at run time
			}
			checked++
			for _, l := range c.Langs() {
				if !c.Has(l, key) {
					t.Errorf("%s uses %q, missing in %s", path, key, l)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 30 {
		t.Fatalf("found only %d key uses: the scan is broken", checked)
	}
}

func TestNegotiate(t *testing.T) {
	c := MustLoad()
	cases := []struct {
		query, cookie, accept string
		want                  domain.Lang
	}{
		{"en", "bo", "zh-CN", domain.En},
		{"BO", "", "", domain.Bo},
		{"zh-CN", "", "en", domain.Zh},
		{"", "bo", "en-US", domain.Bo},
		{"xx", "", "en-GB,en;q=0.9", domain.En},
		{"", "klingon", "bo-CN,zh;q=0.5", domain.Bo},
		{"", "", "zh-TW,zh;q=0.9", domain.Zh},
		{"", "", "fr-FR,de;q=0.8", domain.Zh},
		{"", "", "", domain.Zh},
		{"", "", "en;q=garbage;;;", domain.Zh},
		{"", "", strings.Repeat("en,", 400), domain.Zh},
		{strings.Repeat("e", 100), "", "en", domain.En},
	}
	for _, tc := range cases {
		if got := c.Negotiate(tc.query, tc.cookie, tc.accept); got != tc.want {
			t.Errorf("Negotiate(%q, %q, %.30q) = %s, want %s", tc.query, tc.cookie, tc.accept, got, tc.want)
		}
	}
}

func TestTFallsBackAndFormats(t *testing.T) {
	c := MustLoad()
	if got := c.T(domain.En, "home.site_count", 3); got != "3 sites" {
		t.Fatalf("format: %q", got)
	}
	if got := c.T(domain.Bo, "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key: %q", got)
	}
	if HTMLLang(domain.Zh) != "zh-Hans" || HTMLLang(domain.Bo) != "bo" {
		t.Fatal("HTMLLang")
	}
}

// Every area has a file in every language, so a new area cannot ship with
// one language only.
func TestEveryAreaInEveryLanguage(t *testing.T) {
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		t.Fatal(err)
	}
	areas := map[string]map[string]bool{}
	for _, f := range files {
		if path.Base(f) == metaFile {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".json"), ".")
		if areas[parts[0]] == nil {
			areas[parts[0]] = map[string]bool{}
		}
		areas[parts[0]][parts[len(parts)-1]] = true
	}
	if len(areas) == 0 {
		t.Fatal("no catalogs")
	}
	c := MustLoad()
	for area, langs := range areas {
		for _, l := range c.Langs() {
			if !langs[string(l)] {
				t.Errorf("locales/%s.%s.json is missing", area, l)
			}
		}
	}
}
