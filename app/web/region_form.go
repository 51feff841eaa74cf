package web

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/qr"
)

// regionForm is the region page's POST, as typed: the page shows it back
// with errors next to the fields when it does not validate.
type regionForm struct {
	Code                       string
	Texts                      map[string]map[domain.Lang]string // name, short_name, bureau, address
	Phone, Complaint, TimeZone string
	Lat, Lon, Zoom             string
	Logo, Languages            string
	Rows                       []emergencyRow
	// Extra is how many empty emergency rows follow the filled ones.
	Extra int
	// Divisions are kept from the stored region: this page does not
	// edit the tree.
	Divisions []domain.Division

	errs map[string]fieldMsg
	// Msgs are the errors translated for the page, by field.
	Msgs map[string]string
}

type fieldMsg struct {
	key  string
	args []any
}

type emergencyRow struct {
	Number string
	Label  map[domain.Lang]string
}

// regionTextFields are the region's texts in every language, in form order.
var regionTextFields = []struct{ Name, LabelKey, HintKey string }{
	{"name", "region.field.name", ""},
	{"short_name", "region.field.short_name", "region.hint.short_name"},
	{"bureau", "region.field.bureau", ""},
	{"address", "region.field.address", ""},
}

const (
	maxEmergencyRows = 12
	maxPhoneLen      = 24
)

