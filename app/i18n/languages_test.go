package i18n_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/i18n/i18ntest"
)

const ug domain.Lang = "ug"

func loadWithUyghur(t *testing.T, drop ...string) *i18n.Catalogs {
	t.Helper()
	fsys, err := i18ntest.WithLanguage(ug, domain.En, map[string]string{"app.name": "بىر كود بىلەن ساياھەت"}, drop...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := i18n.LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A language is catalogue files plus its languages.json entry: Uyghur
// added as files only is a catalogue language, negotiated, right to left,
// with its own fonts, and complete.
func TestAddedLanguageIsData(t *testing.T) {
	c := loadWithUyghur(t)
	if got, want := c.Langs(), []domain.Lang{domain.Zh, domain.En, domain.Bo, ug}; !slices.Equal(got, want) {
		t.Fatalf("catalogue languages %v, want %v", got, want)
	}
	if gaps := c.Gaps(); len(gaps) != 0 {
		t.Fatalf("a full copy has gaps: %v", gaps[:min(5, len(gaps))])
	}
	if got := c.T(ug, "app.name"); got != "بىر كود بىلەن ساياھەت" {
		t.Fatalf("T(ug) = %q", got)
	}
	if got := c.Negotiate("", "", "ug-CN,zh;q=0.5"); got != ug {
		t.Fatalf("Accept-Language ug-CN gave %s", got)
	}
	if got := c.Negotiate("UG", "", ""); got != ug {
		t.Fatalf("?lang=UG gave %s", got)
	}
	m, ok := c.Language(ug)
	if !ok || !m.RTL || m.Autonym != "ئۇيغۇرچە" || !strings.Contains(m.Fonts, "Noto Naskh Arabic") {
		t.Fatalf("ug entry: %+v", m)
	}
	css := c.CSS()
	for _, want := range []string{`:lang(ug){font-family:"Noto Naskh Arabic"`, `:lang(bo){font-family:"Noto Sans Tibetan"`, `line-height:1.9;overflow-wrap:break-word}`} {
		if !strings.Contains(css, want) {
			t.Errorf("CSS lacks %s:\n%s", want, css)
		}
	}
	// The embedded set does not have it.
	if c := i18n.MustLoad(); slices.Contains(c.Langs(), ug) || c.Negotiate("ug", "", "ug") != domain.Zh {
		t.Fatal("the embedded catalogues offer ug")
	}
}

// The completeness check covers whatever languages are present: a key
// missing in the added language is reported.
func TestGapsInAddedLanguage(t *testing.T) {
	c := loadWithUyghur(t, "site.hours", "nav.home")
	gaps := c.Gaps()
	want := []string{`ug: missing key "nav.home"`, `ug: missing key "site.hours"`}
	if !slices.Equal(gaps, want) {
		t.Fatalf("gaps %v, want %v", gaps, want)
	}
}

// Offer applies the region's choice: the domain's visitor languages,
// fallback chains and negotiation follow it; a language without a
// catalogue, a list without zh, or a language twice is a clear error.
func TestOfferRegionLanguages(t *testing.T) {
	t.Cleanup(domain.ResetLanguages)
	c := loadWithUyghur(t)
	if err := c.Offer([]domain.Lang{domain.Zh, ug}); err != nil {
		t.Fatal(err)
	}
	if got := domain.Languages(); !slices.Equal(got, []domain.Lang{domain.Zh, ug}) {
		t.Fatalf("domain languages %v", got)
	}
	if domain.Bo.Valid() || !ug.Valid() {
		t.Fatal("Valid does not follow the offer")
	}
	if got := ug.Fallback(); !slices.Equal(got, []domain.Lang{ug, domain.Zh}) {
		t.Fatalf("ug fallback %v", got)
	}
	if i18n.HTMLLang(ug) != "ug" || i18n.Dir(ug) != "rtl" || i18n.Dir(domain.Zh) != "ltr" || i18n.Autonym(ug) != "ئۇيغۇرچە" {
		t.Fatal("tag, dir or autonym of ug")
	}
	if got := c.Negotiate("bo", "", "bo-CN"); got != domain.Zh {
		t.Fatalf("bo is not offered, negotiated %s", got)
	}
	text := domain.Text{domain.Zh: "海螺沟", domain.En: "Hailuogou"}
	if s, used := text.Get(ug); s != "海螺沟" || used != domain.Zh {
		t.Fatalf("ug falls back to %q (%s)", s, used)
	}
	// en still translates though it is not offered: the CLI speaks English.
	if got := c.T(domain.En, "nav.home"); got == "nav.home" || got == c.T(domain.Zh, "nav.home") {
		t.Fatalf("T(en) when en is not offered: %q", got)
	}
	for _, bad := range []struct {
		langs []domain.Lang
		want  string
	}{
		{[]domain.Lang{domain.Zh, "ii"}, `"ii" has no catalogue`},
		{[]domain.Lang{domain.Zh, "xx"}, `"xx" has no catalogue`},
		{[]domain.Lang{domain.En, ug}, "must include zh"},
		{[]domain.Lang{domain.Zh, ug, domain.Zh}, "listed twice"},
	} {
		err := c.Offer(bad.langs)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Offer(%v) = %v, want %q", bad.langs, err, bad.want)
		}
	}
	if got := domain.Languages(); !slices.Equal(got, []domain.Lang{domain.Zh, ug}) {
		t.Fatalf("a refused offer changed the languages to %v", got)
	}
	if err := c.Offer(nil); err != nil {
		t.Fatal(err)
	}
	if got := domain.Languages(); !slices.Equal(got, []domain.Lang{domain.Zh, domain.En, domain.Bo, ug}) {
		t.Fatalf("an empty offer is every catalogue: %v", got)
	}
}

func TestLanguagesFileErrors(t *testing.T) {
	zh := &fstest.MapFile{Data: []byte(`{"nav.home":"首页"}`)}
	entry := func(extra string) string {
		return `{"languages":[{"code":"zh","tag":"zh-Hans","autonym":"中文","dir":"ltr","fonts":"sans-serif"}` + extra + `]}`
	}
	for name, tc := range map[string]struct {
		meta  string
		files fstest.MapFS
		want  string
	}{
		"catalogue without entry": {entry(""), fstest.MapFS{"public.xx.json": zh}, `language "xx" has no entry in languages.json`},
		"bad dir":                 {entry(`,{"code":"ug","autonym":"x","dir":"up","fonts":"serif"}`), nil, `dir must be`},
		"fonts escaping the rule": {entry(`,{"code":"ug","autonym":"x","dir":"rtl","fonts":"serif}body{display:none"}`), nil, `fonts must be`},
		"misspelt field":          {entry(`,{"code":"ug","autonym":"x","dir":"rtl","fonts":"serif","font":"x"}`), nil, `unknown field`},
		"bad line breaking":       {entry(`,{"code":"ko","autonym":"x","dir":"ltr","fonts":"serif","word_break":"x;color:red"}`), nil, `word_break`},
		"no autonym":              {entry(`,{"code":"ko","dir":"ltr","fonts":"serif"}`), nil, `autonym is empty`},
		"no zh":                   {`{"languages":[{"code":"en","autonym":"English","dir":"ltr","fonts":"serif"}]}`, fstest.MapFS{"public.en.json": zh}, `no zh catalogue`},
	} {
		fsys := fstest.MapFS{"languages.json": {Data: []byte(tc.meta)}, "public.zh.json": zh}
		for k, v := range tc.files {
			fsys[k] = v
		}
		if tc.want == "no zh catalogue" {
			delete(fsys, "public.zh.json")
		}
		_, err := i18n.LoadFS(fsys)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
}
