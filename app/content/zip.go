package content

import (
	"archive/zip"
	"io"
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
	for _, t := range p.Tickets {
		if keys[t.Site] {
			out.Tickets = append(out.Tickets, t)
		}
	}
	return out
}
