package web

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/i18n"
	"github.com/yimayou/yimayou/app/media"
)

// mediaPrefix is where stored media are served; names are
// content-addressed, so responses are cacheable for ever.
const mediaPrefix = "/media/"

type audioRow struct {
	Lang       domain.Lang
	HTMLLang   string
	Src        string
	Type       string
	Transcript string
}

func audioRows(site domain.Site) []audioRow {
	var out []audioRow
	for _, l := range domain.Languages() {
		a := site.Audio[l]
		out = append(out, audioRow{Lang: l, HTMLLang: i18n.HTMLLang(l), Src: a.Src, Type: a.Type, Transcript: a.Transcript})
	}
	return out
}

// readUpload reads the one file of a form, refusing more than limit bytes
// before reading them all.
func readUpload(c *fiber.Ctx, limit int64) ([]byte, error) {
	fh, err := c.FormFile("file")
	if errors.Is(err, fiber.ErrUnprocessableEntity) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return nil, err
	}
	if err != nil || fh.Size == 0 {
		return nil, &domain.ValidationError{Field: "file", Key: "console.error.file_missing"}
	}
	if fh.Size > limit {
		return nil, &domain.ValidationError{Field: "file", Key: "console.error.file_too_big", Args: []any{limit >> 20}}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// uploadPhoto adds a photo to the site's draft: checked by content,
// re-encoded without EXIF, resized for srcset, with alt text per language.
func (s *Server) uploadPhoto(c *fiber.Ctx) error {
	live, work, _, err := s.loadWorking(c)
	if err != nil {
		return err
	}
	if len(work.Photos) >= 20 {
		return &domain.ValidationError{Field: "file", Key: "console.error.too_many_photos"}
	}
	data, err := readUpload(c, media.MaxPhotoBytes)
	if err != nil {
		return err
	}
	p, err := s.photos.PreparePhoto(c.UserContext(), data, mediaPrefix)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	for _, f := range p.Files {
		if err := s.Console.Store.SaveMedia(ctx, f.Name, f.Type, f.Data); err != nil {
			return err
		}
	}
	alt := domain.Text{}
	for _, l := range domain.Languages() {
		if v := formValue(c, "alt."+string(l)); v != "" && len(v) <= maxLineLen {
			alt[l] = v
		}
	}
	if len(alt) > 0 {
		p.Photo.Alt = alt
	}
	next := work
	next.Photos = append(append([]domain.Photo(nil), work.Photos...), p.Photo)
	next.UpdatedAt = s.now()
	if err := s.Console.Store.PutDraft(ctx, next); err != nil {
		return err
	}
	if err := s.audit(c, "site_photo_upload", live.Key, live.County, siteChanges(work, next)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+live.Key+"/edit?done=uploaded#photos", fiber.StatusSeeOther)
}

// uploadAudio sets the audio guide of one language in the draft. The
// transcript may be changed without a new file.
func (s *Server) uploadAudio(c *fiber.Ctx) error {
	live, err := s.loadSite(c)
	if err != nil {
		return err
	}
	lang := domain.Lang(utils.CopyString(c.Params("lang")))
	if !lang.Valid() {
		return domain.ErrNotFound
	}
	work, _, err := s.workingCopy(c, live)
	if err != nil {
		return err
	}
	guide, had := work.Audio[lang]
	transcript := strings.ReplaceAll(utils.CopyString(c.FormValue("transcript")), "\r\n", "\n")
	if len(transcript) > maxBodyLen {
		return &domain.ValidationError{Field: "transcript", Key: "console.error.too_long"}
	}
	ctx := c.UserContext()
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 || !had {
		data, err := readUpload(c, media.MaxAudioBytes)
		if err != nil {
			return err
		}
		file, g, err := media.PrepareAudio(data, mediaPrefix)
		if err != nil {
			return err
		}
		if err := s.Console.Store.SaveMedia(ctx, file.Name, file.Type, file.Data); err != nil {
			return err
		}
		guide = g
	}
	guide.Transcript = strings.TrimSpace(transcript)
	next := work
	next.Audio = map[domain.Lang]domain.AudioGuide{}
	for l, a := range work.Audio {
		next.Audio[l] = a
	}
	next.Audio[lang] = guide
	next.UpdatedAt = s.now()
	if err := s.Console.Store.PutDraft(ctx, next); err != nil {
		return err
	}
	if err := s.audit(c, "site_audio_upload", live.Key, live.County, siteChanges(work, next)); err != nil {
		return err
	}
	return c.Redirect("/admin/sites/"+live.Key+"/edit?done=uploaded#audio", fiber.StatusSeeOther)
}

// serveMedia answers a stored photo or audio file. Names carry a hash of
// the content, so a year of caching is safe.
func (s *Server) serveMedia(c *fiber.Ctx) error {
	name := c.Params("*")
	if name == "" || len(name) > 100 || strings.ContainsAny(name, "/\\") {
		return fiber.ErrNotFound
	}
	ctype, data, err := s.Console.Store.LoadMedia(c.UserContext(), utils.CopyString(name))
	if errors.Is(err, domain.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, ctype)
	return c.Send(data)
}

// mediaRoutes registers the public media route; server.go calls it when
// the console is configured.
func (s *Server) mediaRoutes(app fiber.Router) {
	if s.Console.Store == nil {
		return
	}
	app.Get(mediaPrefix+"*", s.serveMedia)
}
