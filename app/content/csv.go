package content

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/yimayou/yimayou/app/domain"
)

// CSV import of sites: one row per site, a header row naming the columns.
// Only key, county and name_zh are required; a column left out, or a
// cell left empty, keeps what an existing site already has, so a sheet
// with only "key,hours_zh" updates opening hours and nothing else.
//
//	key, county, name_zh/en/bo (or any visitor language), summary_*, hours_*, best_season_*,
//	safety_*, address_*, reservation_*, ticket_note_*, altitude_note_*,
//	altitude_min, altitude_max (metres), a_level (1A–5A), a_level_since
//	(YYYY-MM), lat, lon (WGS-84), prices ("门票=90; 观光车=70.5", yuan,
//	labels in Chinese), published (yes/no, 是/否, 1/0)
//
// Excel in China saves CSV as GBK; files are read as UTF-8 (with or
// without a byte-order mark) when they are valid UTF-8, else as GB18030,
// the superset of GBK.

// Limits of an import: a county has tens of sites, not thousands.
const (
	MaxCSVBytes = 2 << 20
	MaxCSVRows  = 2000
)

var csvTextColumns = map[string]func(*domain.Site) *domain.Text{
	"name":          func(s *domain.Site) *domain.Text { return &s.Name },
	"summary":       func(s *domain.Site) *domain.Text { return &s.Summary },
	"hours":         func(s *domain.Site) *domain.Text { return &s.Hours },
	"best_season":   func(s *domain.Site) *domain.Text { return &s.BestSeason },
	"safety":        func(s *domain.Site) *domain.Text { return &s.Safety },
	"address":       func(s *domain.Site) *domain.Text { return &s.Address },
	"reservation":   func(s *domain.Site) *domain.Text { return &s.Reservation },
	"ticket_note":   func(s *domain.Site) *domain.Text { return &s.TicketNote },
	"altitude_note": func(s *domain.Site) *domain.Text { return &s.AltitudeNote },
}

var csvOtherColumns = map[string]bool{"key": true, "county": true, "altitude_min": true, "altitude_max": true,
	"a_level": true, "a_level_since": true, "lat": true, "lon": true, "prices": true, "published": true}

// CSVError is a problem in one row (Line is the file's line, 1-based);
// Key is a translation key, Args its arguments.
type CSVError struct {
	Line   int
	Column string
	Key    string
	Args   []any
}

// CSVRow is what one valid row would do.
type CSVRow struct {
	Line    int
	Site    domain.Site // the site after the row is applied
	Before  domain.Site // the site before, when it exists
	Exists  bool
	Changed []string // columns whose value changes
}

// CSVPlan is the dry run of an import: every row's effect and every error.
// Nothing may be written unless Errors is empty.
type CSVPlan struct {
	Encoding string // "UTF-8", "UTF-8 BOM" or "GB18030"
	Rows     []CSVRow
	Errors   []CSVError
}

// CSVSource is what the plan reads of the current content.
type CSVSource interface {
	Site(ctx context.Context, key string) (domain.Site, error)
	County(ctx context.Context, code string) (domain.County, error)
}

// DecodeCSVText turns the bytes of a CSV file into UTF-8 text and names
// the encoding it found.
func DecodeCSVText(data []byte) (string, string, error) {
	if b, ok := bytes.CutPrefix(data, []byte("\xef\xbb\xbf")); ok {
		return string(b), "UTF-8 BOM", nil
	}
	if utf8.Valid(data) {
		return string(data), "UTF-8", nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", err
	}
	return string(out), "GB18030", nil
}

