package domain

import (
	"regexp"
	"slices"
	"strings"
)

// The editorial rules of a site: what the console's editor, the CSV import
// and the content pack import all enforce, so a value one refuses cannot
// arrive through another (a pack once published "国家 9Z 级旅游景区").
const (
	MaxLineLen     = 500   // a one-line text
	MaxShortLen    = 4000  // a multi-line text such as the summary
	MaxBodyLen     = 60000 // the Markdown body
	MaxPrices      = 20
	MaxPriceFen    = 100000 * 100
	MaxPhotos      = 20
	MaxTranscript  = 60000
	MaxAudioSecond = 4 * 3600
)

// ALevels are the national A-level grades of a scenic area ("" for none).
var ALevels = []string{"", "1A", "2A", "3A", "4A", "5A"}

var yearMonthRe = regexp.MustCompile(`^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$`)

// ValidYearMonth reports whether s is YYYY-MM.
func ValidYearMonth(s string) bool { return yearMonthRe.MatchString(s) }

// MultilineTextFields are the site texts that may hold line breaks.
var MultilineTextFields = []string{"summary", "ticket_note", "reservation", "safety", "body"}

// TextFields pairs every site text with its field name.
func (s *Site) TextFields() []struct {
	Name string
	Text *Text
} {
	return []struct {
		Name string
		Text *Text
	}{
		{"name", &s.Name}, {"summary", &s.Summary}, {"hours", &s.Hours}, {"ticket_note", &s.TicketNote},
		{"reservation", &s.Reservation}, {"altitude_note", &s.AltitudeNote}, {"best_season", &s.BestSeason},
		{"address", &s.Address}, {"safety", &s.Safety}, {"body", &s.Body},
	}
}

// Problems returns every rule the site breaks: Validate's, then the
// editorial ones, each as a *ValidationError whose Field names the value
// ("a_level", "summary.en", "prices", "photo.2.alt.bo", "audio.zh"…). An
// empty result means the site may be saved.
func (s Site) Problems() []*ValidationError {
	var out []*ValidationError
	add := func(field, key string, args ...any) {
		out = append(out, &ValidationError{Field: field, Key: key, Args: args})
	}
	if err := s.Validate(); err != nil {
		if ve, ok := err.(*ValidationError); ok {
			out = append(out, ve)
		} else {
			add("", "error.rule.invalid")
		}
	}
	for _, tf := range s.TextFields() {
		limit := MaxLineLen
		multi := slices.Contains(MultilineTextFields, tf.Name)
		switch {
		case tf.Name == "body":
			limit = MaxBodyLen
		case multi:
			limit = MaxShortLen
		}
		for _, l := range Languages() {
			v := (*tf.Text)[l]
			if len(v) > limit {
				add(tf.Name+"."+string(l), "error.rule.too_long", limit)
			}
			if !multi && strings.ContainsAny(v, "\r\n") {
				add(tf.Name+"."+string(l), "error.rule.one_line")
			}
		}
	}
	if !slices.Contains(ALevels, s.ALevel) {
		add("a_level", "error.rule.a_level")
	}
	if s.ALevelSince != "" {
		switch {
		case !ValidYearMonth(s.ALevelSince):
			add("a_level_since", "error.rule.year_month")
		case s.ALevel == "":
			add("a_level_since", "error.rule.a_level_since_alone")
		}
	}
	if len(s.Prices) > MaxPrices {
		add("prices", "error.rule.too_many", MaxPrices)
	}
	for _, p := range s.Prices {
		if p.Fen > MaxPriceFen {
			add("prices", "error.rule.price_high")
		}
		for _, l := range Languages() {
			if len(p.Label[l]) > MaxLineLen || strings.ContainsAny(p.Label[l], "\r\n") {
				add("prices", "error.rule.one_line")
			}
		}
	}
	if len(s.Photos) > MaxPhotos {
		add("photos", "error.rule.too_many", MaxPhotos)
	}
	for _, p := range s.Photos {
		for _, l := range Languages() {
			if len(p.Alt[l]) > MaxLineLen || strings.ContainsAny(p.Alt[l], "\r\n") {
				add("photos", "error.rule.one_line")
			}
		}
	}
	for _, l := range Languages() {
		if a, ok := s.Audio[l]; ok {
			if len(a.Transcript) > MaxTranscript || a.Seconds > MaxAudioSecond {
				add("audio."+string(l), "error.audio")
			}
		}
	}
	return out
}
