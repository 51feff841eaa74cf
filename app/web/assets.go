package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// assets serves public/ under URLs that carry a hash of the content
// (/static/css/site.3f2a9c1e.css), so browsers may cache them for a year
// and an update is never stale.
type assets struct {
	files   map[string]asset // hashed path → file
	hashed  map[string]string
	source  map[string][]byte // path → content, for files served under their own name (sw.js)
	css     string            // site.css, inlined into every page
	version string            // hash of every file: changes with any of them
}

type asset struct {
	body  []byte
	ctype string
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: map[string]asset{}, hashed: map[string]string{}, source: map[string][]byte{}}
	all := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		all.Write([]byte(p))
		all.Write(sum[:])
		a.source[p] = body
		ext := path.Ext(p)
		h := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[h] = asset{body: body, ctype: ctype}
		a.hashed[p] = "/static/" + h
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	a.version = hex.EncodeToString(all.Sum(nil)[:6])
	css, err := fs.ReadFile(fsys, "css/site.css")
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	a.css = minifyCSS(string(css))
	return a, nil
}

func (a *assets) url(name string) string {
	if u, ok := a.hashed[name]; ok {
		return u
	}
	return "/static/" + name // a template bug: visible as a 404, not a crash
}

func (a *assets) serve(c *fiber.Ctx) error {
	f, ok := a.files[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, f.ctype)
	return c.Send(f.body)
}

// minifyCSS drops comments and the indentation and newlines around them;
// enough to keep the inlined stylesheet small without a build step.
func minifyCSS(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			break
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			s = ""
			break
		}
		s = s[i+2+j+2:]
	}
	b.WriteString(s)
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}
