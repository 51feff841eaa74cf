package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
)

type contentPage struct {
	Counties []countyTab
	Plan     *csvPlanView
	Pack     *packPlanView
	Done     string
	Error    string
}

type csvPlanView struct {
	content.CSVPlan
	Errors  []csvErrorView
	Create  int
	Update  int
	Same    int
	Payload string // the file, base64, so "Import" writes exactly what was previewed
	Applied bool
}

type csvErrorView struct {
	Line    int
	Column  string
	Message string
}

func (s *Server) showContent(c *fiber.Ctx) error {
	mine, err := s.myCounties(c)
	if err != nil {
		return err
	}
	return s.renderConsole(c, fiber.StatusOK, "console/content", "console.content.title",
		&contentPage{Counties: countyTabs(mine, "", langOf(c)), Done: doneKey(c)})
}

// exportCounty sends a county's content as a content pack ZIP: the files
// `yimayou export` writes, so `yimayou import` loads it.
func (s *Server) exportCounty(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	if s.Console.ExportPack == nil {
		return fiber.ErrNotFound
	}
	zip, err := s.writeCountyPack(c, county.Code)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="yimayou-`+county.Code+`-`+s.now().In(domain.ChinaTime).Format("20060102")+`.zip"`)
	return c.Send(zip)
}

// countySignsZIP sends every sign of a county as PNG and SVG plus the
// print sheets (A4 and A5), as `yimayou qr export` writes them.
func (s *Server) countySignsZIP(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	sh, err := s.countySheet(c.UserContext(), county, langOf(c))
	if err != nil {
		return err
	}
	if sh.Logo, err = s.countyLogo(c.UserContext(), county.Code); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.QR.WriteBatchZIP(c.UserContext(), &buf, sh, nil); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="signs-`+county.Code+`.zip"`)
	return c.Send(buf.Bytes())
}

// countySheet lays out every enabled sign of a county.
func (s *Server) countySheet(ctx context.Context, county domain.County, lang domain.Lang) (qr.Sheet, error) {
	signs, err := s.Console.Store.SignsOf(ctx, county.Code, "")
	if err != nil {
		return qr.Sheet{}, err
	}
	sites, err := s.Console.Store.Sites(ctx, county.Code)
	if err != nil {
		return qr.Sheet{}, err
	}
	byKey := map[string]domain.Site{}
	for _, site := range sites {
		byKey[site.Key] = site
	}
	var enabled []domain.Sign
	for _, g := range signs {
		if g.Enabled {
			enabled = append(enabled, g)
		}
	}
	return qr.NewSheet(s.I18n, s.PublicURL, s.Catalog.Snapshot().Region, county, byKey, enabled, lang, qr.A4), nil
}

// countySheetPage is the print page of every enabled sign of a county.
func (s *Server) countySheetPage(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	sh, err := s.countySheet(c.UserContext(), county, langOf(c))
	if err != nil {
		return err
	}
	sh.Paper = qr.ParsePaper(c.Query("paper"))
	if sh.Logo, err = s.countyLogo(c.UserContext(), county.Code); err != nil {
		return err
	}
	return s.sendSheet(c, sh, "/admin/signs?county="+county.Code)
}

// importCSV previews (the default) or applies a CSV of sites. Applying
// re-checks everything and writes only when every row is valid.
func (s *Server) importCSV(c *fiber.Ctx) error {
	var data []byte
	if p := c.FormValue("payload"); p != "" {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return &domain.ValidationError{Field: "file", Key: "console.error.file_missing"}
		}
		data = b
	} else {
		b, err := readUpload(c, content.MaxCSVBytes)
		if err != nil {
			return err
		}
		data = b
	}
	u := currentUser(c)
	ctx := c.UserContext()
	plan, err := content.PlanSitesCSV(ctx, s.Console.Store, data, u.CanAccessCounty)
	if err != nil {
		return err
	}
	v := &csvPlanView{CSVPlan: plan, Payload: base64.StdEncoding.EncodeToString(data)}
	view := s.view(c, "")
	for _, e := range plan.Errors {
		msg := view.T(e.Key, e.Args...)
		v.Errors = append(v.Errors, csvErrorView{Line: e.Line, Column: e.Column, Message: msg})
	}
	for _, r := range plan.Rows {
		switch {
		case !r.Exists:
			v.Create++
		case len(r.Changed) == 0:
			v.Same++
		default:
			v.Update++
		}
	}
	mine, err := s.myCounties(c)
	if err != nil {
		return err
	}
	page := &contentPage{Counties: countyTabs(mine, "", langOf(c)), Plan: v}
	status := fiber.StatusOK
	if len(plan.Errors) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	if c.FormValue("action") != "apply" || len(plan.Errors) > 0 {
		return s.renderConsole(c, status, "console/content", "console.content.title", page)
	}
	now := s.now()
	for _, r := range plan.Rows {
		if r.Exists && len(r.Changed) == 0 {
			continue
		}
		site := r.Site
		site.UpdatedAt = now
		if err := s.Console.Store.PutSite(ctx, site); err != nil {
			return fmt.Errorf("web: import line %d: %w", r.Line, err)
		}
		if _, err := s.Console.Store.AddRevision(ctx, site, u.Username, now); err != nil {
			return err
		}
		if err := s.audit(c, "site_import", site.Key, site.County, siteChanges(r.Before, site)); err != nil {
			return err
		}
	}
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	return c.Redirect("/admin/content?done=imported", fiber.StatusSeeOther)
}
