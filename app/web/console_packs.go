package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/content"
	"github.com/yimayou/yimayou/app/domain"
)

// The console's content pack import: upload a ZIP (what "Export" gives,
// or a pack folder zipped), see what would be created or changed and
// every error with its file and line, then apply, with nothing written if
// anything is wrong. The same checks as `yimayou import` (content.PlanImport
// with the domain's rules), limited to the user's counties. The uploaded
// archive waits in the shared key-value store for an hour under the
// user's name and its hash, so "Import" applies exactly what was previewed
// on whichever node answers.

const packStashTTL = time.Hour

type packPlanView struct {
	Items   []content.PlanItem
	Errors  []string
	Create  int
	Update  int
	Same    int
	Media   int
	Stash   string
	Applied bool
}

func packStashKey(user, sum string) string { return "pack-import:" + user + ":" + sum }

// importPack previews or applies a pack ZIP.
func (s *Server) importPack(c *fiber.Ctx) error {
	u := currentUser(c)
	var data []byte
	sum := formValue(c, "stash")
	if sum != "" {
		if len(sum) != 64 {
			return domain.ErrNotFound
		}
		b, err := s.KV.Get(packStashKey(u.Username, sum))
		if err != nil {
			return err
		}
		if b == nil {
			return &domain.ValidationError{Field: "file", Key: "packs.error.expired"}
		}
		data = b
	} else {
		b, err := readUpload(c, content.MaxZIPBytes)
		if err != nil {
			return err
		}
		data = b
		h := sha256.Sum256(data)
		sum = hex.EncodeToString(h[:])
	}
	ctx := c.UserContext()
	view := s.view(c, "")
	t := func(key string, args ...any) string { return view.T(key, args...) }
	v := &packPlanView{Stash: sum}
	var plan content.Plan
	pack, err := content.LoadZIP(data)
	if err != nil {
		v.Errors = content.Messages(err, t)
	} else {
		plan, err = content.PlanImport(ctx, s.Console.Store, pack, u.CanAccessCounty)
		if err != nil {
			return err
		}
		v.Errors = content.Messages(plan.Err(), t)
		v.Items = plan.Items
		v.Create, v.Update, v.Same = plan.Count(content.Create), plan.Count(content.Update), plan.Count(content.Same)
		for _, it := range plan.Items {
			if it.Kind == "media" && it.Action == content.Create {
				v.Media++
			}
		}
	}
	if len(v.Errors) > 0 || c.FormValue("action") != "apply" {
		if len(v.Errors) == 0 {
			if err := s.KV.Set(packStashKey(u.Username, sum), data, packStashTTL); err != nil {
				return err
			}
		}
		mine, err := s.myCounties(c)
		if err != nil {
			return err
		}
		status := fiber.StatusOK
		if len(v.Errors) > 0 {
			status = fiber.StatusUnprocessableEntity
		}
		return s.renderConsole(c, status, "console/content", "console.content.title",
			&contentPage{Counties: countyTabs(mine, "", langOf(c)), Pack: v})
	}
	if _, err := content.ApplyPlan(ctx, s.Console.Store, plan, content.WithActor(u.Username, s.now)); err != nil {
		return err
	}
	_ = s.KV.Delete(packStashKey(u.Username, sum))
	if err := s.Catalog.Reload(ctx); err != nil {
		return err
	}
	return c.Redirect("/admin/content?done=pack_imported", fiber.StatusSeeOther)
}

// writeCountyPack writes one county's pack, with the photos and audio its
// sites use, as a ZIP.
func (s *Server) writeCountyPack(c *fiber.Ctx, county string) ([]byte, error) {
	pack, err := s.Console.ExportPack(c.UserContext())
	if err != nil {
		return nil, err
	}
	pack = pack.County(county)
	if err := content.AttachMedia(c.UserContext(), s.Console.Store, &pack); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := content.WriteZIP(&buf, pack); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
