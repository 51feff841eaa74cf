package content

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// WriteZIP writes p as a ZIP holding exactly the files Write would put in
// a directory, so unzipping it and running `yimayou import DIR` loads it
// back. The files carry a fixed time, so the same content gives the same
// archive.
func WriteZIP(w io.Writer, p Pack) error {
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	files, err := encode(p)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// County returns the part of p about one county: the county, its sites
// and their signs.
func (p Pack) County(code string) Pack {
	var out Pack
	for _, c := range p.Counties {
		if c.Code == code {
			out.Counties = append(out.Counties, c)
		}
	}
	keys := map[string]bool{}
	for _, s := range p.Sites {
		if s.County == code {
			out.Sites = append(out.Sites, s)
			keys[s.Key] = true
		}
	}
	for _, g := range p.Signs {
		if keys[g.Site] {
			out.Signs = append(out.Signs, g)
		}
	}
	for _, n := range out.MediaNames() {
		if m, ok := p.Media[n]; ok {
			if out.Media == nil {
				out.Media = map[string]MediaFile{}
			}
			out.Media[n] = m
		}
	}
	for _, t := range p.Tickets {
		if keys[t.Site] {
			out.Tickets = append(out.Tickets, t)
		}
	}
	return out
}

// MaxZIPBytes bounds an uploaded pack archive (the web server's body limit
// is 8 MB).
const MaxZIPBytes = 8 << 20

const maxZIPUnpacked = 64 << 20

// LoadZIP reads a pack from a ZIP archive: the files at its root, or in
// its one top folder (an archive of the pack's folder). Errors are Load's.
func LoadZIP(data []byte) (Pack, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Pack{}, &Error{File: "(zip)", Err: fmt.Errorf("not a ZIP archive: %w", err)}
	}
	if len(zr.File) > maxMediaFiles+2000 {
		return Pack{}, &Error{File: "(zip)", Err: errors.New("too many files in the archive")}
	}
	// archive/zip refuses to read past a file's declared size, so the sum
	// of declared sizes bounds what unpacking can cost (a ZIP bomb).
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
	}
	if total > maxZIPUnpacked {
		return Pack{}, &Error{File: "(zip)", Err: fmt.Errorf("the archive unpacks to more than %d MB", maxZIPUnpacked>>20)}
	}
	var fsys fs.FS = zr
	if _, err := fs.Stat(zr, countiesFile); err != nil {
		entries, _ := fs.ReadDir(zr, ".")
		var dirs []string
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(e.Name(), "__MACOSX") {
				dirs = append(dirs, e.Name())
			}
		}
		if len(dirs) == 1 {
			if sub, err := fs.Sub(zr, dirs[0]); err == nil {
				fsys = sub
			}
		}
	}
	return Load(fsys)
}
