// Package i18n holds the UI catalogs and picks the visitor's language.
// Catalogs are JSON files embedded at build time, one per area and
// language (locales/<area>.<lang>.json: public, console, tickets…), so
// each part of the app keeps its own strings; a test makes sure every
// locale has every key with the same format verbs. The languages are the
// catalogues present (zh, en, bo today); locales/languages.json says what
// pages need to know about each (tag, autonym, direction, fonts, line
// breaking), so adding a language is adding files, not Go.
package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/text/language"

	"github.com/yimayou/yimayou/app/domain"
)

//go:embed locales/*.json
var localeFS embed.FS

// metaFile describes the languages (locales/languages.json); every other
// file is a catalogue.
const metaFile = "languages.json"

// Catalogs maps a language to its messages.
type Catalogs struct {
	msgs  map[domain.Lang]map[string]string
	meta  map[domain.Lang]Language
	langs []domain.Lang // languages with a catalogue, in languages.json order
	// offered is the visitor languages and their matcher (Offer); a
	// pointer, so a region changed in the console never races a request.
	offered atomic.Pointer[offer]
}

type offer struct {
	langs   []domain.Lang
	matcher language.Matcher
}

// Language is a language's entry in languages.json: what domain needs
// (tag, autonym, direction, fallback) and how its text is set (fonts,
// line height and line breaking, turned into CSS by CSS).
type Language struct {
	domain.Language
	Fonts        string
	LineHeight   float64
	WordBreak    string
	LineBreak    string
	OverflowWrap string
}

type languageJSON struct {
	Code         string   `json:"code"`
	Tag          string   `json:"tag"`
	Autonym      string   `json:"autonym"`
	Dir          string   `json:"dir"`
	Fonts        string   `json:"fonts"`
	LineHeight   float64  `json:"line_height"`
	WordBreak    string   `json:"word_break"`
	LineBreak    string   `json:"line_break"`
	OverflowWrap string   `json:"overflow_wrap"`
	Prefer       []string `json:"prefer"`
}

// fontsRe keeps a font list to names, quotes and commas, so nothing in it
// can end the CSS rule it goes into.
var fontsRe = regexp.MustCompile(`^[A-Za-z0-9 ,"'\-]+$`)

var cssValues = map[string][]string{
	"word_break":    {"", "normal", "break-all", "keep-all", "break-word"},
	"line_break":    {"", "auto", "loose", "normal", "strict", "anywhere"},
	"overflow_wrap": {"", "normal", "break-word", "anywhere"},
}

