package domain

import (
	"fmt"
	"slices"
	"sync/atomic"
)

// Lang is a visitor language code (zh, en, bo, ug…): the name of its
// catalogue files and of its content fields.
type Lang string

// The three languages of the first region. They are the default visitor
// languages; Zh is also the content's required language (every site has
// at least its Chinese name).
const (
	Zh Lang = "zh"
	En Lang = "en"
	Bo Lang = "bo"
)

// Language is what pages need to know about a visitor language. The
// catalogue metadata (app/i18n/locales/languages.json) says it; nothing
// about a language is written in Go.
type Language struct {
	Code Lang
	// Tag is the BCP 47 tag for lang attributes (zh-Hans); empty means Code.
	Tag string
	// Autonym is the language's name in itself, for the language switcher.
	Autonym string
	// RTL is true for a right-to-left script (Uyghur).
	RTL bool
	// Prefer lists languages to try right after this one when a text is
	// missing, before the rest of the visitor languages in their order.
	Prefer []Lang
}

// HTMLTag is the value for a lang attribute.
func (l Language) HTMLTag() string {
	if l.Tag != "" {
		return l.Tag
	}
	return string(l.Code)
}

// Dir is the value for a dir attribute: "rtl" or "ltr".
func (l Language) Dir() string {
	if l.RTL {
		return "rtl"
	}
	return "ltr"
}

// languageSet is the visitor languages of this install, in order of
// fallback, with each language's fallback chain worked out once.
type languageSet struct {
	list     []Lang
	info     map[Lang]Language
	fallback map[Lang][]Lang
}

// defaultLanguages is what holds until SetLanguages is called, and what
// tests that never call it see: the first region's three languages.
var defaultLanguages = []Language{
	{Code: Zh, Tag: "zh-Hans", Autonym: "中文"},
	{Code: En, Autonym: "English"},
	{Code: Bo, Autonym: "བོད་ཡིག"},
}

// languages is set once at start-up (SetLanguages, called by i18n when the
// region's choice is applied) and read by every request: an atomic
// pointer, so a console change of the region's languages never races a
// page being rendered.
var languages atomic.Pointer[languageSet]

func init() {
	if err := SetLanguages(defaultLanguages); err != nil {
		panic(err)
	}
}

// SetLanguages makes langs the visitor languages, in order of fallback.
// Zh must be among them: it is the content's required language. Callers
// go through i18n (Catalogs.Offer), which checks each has a catalogue.
func SetLanguages(langs []Language) error {
	set := &languageSet{info: map[Lang]Language{}, fallback: map[Lang][]Lang{}}
	for _, l := range langs {
		if !langCodeRe.MatchString(string(l.Code)) {
			return fmt.Errorf("domain: language %q: not a language code", l.Code)
		}
		if _, dup := set.info[l.Code]; dup {
			return fmt.Errorf("domain: language %q is listed twice", l.Code)
		}
		set.list = append(set.list, l.Code)
		set.info[l.Code] = l
	}
	if !slices.Contains(set.list, Zh) {
		return fmt.Errorf("domain: the visitor languages %v must include zh, the content's required language", set.list)
	}
	for _, l := range langs {
		chain := []Lang{l.Code}
		for _, p := range append(slices.Clone(l.Prefer), set.list...) {
			if _, ok := set.info[p]; ok && !slices.Contains(chain, p) {
				chain = append(chain, p)
			}
		}
		set.fallback[l.Code] = chain
	}
	languages.Store(set)
	return nil
}

// ResetLanguages restores the default zh, en, bo (for tests that offered
// another set).
func ResetLanguages() {
	if err := SetLanguages(defaultLanguages); err != nil {
		panic(err)
	}
}

// Languages lists the visitor languages in order of fallback (the
// language switcher's order). The first is the default. The slice is
// shared: read it, never write into it.
func Languages() []Lang { return slices.Clip(languages.Load().list) }

// DefaultLang is the language of a visitor nothing is known about.
func DefaultLang() Lang { return languages.Load().list[0] }

// Valid reports whether l is one of the visitor languages.
func (l Lang) Valid() bool {
	_, ok := languages.Load().info[l]
	return ok
}

// Info returns what is known about l; a language that is not offered gets
// its code as tag and autonym, left to right.
func (l Lang) Info() Language {
	if info, ok := languages.Load().info[l]; ok {
		return info
	}
	return Language{Code: l, Autonym: string(l)}
}

// Fallback is the order in which a missing field is looked up: the wanted
// language first, then its preferred ones, then the visitor languages in
// order (zh, en, bo by default: bo → zh → en, DESIGN.md). A language that
// is not offered gets the visitor languages in order. The slice is shared
// (every page asks): read it, never write into it.
func (l Lang) Fallback() []Lang {
	set := languages.Load()
	if chain, ok := set.fallback[l]; ok {
		return slices.Clip(chain)
	}
	return slices.Clip(set.list)
}

// Text is a string per language. An empty or missing entry means "not
// translated yet".
type Text map[Lang]string

// Get returns the text in lang, falling back along lang.Fallback(). The
// second result is the language actually used ("" when no language has it),
// so a page can mark fallback text with the right lang attribute.
func (t Text) Get(lang Lang) (string, Lang) {
	for _, l := range lang.Fallback() {
		if s := t[l]; s != "" {
			return s, l
		}
	}
	return "", ""
}

// String returns the text in lang with fallback, without the language used.
func (t Text) String(lang Lang) string {
	s, _ := t.Get(lang)
	return s
}

// Missing lists the visitor languages that have no text.
func (t Text) Missing() []Lang {
	var out []Lang
	for _, l := range languages.Load().list {
		if t[l] == "" {
			out = append(out, l)
		}
	}
	return out
}

// Clone returns a copy that does not share the map.
func (t Text) Clone() Text {
	if t == nil {
		return nil
	}
	c := make(Text, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}
