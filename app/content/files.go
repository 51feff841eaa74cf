package content

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/yimayou/yimayou/app/domain"
)

// The structs below are the files' schema. Their field order is the order
// of keys in a written file; omitempty keeps unknown values out of it.

// textYAML is a text with one key per visitor language (zh, en, bo, or
// whatever the region offers). It is written in the languages' order, and
// a key that is not a visitor language is an error on load, with its line.
type textYAML map[domain.Lang]string

func textToYAML(t domain.Text) textYAML {
	var y textYAML
	for l, s := range t {
		if s == "" {
			continue
		}
		if y == nil {
			y = textYAML{}
		}
		y[l] = s
	}
	return y
}

func (y textYAML) text() domain.Text {
	return cleanText(domain.Text(y), cleanLine)
}

// MarshalYAML writes the visitor languages in their order, then any other
// language the text still has (a language the region stopped offering
// keeps its text), in code order.
func (y textYAML) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	add := func(l domain.Lang) {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: string(l)},
			&yaml.Node{Kind: yaml.ScalarNode, Value: y[l]})
	}
	langs := domain.Languages()
	for _, l := range langs {
		if y[l] != "" {
			add(l)
		}
	}
	var rest []domain.Lang
	for l, s := range y {
		if s != "" && !slices.Contains(langs, l) {
			rest = append(rest, l)
		}
	}
	slices.Sort(rest)
	for _, l := range rest {
		add(l)
	}
	return n, nil
}

// UnmarshalYAML reads a mapping of language to string; every key must be
// a visitor language.
func (y *textYAML) UnmarshalYAML(n *yaml.Node) error {
	var raw map[string]string
	if err := n.Decode(&raw); err != nil {
		return err
	}
	var bad []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !domain.Lang(k.Value).Valid() {
			bad = append(bad, fmt.Sprintf("line %d: unknown language %q (the visitor languages are %s)",
				k.Line, k.Value, joinLangs(domain.Languages())))
		}
	}
	if bad != nil {
		return &yaml.TypeError{Errors: bad}
	}
	*y = nil
	for k, v := range raw {
		if *y == nil {
			*y = textYAML{}
		}
		(*y)[domain.Lang(k)] = v
	}
	return nil
}

