package domain

// Lang is one of the content languages.
type Lang string

const (
	Zh Lang = "zh"
	En Lang = "en"
	Bo Lang = "bo"
)

// Langs lists the supported languages in display order.
var Langs = []Lang{Zh, En, Bo}

// Valid reports whether l is a supported language.
func (l Lang) Valid() bool { return l == Zh || l == En || l == Bo }

// Fallback is the order in which a missing field is looked up: the wanted
// language first, then bo → zh → en (DESIGN.md).
func (l Lang) Fallback() []Lang {
	switch l {
	case Bo:
		return []Lang{Bo, Zh, En}
	case En:
		return []Lang{En, Zh, Bo}
	default:
		return []Lang{Zh, En, Bo}
	}
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

// Missing lists the languages that have no text.
func (t Text) Missing() []Lang {
	var out []Lang
	for _, l := range Langs {
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