func parseLanguages(raw []byte) (map[domain.Lang]Language, []domain.Lang, error) {
	var doc struct {
		Doc       string         `json:"_doc"`
		Languages []languageJSON `json:"languages"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields() // a misspelt field is an error, not a silent default
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("i18n: %s: %w", metaFile, err)
	}
	meta := map[domain.Lang]Language{}
	var order []domain.Lang
	for _, j := range doc.Languages {
		bad := func(what string) error {
			return fmt.Errorf("i18n: %s: language %q: %s", metaFile, j.Code, what)
		}
		code := domain.Lang(j.Code)
		if _, dup := meta[code]; dup {
			return nil, nil, bad("listed twice")
		}
		if _, err := language.Parse(j.Code); err != nil || strings.ContainsAny(j.Code, "-_.") || j.Code != strings.ToLower(j.Code) {
			return nil, nil, bad("code is not a lower-case language code")
		}
		tag := j.Tag
		if tag == "" {
			tag = j.Code
		}
		if _, err := language.Parse(tag); err != nil {
			return nil, nil, bad("tag: " + err.Error())
		}
		if j.Dir != "ltr" && j.Dir != "rtl" {
			return nil, nil, bad(`dir must be "ltr" or "rtl"`)
		}
		if strings.TrimSpace(j.Autonym) == "" {
			return nil, nil, bad("autonym is empty")
		}
		if !fontsRe.MatchString(j.Fonts) {
			return nil, nil, bad("fonts must be a CSS font-family list (names, quotes, commas)")
		}
		if j.LineHeight < 0 || j.LineHeight > 4 {
			return nil, nil, bad("line_height out of range")
		}
		for field, v := range map[string]string{"word_break": j.WordBreak, "line_break": j.LineBreak, "overflow_wrap": j.OverflowWrap} {
			if !slices.Contains(cssValues[field], v) {
				return nil, nil, bad(fmt.Sprintf("%s %q is not one of %q", field, v, cssValues[field][1:]))
			}
		}
		l := Language{Language: domain.Language{Code: code, Tag: tag, Autonym: j.Autonym, RTL: j.Dir == "rtl"},
			Fonts: j.Fonts, LineHeight: j.LineHeight, WordBreak: j.WordBreak, LineBreak: j.LineBreak, OverflowWrap: j.OverflowWrap}
		for _, p := range j.Prefer {
			l.Prefer = append(l.Prefer, domain.Lang(p))
		}
		meta[code] = l
		order = append(order, code)
	}
	return meta, order, nil
}

// Load reads the embedded catalogs.
func Load() (*Catalogs, error) { return LoadFS(Embedded()) }

// Embedded is the catalogues built into the binary (languages.json and
// every <area>.<lang>.json at its root), for LoadFS.
func Embedded() fs.FS {
	sub, err := fs.Sub(localeFS, "locales")
	if err != nil {
		panic(err) // a constant, valid path
	}
	return sub
}

// LoadFS reads languages.json and the catalogues <area>.<lang>.json at the
// root of fsys. The languages are the catalogues present: each needs an
// entry in languages.json, and is offered (in that file's order) until
// Offer says otherwise. Load does not change the domain's visitor
// languages; Offer does.
func LoadFS(fsys fs.FS) (*Catalogs, error) {
	raw, err := fs.ReadFile(fsys, metaFile)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	meta, order, err := parseLanguages(raw)
	if err != nil {
		return nil, err
	}
	c := &Catalogs{msgs: map[domain.Lang]map[string]string{}, meta: map[domain.Lang]Language{}}
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for _, f := range files {
		if f == metaFile {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(f, ".json"), ".")
		lang := domain.Lang(parts[len(parts)-1])
		if len(parts) != 2 {
			return nil, fmt.Errorf("i18n: %s: want <area>.<language>.json", f)
		}
		if _, ok := meta[lang]; !ok {
			return nil, fmt.Errorf("i18n: %s: language %q has no entry in %s (autonym, tag, dir, fonts)", f, lang, metaFile)
		}
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		if c.msgs[lang] == nil {
			c.msgs[lang] = map[string]string{}
			c.meta[lang] = meta[lang]
		}
		for k, v := range m {
			if _, dup := c.msgs[lang][k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is also in another %s file", f, k, lang)
			}
			c.msgs[lang][k] = v
		}
	}
	for _, l := range order {
		if c.msgs[l] != nil {
			c.langs = append(c.langs, l)
		}
	}
	if c.msgs[domain.Zh] == nil {
		return nil, fmt.Errorf("i18n: no zh catalogue: Chinese is the content's required language")
	}
	o, err := c.newOffer(nil)
	if err != nil {
		return nil, err
	}
	c.offered.Store(o)
	return c, nil
}

// Langs lists the languages that have a catalogue, in languages.json order.
func (c *Catalogs) Langs() []domain.Lang { return slices.Clone(c.langs) }

// Language returns a catalogue language's entry.
func (c *Catalogs) Language(l domain.Lang) (Language, bool) {
	m, ok := c.meta[l]
	return m, ok
}

// Offer makes langs the visitor languages, in order of fallback (the
// region's Languages; empty means every language with a catalogue, in
// languages.json order). Each must have a catalogue and zh must be among
// them. It is the one place the visitor languages are set: the catalogs'
// negotiation and the domain's (Lang.Valid, Fallback, Text.Missing) follow
// it.
func (c *Catalogs) Offer(langs []domain.Lang) error {
	o, err := c.newOffer(langs)
	if err != nil {
		return err
	}
	infos := make([]domain.Language, len(o.langs))
	for i, l := range o.langs {
		infos[i] = c.meta[l].Language
	}
	if err := domain.SetLanguages(infos); err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	c.offered.Store(o)
	return nil
}

// Offered lists the visitor languages the catalogs negotiate between.
func (c *Catalogs) Offered() []domain.Lang { return slices.Clone(c.offered.Load().langs) }

func (c *Catalogs) newOffer(langs []domain.Lang) (*offer, error) {
	if len(langs) == 0 {
		langs = c.langs
	}
	o := &offer{}
	var tags []language.Tag
	for _, l := range langs {
		m, ok := c.meta[l]
		if !ok {
			return nil, fmt.Errorf("i18n: visitor language %q has no catalogue (locales/<area>.%s.json and an entry in %s); the catalogues are %v", l, l, metaFile, c.langs)
		}
		if slices.Contains(o.langs, l) {
			return nil, fmt.Errorf("i18n: visitor language %q is listed twice", l)
		}
		o.langs = append(o.langs, l)
		tags = append(tags, language.MustParse(m.HTMLTag()))
	}
	if !slices.Contains(o.langs, domain.Zh) {
		return nil, fmt.Errorf("i18n: the visitor languages %v must include zh, the content's required language", o.langs)
	}
	o.matcher = language.NewMatcher(tags)
	return o, nil
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
	s, ok := c.msgs[lang][key]
	for _, l := range lang.Fallback() {
		if ok {
			break
		}
		s, ok = c.msgs[l][key]
	}
	if ok {
		if len(args) == 0 {
			return s
		}
		return fmt.Sprintf(s, args...)
	}
	return key
}

// Gaps lists what the catalogues lack, whatever languages are present:
// in every language with a catalogue, every key any of them has, not
// empty, with zh's format verbs in the same order. Empty means complete.
func (c *Catalogs) Gaps() []string {
	all := map[string]bool{}
	for _, l := range c.langs {
		for k := range c.msgs[l] {
			all[k] = true
		}
	}
	var gaps []string
	for k := range all {
		zh, hasZh := c.msgs[domain.Zh][k]
		zhVerbs := strings.Join(verbRe.FindAllString(zh, -1), " ")
		for _, l := range c.langs {
			msg, ok := c.msgs[l][k]
			switch {
			case !ok:
				gaps = append(gaps, fmt.Sprintf("%s: missing key %q", l, k))
			case strings.TrimSpace(msg) == "":
				gaps = append(gaps, fmt.Sprintf("%s: key %q is empty", l, k))
			case hasZh && l != domain.Zh:
				if v := strings.Join(verbRe.FindAllString(msg, -1), " "); v != zhVerbs {
					gaps = append(gaps, fmt.Sprintf("key %q: %s has verbs %q, zh has %q", k, l, v, zhVerbs))
				}
			}
		}
	}
	sort.Strings(gaps)
	return gaps
}

var verbRe = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

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

// Parse turns an explicit choice (?lang=, a cookie) into a visitor
// language; it accepts our codes and common tags ("zh-CN", "en-GB",
// "bo-CN").
func Parse(s string) (domain.Lang, bool) {
	return parseIn(s, domain.Lang.Valid)
}

func parseIn(s string, valid func(domain.Lang) bool) (domain.Lang, bool) {
	if len(s) == 0 || len(s) > 35 {
		return "", false
	}
	s = strings.ToLower(s)
	if l := domain.Lang(s); valid(l) {
		return l, true
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	if l := domain.Lang(base); valid(l) {
		return l, true
	}
	return "", false
}

// Negotiate picks the language among the offered ones: an explicit choice
// first, then the cookie, then Accept-Language; the first offered (zh)
// when nothing matches. Each language is matched by its tag: zh-Hans, so
// zh-CN, zh-SG and plain zh all land on it, and zh-TW too (Simplified text
// beats English for a Traditional reader).
func (c *Catalogs) Negotiate(query, cookie, acceptLanguage string) domain.Lang {
	o := c.offered.Load()
	offered := func(l domain.Lang) bool { return slices.Contains(o.langs, l) }
	if l, ok := parseIn(query, offered); ok {
		return l
	}
	if l, ok := parseIn(cookie, offered); ok {
		return l
	}
	if acceptLanguage == "" || len(acceptLanguage) > 512 {
		return o.langs[0]
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return o.langs[0]
	}
	_, idx, conf := o.matcher.Match(prefs...)
	if conf == language.No {
		return o.langs[0]
	}
	return o.langs[idx]
}

// HTMLLang is the value for a lang attribute: zh-Hans, en, bo…
func HTMLLang(l domain.Lang) string { return l.Info().HTMLTag() }

// Dir is the value for a dir attribute: ltr or rtl.
func Dir(l domain.Lang) string { return l.Info().Dir() }

// Autonym is a language's name in itself, for the language switcher.
func Autonym(l domain.Lang) string { return l.Info().Autonym }

// CSS is the stylesheet rules that set each catalogue language's text
// (fonts, line height, line breaking) wherever it appears: the page's
// language on <html>, and fallback text marked with its own lang.
func (c *Catalogs) CSS() string {
	var b strings.Builder
	for _, l := range c.langs {
		m := c.meta[l]
		fmt.Fprintf(&b, ":lang(%s){font-family:%s", l, m.Fonts)
		if m.LineHeight > 0 {
			fmt.Fprintf(&b, ";line-height:%s", strconv.FormatFloat(m.LineHeight, 'f', -1, 64))
		}
		for _, d := range [][2]string{{"word-break", m.WordBreak}, {"line-break", m.LineBreak}, {"overflow-wrap", m.OverflowWrap}} {
			if d[1] != "" {
				b.WriteString(";" + d[0] + ":" + d[1])
			}
		}
		b.WriteString("}")
	}
	return b.String()
}

// DirAttr is the dir attribute for an element marked with lang (a tag
// such as zh-Hans, or a code): "rtl" or "ltr" once any visitor language is
// right to left, so text of one direction inside a page of the other is
// laid out right; "" while every visitor language is left to right, where
// the attribute would change nothing.
func DirAttr(lang string) string {
	langs := domain.Languages()
	if !slices.ContainsFunc(langs, func(l domain.Lang) bool { return l.Info().RTL }) {
		return ""
	}
	for _, l := range langs {
		if info := l.Info(); string(l) == lang || strings.EqualFold(info.HTMLTag(), lang) {
			return info.Dir()
		}
	}
	return ""
}
