package content

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
)

// Pack is the whole content of a region: what a pack directory holds and
// what Import writes to the database.
type Pack struct {
	Counties []domain.County
	Sites    []domain.Site
	Signs    []domain.Sign
	// Media are the photo and audio files the sites use, by file name
	// (see media.go); nil when the pack carries none.
	Media map[string]MediaFile
	// Tickets are sites' ticket settings (tickets.go).
	Tickets []domain.TicketSettings
	// Region is region.yaml (region.go); nil when the pack has none.
	Region *domain.Region
}

// Error is a problem found in one file of a pack. Load and Validate return
// them joined with errors.Join, so an editor sees every problem at once.
type Error struct {
	File string // slash-separated path inside the pack
	Line int    // 1-based; 0 when unknown
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Err.Error()
	}
	return e.File + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// File names inside a pack.
const (
	countiesFile = "counties.yaml"
	sitesDir     = "sites"
	siteFile     = "site.yaml"
)

func siteDir(key string) string                 { return path.Join(sitesDir, key) }
func siteYAML(key string) string                { return path.Join(sitesDir, key, siteFile) }
func langFile(key string, l domain.Lang) string { return path.Join(sitesDir, key, string(l)+".md") }

// Normalize returns a copy of p in the form Load returns: text trimmed
// (and the body stripped of trailing spaces on every line), empty texts,
// slices and maps nil, database timestamps zero, counties sorted by code,
// sites by key and signs by site then code. Load(Write(p)) deep-equals
// p.Normalize() for every p that Validate accepts.
func (p Pack) Normalize() Pack {
	out := p.normalizeValues()
	out.sort()
	return out
}

// normalizeValues is Normalize without the sorting, so Load can still
// match values to the lines it found them on.
func (p Pack) normalizeValues() Pack {
	var out Pack
	for _, c := range p.Counties {
		out.Counties = append(out.Counties, normalizeCounty(c))
	}
	for _, s := range p.Sites {
		out.Sites = append(out.Sites, normalizeSite(s))
	}
	for _, s := range p.Signs {
		out.Signs = append(out.Signs, normalizeSign(s))
	}
	if len(p.Media) > 0 {
		out.Media = make(map[string]MediaFile, len(p.Media))
		for n, m := range p.Media {
			out.Media[n] = m
		}
	}
	out.Tickets = normalizeTickets(p.Tickets)
	out.Region = normalizeRegion(p.Region)
	return out
}

func (p *Pack) sort() {
	slices.SortStableFunc(p.Counties, func(a, b domain.County) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortStableFunc(p.Sites, func(a, b domain.Site) int { return cmp.Compare(a.Key, b.Key) })
	slices.SortStableFunc(p.Signs, func(a, b domain.Sign) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Code, b.Code))
	})
}

func normalizeCounty(c domain.County) domain.County {
	return domain.County{
		Code:   strings.TrimSpace(c.Code),
		Pinyin: cleanLine(c.Pinyin),
		Name:   cleanText(c.Name, cleanLine),
		Phone:  cleanLine(c.Phone),
	}
}

func normalizeSite(s domain.Site) domain.Site {
	out := domain.Site{
		Key:          strings.TrimSpace(s.Key),
		County:       strings.TrimSpace(s.County),
		Name:         cleanText(s.Name, cleanLine),
		Summary:      cleanText(s.Summary, cleanLine),
		Body:         cleanText(s.Body, cleanBody),
		Hours:        cleanText(s.Hours, cleanLine),
		BestSeason:   cleanText(s.BestSeason, cleanLine),
		Safety:       cleanText(s.Safety, cleanLine),
		Address:      cleanText(s.Address, cleanLine),
		Reservation:  cleanText(s.Reservation, cleanLine),
		TicketNote:   cleanText(s.TicketNote, cleanLine),
		AltitudeMin:  s.AltitudeMin,
		AltitudeMax:  s.AltitudeMax,
		AltitudeNote: cleanText(s.AltitudeNote, cleanLine),
		ALevel:       cleanLine(s.ALevel),
		ALevelSince:  cleanLine(s.ALevelSince),
		Published:    s.Published,
	}
	if s.Location != nil {
		loc := *s.Location
		out.Location = &loc
	}
	for _, pr := range s.Prices {
		out.Prices = append(out.Prices, domain.Price{Label: cleanText(pr.Label, cleanLine), Fen: pr.Fen})
	}
	for _, ph := range s.Photos {
		p := domain.Photo{
			Src: strings.TrimSpace(ph.Src), Alt: cleanText(ph.Alt, cleanLine), Width: ph.Width, Height: ph.Height,
		}
		for _, z := range ph.Sizes {
			p.Sizes = append(p.Sizes, domain.PhotoSize{Src: strings.TrimSpace(z.Src), Width: z.Width})
		}
		out.Photos = append(out.Photos, p)
	}
	for l, a := range s.Audio {
		if out.Audio == nil {
			out.Audio = map[domain.Lang]domain.AudioGuide{}
		}
		out.Audio[l] = domain.AudioGuide{Src: strings.TrimSpace(a.Src), Type: strings.TrimSpace(a.Type),
			Seconds: a.Seconds, Transcript: cleanBody(a.Transcript)}
	}
	return out
}

