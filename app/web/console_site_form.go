package web

import (
	"cmp"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// textField is one per-language text of a site as the editor shows it.
type textField struct {
	Name      string // form and audit name: "summary"
	LabelKey  string
	HintKey   string
	Multiline bool
	Long      bool // the Markdown body: a tall box
	get       func(*domain.Site) *domain.Text
}

// siteTextFields lists every Text of domain.Site, in the order of the
// public page, so the editor reads top to bottom like what tourists see.
func siteTextFields() []textField {
	return []textField{
		{Name: "name", LabelKey: "console.field.name", get: func(s *domain.Site) *domain.Text { return &s.Name }},
		{Name: "summary", LabelKey: "console.field.summary", HintKey: "console.hint.summary", Multiline: true, get: func(s *domain.Site) *domain.Text { return &s.Summary }},
		{Name: "hours", LabelKey: "console.field.hours", HintKey: "console.hint.hours", get: func(s *domain.Site) *domain.Text { return &s.Hours }},
		{Name: "ticket_note", LabelKey: "console.field.ticket_note", Multiline: true, get: func(s *domain.Site) *domain.Text { return &s.TicketNote }},
		{Name: "reservation", LabelKey: "console.field.reservation", Multiline: true, get: func(s *domain.Site) *domain.Text { return &s.Reservation }},
		{Name: "altitude_note", LabelKey: "console.field.altitude_note", get: func(s *domain.Site) *domain.Text { return &s.AltitudeNote }},
		{Name: "best_season", LabelKey: "console.field.best_season", get: func(s *domain.Site) *domain.Text { return &s.BestSeason }},
		{Name: "address", LabelKey: "console.field.address", get: func(s *domain.Site) *domain.Text { return &s.Address }},
		{Name: "safety", LabelKey: "console.field.safety", HintKey: "console.hint.safety", Multiline: true, get: func(s *domain.Site) *domain.Text { return &s.Safety }},
		{Name: "body", LabelKey: "console.field.body", HintKey: "console.hint.body", Multiline: true, Long: true, get: func(s *domain.Site) *domain.Text { return &s.Body }},
	}
}

// Limits on what an editor may type; generous for real content, small
// enough that a pasted novel is caught with a clear message.
const (
	maxLineLen  = 500
	maxShortLen = 4000
	maxBodyLen  = 60000
	maxPrices   = 20
	maxYuan     = 100000
	emptyPrices = 2 // blank price rows offered for new prices (no JavaScript needed)
)

// siteForm is the editor's input as typed: strings, so a bad value comes
// back to the editor unchanged next to its error.
type siteForm struct {
	Key, County string
	Texts       map[string]map[domain.Lang]string
	Prices      []priceRow
	AltMin      string
	AltMax      string
	ALevel      string
	ALevelSince string
	Lat, Lon    string
	Photos      []photoRow
	Errors      map[string]string // input name → translation key
}

type priceRow struct {
	Label map[domain.Lang]string
	Yuan  string
}

type photoRow struct {
	Photo  domain.Photo
	Alt    map[domain.Lang]string
	Remove bool
}

func (f *siteForm) fail(field, key string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = key
	}
}

// formFromSite fills the form with a site's values.
func formFromSite(site domain.Site) *siteForm {
	f := &siteForm{Key: site.Key, County: site.County, Texts: map[string]map[domain.Lang]string{},
		ALevel: site.ALevel, ALevelSince: site.ALevelSince}
	for _, tf := range siteTextFields() {
		m := map[domain.Lang]string{}
		for l, v := range *tf.get(&site) {
			m[l] = v
		}
		f.Texts[tf.Name] = m
	}
	for _, p := range site.Prices {
		row := priceRow{Label: map[domain.Lang]string{}, Yuan: yuan(p.Fen)}
		for l, v := range p.Label {
			row.Label[l] = v
		}
		f.Prices = append(f.Prices, row)
	}
	if site.AltitudeMin > 0 {
		f.AltMin = strconv.Itoa(site.AltitudeMin)
	}
	if site.AltitudeMax > 0 && site.AltitudeMax != site.AltitudeMin {
		f.AltMax = strconv.Itoa(site.AltitudeMax)
	}
	if site.Location != nil {
		f.Lat = strconv.FormatFloat(site.Location.Lat, 'f', -1, 64)
		f.Lon = strconv.FormatFloat(site.Location.Lon, 'f', -1, 64)
	}
	for _, p := range site.Photos {
		row := photoRow{Photo: p, Alt: map[domain.Lang]string{}}
		for l, v := range p.Alt {
			row.Alt[l] = v
		}
		f.Photos = append(f.Photos, row)
	}
	return f
}

