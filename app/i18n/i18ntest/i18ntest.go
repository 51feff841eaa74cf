// Package i18ntest builds catalogue sets with an added language, so tests
// can show that a language is data: catalogue files and a languages.json
// entry, no Go.
package i18ntest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// WithLanguage returns the embedded catalogues plus a catalogue for lang
// in every area: a copy of from's messages, with override's keys replaced
// and drop's keys left out (to show the completeness check finds them).
func WithLanguage(lang, from domain.Lang, override map[string]string, drop ...string) (fs.FS, error) {
	base := i18n.Embedded()
	out := fstest.MapFS{}
	files, err := fs.Glob(base, "*.json")
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, f := range files {
		raw, err := fs.ReadFile(base, f)
		if err != nil {
			return nil, err
		}
		out[f] = &fstest.MapFile{Data: raw}
		area, ok := strings.CutSuffix(f, "."+string(from)+".json")
		if !ok {
			continue
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		for k := range m {
			if v, ok := override[k]; ok {
				m[k] = v
				used[k] = true
			}
		}
		for _, k := range drop {
			delete(m, k)
		}
		data, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out[area+"."+string(lang)+".json"] = &fstest.MapFile{Data: data}
	}
	for k := range override {
		if !used[k] {
			return nil, fmt.Errorf("i18ntest: no %s catalogue has key %q", from, k)
		}
	}
	return out, nil
}

// UyghurSample is a few Uyghur strings for the pages' headings, so a test
// page in the added right-to-left language reads as one; every other
// message stays a copy of the source language (English), which also shows
// left-to-right text inside a right-to-left page.
var UyghurSample = map[string]string{
	"nav.home":            "باش بەت",
	"nav.language":        "تىل",
	"home.counties":       "ناھىيەلەر",
	"home.site_count":     "%d مەنزىرە رايونى",
	"home.site_count.one": "%d مەنزىرە رايونى",
	"county.sites":        "مەنزىرە رايونلىرى",
	"site.hours":          "ئېچىلىش ۋاقتى",
	"site.tickets":        "بېلەت",
	"site.altitude":       "دېڭىز يۈزىدىن ئېگىزلىكى",
	"site.nearby":         "يېقىن ئەتراپتىكى مەنزىرە رايونلىرى",
}
