package web

import "time"

// China writes t in China time with the zone shown (see chinaTime).
func (v *view) China(t time.Time) string { return chinaTime(t).String() }

// N translates a message about n things, as plain singular and plural
// keys: key+".one" when n is 1 and the catalogue has it, else key (the
// plural). n is the message's first argument. Chinese and Tibetan do not
// inflect, so their ".one" entries repeat the plural; English needs them
// ("1 site", "2 sites").
func (v *view) N(key string, n int, args ...any) string {
	args = append([]any{n}, args...)
	if n == 1 && v.cat.Has(v.Lang, key+".one") {
		return v.cat.T(v.Lang, key+".one", args...)
	}
	return v.cat.T(v.Lang, key, args...)
}