// formValue copies a form value out of fiber's reused buffer.
func formValue(c *fiber.Ctx, name string) string {
	return utils.CopyString(strings.TrimSpace(c.FormValue(name)))
}

// parseSiteForm reads the editor's POST. Photos come from base (the
// draft being edited): the form edits their alt text and may remove them,
// but cannot invent a file.
func parseSiteForm(c *fiber.Ctx, base domain.Site) *siteForm {
	f := &siteForm{Key: base.Key, County: base.County, Texts: map[string]map[domain.Lang]string{}}
	for _, tf := range siteTextFields() {
		m := map[domain.Lang]string{}
		for _, l := range domain.Languages() {
			v := formValue(c, tf.Name+"."+string(l))
			if tf.Long {
				// Keep the body's own line structure; normalise Windows line ends.
				v = strings.ReplaceAll(utils.CopyString(c.FormValue(tf.Name+"."+string(l))), "\r\n", "\n")
				v = strings.TrimRight(v, " \n\t")
			}
			if v != "" {
				m[l] = v
			}
		}
		f.Texts[tf.Name] = m
	}
	for i := 0; i < maxPrices+emptyPrices; i++ {
		p := "price." + strconv.Itoa(i) + "."
		row := priceRow{Label: map[domain.Lang]string{}, Yuan: formValue(c, p+"yuan")}
		for _, l := range domain.Languages() {
			if v := formValue(c, p+"label."+string(l)); v != "" {
				row.Label[l] = v
			}
		}
		if row.Yuan == "" && len(row.Label) == 0 {
			continue
		}
		f.Prices = append(f.Prices, row)
	}
	f.AltMin, f.AltMax = formValue(c, "altitude_min"), formValue(c, "altitude_max")
	f.ALevel, f.ALevelSince = formValue(c, "a_level"), formValue(c, "a_level_since")
	f.Lat, f.Lon = formValue(c, "lat"), formValue(c, "lon")
	for i, p := range base.Photos {
		row := photoRow{Photo: p, Alt: map[domain.Lang]string{}, Remove: c.FormValue("photo."+strconv.Itoa(i)+".remove") != ""}
		for _, l := range domain.Languages() {
			if v := formValue(c, "photo."+strconv.Itoa(i)+".alt."+string(l)); v != "" {
				row.Alt[l] = v
			}
		}
		f.Photos = append(f.Photos, row)
	}
	return f
}

