package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
)

// coreFields must exist in every language even when no language has them
// yet: without them the page says nothing useful.
var coreFields = map[string]bool{"name": true, "summary": true, "hours": true, "safety": true, "body": true}

// missingTranslations lists, per language, the text fields a tourist
// reading that language would miss: a core field that is empty, or any
// field that another language has.
func missingTranslations(site domain.Site) map[domain.Lang][]string {
	out := map[domain.Lang][]string{}
	for _, tf := range siteTextFields() {
		t := *tf.get(&site)
		if len(t.Missing()) == len(domain.Languages()) && !coreFields[tf.Name] {
			continue
		}
		for _, l := range t.Missing() {
			out[l] = append(out[l], tf.Name)
		}
	}
	// Alt text is what a screen reader says and what shows on a weak
	// link before the photo arrives: one entry per language for all photos.
	for _, l := range domain.Languages() {
		for _, p := range site.Photos {
			if p.Alt[l] == "" {
				out[l] = append(out[l], "photo_alt")
				break
			}
		}
	}
	return out
}

type missingLang struct {
	Lang     domain.Lang
	HTMLLang string
	Fields   []string
}

func missingByLang(site domain.Site) []missingLang {
	m := missingTranslations(site)
	var out []missingLang
	for _, l := range domain.Languages() {
		out = append(out, missingLang{Lang: l, HTMLLang: i18n.HTMLLang(l), Fields: m[l]})
	}
	return out
}

func (s *Server) siteTranslations(c *fiber.Ctx) error {
	live, work, hasDraft, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	return s.renderConsole(c, fiber.StatusOK, "console/translations_site", "console.translations.title", struct {
		Site     domain.Site
		Name     localized
		HasDraft bool
		Langs    []missingLang
	}{live, loc(work.Name, langOf(c)), hasDraft, missingByLang(work)})
}

type countyMissingRow struct {
	Key    string
	Name   localized
	Counts []int // per domain.Languages()
	Langs  []missingLang
}

func (s *Server) countyTranslations(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	sites, err := s.Console.Store.Sites(ctx, county.Code)
	if err != nil {
		return err
	}
	drafts, err := s.Console.Store.DraftKeys(ctx, county.Code)
	if err != nil {
		return err
	}
	lang := langOf(c)
	totals := make([]int, len(domain.Languages()))
	var rows []countyMissingRow
	for _, site := range sites {
		work := site
		if _, ok := drafts[site.Key]; ok {
			if d, err := s.Console.Store.Draft(ctx, site.Key); err == nil {
				work = d
			}
		}
		row := countyMissingRow{Key: site.Key, Name: loc(work.Name, lang), Langs: missingByLang(work)}
		for i, ml := range row.Langs {
			row.Counts = append(row.Counts, len(ml.Fields))
			totals[i] += len(ml.Fields)
		}
		rows = append(rows, row)
	}
	var headers []missingLang
	for _, l := range domain.Languages() {
		headers = append(headers, missingLang{Lang: l, HTMLLang: i18n.HTMLLang(l)})
	}
	return s.renderConsole(c, fiber.StatusOK, "console/translations_county", "console.translations.title", struct {
		County  domain.County
		Name    localized
		Headers []missingLang
		Rows    []countyMissingRow
		Totals  []int
	}{county, loc(county.Name, lang), headers, rows, totals})
}
