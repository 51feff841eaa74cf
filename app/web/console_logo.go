package web

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
)

// A bureau uploads its emblem once; its sign sheets, the county ZIP and
// the downloads (when ticked) then carry it in the centre of every code
// (app/qr/logo.go: level H, at most a fifth of the width).

// logoStore is what the logo pages need beyond ConsoleStore; store.Store
// has it. Without it the pages are not served.
type logoStore interface {
	CountyLogo(ctx context.Context, county string) ([]byte, error)
	SetCountyLogo(ctx context.Context, county string, png []byte, now time.Time) error
	DeleteCountyLogo(ctx context.Context, county string) error
}

func (s *Server) logos() logoStore {
	l, _ := s.Console.Store.(logoStore)
	return l
}

// countyLogo is the county's logo, else the region's (region_logo.go),
// or nil when neither has one.
func (s *Server) countyLogo(ctx context.Context, county string) (*qr.Logo, error) {
	logo, err := s.ownCountyLogo(ctx, county)
	if logo != nil || err != nil {
		return logo, err
	}
	return s.regionLogo(ctx)
}

// ownCountyLogo is the county's own logo, or nil when it has none.
func (s *Server) ownCountyLogo(ctx context.Context, county string) (*qr.Logo, error) {
	l := s.logos()
	if l == nil {
		return nil, nil
	}
	b, err := l.CountyLogo(ctx, county)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return qr.LoadLogo(b)
}

func (s *Server) logoRoutes(admin fiber.Router, editor fiber.Handler) {
	if s.logos() == nil {
		return
	}
	admin.Get("/counties/:county/logo", editor, s.showLogo)
	admin.Get("/counties/:county/logo.png", editor, s.logoImage)
	admin.Post("/counties/:county/logo", editor, s.uploadLogo)
	admin.Post("/counties/:county/logo/delete", editor, s.deleteLogo)
}

type logoPage struct {
	County  domain.County
	Name    localized
	HasLogo bool
	Error   string
	Done    string
}

func (s *Server) showLogo(c *fiber.Ctx) error {
	return s.renderLogo(c, fiber.StatusOK, "")
}

func (s *Server) renderLogo(c *fiber.Ctx, status int, errMsg string) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	logo, err := s.ownCountyLogo(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	done := ""
	if c.Query("done") == "logo" {
		done = "qrlogo.done"
	}
	return s.renderConsole(c, status, "console/logo", "qrlogo.title", &logoPage{County: county,
		Name: loc(county.Name, langOf(c)), HasLogo: logo != nil, Error: errMsg, Done: done})
}

func (s *Server) logoImage(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	b, err := s.logos().CountyLogo(c.UserContext(), county.Code)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(b)
}

func (s *Server) uploadLogo(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	data, err := readUpload(c, qr.MaxLogoBytes)
	if err == nil {
		var logo *qr.Logo
		if logo, err = qr.PrepareLogo(data); err == nil {
			err = s.logos().SetCountyLogo(c.UserContext(), county.Code, logo.PNG, s.now())
		}
	}
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return s.renderLogo(c, fiber.StatusUnprocessableEntity, s.view(c, "").T(ve.Key, ve.Args...))
	}
	if err != nil {
		return err
	}
	if err := s.audit(c, "county_logo", county.Code, county.Code, nil); err != nil {
		return err
	}
	return c.Redirect("/admin/counties/"+county.Code+"/logo?done=logo", fiber.StatusSeeOther)
}

func (s *Server) deleteLogo(c *fiber.Ctx) error {
	county, err := s.loadCounty(c, c.Params("county"))
	if err != nil {
		return err
	}
	if err := s.logos().DeleteCountyLogo(c.UserContext(), county.Code); err != nil {
		return err
	}
	if err := s.audit(c, "county_logo_delete", county.Code, county.Code, nil); err != nil {
		return err
	}
	return c.Redirect("/admin/counties/"+county.Code+"/logo", fiber.StatusSeeOther)
}
