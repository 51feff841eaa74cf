package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
)

type signRow struct {
	domain.Sign
	SiteName localized
	URL      string
	Created  chinaTime
}

// loadSign loads a sign by the :code of the route and checks its county.
func (s *Server) loadSign(c *fiber.Ctx) (domain.Sign, error) {
	code := domain.NormalizeCode(utils.CopyString(c.Params("code")))
	if !domain.ValidCode(code) {
		return domain.Sign{}, domain.ErrNotFound
	}
	sign, err := s.Console.Store.Sign(c.UserContext(), code)
	if err != nil {
		return domain.Sign{}, err
	}
	if err := authorizeCounty(c, sign.County); err != nil {
		return domain.Sign{}, err
	}
	return sign, nil
}

func (s *Server) signRows(c *fiber.Ctx, signs []domain.Sign, sites map[string]domain.Site) []signRow {
	lang := langOf(c)
	rows := make([]signRow, len(signs))
	for i, g := range signs {
		rows[i] = signRow{Sign: g, SiteName: loc(sites[g.Site].Name, lang), URL: qr.SignURL(s.PublicURL, g.Code),
			Created: chinaTime(g.CreatedAt)}
	}
	return rows
}

func (s *Server) sitesByKey(c *fiber.Ctx, county string) (map[string]domain.Site, error) {
	sites, err := s.Console.Store.Sites(c.UserContext(), county)
	if err != nil {
		return nil, err
	}
	m := make(map[string]domain.Site, len(sites))
	for _, site := range sites {
		m[site.Key] = site
	}
	return m, nil
}

// listCountySigns shows every sign of a county, for printing them all.
func (s *Server) listCountySigns(c *fiber.Ctx) error {
	county, mine, err := s.pickCounty(c)
	if err != nil {
		return err
	}
	signs, err := s.Console.Store.SignsOf(c.UserContext(), county.Code, "")
	if err != nil {
		return err
	}
	sites, err := s.sitesByKey(c, county.Code)
	if err != nil {
		return err
	}
	lang := langOf(c)
	return s.renderConsole(c, fiber.StatusOK, "console/signs", "console.signs.title", struct {
		County   domain.County
		Name     localized
		Counties []countyTab
		Signs    []signRow
		Done     string
		Back     string
	}{county, loc(county.Name, lang), countyTabs(mine, county.Code, lang), s.signRows(c, signs, sites), doneKey(c),
		"/admin/signs?county=" + county.Code})
}

type signForm struct {
	Code, Label, Campaign, Installed string
	Enabled                          bool
	Errors                           map[string]string
}

func (f *signForm) fail(field, key string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	f.Errors[field] = key
}

// check validates the form's own fields; the code is checked by the caller.
func (f *signForm) check() {
	if len(f.Label) > 200 {
		f.fail("label", "console.error.too_long")
	}
	if len(f.Campaign) > 100 {
		f.fail("campaign", "console.error.too_long")
	}
	if f.Installed != "" {
		if _, err := time.Parse(time.DateOnly, f.Installed); err != nil {
			f.fail("installed", "console.error.date")
		}
	}
}

func parseSignForm(c *fiber.Ctx) *signForm {
	return &signForm{Code: domain.NormalizeCode(formValue(c, "code")), Label: formValue(c, "label"),
		Campaign: formValue(c, "campaign"), Installed: formValue(c, "installed"), Enabled: c.FormValue("enabled") != ""}
}

// siteSigns lists a site's signs with a form to add one.
func (s *Server) siteSigns(c *fiber.Ctx) error {
	site, err := s.loadSite(c)
	if err != nil {
		return err
	}
	return s.renderSiteSigns(c, fiber.StatusOK, site, &signForm{Enabled: true})
}

func (s *Server) renderSiteSigns(c *fiber.Ctx, status int, site domain.Site, f *signForm) error {
	signs, err := s.Console.Store.SignsOf(c.UserContext(), site.County, site.Key)
	if err != nil {
		return err
	}
	return s.renderConsole(c, status, "console/site_signs", "console.signs.title", struct {
		Site  domain.Site
		Name  localized
		Signs []signRow
		Form  *signForm
		Done  string
		Back  string
	}{site, loc(site.Name, langOf(c)), s.signRows(c, signs, map[string]domain.Site{site.Key: site}), f, doneKey(c),
		"/admin/sites/" + site.Key + "/signs"})
}

