package qr

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // decoder registration
	"image/png"
	"net/http"
	"strconv"

	xdraw "golang.org/x/image/draw"

	"github.com/yimayou/yimayou/app/domain"
)

// A bureau's emblem in the centre of its codes. A logo hides the modules
// under it, so a code with a logo is always drawn at level H, which
// restores about 30 % of the symbol; the logo and its white pad cover at
// most LogoShare of the code's width — 4 % of its area — so a worn or
// stickered sign still has most of the margin left.

// Limits of an uploaded logo.
const (
	MaxLogoBytes = 256 << 10
	MaxLogoSide  = 1024
	MinLogoSide  = 32
	// LogoShare is the most of the code's width (quiet zone excluded)
	// that the logo and its pad may take.
	LogoShare = 0.2
)

// Logo is a checked bureau emblem, ready to draw.
type Logo struct {
	img image.Image
	// PNG is the logo re-encoded, without whatever metadata the upload
	// carried: what is stored and put into SVGs.
	PNG []byte
}

func logoError(key string, args ...any) error {
	return &domain.ValidationError{Field: "logo", Key: key, Args: args}
}

// PrepareLogo checks an uploaded logo by its content (PNG or JPEG), its
// size in bytes and its pixel dimensions, and re-encodes it as PNG.
func PrepareLogo(data []byte) (*Logo, error) {
	if len(data) == 0 {
		return nil, logoError("console.error.file_missing")
	}
	if len(data) > MaxLogoBytes {
		return nil, logoError("qrlogo.error.too_big", MaxLogoBytes>>10)
	}
	switch http.DetectContentType(data) {
	case "image/png", "image/jpeg":
	default:
		return nil, logoError("qrlogo.error.type")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, logoError("qrlogo.error.type")
	}
	if cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide || cfg.Width < MinLogoSide || cfg.Height < MinLogoSide {
		return nil, logoError("qrlogo.error.pixels", MinLogoSide, MaxLogoSide)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, logoError("qrlogo.error.type")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: logo: %w", err)
	}
	return &Logo{img: img, PNG: buf.Bytes()}, nil
}

// LoadLogo reads a logo PrepareLogo made earlier (its PNG).
func LoadLogo(pngData []byte) (*Logo, error) {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return nil, fmt.Errorf("qr: logo: %w", err)
	}
	return &Logo{img: img, PNG: pngData}, nil
}

// logoBox is the square of modules, centred on an n-module code, that is
// cleared for the logo: at most LogoShare of n, and centred exactly.
func logoBox(n int) (start, size int) {
	size = int(float64(n) * LogoShare)
	if (n-size)%2 != 0 {
		size--
	}
	return (n - size) / 2, size
}

// withLogo validates p for a logo and returns the module grid with the
// logo's box cleared.
func withLogo(content string, p Params) ([][]bool, Params, int, int, error) {
	p.Level = LevelH
	if err := p.Validate(); err != nil {
		return nil, p, 0, 0, err
	}
	if content == "" {
		return nil, p, 0, 0, &domain.ValidationError{Field: "content", Key: "error.required"}
	}
	if len(content) > maxContentBytes {
		return nil, p, 0, 0, tooLongError()
	}
	modules, err := encode(content, p.Level)
	if err != nil {
		return nil, p, 0, 0, err
	}
	start, size := logoBox(len(modules))
	for y := start; y < start+size; y++ {
		for x := start; x < start+size; x++ {
			modules[y][x] = false
		}
	}
	return modules, p, start, size, nil
}

// PNGWithLogo draws content like PNG, at level H whatever p says, with the
// logo in the centre on a white pad one module wide.
func (r *Renderer) PNGWithLogo(content string, p Params, logo *Logo) ([]byte, error) {
	modules, p, start, size, err := withLogo(content, p)
	if err != nil {
		return nil, err
	}
	total := len(modules) + 2*p.Margin
	scale := p.Size / total
	if scale < 1 {
		return nil, &domain.ValidationError{Field: "size", Key: "error.qr_size", Args: []any{total, MaxSize}}
	}
	origin := (p.Size-scale*total)/2 + p.Margin*scale
	moduleAt := make([]int, p.Size)
	for i := range moduleAt {
		moduleAt[i] = -1
		if i >= origin && i < origin+len(modules)*scale {
			moduleAt[i] = (i - origin) / scale
		}
	}
	code := &moduleImage{modules: modules, moduleAt: moduleAt, palette: color.Palette{p.BG, p.FG}}
	img := image.NewRGBA(code.Bounds())
	draw.Draw(img, img.Bounds(), code, image.Point{}, draw.Src)
	// The pad is the code's own background; the logo sits inside it, one
	// module in from each side, its aspect ratio kept.
	inner := image.Rect(origin+(start+1)*scale, origin+(start+1)*scale,
		origin+(start+size-1)*scale, origin+(start+size-1)*scale)
	if inner.Dx() > 0 {
		xdraw.CatmullRom.Scale(img, fit(inner, logo.img.Bounds()), logo.img, logo.img.Bounds(), xdraw.Over, nil)
	}
	var buf bytes.Buffer
	if err := r.png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: png: %w", err)
	}
	return buf.Bytes(), nil
}

// SVGWithLogo draws content like SVG, at level H, with the logo embedded
// as a PNG data URL, so the file stands alone at a print shop.
func (r *Renderer) SVGWithLogo(content string, p Params, logo *Logo) ([]byte, error) {
	modules, p, start, size, err := withLogo(content, p)
	if err != nil {
		return nil, err
	}
	svg := drawSVG(modules, p)
	svg = svg[:len(svg)-len("</svg>")]
	b := logo.img.Bounds()
	box := float64(size - 2)
	w, h := box, box
	if b.Dx() > b.Dy() {
		h = box * float64(b.Dy()) / float64(b.Dx())
	} else {
		w = box * float64(b.Dx()) / float64(b.Dy())
	}
	x := float64(start+p.Margin+1) + (box-w)/2
	y := float64(start+p.Margin+1) + (box-h)/2
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	svg = append(svg, `<image x="`+f(x)+`" y="`+f(y)+`" width="`+f(w)+`" height="`+f(h)+
		`" href="data:image/png;base64,`+base64.StdEncoding.EncodeToString(logo.PNG)+`"/></svg>`...)
	return svg, nil
}

// fit is the largest rectangle of src's aspect ratio centred in box.
func fit(box, src image.Rectangle) image.Rectangle {
	w, h := box.Dx(), box.Dy()
	if src.Dx()*h > src.Dy()*w {
		h = w * src.Dy() / src.Dx()
	} else {
		w = h * src.Dx() / src.Dy()
	}
	x := box.Min.X + (box.Dx()-w)/2
	y := box.Min.Y + (box.Dy()-h)/2
	return image.Rect(x, y, x+w, y+h)
}

// sheetSVG and sheetPNG draw a sheet's or a batch's code, with the logo
// when there is one.
func (r *Renderer) sheetSVG(content string, p Params, logo *Logo) ([]byte, error) {
	if logo != nil {
		return r.SVGWithLogo(content, p, logo)
	}
	return r.SVG(content, p)
}

func (r *Renderer) sheetPNG(content string, p Params, logo *Logo) ([]byte, error) {
	if logo != nil {
		return r.PNGWithLogo(content, p, logo)
	}
	return r.PNG(content, p)
}
