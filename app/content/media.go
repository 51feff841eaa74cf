package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/media"
)

// A pack carries the photos and audio guides its sites use, so a pack
// moved to another server shows the same pictures and plays the same
// guides. They sit in the pack's media/ folder under the names the
// sites' src fields give after "/media/" (every rendition of a photo,
// each audio file):
//
//	media/p-3f2a…-960.jpg    a photo rendition, as the console made it
//	media/a-77c1…​.mp3        an audio guide
//
// Files are checked by content (a JPEG, PNG or WebP photo; an MP3, AAC
// or Ogg guide), never by name, and capped at MaxMediaFileSize. A media
// file no site uses is an error, so a pack holds nothing hidden. A src
// whose file is not in the pack must already be on the server importing
// it (PlanImport checks).

const (
	mediaDir = "media"
	// MediaURLPrefix is where the server serves stored media.
	MediaURLPrefix = "/media/"
	// MaxMediaFileSize bounds one media file of a pack: the upload limits
	// with some room.
	MaxMediaFileSize = 8 << 20
	// maxMediaFiles bounds a pack's media folder.
	maxMediaFiles = 5000
)

// MediaFile is one photo or audio file of a pack.
type MediaFile struct {
	Type string
	Data []byte
}

var mediaNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)

// mediaName is the file name of a src served from the media store, or
// false for a src that is not (an outside URL stays as it is).
func mediaName(src string) (string, bool) {
	name, ok := strings.CutPrefix(src, MediaURLPrefix)
	return name, ok && mediaNameRe.MatchString(name)
}

// MediaNames lists the media files the pack's sites use, sorted.
func (p Pack) MediaNames() []string {
	seen := map[string]bool{}
	var out []string
	use := func(src string) {
		if name, ok := mediaName(src); ok && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	for _, s := range p.Sites {
		for _, ph := range s.Photos {
			use(ph.Src)
			for _, z := range ph.Sizes {
				use(z.Src)
			}
		}
		for _, l := range domain.Languages() {
			if a, ok := s.Audio[l]; ok {
				use(a.Src)
			}
		}
	}
	slices.Sort(out)
	return out
}

// sniffMedia names the type of a media file by its content, or "".
func sniffMedia(data []byte) string {
	switch t := http.DetectContentType(data); t {
	case "image/jpeg", "image/png", "image/webp":
		return t
	}
	t, _ := media.SniffAudio(data)
	return t
}

// checkMedia validates the pack's media files against its sites.
func (p Pack) checkMedia() []error {
	var errs []error
	used := map[string]bool{}
	for _, n := range p.MediaNames() {
		used[n] = true
	}
	names := make([]string, 0, len(p.Media))
	for n := range p.Media {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		m, file := p.Media[n], path.Join(mediaDir, n)
		switch {
		case !mediaNameRe.MatchString(n):
			errs = append(errs, &Error{File: file, Err: errors.New("invalid media file name: lowercase letters, digits, dots and dashes")})
		case !used[n]:
			errs = append(errs, &Error{File: file, Err: errors.New("no site uses this file: remove it, or add it to a site's photos or audio")})
		case len(m.Data) == 0 || len(m.Data) > MaxMediaFileSize:
			errs = append(errs, &Error{File: file, Err: fmt.Errorf("a media file holds 1 byte to %d MB", MaxMediaFileSize>>20)})
		case m.Type == "" || sniffMedia(m.Data) != m.Type:
			errs = append(errs, &Error{File: file, Err: errors.New("not a JPEG, PNG or WebP photo, nor an MP3, AAC or Ogg audio file")})
		}
	}
	if len(names) > maxMediaFiles {
		errs = append(errs, &Error{File: mediaDir, Err: fmt.Errorf("more than %d files", maxMediaFiles)})
	}
	return errs
}

// loadMedia reads the media/ folder, if there is one.
func (l *loader) loadMedia() {
	entries, err := fs.ReadDir(l.fsys, mediaDir)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		l.fail(mediaDir, 0, err)
		return
	}
	if len(entries) > maxMediaFiles {
		l.fail(mediaDir, 0, fmt.Errorf("more than %d files", maxMediaFiles))
		return
	}
	for _, e := range entries {
		name, file := e.Name(), path.Join(mediaDir, e.Name())
		switch {
		case strings.HasPrefix(name, "."):
			continue
		case e.IsDir():
			l.fail(file, 0, errors.New("unexpected folder in media/"))
			continue
		case !mediaNameRe.MatchString(name):
			l.fail(file, 0, errors.New("invalid media file name: lowercase letters, digits, dots and dashes"))
			continue
		}
		data, err := readLimited(l.fsys, file, MaxMediaFileSize)
		if err != nil {
			l.fail(file, 0, err)
			continue
		}
		typ := sniffMedia(data)
		if typ == "" {
			l.fail(file, 0, errors.New("not a JPEG, PNG or WebP photo, nor an MP3, AAC or Ogg audio file"))
			continue
		}
		if l.pack.Media == nil {
			l.pack.Media = map[string]MediaFile{}
		}
		l.pack.Media[name] = MediaFile{Type: typ, Data: data}
	}
}

// readLimited reads a file of at most limit bytes.
func readLimited(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("file is larger than the limit of %d MB", limit>>20)
	}
	return b, nil
}

// MediaSource reads stored media; store.Store implements it.
type MediaSource interface {
	LoadMedia(ctx context.Context, name string) (contentType string, data []byte, err error)
}

// AttachMedia puts into p every media file its sites use, read from src.
// A file the store does not have is an error naming the site that uses
// it: an export that silently drops a photo is how packs lost media.
func AttachMedia(ctx context.Context, src MediaSource, p *Pack) error {
	var errs []error
	for _, n := range p.MediaNames() {
		if _, ok := p.Media[n]; ok {
			continue
		}
		typ, data, err := src.LoadMedia(ctx, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("content: media %s: %w", n, err))
			continue
		}
		if p.Media == nil {
			p.Media = map[string]MediaFile{}
		}
		p.Media[n] = MediaFile{Type: typ, Data: data}
	}
	return errors.Join(errs...)
}