// createSign adds a sign to a site; without a code typed in, a new random
// one is drawn from the unambiguous alphabet.
func (s *Server) createSign(c *fiber.Ctx) error {
	site, err := s.loadSite(c)
	if err != nil {
		return err
	}
	f := parseSignForm(c)
	f.Enabled = true
	f.check()
	generated := f.Code == ""
	if generated {
		f.Code = domain.NewCode()
	} else if !domain.ValidCode(f.Code) {
		f.fail("code", "console.error.sign_code")
	}
	if len(f.Errors) > 0 {
		if generated {
			f.Code = ""
		}
		return s.renderSiteSigns(c, fiber.StatusUnprocessableEntity, site, f)
	}
	sign := domain.Sign{Code: f.Code, Site: site.Key, County: site.County, Label: f.Label, Campaign: f.Campaign,
		Installed: f.Installed, Enabled: true, CreatedAt: s.now()}
	ctx := c.UserContext()
	for tries := 0; ; tries++ {
		err = s.Console.Store.CreateSign(ctx, sign)
		if !errors.Is(err, domain.ErrConflict) || !generated || tries == 5 {
			break
		}
		sign.Code = domain.NewCode() // a collision of random codes: draw again
	}
	if errors.Is(err, domain.ErrConflict) {
		f.fail("code", "console.error.sign_code_taken")
		return s.renderSiteSigns(c, fiber.StatusUnprocessableEntity, site, f)
	}
	if err != nil {
		return err
	}
	if err := s.audit(c, "sign_create", sign.Code, sign.County, signChanges(domain.Sign{}, sign)); err != nil {
		return err
	}
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	return c.Redirect("/admin/signs/"+sign.Code+"?done=sign", fiber.StatusSeeOther)
}

func signChanges(before, after domain.Sign) []domain.FieldChange {
	var out []domain.FieldChange
	add := func(f, b, a string) {
		if b != a {
			out = append(out, domain.FieldChange{Field: f, Before: b, After: a})
		}
	}
	add("site", before.Site, after.Site)
	add("label", before.Label, after.Label)
	add("campaign", before.Campaign, after.Campaign)
	add("installed", before.Installed, after.Installed)
	en := func(b bool) string {
		if b {
			return "enabled"
		}
		return "disabled"
	}
	if before.Code == "" || before.Enabled != after.Enabled {
		add("enabled", map[bool]string{true: en(before.Enabled), false: ""}[before.Code != ""], en(after.Enabled))
	}
	return out
}

type signPage struct {
	Sign     domain.Sign
	Site     domain.Site
	SiteName localized
	URL      string
	Form     *signForm
	QR       qrForm
	HasLogo  bool
	Done     string
}

// qrForm is the download options as typed, kept on a bad value.
type qrForm struct {
	Size, Margin, Level, FG, BG string
}

func (s *Server) showSign(c *fiber.Ctx) error {
	sign, err := s.loadSign(c)
	if err != nil {
		return err
	}
	f := &signForm{Code: sign.Code, Label: sign.Label, Campaign: sign.Campaign, Installed: sign.Installed, Enabled: sign.Enabled}
	return s.renderSign(c, fiber.StatusOK, sign, f)
}

func (s *Server) renderSign(c *fiber.Ctx, status int, sign domain.Sign, f *signForm) error {
	site, err := s.Console.Store.Site(c.UserContext(), sign.Site)
	if err != nil {
		return err
	}
	logo, err := s.countyLogo(c.UserContext(), sign.County)
	if err != nil {
		return err
	}
	return s.renderConsole(c, status, "console/sign", "console.sign.title", &signPage{Sign: sign, Site: site,
		SiteName: loc(site.Name, langOf(c)), URL: qr.SignURL(s.PublicURL, sign.Code), Form: f,
		QR: qrForm{Size: "1024", Margin: "4", Level: "h", FG: "#000000", BG: "#ffffff"}, HasLogo: logo != nil, Done: doneKey(c)})
}

// saveSign changes a sign's label, campaign, date and enabled flag. Its
// code and site never change: the code is printed, and a sign moved to
// another site is a new sign.
func (s *Server) saveSign(c *fiber.Ctx) error {
	sign, err := s.loadSign(c)
	if err != nil {
		return err
	}
	f := parseSignForm(c)
	f.Code = sign.Code
	f.check()
	if len(f.Errors) > 0 {
		return s.renderSign(c, fiber.StatusUnprocessableEntity, sign, f)
	}
	next := sign
	next.Label, next.Campaign, next.Installed, next.Enabled = f.Label, f.Campaign, f.Installed, f.Enabled
	return s.putSign(c, sign, next, "sign_edit")
}