// PlanSitesCSV reads a CSV file of sites and works out, without writing,
// what importing it would do. allowed says which counties the importing
// user may touch; a row of any other county is an error.
func PlanSitesCSV(ctx context.Context, src CSVSource, data []byte, allowed func(county string) bool) (CSVPlan, error) {
	var plan CSVPlan
	fail := func(line int, col, key string, args ...any) {
		plan.Errors = append(plan.Errors, CSVError{Line: line, Column: col, Key: key, Args: args})
	}
	if len(data) > MaxCSVBytes {
		fail(0, "", "console.csv.too_big", MaxCSVBytes>>20)
		return plan, nil
	}
	text, enc, err := DecodeCSVText(data)
	if err != nil {
		fail(0, "", "console.csv.encoding")
		return plan, nil
	}
	plan.Encoding = enc
	r := csv.NewReader(strings.NewReader(text))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		fail(1, "", "console.csv.no_header")
		return plan, nil
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		cols[i] = h
		base, lang, _ := cutLang(h)
		switch {
		case csvOtherColumns[h]:
		case csvTextColumns[base] != nil && lang != "":
		default:
			fail(1, h, "console.csv.unknown_column", h)
		}
		if seen[h] {
			fail(1, h, "console.csv.duplicate_column", h)
		}
		seen[h] = true
	}
	if !seen["key"] {
		fail(1, "key", "console.csv.missing_column", "key")
	}
	if len(plan.Errors) > 0 {
		return plan, nil
	}
	keys := map[string]int{}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos is only defined after a good record: take the
			// line from the parse error.
			line := 0
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				line = perr.Line
			}
			fail(line, "", "console.csv.syntax")
			return plan, nil
		}
		line, _ := r.FieldPos(0)
		if n >= MaxCSVRows {
			fail(line, "", "console.csv.too_many_rows", MaxCSVRows)
			return plan, nil
		}
		if allEmpty(rec) {
			continue
		}
		row := map[string]string{}
		for i, v := range rec {
			row[cols[i]] = strings.TrimSpace(v)
		}
		key := strings.ToLower(row["key"])
		if prev, dup := keys[key]; dup && key != "" {
			fail(line, "key", "console.csv.duplicate_key", key, prev)
			continue
		}
		keys[key] = line
		planned, errs := planRow(ctx, src, line, key, row, allowed)
		if errs == nil && planned.Line == 0 {
			return plan, ctx.Err()
		}
		plan.Errors = append(plan.Errors, errs...)
		if len(errs) == 0 {
			plan.Rows = append(plan.Rows, planned)
		}
	}
	return plan, nil
}

