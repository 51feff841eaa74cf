package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"sync"

	"github.com/skip2/go-qrcode"

	"github.com/yimayou/yimayou/app/domain"
)

// DefaultCacheBytes is a sensible bound for NewRenderer: thousands of
// sign-sized PNGs.
const DefaultCacheBytes = 32 << 20

// maxContentBytes is the most any QR code holds (7,089 digits, version 40,
// level L). Longer content is refused before go-qrcode spends time trying
// every version on it.
const maxContentBytes = 7089

// Renderer draws QR codes and remembers the most recent results, since one
// printed code is fetched again and again (sign sheets, the editor preview,
// every re-print). It is safe for concurrent use.
type Renderer struct {
	cache *cache
	// The zlib state behind png.Encoder is large; reusing it keeps a burst
	// of cold renders from churning the heap.
	png png.Encoder
}

// NewRenderer returns a Renderer whose cache holds at most maxCacheBytes
// (DefaultCacheBytes is a good choice); zero or less disables the cache.
func NewRenderer(maxCacheBytes int) *Renderer {
	return &Renderer{
		cache: newCache(maxCacheBytes),
		png: png.Encoder{
			CompressionLevel: png.DefaultCompression,
			BufferPool:       &pngBufferPool{},
		},
	}
}

// PNG draws content as a Size×Size two-colour PNG. Modules get the largest
// whole number of pixels that fits, so edges stay sharp for the scanner; the
// code is centred and the leftover pixels widen the quiet zone. Content that
// the level cannot hold, or a Size too small to give every module a pixel,
// is a *domain.ValidationError. The caller owns the returned bytes.
func (r *Renderer) PNG(content string, p Params) ([]byte, error) {
	return r.render(content, formatPNG, p)
}

// SVG draws content as an SVG whose user units are modules, with width and
// height of Size. The caller owns the returned bytes.
func (r *Renderer) SVG(content string, p Params) ([]byte, error) {
	return r.render(content, formatSVG, p)
}

func (r *Renderer) render(content string, f format, p Params) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if content == "" {
		return nil, &domain.ValidationError{Field: "content", Key: "error.required"}
	}
	if len(content) > maxContentBytes {
		return nil, tooLongError()
	}
	key := cacheKey{content: content, format: f, params: p}
	// Copies out of the cache keep one careless caller from corrupting
	// every later response; a PNG is a few kilobytes.
	if b, ok := r.cache.get(key); ok {
		return slices.Clone(b), nil
	}
	modules, err := encode(content, p.Level)
	if err != nil {
		return nil, err
	}
	var b []byte
	switch f {
	case formatPNG:
		b, err = r.drawPNG(modules, p)
	case formatSVG:
		b = drawSVG(modules, p)
	}
	if err != nil {
		return nil, err
	}
	r.cache.add(key, b)
	return slices.Clone(b), nil
}

// encode returns the module grid without a quiet zone: go-qrcode's own is
// fixed at four modules, and the margin is ours to choose.
func encode(content string, l Level) ([][]bool, error) {
	q, err := qrcode.New(content, l.recovery())
	if err != nil {
		// With empty content ruled out, go-qrcode fails only when no
		// version can hold the content at this level.
		return nil, tooLongError()
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

func tooLongError() error {
	return &domain.ValidationError{Field: "content", Key: "error.qr_too_long"}
}

func (r *Renderer) drawPNG(modules [][]bool, p Params) ([]byte, error) {
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
	img := &moduleImage{
		modules:  modules,
		moduleAt: moduleAt,
		palette:  color.Palette{p.BG, p.FG},
	}
	var buf bytes.Buffer
	if err := r.png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: png: %w", err)
	}
	return buf.Bytes(), nil
}

// moduleImage computes each pixel from the module grid. image/png asks a
// two-colour image for every pixel through ColorIndexAt even when it is an
// *image.Paletted, so materialising Size² bytes first (16 MiB at MaxSize)
// would cost memory and buy nothing.
type moduleImage struct {
	modules [][]bool
	// moduleAt maps a pixel coordinate, on either axis, to a module
	// coordinate, or to -1 in the quiet zone; it spares two divisions a
	// pixel.
	moduleAt []int
	palette  color.Palette
}

func (m *moduleImage) ColorModel() color.Model { return m.palette }

func (m *moduleImage) Bounds() image.Rectangle {
	return image.Rect(0, 0, len(m.moduleAt), len(m.moduleAt))
}

func (m *moduleImage) At(x, y int) color.Color { return m.palette[m.ColorIndexAt(x, y)] }

// ColorIndexAt is 1 (FG) for a set module, 0 (BG) elsewhere.
func (m *moduleImage) ColorIndexAt(x, y int) uint8 {
	if x < 0 || y < 0 || x >= len(m.moduleAt) || y >= len(m.moduleAt) {
		return 0
	}
	mx, my := m.moduleAt[x], m.moduleAt[y]
	if mx < 0 || my < 0 || !m.modules[my][mx] {
		return 0
	}
	return 1
}

type pngBufferPool struct{ pool sync.Pool }

func (p *pngBufferPool) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b // nil makes image/png allocate a fresh one
}

func (p *pngBufferPool) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

// drawSVG emits the dark modules as one path, one subpath per horizontal
// run, over a background rectangle. crispEdges stops renderers from
// anti-aliasing the seams between runs into grey hairlines.
func drawSVG(modules [][]bool, p Params) []byte {
	total := len(modules) + 2*p.Margin
	n := strconv.Itoa(total)
	size := strconv.Itoa(p.Size)
	b := make([]byte, 0, 256+len(modules)*len(modules))
	b = append(b, `<svg xmlns="http://www.w3.org/2000/svg" width="`+size+`" height="`+size+
		`" viewBox="0 0 `+n+` `+n+`" shape-rendering="crispEdges">`...)
	b = append(b, `<rect width="`+n+`" height="`+n+`" fill="`...)
	b = appendHex(b, p.BG)
	b = append(b, `"/><path fill="`...)
	b = appendHex(b, p.FG)
	b = append(b, `" d="`...)
	for y, row := range modules {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(start+p.Margin), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y+p.Margin), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(x-start), 10)
			b = append(b, 'z')
		}
	}
	b = append(b, `"/></svg>`...)
	return b
}

func appendHex(b []byte, c color.RGBA) []byte {
	const digits = "0123456789abcdef"
	return append(b, '#',
		digits[c.R>>4], digits[c.R&0xf],
		digits[c.G>>4], digits[c.G&0xf],
		digits[c.B>>4], digits[c.B&0xf])
}
