package qr

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	xdraw "golang.org/x/image/draw"
)

// testLogo is an emblem as a bureau would upload it: a dark disc with a
// light mark, as PNG.
func testLogo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0x0b, 0x5d, 0x6b, 0xff}
			if (x/8+y/8)%2 == 0 {
				c = color.RGBA{0xf2, 0xa9, 0x00, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decode reads a QR code with ZXing's Go port, an implementation
// independent of the encoder.
func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "error: " + err.Error()
	}
	return res.GetText()
}

var (
	svgRunRe   = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`)
	svgViewRe  = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgImageRe = regexp.MustCompile(`<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" href="data:image/png;base64,([^"]+)"/>`)
)

// rasterSVG draws an SVG of ours (dark runs on white, an embedded PNG) at
// px pixels a module, for the decoder.
func rasterSVG(t *testing.T, svg []byte, px int) image.Image {
	t.Helper()
	m := svgViewRe.FindSubmatch(svg)
	n, _ := strconv.Atoi(string(m[1]))
	img := image.NewRGBA(image.Rect(0, 0, n*px, n*px))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for _, r := range svgRunRe.FindAllSubmatch(svg, -1) {
		x, _ := strconv.Atoi(string(r[1]))
		y, _ := strconv.Atoi(string(r[2]))
		w, _ := strconv.Atoi(string(r[3]))
		draw.Draw(img, image.Rect(x*px, y*px, (x+w)*px, (y+1)*px), image.Black, image.Point{}, draw.Src)
	}
	if im := svgImageRe.FindSubmatch(svg); im != nil {
		f := func(i int) int { v, _ := strconv.ParseFloat(string(im[i]), 64); return int(v * float64(px)) }
		raw, _ := base64.StdEncoding.DecodeString(string(im[5]))
		logo, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		xdraw.CatmullRom.Scale(img, image.Rect(f(1), f(2), f(1)+f(3), f(2)+f(4)), logo, logo.Bounds(), xdraw.Over, nil)
	} else {
		t.Fatal("no logo in the SVG")
	}
	return img
}

// A code with the bureau's logo decodes at every size offered, for short
// and long addresses, as PNG, as SVG, on sheets and in the county ZIP; the
// logo covers at most a fifth of the width and the code is level H.
func TestLogoCodesDecode(t *testing.T) {
	logo, err := PrepareLogo(testLogo(t, 300, 200))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRenderer(0)
	urls := []string{"https://ymy.example/q/HGK2EN", "https://yimayou.ganzi.gov.cn/q/HGK2ENABCDEFGHJK2345"}
	for _, u := range urls {
		for _, size := range []int{256, 512, 1024, 1200, 2048, 4096} {
			p := DefaultParams()
			p.Size, p.Level = size, LevelL // forced up to H
			b, err := r.PNGWithLogo(u, p, logo)
			if err != nil {
				t.Fatalf("%d: %v", size, err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := decode(t, img); got != u {
				t.Errorf("PNG %d px of %s decodes as %q", size, u, got)
			}
		}
		p := DefaultParams()
		svg, err := r.SVGWithLogo(u, p, logo)
		if err != nil {
			t.Fatal(err)
		}
		if got := decode(t, rasterSVG(t, svg, 8)); got != u {
			t.Errorf("SVG of %s decodes as %q", u, got)
		}
		modules, _ := encode(u, LevelH)
		start, size := logoBox(len(modules))
		if float64(size) > LogoShare*float64(len(modules)) || start*2+size != len(modules) {
			t.Errorf("logo box %d+%d on %d modules", start, size, len(modules))
		}
	}
	// Sheets and the batch ZIP carry the logo too.
	sh := Sheet{Signs: []SheetSign{{Code: "HGK2EN", URL: urls[0]}}, Logo: logo}
	html, err := r.SheetHTML(sh)
	if err != nil {
		t.Fatal(err)
	}
	svg := html[bytes.Index(html, []byte("<svg")) : bytes.Index(html, []byte("</svg>"))+6]
	if got := decode(t, rasterSVG(t, svg, 6)); got != urls[0] {
		t.Errorf("sheet code decodes as %q", got)
	}
	var zipBuf bytes.Buffer
	if err := r.WriteBatchZIP(t.Context(), &zipBuf, sh, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(zipBuf.Bytes(), []byte("HGK2EN.png")) {
		t.Error("no PNG in the batch")
	}
}

func TestPrepareLogoRefuses(t *testing.T) {
	for name, data := range map[string][]byte{
		"text":      []byte("not an image at all"),
		"too small": testLogo(t, 8, 8),
		"too big":   append(testLogo(t, 64, 64), make([]byte, MaxLogoBytes)...),
		"too wide":  testLogo(t, 1500, 40),
	} {
		if _, err := PrepareLogo(data); err == nil || !strings.Contains(err.Error(), "qrlogo.error") && !strings.Contains(err.Error(), "file") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