func allEmpty(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// cutLang splits "name_zh" into "name" and zh.
func cutLang(col string) (string, domain.Lang, bool) {
	i := strings.LastIndexByte(col, '_')
	if i < 0 {
		return col, "", false
	}
	l := domain.Lang(col[i+1:])
	if !l.Valid() {
		return col, "", false
	}
	return col[:i], l, true
}

var (
	csvYearMonth = regexp.MustCompile(`^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$`)
	csvYuan      = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,2})?$`)
)

func planRow(ctx context.Context, src CSVSource, line int, key string, row map[string]string, allowed func(string) bool) (CSVRow, []CSVError) {
	var errs []CSVError
	fail := func(col, k string, args ...any) {
		errs = append(errs, CSVError{Line: line, Column: col, Key: k, Args: args})
	}
	if !domain.ValidSiteKey(key) {
		fail("key", "console.csv.bad_key")
		return CSVRow{}, errs
	}
	out := CSVRow{Line: line}
	before, err := src.Site(ctx, key)
	switch {
	case err == nil:
		out.Exists, out.Before = true, before
		if !allowed(before.County) {
			fail("key", "console.csv.forbidden_county", before.County)
			return CSVRow{}, errs
		}
	case errors.Is(err, domain.ErrNotFound):
	default:
		if ctx.Err() != nil {
			return CSVRow{}, nil
		}
		fail("key", "console.csv.lookup")
		return CSVRow{}, errs
	}
	site := cloneSite(before)
	site.Key = key
	if c := row["county"]; c != "" {
		site.County = c
	}
	switch {
	case site.County == "":
		fail("county", "console.csv.required", "county")
	case !domain.ValidCountyCode(site.County):
		fail("county", "console.csv.bad_county", site.County)
	case !allowed(site.County):
		fail("county", "console.csv.forbidden_county", site.County)
	default:
		if _, err := src.County(ctx, site.County); err != nil {
			fail("county", "console.csv.unknown_county", site.County)
		}
	}
	for col, v := range row {
		base, lang, ok := cutLang(col)
		get := csvTextColumns[base]
		if !ok || get == nil || v == "" {
			continue
		}
		if len(v) > 4000 {
			fail(col, "console.csv.too_long", col)
			continue
		}
		t := get(&site)
		if *t == nil {
			*t = domain.Text{}
		}
		(*t)[lang] = v
	}
	if site.Name[domain.Zh] == "" {
		fail("name_zh", "console.csv.required", "name_zh")
	}
	intCol := func(col string, lo, hi int, dst *int) {
		v := strings.TrimSuffix(strings.TrimSuffix(strings.ReplaceAll(row[col], ",", ""), "m"), "米")
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fail(col, "console.csv.bad_altitude", col)
			return
		}
		*dst = n
	}
	altMin, altMax := site.AltitudeMin, site.AltitudeMax
	intCol("altitude_min", 0, 9000, &altMin)
	intCol("altitude_max", 0, 9000, &altMax)
	if row["altitude_min"] != "" && row["altitude_max"] == "" {
		altMax = altMin // a single figure
	}
	if altMin > altMax {
		fail("altitude_max", "console.csv.altitude_order")
	}
	site.AltitudeMin, site.AltitudeMax = altMin, altMax
	if v := strings.ToUpper(row["a_level"]); v != "" {
		if len(v) != 2 || v[0] < '1' || v[0] > '5' || v[1] != 'A' {
			fail("a_level", "console.csv.bad_a_level")
		}
		site.ALevel = v
	}
	if v := row["a_level_since"]; v != "" {
		if !csvYearMonth.MatchString(v) {
			fail("a_level_since", "console.csv.bad_year_month")
		}
		site.ALevelSince = v
	}
	if lat, lon := row["lat"], row["lon"]; lat != "" || lon != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err1 != nil || err2 != nil || math.IsNaN(la) || math.IsNaN(lo) || la < -90 || la > 90 || lo < -180 || lo > 180 {
			fail("lat", "console.csv.bad_location")
		} else {
			site.Location = &domain.LatLon{Lat: la, Lon: lo}
		}
	}
	if v := row["prices"]; v != "" {
		prices, ok := parseCSVPrices(v)
		if !ok {
			fail("prices", "console.csv.bad_prices")
		}
		site.Prices = prices
	}
	switch strings.ToLower(row["published"]) {
	case "":
	case "yes", "y", "true", "1", "是":
		site.Published = true
	case "no", "n", "false", "0", "否":
		site.Published = false
	default:
		fail("published", "console.csv.bad_published")
	}
	if len(errs) > 0 {
		return CSVRow{}, errs
	}
	// The editor's and the pack import's rules too (domain.Site.Problems).
	if probs := site.Problems(); len(probs) > 0 {
		for _, p := range probs {
			fail(p.Field, p.Key, p.Args...)
		}
		return CSVRow{}, errs
	}
	out.Site = site
	out.Changed = changedColumns(before, site, out.Exists)
	return out, nil
}

// parseCSVPrices reads "门票=90; 观光车=70.5" (full-width ；＝ too).
func parseCSVPrices(s string) ([]domain.Price, bool) {
	s = strings.NewReplacer("；", ";", "＝", "=", "¥", "", "￥", "", "元", "").Replace(s)
	var out []domain.Price
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		label, amount, ok := strings.Cut(part, "=")
		if !ok {
			label, amount = "", part
		}
		amount = strings.TrimSpace(amount)
		if !csvYuan.MatchString(amount) {
			return nil, false
		}
		whole, frac, _ := strings.Cut(amount, ".")
		y, _ := strconv.ParseInt(whole, 10, 64)
		fen := y * 100
		if frac != "" {
			f, _ := strconv.ParseInt((frac + "0")[:2], 10, 64)
			fen += f
		}
		p := domain.Price{Fen: fen}
		if l := strings.TrimSpace(label); l != "" {
			p.Label = domain.Text{domain.Zh: l}
		}
		out = append(out, p)
	}
	return out, len(out) > 0 && len(out) <= 20
}

func cloneSite(s domain.Site) domain.Site {
	c := s
	for _, get := range csvTextColumns {
		t := get(&c)
		*t = t.Clone()
	}
	c.Prices = append([]domain.Price(nil), s.Prices...)
	if s.Location != nil {
		l := *s.Location
		c.Location = &l
	}
	return c
}

func changedColumns(before, after domain.Site, exists bool) []string {
	if !exists {
		return nil
	}
	var out []string
	for _, name := range []string{"name", "summary", "hours", "best_season", "safety", "address", "reservation", "ticket_note", "altitude_note"} {
		b, a := *csvTextColumns[name](&before), *csvTextColumns[name](&after)
		for _, l := range domain.Languages() {
			if b[l] != a[l] {
				out = append(out, name+"_"+string(l))
			}
		}
	}
	if before.County != after.County {
		out = append(out, "county")
	}
	if before.AltitudeMin != after.AltitudeMin || before.AltitudeMax != after.AltitudeMax {
		out = append(out, "altitude")
	}
	if before.ALevel != after.ALevel || before.ALevelSince != after.ALevelSince {
		out = append(out, "a_level")
	}
	if (before.Location == nil) != (after.Location == nil) || (before.Location != nil && *before.Location != *after.Location) {
		out = append(out, "location")
	}
	if !pricesEqual(before.Prices, after.Prices) {
		out = append(out, "prices")
	}
	if before.Published != after.Published {
		out = append(out, "published")
	}
	return out
}

func pricesEqual(a, b []domain.Price) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Fen != b[i].Fen || a[i].Label[domain.Zh] != b[i].Label[domain.Zh] {
			return false
		}
	}
	return true
}