func normalizeSign(s domain.Sign) domain.Sign {
	return domain.Sign{
		Code:      strings.TrimSpace(s.Code),
		Site:      strings.TrimSpace(s.Site),
		County:    strings.TrimSpace(s.County),
		Label:     cleanLine(s.Label),
		Campaign:  cleanLine(s.Campaign),
		Installed: strings.TrimSpace(s.Installed),
		Enabled:   s.Enabled,
	}
}

// cleanText applies clean to every entry and drops empty ones, so "not
// translated" has one representation: no entry, and no map when nothing is
// translated.
func cleanText(t domain.Text, clean func(string) string) domain.Text {
	var out domain.Text
	for l, s := range t {
		if s = clean(s); s == "" {
			continue
		}
		if out == nil {
			out = make(domain.Text, len(t))
		}
		out[l] = s
	}
	return out
}

// cleanLines makes line ends LF and removes trailing spaces, which a YAML
// or Markdown file could not keep without quoting.
func cleanLines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Join(lines, "\n")
}

func cleanLine(s string) string { return strings.TrimSpace(cleanLines(s)) }

// cleanBody keeps leading spaces of the first line: in Markdown they make
// an indented code block.
func cleanBody(s string) string { return strings.Trim(cleanLines(s), "\n") }

// Validate checks p as Write and Import need it: every value valid by the
// domain's rules, no duplicate codes or keys, every site in a county of the
// pack, every sign on a site of the pack and in that site's county, and
// every text in a known language. Errors name the file the value lives in.
func (p Pack) Validate() error { return p.validate(nil) }

// origin tells where Load found the values, so errors can give lines.
// A nil origin gives files without lines.
type origin struct {
	// countiesBroken: counties.yaml did not load, so sites are not told
	// their county is missing from it.
	countiesBroken bool
	countyLines    []int            // parallel to Pack.Counties
	siteLines      []map[string]int // parallel to Pack.Sites: site.yaml key → line
	signLines      []int            // parallel to Pack.Signs
}

func (o *origin) countiesFailed() bool { return o != nil && o.countiesBroken }

func (o *origin) countyLine(i int) int {
	if o == nil || i >= len(o.countyLines) {
		return 0
	}
	return o.countyLines[i]
}

func (o *origin) siteLine(i int, key string) int {
	if o == nil || i >= len(o.siteLines) {
		return 0
	}
	return o.siteLines[i][key]
}

func (o *origin) signLine(i int) int {
	if o == nil || i >= len(o.signLines) {
		return 0
	}
	return o.signLines[i]
}

