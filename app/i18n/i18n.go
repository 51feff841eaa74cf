// Package i18n holds the UI catalogs (zh, en, bo) and picks the visitor's
// language. Catalogs are JSON files embedded at build time, one per area
// and language (locales/<area>.<lang>.json: public, console, tickets…), so
// each part of the app keeps its own strings; a test makes sure every
// locale has every key with the same format verbs.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/yimayou/yimayou/app/domain"
)

//go:embed locales/*.json
var localeFS embed.FS

// Catalogs maps a language to its messages.
type Catalogs struct {
	msgs    map[domain.Lang]map[string]string
	matcher language.Matcher
}

// tags is the matcher's list; the first entry is the default. zh-Hans is
// listed so zh-CN, zh-SG and plain zh all land on it; zh-TW is matched to
// zh too (Simplified text beats English for a Traditional reader).
var tags = []language.Tag{language.SimplifiedChinese, language.English, language.MustParse("bo")}
var tagLangs = []domain.Lang{domain.Zh, domain.En, domain.Bo}

// Load reads the embedded catalogs.
func Load() (*Catalogs, error) {
	c := &Catalogs{msgs: map[domain.Lang]map[string]string{}, matcher: language.NewMatcher(tags)}
	for _, l := range domain.Langs {
		c.msgs[l] = map[string]string{}
	}
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".json"), ".")
		lang := domain.Lang(parts[len(parts)-1])
		if len(parts) != 2 || !lang.Valid() {
			return nil, fmt.Errorf("i18n: %s: want locales/<area>.<zh|en|bo>.json", f)
		}
		raw, err := localeFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := c.msgs[lang][k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is also in another %s file", f, k, lang)
			}
			c.msgs[lang][k] = v
		}
	}
	return c, nil
}

// MustLoad is Load for program start, where a broken catalog is a bug.
func MustLoad() *Catalogs {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// T translates key into lang, formatting args with fmt verbs. A missing key
// falls back along the language fallback chain and then shows the key
// itself, so a gap is visible but never breaks a page.
func (c *Catalogs) T(lang domain.Lang, key string, args ...any) string {
	for _, l := range lang.Fallback() {
		if s, ok := c.msgs[l][key]; ok {
			if len(args) == 0 {
				return s
			}
			return fmt.Sprintf(s, args...)
		}
	}
	return key
}

// Has reports whether lang's catalog has key.
func (c *Catalogs) Has(lang domain.Lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// Keys returns the sorted keys of lang's catalog.
func (c *Catalogs) Keys(lang domain.Lang) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Parse turns an explicit choice (?lang=, a cookie) into a language; it
// accepts our codes and common tags ("zh-CN", "en-GB", "bo-CN").
func Parse(s string) (domain.Lang, bool) {
	if len(s) == 0 || len(s) > 35 {
		return "", false
	}
	s = strings.ToLower(s)
	if l := domain.Lang(s); l.Valid() {
		return l, true
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	if l := domain.Lang(base); l.Valid() {
		return l, true
	}
	return "", false
}

// Negotiate picks the language: an explicit choice first, then the cookie,
// then Accept-Language; zh when nothing matches.
func (c *Catalogs) Negotiate(query, cookie, acceptLanguage string) domain.Lang {
	if l, ok := Parse(query); ok {
		return l
	}
	if l, ok := Parse(cookie); ok {
		return l
	}
	if acceptLanguage == "" || len(acceptLanguage) > 512 {
		return domain.Zh
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return domain.Zh
	}
	_, idx, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return domain.Zh
	}
	return tagLangs[idx]
}

// HTMLLang is the value for <html lang>: zh-Hans, en or bo.
func HTMLLang(l domain.Lang) string {
	if l == domain.Zh {
		return "zh-Hans"
	}
	return string(l)
}

// Autonym is a language's name in itself, for the language switcher.
func Autonym(l domain.Lang) string {
	switch l {
	case domain.Zh:
		return "中文"
	case domain.En:
		return "English"
	case domain.Bo:
		return "བོད་ཡིག"
	}
	return string(l)
}