// toggleSign enables or disables a sign in one click from the lists. A
// disabled code shows tourists a friendly page, never a bare 404.
func (s *Server) toggleSign(c *fiber.Ctx) error {
	sign, err := s.loadSign(c)
	if err != nil {
		return err
	}
	next := sign
	next.Enabled = !sign.Enabled
	action := "sign_enable"
	if !next.Enabled {
		action = "sign_disable"
	}
	return s.putSign(c, sign, next, action)
}

func (s *Server) putSign(c *fiber.Ctx, before, next domain.Sign, action string) error {
	ctx := c.UserContext()
	if err := s.Console.Store.PutSign(ctx, next); err != nil {
		return err
	}
	if err := s.audit(c, action, next.Code, next.County, signChanges(before, next)); err != nil {
		return err
	}
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	back := "/admin/signs/" + next.Code + "?done=sign"
	if r := c.FormValue("back"); r != "" {
		back = safeNext(utils.CopyString(r)) // only ever a console page
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// signImage answers a sign's code as PNG or SVG with the options of the
// download form; bad options are a 400 naming the field, and the
// contrast check of app/qr refuses pale colours.
func (s *Server) signImage(c *fiber.Ctx) error {
	sign, err := s.loadSign(c)
	if err != nil {
		return err
	}
	p, err := qr.ParseParams(func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	url := qr.SignURL(s.PublicURL, sign.Code)
	ext := c.Params("ext")
	var logo *qr.Logo
	if c.Query("logo") == "1" {
		if logo, err = s.countyLogo(c.UserContext(), sign.County); err != nil {
			return err
		}
		if logo != nil {
			p.Level = qr.LevelH
		}
	}
	var body []byte
	switch {
	case ext == "png" && logo != nil:
		body, err = s.QR.PNGWithLogo(url, p, logo)
		c.Set(fiber.HeaderContentType, "image/png")
	case ext == "svg" && logo != nil:
		body, err = s.QR.SVGWithLogo(url, p, logo)
		c.Set(fiber.HeaderContentType, "image/svg+xml")
	case ext == "png":
		body, err = s.QR.PNG(url, p)
		c.Set(fiber.HeaderContentType, "image/png")
	case ext == "svg":
		body, err = s.QR.SVG(url, p)
		c.Set(fiber.HeaderContentType, "image/svg+xml")
	default:
		return domain.ErrNotFound
	}
	if err != nil {
		return err
	}
	if c.Query("download") != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+sign.Code+"-"+p.Level.String()+"."+ext+`"`)
	}
	return c.Send(body)
}

// signSheet is the print page of one sign: A4 or A5, the code at level H,
// the site's names, the code typed out with a short URL, the bureau.
func (s *Server) signSheet(c *fiber.Ctx) error {
	sign, err := s.loadSign(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	site, err := s.Console.Store.Site(ctx, sign.Site)
	if err != nil {
		return err
	}
	county, err := s.Console.Store.County(ctx, sign.County)
	if err != nil {
		return err
	}
	paper := qr.ParsePaper(c.Query("paper"))
	sh := qr.NewSheet(s.I18n, s.PublicURL, s.Catalog.Snapshot().Region, county, map[string]domain.Site{site.Key: site}, []domain.Sign{sign}, langOf(c), paper)
	if sh.Logo, err = s.countyLogo(ctx, county.Code); err != nil {
		return err
	}
	return s.sendSheet(c, sh, "/admin/signs/"+sign.Code)
}

func (s *Server) sendSheet(c *fiber.Ctx, sh qr.Sheet, base string) error {
	v := s.view(c, "")
	sh.Screen = v.T("console.sheet.how")
	sh.ScreenLinks = []qr.SheetLink{
		{Href: "?paper=a4", Text: "A4"}, {Href: "?paper=a5", Text: "A5"},
		{Href: templateURL(base), Text: v.T("console.preview.back")},
	}
	page, err := s.QR.SheetHTML(sh)
	if err != nil {
		return err
	}
	// The sheet carries its own inline stylesheet (it must print from a
	// ZIP with no server too), so this page allows that one by hash.
	c.Set("Content-Security-Policy", "default-src 'none'; style-src "+qr.SheetCSPHash()+"; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(page)
}