func (p Pack) validate(o *origin) error {
	var errs []error
	add := func(file string, line int, err error) {
		errs = append(errs, &Error{File: file, Line: line, Err: err})
	}

	counties := make(map[string]int, len(p.Counties))
	for i, c := range p.Counties {
		line := o.countyLine(i)
		if j, dup := counties[c.Code]; dup {
			add(countiesFile, line, fmt.Errorf("county %s is listed twice%s", c.Code, atLine(o.countyLine(j))))
			continue
		}
		// Registered even when invalid, so its sites are not also told
		// that their county is missing.
		counties[c.Code] = i
		if err := c.Validate(); err != nil {
			add(countiesFile, line, fmt.Errorf("county %q: %w", c.Code, err))
			continue
		}
		if err := checkText(c.Name); err != nil {
			add(countiesFile, line, fmt.Errorf("county %s: name: %w", c.Code, err))
		}
	}

	siteCounty := make(map[string]string, len(p.Sites))
	for i, s := range p.Sites {
		if !domain.ValidSiteKey(s.Key) {
			add(siteDir(s.Key), 0, fmt.Errorf("invalid site key %q: use lowercase letters, digits and single dashes, at most 64 bytes", s.Key))
			continue
		}
		// Every rule the console's editor enforces, every problem at once.
		for _, pr := range s.Problems() {
			file, line := siteErrorPlace(s.Key, pr, func(k string) int { return o.siteLine(i, k) })
			add(file, line, pr)
		}
		if _, dup := siteCounty[s.Key]; dup {
			add(siteYAML(s.Key), 0, fmt.Errorf("site %s is listed twice", s.Key))
			continue
		}
		siteCounty[s.Key] = s.County
		if _, ok := counties[s.County]; !ok && domain.ValidCountyCode(s.County) && !o.countiesFailed() {
			add(siteYAML(s.Key), o.siteLine(i, "county"), fmt.Errorf("county %s is not in %s", s.County, countiesFile))
		}
		for _, t := range siteTexts(s) {
			if err := checkText(t.text); err != nil {
				add(siteYAML(s.Key), o.siteLine(i, t.key), fmt.Errorf("%s: %w", t.key, err))
			}
		}
		for _, ph := range s.Photos {
			if ph.Src == "" || ph.Width < 0 || ph.Height < 0 {
				add(siteYAML(s.Key), o.siteLine(i, "photos"), errors.New("photos: every photo needs a src, and w and h may not be negative"))
				break
			}
		}
	}

	signs := make(map[string]int, len(p.Signs))
	for i, g := range p.Signs {
		file, line := siteYAML(g.Site), o.signLine(i)
		county, siteKnown := siteCounty[g.Site]
		if !siteKnown {
			file = siteDir(g.Site)
		}
		if err := g.Validate(); err != nil {
			add(file, line, fmt.Errorf("sign %q: %w", g.Code, err))
			continue
		}
		switch {
		case !siteKnown:
			add(file, line, fmt.Errorf("sign %s: site %s is not in the pack", g.Code, g.Site))
		case g.County != county:
			add(file, line, fmt.Errorf("sign %s: county %s is not its site's county %s", g.Code, g.County, county))
		}
		if j, dup := signs[g.Code]; dup {
			other := p.Signs[j]
			add(file, line, fmt.Errorf("sign code %s is also used in %s%s", g.Code, siteYAML(other.Site), atLine(o.signLine(j))))
			continue
		}
		signs[g.Code] = i
	}
	errs = append(errs, p.checkMedia()...)
	errs = append(errs, validateTickets(p)...)
	errs = append(errs, validateRegion(p)...)
	return errors.Join(errs...)
}

func atLine(line int) string {
	if line == 0 {
		return ""
	}
	return " at line " + strconv.Itoa(line)
}

// siteErrorPlace finds the file, and the line if known, of a field that
// domain.Site.Validate rejected.
func siteErrorPlace(key string, err error, line func(yamlKey string) int) (string, int) {
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		return siteYAML(key), 0
	}
	field, lang, hasLang := strings.Cut(ve.Field, ".")
	if hasLang && domain.Lang(lang).Valid() && field != "audio" && field != "prices" && field != "photos" {
		return langFile(key, domain.Lang(lang)), 0
	}
	if field == "audio" && hasLang {
		return langFile(key, domain.Lang(lang)), 0
	}
	yamlKey := map[string]string{"altitude": "altitude_min"}[ve.Field]
	if yamlKey == "" {
		yamlKey = ve.Field
	}
	return siteYAML(key), line(yamlKey)
}

type namedText struct {
	key  string
	text domain.Text
}

// siteTexts lists a site's texts with the YAML key that holds them.
func siteTexts(s domain.Site) []namedText {
	out := []namedText{
		{"name", s.Name}, {"summary", s.Summary}, {"body", s.Body}, {"hours", s.Hours},
		{"best_season", s.BestSeason}, {"safety", s.Safety}, {"address", s.Address},
		{"reservation", s.Reservation}, {"ticket_note", s.TicketNote}, {"altitude_note", s.AltitudeNote},
	}
	for _, pr := range s.Prices {
		out = append(out, namedText{"prices", pr.Label})
	}
	for _, ph := range s.Photos {
		out = append(out, namedText{"photos", ph.Alt})
	}
	return out
}

// checkText rejects languages the pack format has no place for, which
// Write would otherwise drop without a word.
func checkText(t domain.Text) error {
	for l := range t {
		if !l.Valid() {
			return fmt.Errorf("unknown language %q (the visitor languages are %s)", l, joinLangs(domain.Languages()))
		}
	}
	return nil
}
