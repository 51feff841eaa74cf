package domain

import (
	"regexp"
	"slices"
	"time"
)

// Site is one tourist site (景区) with its page content.
type Site struct {
	// Key is the site's stable slug, unique across the prefecture
	// ("hailuogou"); it appears in /s/{county}/{key}.
	Key    string
	County string

	Name    Text
	Summary Text
	// Body is Markdown, rendered with goldmark on the page.
	Body Text
	// Hours is free text per language ("08:30-17:00"); empty means unknown.
	Hours       Text
	BestSeason  Text
	Safety      Text
	Address     Text
	Reservation Text
	// TicketNote is shown under the price list (seasonal prices, validity).
	TicketNote Text

	// Prices in integer fen. An empty list means prices are unknown; a single
	// zero price means free entry.
	Prices []Price

	// Altitude in metres; 0 means unknown. AltitudeMax == AltitudeMin for a
	// single figure.
	AltitudeMin  int
	AltitudeMax  int
	AltitudeNote Text

	// ALevel is the national A-level rating ("5A"), empty if none.
	ALevel      string
	ALevelSince string // "2017-02"

	// Location is nil when the coordinates are unknown.
	Location *LatLon

	Photos []Photo
	// Audio is the audio guide per language.
	Audio map[Lang]AudioGuide

	Published bool
	UpdatedAt time.Time
}

// LatLon is a WGS-84 coordinate.
type LatLon struct {
	Lat float64
	Lon float64
}

// Price is one line of the ticket price list.
type Price struct {
	Label Text
	Fen   int64
}

// Photo is an image of the site, served from the media store. Src is the
// largest size; Sizes are smaller renditions for srcset, so a phone on 3G
// downloads the one it needs.
type Photo struct {
	Src    string
	Alt    Text
	Width  int
	Height int
	Sizes  []PhotoSize
}

// PhotoSize is one rendition of a photo.
type PhotoSize struct {
	Src   string
	Width int
}

// AudioGuide is a recorded guide in one language, with its transcript for
// those who cannot listen.
type AudioGuide struct {
	Src        string
	Type       string // audio/mpeg, audio/mp4, audio/ogg
	Seconds    int
	Transcript string
}

// AudioTypes are the audio formats a guide may have: what phone browsers
// play.
var AudioTypes = []string{"audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg"}

// AltitudeWarnAt is the height above which a page warns about altitude
// sickness; AltitudeStrongWarnAt is where the warning becomes stronger.
const (
	AltitudeWarnAt       = 3000
	AltitudeStrongWarnAt = 4000
)

// AltitudeLevel is 0 up to 3,000 m, 1 above 3,000 m and 2 above 4,000 m,
// judged on the highest point a visitor reaches.
func (s Site) AltitudeLevel() int {
	top := max(s.AltitudeMin, s.AltitudeMax)
	switch {
	case top > AltitudeStrongWarnAt:
		return 2
	case top > AltitudeWarnAt:
		return 1
	}
	return 0
}

var siteKeyRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSiteKey reports whether key is a lowercase slug of at most 64 bytes.
func ValidSiteKey(key string) bool { return len(key) <= 64 && siteKeyRe.MatchString(key) }

// Validate checks the site's own rules.
func (s Site) Validate() error {
	switch {
	case !ValidSiteKey(s.Key):
		return &ValidationError{Field: "key", Key: "error.site_key"}
	case !ValidCountyCode(s.County):
		return &ValidationError{Field: "county", Key: "error.county_code"}
	case s.Name[Zh] == "":
		return &ValidationError{Field: "name.zh", Key: "error.required"}
	case s.AltitudeMin < 0 || s.AltitudeMax < 0 || s.AltitudeMax > 9000 || s.AltitudeMin > 9000:
		return &ValidationError{Field: "altitude", Key: "error.altitude"}
	case s.AltitudeMin > s.AltitudeMax:
		// A single figure is stored as min == max; a lone minimum is a typo.
		return &ValidationError{Field: "altitude", Key: "error.altitude"}
	}
	if s.Location != nil {
		lat, lon := s.Location.Lat, s.Location.Lon
		// NaN fails every comparison, so test the valid range, not the invalid one.
		if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
			return &ValidationError{Field: "location", Key: "error.location"}
		}
	}
	for field, t := range map[string]Text{"name": s.Name, "summary": s.Summary, "body": s.Body, "hours": s.Hours,
		"best_season": s.BestSeason, "safety": s.Safety, "address": s.Address, "reservation": s.Reservation,
		"ticket_note": s.TicketNote, "altitude_note": s.AltitudeNote} {
		for l := range t {
			if !l.Valid() {
				return &ValidationError{Field: field, Key: "error.language"}
			}
		}
	}
	for _, p := range s.Prices {
		if p.Fen < 0 {
			return &ValidationError{Field: "prices", Key: "error.price"}
		}
	}
	for _, p := range s.Photos {
		if p.Src == "" || p.Width < 0 || p.Height < 0 {
			return &ValidationError{Field: "photos", Key: "error.photo"}
		}
		for _, z := range p.Sizes {
			if z.Src == "" || z.Width <= 0 {
				return &ValidationError{Field: "photos", Key: "error.photo"}
			}
		}
	}
	for l, a := range s.Audio {
		if !l.Valid() {
			return &ValidationError{Field: "audio", Key: "error.language"}
		}
		if a.Src == "" || a.Seconds < 0 || !slices.Contains(AudioTypes, a.Type) {
			return &ValidationError{Field: "audio", Key: "error.audio"}
		}
	}
	return nil
}
