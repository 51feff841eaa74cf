package web

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/media"
)

// Uploads never lose typed text: the editor is one multipart form holding
// the texts, a new photo with its alt texts, and each language's audio
// file and transcript. Saving stores the draft first, then the files; a
// refused file comes back as an error next to its field, with the texts
// already saved. No JavaScript is needed. (The separate upload forms'
// routes remain for scripts and old bookmarks.)

// editorUpload is a refused file: the form field and the message.
type editorUpload struct {
	Field string
	Err   *domain.ValidationError
}

func (e *editorUpload) Error() string { return e.Field + ": " + e.Err.Error() }

// formFile returns the named file of a multipart form, or nil when none
// was chosen.
func formFile(mf *multipart.Form, name string) *multipart.FileHeader {
	if mf == nil || len(mf.File[name]) == 0 || mf.File[name][0].Size == 0 {
		return nil
	}
	return mf.File[name][0]
}

func readFileHeader(fh *multipart.FileHeader, limit int64) ([]byte, error) {
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

// editorUploads adds the files posted with the editor's form to site
// (the draft just saved). It reports whether anything changed; a refused
// file is an *editorUpload error.
func (s *Server) editorUploads(c *fiber.Ctx, site domain.Site) (domain.Site, bool, error) {
	mf, err := c.MultipartForm()
	if err != nil {
		return site, false, nil // an urlencoded post: texts only
	}
	ctx := c.UserContext()
	changed := false
	refuse := func(field string, err error) (domain.Site, bool, error) {
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			return site, changed, &editorUpload{Field: field, Err: ve}
		}
		return site, changed, err
	}
	if fh := formFile(mf, "new_photo"); fh != nil {
		if len(site.Photos) >= domain.MaxPhotos {
			return refuse("new_photo", &domain.ValidationError{Field: "file", Key: "console.error.too_many_photos"})
		}
		data, err := readFileHeader(fh, media.MaxPhotoBytes)
		if err != nil {
			return refuse("new_photo", err)
		}
		p, err := media.PreparePhoto(data, mediaPrefix)
		if err != nil {
			return refuse("new_photo", err)
		}
		for _, f := range p.Files {
			if err := s.Console.Store.SaveMedia(ctx, f.Name, f.Type, f.Data); err != nil {
				return site, changed, err
			}
		}
		for _, l := range domain.Languages() {
			if v := formValue(c, "new_photo.alt."+string(l)); v != "" && len(v) <= domain.MaxLineLen {
				if p.Photo.Alt == nil {
					p.Photo.Alt = domain.Text{}
				}
				p.Photo.Alt[l] = v
			}
		}
		site.Photos = append(append([]domain.Photo(nil), site.Photos...), p.Photo)
		changed = true
	}
	audio := map[domain.Lang]domain.AudioGuide{}
	for l, a := range site.Audio {
		audio[l] = a
	}
	for _, l := range domain.Languages() {
		prefix := "audio." + string(l) + "."
		guide, had := audio[l]
		if fh := formFile(mf, prefix+"file"); fh != nil {
			data, err := readFileHeader(fh, media.MaxAudioBytes)
			if err != nil {
				return refuse(prefix+"file", err)
			}
			file, g, err := media.PrepareAudio(data, mediaPrefix)
			if err != nil {
				return refuse(prefix+"file", err)
			}
			if err := s.Console.Store.SaveMedia(ctx, file.Name, file.Type, file.Data); err != nil {
				return site, changed, err
			}
			g.Transcript = guide.Transcript
			guide, had, changed = g, true, true
		}
		if vals, ok := mf.Value[prefix+"transcript"]; ok && had {
			t := strings.TrimSpace(strings.ReplaceAll(utils.CopyString(vals[0]), "\r\n", "\n"))
			if len(t) > domain.MaxTranscript {
				return refuse(prefix+"transcript", &domain.ValidationError{Field: "transcript", Key: "console.error.too_long"})
			}
			if t != guide.Transcript {
				guide.Transcript, changed = t, true
			}
		}
		if had {
			audio[l] = guide
		}
	}
	if len(audio) > 0 {
		site.Audio = audio
	}
	return site, changed, nil
}