func joinLangs(langs []domain.Lang) string {
	s := make([]string, len(langs))
	for i, l := range langs {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

type countyYAML struct {
	Code   string   `yaml:"code"`
	Pinyin string   `yaml:"pinyin,omitempty"`
	Name   textYAML `yaml:"name,omitempty"`
	Phone  string   `yaml:"phone,omitempty"`
}

type siteYAMLDoc struct {
	County      string      `yaml:"county"`
	AltitudeMin int         `yaml:"altitude_min,omitempty"`
	AltitudeMax int         `yaml:"altitude_max,omitempty"`
	ALevel      string      `yaml:"a_level,omitempty"`
	ALevelSince string      `yaml:"a_level_since,omitempty"`
	Location    *latLonYAML `yaml:"location,omitempty"`
	Prices      []priceYAML `yaml:"prices,omitempty"`
	Photos      []photoYAML `yaml:"photos,omitempty"`
	// Published and Enabled are always written: an absent one reads as
	// false, and a hidden default would surprise an editor.
	Published bool       `yaml:"published"`
	Signs     []signYAML `yaml:"signs,omitempty"`
}

type latLonYAML struct {
	Lat float64 `yaml:"lat"`
	Lon float64 `yaml:"lon"`
}

type priceYAML struct {
	Fen   int64    `yaml:"fen"`
	Label textYAML `yaml:"label,omitempty"`
}

type photoYAML struct {
	Src    string          `yaml:"src"`
	Width  int             `yaml:"w,omitempty"`
	Height int             `yaml:"h,omitempty"`
	Alt    textYAML        `yaml:"alt,omitempty"`
	Sizes  []photoSizeYAML `yaml:"sizes,omitempty"`
}

type photoSizeYAML struct {
	Src   string `yaml:"src"`
	Width int    `yaml:"w"`
}

// audioYAML is a language's audio guide, in that language's front matter.
type audioYAML struct {
	Src        string `yaml:"src"`
	Type       string `yaml:"type"`
	Seconds    int    `yaml:"seconds,omitempty"`
	Transcript string `yaml:"transcript,omitempty"`
}

type signYAML struct {
	Code      string `yaml:"code"`
	Label     string `yaml:"label,omitempty"`
	Campaign  string `yaml:"campaign,omitempty"`
	Installed string `yaml:"installed,omitempty"`
	Enabled   bool   `yaml:"enabled"`
}

// langYAML is the front matter of sites/<key>/<lang>.md; the body follows it.
type langYAML struct {
	Name         string     `yaml:"name,omitempty"`
	Summary      string     `yaml:"summary,omitempty"`
	Hours        string     `yaml:"hours,omitempty"`
	BestSeason   string     `yaml:"best_season,omitempty"`
	Safety       string     `yaml:"safety,omitempty"`
	Address      string     `yaml:"address,omitempty"`
	Reservation  string     `yaml:"reservation,omitempty"`
	TicketNote   string     `yaml:"ticket_note,omitempty"`
	AltitudeNote string     `yaml:"altitude_note,omitempty"`
	Audio        *audioYAML `yaml:"audio,omitempty"`
}

// langFields pairs each front-matter field with the site's text, so
// reading and writing walk one list and cannot drift apart.
func langFields(y *langYAML, s *domain.Site) []struct {
	field *string
	text  *domain.Text
} {
	return []struct {
		field *string
		text  *domain.Text
	}{
		{&y.Name, &s.Name}, {&y.Summary, &s.Summary}, {&y.Hours, &s.Hours},
		{&y.BestSeason, &s.BestSeason}, {&y.Safety, &s.Safety}, {&y.Address, &s.Address},
		{&y.Reservation, &s.Reservation}, {&y.TicketNote, &s.TicketNote},
		{&y.AltitudeNote, &s.AltitudeNote},
	}
}

func siteToYAML(s domain.Site, signs []domain.Sign) siteYAMLDoc {
	d := siteYAMLDoc{
		County: s.County, AltitudeMin: s.AltitudeMin, AltitudeMax: s.AltitudeMax,
		ALevel: s.ALevel, ALevelSince: s.ALevelSince, Published: s.Published,
	}
	if s.Location != nil {
		d.Location = &latLonYAML{Lat: s.Location.Lat, Lon: s.Location.Lon}
	}
	for _, p := range s.Prices {
		d.Prices = append(d.Prices, priceYAML{Fen: p.Fen, Label: textToYAML(p.Label)})
	}
	for _, p := range s.Photos {
		py := photoYAML{Src: p.Src, Width: p.Width, Height: p.Height, Alt: textToYAML(p.Alt)}
		for _, z := range p.Sizes {
			py.Sizes = append(py.Sizes, photoSizeYAML{Src: z.Src, Width: z.Width})
		}
		d.Photos = append(d.Photos, py)
	}
	for _, g := range signs {
		d.Signs = append(d.Signs, signYAML{
			Code: g.Code, Label: g.Label, Campaign: g.Campaign, Installed: g.Installed, Enabled: g.Enabled,
		})
	}
	return d
}

// site builds the language-neutral part of a site; the texts come from the
// language files.
func (d siteYAMLDoc) site(key string) domain.Site {
	s := domain.Site{
		Key: key, County: d.County, AltitudeMin: d.AltitudeMin, AltitudeMax: d.AltitudeMax,
		ALevel: d.ALevel, ALevelSince: d.ALevelSince, Published: d.Published,
	}
	if d.Location != nil {
		s.Location = &domain.LatLon{Lat: d.Location.Lat, Lon: d.Location.Lon}
	}
	for _, p := range d.Prices {
		s.Prices = append(s.Prices, domain.Price{Fen: p.Fen, Label: p.Label.text()})
	}
	for _, p := range d.Photos {
		ph := domain.Photo{Src: p.Src, Width: p.Width, Height: p.Height, Alt: p.Alt.text()}
		for _, z := range p.Sizes {
			ph.Sizes = append(ph.Sizes, domain.PhotoSize{Src: z.Src, Width: z.Width})
		}
		s.Photos = append(s.Photos, ph)
	}
	return s
}

func (d siteYAMLDoc) signs(key string) []domain.Sign {
	var out []domain.Sign
	for _, g := range d.Signs {
		out = append(out, domain.Sign{
			Code: g.Code, Site: key, County: d.County, Label: g.Label,
			Campaign: g.Campaign, Installed: g.Installed, Enabled: g.Enabled,
		})
	}
	return out
}