// A public phone number: digits with spaces, dashes and a leading +.
var phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 \-]*[0-9]$`)

func regionFormOf(r domain.Region) *regionForm {
	f := &regionForm{Code: r.Code, Phone: r.Phone, Complaint: r.Complaint, TimeZone: r.TimeZone, Logo: r.Logo,
		Texts: map[string]map[domain.Lang]string{}, Extra: 1, Divisions: r.Divisions}
	for name, t := range map[string]domain.Text{"name": r.Name, "short_name": r.ShortName, "bureau": r.Bureau, "address": r.Address} {
		f.Texts[name] = map[domain.Lang]string{}
		for l, s := range t {
			f.Texts[name][l] = s
		}
	}
	if r.Map != (domain.MapView{}) {
		f.Lat = strconv.FormatFloat(r.Map.Lat, 'f', -1, 64)
		f.Lon = strconv.FormatFloat(r.Map.Lon, 'f', -1, 64)
		f.Zoom = strconv.Itoa(r.Map.Zoom)
	}
	for _, e := range r.Emergency {
		row := emergencyRow{Number: e.Number, Label: map[domain.Lang]string{}}
		for l, s := range e.Label {
			row.Label[l] = s
		}
		f.Rows = append(f.Rows, row)
	}
	var langs []string
	for _, l := range r.Languages {
		langs = append(langs, string(l))
	}
	f.Languages = strings.Join(langs, " ")
	return f
}

// parseRegionForm reads the POST. Emergency rows left empty or ticked for
// removal are dropped here; the rest are checked by validateRegionForm.
func parseRegionForm(c *fiber.Ctx) *regionForm {
	f := &regionForm{Code: formValue(c, "code"), Phone: formValue(c, "phone"), Complaint: formValue(c, "complaint"),
		TimeZone: formValue(c, "time_zone"), Lat: formValue(c, "lat"), Lon: formValue(c, "lon"), Zoom: formValue(c, "zoom"),
		Logo: formValue(c, "logo"), Languages: formValue(c, "languages"), Texts: map[string]map[domain.Lang]string{}, Extra: 1}
	for _, tf := range regionTextFields {
		f.Texts[tf.Name] = map[domain.Lang]string{}
		for _, l := range domain.Languages() {
			if v := formValue(c, tf.Name+"."+string(l)); v != "" {
				f.Texts[tf.Name][l] = v
			}
		}
	}
	n, _ := strconv.Atoi(c.FormValue("em_rows"))
	for i := range min(max(n, 0), maxEmergencyRows+1) {
		p := "em." + strconv.Itoa(i) + "."
		if c.FormValue(p+"remove") != "" {
			continue
		}
		row := emergencyRow{Number: formValue(c, p+"number"), Label: map[domain.Lang]string{}}
		for _, l := range domain.Languages() {
			if v := formValue(c, p+"label."+string(l)); v != "" {
				row.Label[l] = v
			}
		}
		if row.Number == "" && len(row.Label) == 0 {
			continue
		}
		f.Rows = append(f.Rows, row)
	}
	return f
}

func (f *regionForm) fail(field, key string, args ...any) {
	if f.errs == nil {
		f.errs = map[string]fieldMsg{}
	}
	if _, ok := f.errs[field]; !ok {
		f.errs[field] = fieldMsg{key, args}
	}
}

// Err is the translated error of a field ("" when none).
func (f *regionForm) Err(field string) string { return f.Msgs[field] }

// translate fills Msgs in the page's language.
func (f *regionForm) translate(cat *i18n.Catalogs, lang domain.Lang) {
	f.Msgs = map[string]string{}
	for field, m := range f.errs {
		f.Msgs[field] = cat.T(lang, m.key, m.args...)
	}
}

// TextRows are the rows of the per-language grid.
func (f *regionForm) TextRows() []siteTextRowView {
	var out []siteTextRowView
	for _, tf := range regionTextFields {
		row := siteTextRowView{Name: tf.Name, LabelKey: tf.LabelKey, HintKey: tf.HintKey}
		for _, l := range domain.Languages() {
			row.Cells = append(row.Cells, siteTextCellView{Lang: string(l), HTMLLang: i18n.HTMLLang(l),
				Input: tf.Name + "." + string(l), Value: f.Texts[tf.Name][l], Error: f.Err(tf.Name)})
		}
		out = append(out, row)
	}
	return out
}

type siteTextRowView struct {
	Name, LabelKey, HintKey string
	Cells                   []siteTextCellView
}

type siteTextCellView struct {
	Lang, HTMLLang, Input, Value, Error string
}

// EmergencyRowView is one row of the emergency table.
type EmergencyRowView struct {
	Index  int
	N      int // Index+1, for people
	Number string
	Cells  []siteTextCellView
	Error  string
	Filled bool
}

// EmergencyRows are the filled rows and then the empty ones.
func (f *regionForm) EmergencyRows() []EmergencyRowView {
	var out []EmergencyRowView
	total := min(len(f.Rows)+f.Extra, maxEmergencyRows)
	for i := range max(total, len(f.Rows)) {
		var row emergencyRow
		if i < len(f.Rows) {
			row = f.Rows[i]
		}
		v := EmergencyRowView{Index: i, N: i + 1, Number: row.Number, Error: f.Err("em." + strconv.Itoa(i)), Filled: i < len(f.Rows)}
		for _, l := range domain.Languages() {
			v.Cells = append(v.Cells, siteTextCellView{Lang: string(l), HTMLLang: i18n.HTMLLang(l),
				Input: "em." + strconv.Itoa(i) + ".label." + string(l), Value: row.Label[l]})
		}
		out = append(out, v)
	}
	return out
}

// RowCount is how many emergency rows the page posts back.
func (f *regionForm) RowCount() int { return len(f.EmergencyRows()) }

// validateRegionForm checks the form and builds the region; the errors
// are on f when it does not validate.
func (s *Server) validateRegionForm(ctx context.Context, f *regionForm, before domain.Region) (domain.Region, bool) {
	r := domain.Region{Code: f.Code, Phone: f.Phone, Complaint: f.Complaint, TimeZone: f.TimeZone,
		Logo: f.Logo, Divisions: before.Divisions}
	texts := map[string]*domain.Text{"name": &r.Name, "short_name": &r.ShortName, "bureau": &r.Bureau, "address": &r.Address}
	for _, tf := range regionTextFields {
		t := domain.Text{}
		for l, v := range f.Texts[tf.Name] {
			if len(v) > maxLineLen {
				f.fail(tf.Name, "region.err.too_long")
			}
			t[l] = v
		}
		*texts[tf.Name] = t
	}

	if domain.LevelOf(f.Code) == "" {
		f.fail("code", "region.err.code")
	} else {
		var outside []string
		for _, c := range s.Catalog.Snapshot().Counties {
			if !domain.NodeContains(f.Code, c.Code) {
				outside = append(outside, c.Code)
			}
		}
		if len(outside) > 0 {
			f.fail("code", "region.err.outside", formatCodes(outside))
		}
	}
	if len(r.Name.Missing()) == len(domain.Languages()) {
		f.fail("name", "region.err.name")
	}
	for field, v := range map[string]string{"phone": f.Phone, "complaint": f.Complaint} {
		if v != "" && (len(v) > maxPhoneLen || !phoneRe.MatchString(v)) {
			f.fail(field, "region.err.phone")
		}
	}

	if len(f.Rows) > maxEmergencyRows {
		f.fail("emergency", "region.err.too_many")
	}
	for i, row := range f.Rows {
		field := "em." + strconv.Itoa(i)
		switch {
		case row.Number == "":
			f.fail(field, "region.err.row_number")
		case len(row.Number) > maxPhoneLen || !phoneRe.MatchString(row.Number):
			f.fail(field, "region.err.phone")
		}
		label := domain.Text{}
		for l, v := range row.Label {
			if len(v) > maxLineLen {
				f.fail(field, "region.err.too_long")
			}
			label[l] = v
		}
		r.Emergency = append(r.Emergency, domain.Contact{Number: row.Number, Label: label})
	}

	if _, err := domain.LoadTimeZone(f.TimeZone); err != nil {
		f.fail("time_zone", "region.err.zone")
	}

	if f.Lat != "" || f.Lon != "" || f.Zoom != "" {
		lat, e1 := strconv.ParseFloat(f.Lat, 64)
		lon, e2 := strconv.ParseFloat(f.Lon, 64)
		zoom, e3 := strconv.Atoi(cmpOr(f.Zoom, "0"))
		r.Map = domain.MapView{Lat: lat, Lon: lon, Zoom: zoom}
		if e1 != nil || e2 != nil || e3 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 || zoom < 0 || zoom > 20 {
			f.fail("map", "region.err.map")
		}
	}

	if f.Logo != "" {
		if err := s.checkRegionLogo(ctx, f.Logo); err != nil {
			var ve *domain.ValidationError
			if errors.As(err, &ve) {
				f.fail("logo", ve.Key, ve.Args...)
			} else {
				f.fail("logo", "region.err.logo")
			}
		}
	}

	seen := map[domain.Lang]bool{}
	for _, code := range strings.FieldsFunc(f.Languages, func(r rune) bool { return r == ',' || r == ' ' || r == '，' }) {
		l := domain.Lang(strings.ToLower(code))
		if seen[l] || !slices.Contains(domain.Languages(), l) {
			var known []string
			for _, k := range domain.Languages() {
				known = append(known, string(k))
			}
			f.fail("languages", "region.err.language", code, strings.Join(known, " "))
			continue
		}
		seen[l] = true
		r.Languages = append(r.Languages, l)
	}

	if len(f.errs) == 0 {
		// The domain's own rules, as a backstop for what the form does
		// not know yet.
		if err := r.Validate(); err != nil {
			var ve *domain.ValidationError
			switch {
			case errors.As(err, &ve) && ve.Field == "divisions":
				// The divisions kept from before must fit a new code.
				f.fail("code", "region.err.code")
			case errors.As(err, &ve):
				f.fail("form", ve.Key, ve.Args...)
			default:
				f.fail("form", "console.error.summary")
			}
		}
	}
	return r, len(f.errs) == 0
}

// checkRegionLogo checks that the logo names a stored media file that
// makes a usable code logo.
func (s *Server) checkRegionLogo(ctx context.Context, logo string) error {
	name := regionMediaName(logo)
	if name == "" || len(name) > 100 || strings.ContainsAny(name, "/\\") {
		return errors.New("bad media name")
	}
	_, data, err := s.Console.Store.LoadMedia(ctx, name)
	if err != nil {
		return err
	}
	if _, err := qr.PrepareLogo(data); err != nil {
		return err
	}
	if _, err := qr.LoadLogo(data); err != nil {
		return err
	}
	return nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
