package qr

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"time"
)

// BatchParams are the images put in a batch ZIP: a PNG large enough for
// a print shop's A4 sign at 300 dpi (~10 cm), level H like the sheets.
func BatchParams() Params {
	p := DefaultParams()
	p.Size = 1200
	p.Level = LevelH
	return p
}

// WriteBatchZIP writes every sign of sh as <code>.png and <code>.svg, and
// the whole sheet as sheet-a4.html and sheet-a5.html, into one ZIP.
// progress, if set, is called after each sign with done and total.
func (r *Renderer) WriteBatchZIP(ctx context.Context, w io.Writer, sh Sheet, progress func(done, total int)) error {
	zw := zip.NewWriter(w)
	// A fixed time keeps the archive the same for the same signs.
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(name string, data []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	p := BatchParams()
	total := len(sh.Signs)
	for i, s := range sh.Signs {
		if err := ctx.Err(); err != nil {
			return err
		}
		png, err := r.sheetPNG(s.URL, p, sh.Logo)
		if err != nil {
			return fmt.Errorf("qr: %s: %w", s.Code, err)
		}
		svg, err := r.sheetSVG(s.URL, p, sh.Logo)
		if err != nil {
			return fmt.Errorf("qr: %s: %w", s.Code, err)
		}
		if err := add(s.Code+".png", png); err != nil {
			return err
		}
		if err := add(s.Code+".svg", svg); err != nil {
			return err
		}
		if progress != nil {
			progress(i+1, total)
		}
	}
	sh.Screen, sh.ScreenLinks = "", nil
	for _, paper := range []Paper{A4, A5} {
		sh.Paper = paper
		html, err := r.SheetHTML(sh)
		if err != nil {
			return err
		}
		if err := add("sheet-"+map[Paper]string{A4: "a4", A5: "a5"}[paper]+".html", html); err != nil {
			return err
		}
	}
	return zw.Close()
}