var (
	yuanRe       = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,2})?$`)
	yearMonthRe  = regexp.MustCompile(`^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$`)
	aLevels      = []string{"", "1A", "2A", "3A", "4A", "5A"}
	yuanReplacer = strings.NewReplacer("¥", "", "￥", "", "元", "", ",", "", "，", "", "．", ".", " ", "")
)

// parseYuan reads a price typed in yuan ("90", "15.5", "¥15.50", "90元")
// into fen, exactly: no floating point between the editor and the till.
func parseYuan(s string) (int64, bool) {
	s = yuanReplacer.Replace(s)
	if !yuanRe.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || y > maxYuan {
		return 0, false
	}
	fen := y * 100
	switch len(frac) {
	case 1:
		d, _ := strconv.ParseInt(frac, 10, 64)
		fen += d * 10
	case 2:
		d, _ := strconv.ParseInt(frac, 10, 64)
		fen += d
	}
	return fen, true
}

// toSite validates the form and builds the site from it and base (for
// what the form does not edit). On any error it returns false and the
// form carries the errors by field.
func (f *siteForm) toSite(base domain.Site) (domain.Site, bool) {
	site := base
	for _, tf := range siteTextFields() {
		t := domain.Text{}
		for l, v := range f.Texts[tf.Name] {
			limit := maxLineLen
			switch {
			case tf.Long:
				limit = maxBodyLen
			case tf.Multiline:
				limit = maxShortLen
			}
			if len(v) > limit {
				f.fail(tf.Name+"."+string(l), "console.error.too_long")
			}
			if !tf.Multiline && strings.ContainsAny(v, "\r\n") {
				f.fail(tf.Name+"."+string(l), "console.error.one_line")
			}
			t[l] = v
		}
		if len(t) == 0 {
			t = nil
		}
		*tf.get(&site) = t
	}
	if site.Name[domain.Zh] == "" {
		f.fail("name.zh", "console.error.name_zh")
	}
	site.Prices = nil
	if len(f.Prices) > maxPrices {
		f.fail("prices", "console.error.too_many_prices")
	}
	for i, row := range f.Prices {
		fen, ok := parseYuan(row.Yuan)
		if !ok {
			f.fail("price."+strconv.Itoa(i)+".yuan", "console.error.price")
			continue
		}
		label := domain.Text{}
		for l, v := range row.Label {
			if len(v) > maxLineLen {
				f.fail("price."+strconv.Itoa(i)+".yuan", "console.error.too_long")
			}
			label[l] = v
		}
		if len(label) == 0 {
			label = nil
		}
		site.Prices = append(site.Prices, domain.Price{Label: label, Fen: fen})
	}
	site.AltitudeMin, site.AltitudeMax = 0, 0
	altMin, okMin := parseAltitude(f.AltMin)
	altMax, okMax := parseAltitude(f.AltMax)
	switch {
	case !okMin:
		f.fail("altitude_min", "console.error.altitude")
	case !okMax:
		f.fail("altitude_max", "console.error.altitude")
	case altMax == 0:
		site.AltitudeMin, site.AltitudeMax = altMin, altMin // one figure
	case altMin == 0:
		f.fail("altitude_min", "console.error.altitude_min_missing")
	case altMin > altMax:
		f.fail("altitude_max", "console.error.altitude_order")
	default:
		site.AltitudeMin, site.AltitudeMax = altMin, altMax
	}
	site.ALevel, site.ALevelSince = "", ""
	if !contains(aLevels, f.ALevel) {
		f.fail("a_level", "console.error.a_level")
	} else {
		site.ALevel = f.ALevel
	}
	if f.ALevelSince != "" {
		switch {
		case !yearMonthRe.MatchString(f.ALevelSince):
			f.fail("a_level_since", "console.error.year_month")
		case f.ALevel == "":
			f.fail("a_level_since", "console.error.a_level_since_alone")
		default:
			site.ALevelSince = f.ALevelSince
		}
	}
	site.Location = nil
	switch {
	case f.Lat == "" && f.Lon == "":
	case f.Lat == "" || f.Lon == "":
		f.fail("lat", "console.error.location_pair")
	default:
		lat, err1 := strconv.ParseFloat(f.Lat, 64)
		lon, err2 := strconv.ParseFloat(f.Lon, 64)
		switch {
		case err1 != nil || math.IsNaN(lat) || lat < -90 || lat > 90:
			f.fail("lat", "console.error.latitude")
		case err2 != nil || math.IsNaN(lon) || lon < -180 || lon > 180:
			f.fail("lon", "console.error.longitude")
		default:
			site.Location = &domain.LatLon{Lat: lat, Lon: lon}
		}
	}
	site.Photos = nil
	for i, row := range f.Photos {
		if row.Remove {
			continue
		}
		p := row.Photo
		p.Alt = domain.Text{}
		for l, v := range row.Alt {
			if len(v) > maxLineLen {
				f.fail("photo."+strconv.Itoa(i)+".alt."+string(l), "console.error.too_long")
			}
			p.Alt[l] = v
		}
		if len(p.Alt) == 0 {
			p.Alt = nil
		}
		site.Photos = append(site.Photos, p)
	}
	if len(f.Errors) > 0 {
		return domain.Site{}, false
	}
	// The domain's own rules last: they should never fire after the checks
	// above, but if they do the editor still gets a message, not a 500.
	// The same rules as the CSV and pack imports (domain.Site.Problems).
	if probs := site.Problems(); len(probs) > 0 {
		for _, p := range probs {
			key := p.Key
			if len(p.Args) > 0 { // the form's messages take no arguments
				key = "console.error.invalid"
			}
			f.fail(cmp.Or(p.Field, "form"), key)
		}
		f.fail("form", "console.error.invalid")
		return domain.Site{}, false
	}
	return site, true
}

// parseAltitude reads metres; "" is 0 (unknown). Thousands separators
// and a trailing "m" or "米" are tolerated, as editors type them.
func parseAltitude(s string) (int, bool) {
	s = strings.NewReplacer(",", "", "，", "", " ", "", "米", "", "m", "").Replace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 9000 {
		return 0, false
	}
	return n, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Template rows: the form laid out for html/template, which cannot index
// a map by domain.Lang with a string.

type langCell struct {
	Lang     domain.Lang
	HTMLLang string
	Input    string
	Value    string
	Error    string
}

type textRow struct {
	Name, LabelKey, HintKey string
	Multiline, Long         bool
	Cells                   []langCell
}

type priceView struct {
	Index  int
	Number int
	Cells  []langCell
	Yuan   string
	Errors string
}

type photoView struct {
	Index         int
	Src           string
	Width, Height int
	Sizes         int
	Cells         []langCell
	Remove        bool
}

func (f *siteForm) cells(prefix string, values map[domain.Lang]string) []langCell {
	out := make([]langCell, 0, len(domain.Languages()))
	for _, l := range domain.Languages() {
		in := prefix + string(l)
		out = append(out, langCell{Lang: l, HTMLLang: i18n.HTMLLang(l), Input: in, Value: values[l], Error: f.Errors[in]})
	}
	return out
}

func (f *siteForm) TextRows() []textRow {
	var out []textRow
	for _, tf := range siteTextFields() {
		out = append(out, textRow{Name: tf.Name, LabelKey: tf.LabelKey, HintKey: tf.HintKey, Multiline: tf.Multiline,
			Long: tf.Long, Cells: f.cells(tf.Name+".", f.Texts[tf.Name])})
	}
	return out
}

func (f *siteForm) PriceRows() []priceView {
	var out []priceView
	for i := 0; i < len(f.Prices)+emptyPrices && i < maxPrices+emptyPrices; i++ {
		row := priceRow{}
		if i < len(f.Prices) {
			row = f.Prices[i]
		}
		p := "price." + strconv.Itoa(i) + "."
		out = append(out, priceView{Index: i, Number: i + 1, Cells: f.cells(p+"label.", row.Label), Yuan: row.Yuan, Errors: f.Errors[p+"yuan"]})
	}
	return out
}

func (f *siteForm) PhotoRows() []photoView {
	var out []photoView
	for i, row := range f.Photos {
		out = append(out, photoView{Index: i, Src: row.Photo.Src, Width: row.Photo.Width, Height: row.Photo.Height,
			Sizes: len(row.Photo.Sizes), Remove: row.Remove, Cells: f.cells("photo."+strconv.Itoa(i)+".alt.", row.Alt)})
	}
	return out
}

// Err is the translation key of a field's error, for the template.
func (f *siteForm) Err(field string) string { return f.Errors[field] }

func (f *siteForm) ALevels() []string { return aLevels }
