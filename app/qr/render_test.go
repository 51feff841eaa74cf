package qr

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/skip2/go-qrcode"

	"github.com/yimayou/yimayou/app/domain"
)

const testURL = "https://yimayou.example.cn/q/ABC234"

// reference is the module grid go-qrcode itself produces. The tests cannot
// decode a QR code without vendoring a decoder, so they check instead that
// the drawing reproduces this grid exactly; go-qrcode's own tests decode it.
func reference(t testing.TB, content string, l Level) [][]bool {
	t.Helper()
	q, err := qrcode.New(content, l.recovery())
	if err != nil {
		t.Fatalf("qrcode.New: %v", err)
	}
	q.DisableBorder = true
	return q.Bitmap()
}

func params(f func(*Params)) Params {
	p := DefaultParams()
	if f != nil {
		f(&p)
	}
	return p
}

func TestPNG(t *testing.T) {
	tests := []struct {
		name    string
		content string
		p       Params
	}{
		{"defaults", testURL, params(nil)},
		{"smallest size, no margin", "ABC234", params(func(p *Params) { p.Size, p.Margin = 64, 0 })},
		{"size not a multiple of modules", testURL, params(func(p *Params) { p.Size = 1000 })},
		{"wide margin", testURL, params(func(p *Params) { p.Size, p.Margin = 300, 16 })},
		{"level L", testURL, params(func(p *Params) { p.Level = LevelL })},
		{"level Q", testURL, params(func(p *Params) { p.Level = LevelQ })},
		{"level H", testURL, params(func(p *Params) { p.Level = LevelH })},
		{"colours", testURL, params(func(p *Params) { p.FG, p.BG = rgb(0x8b, 0, 0), rgb(0xff, 0xf8, 0xe7) })},
		{"inverted", testURL, params(func(p *Params) { p.FG, p.BG, p.AllowInverted = p.BG, p.FG, true })},
		{"non-ASCII content", "https://yimayou.example.cn/s/513301/海螺沟?lang=bo", params(nil)},
		{"largest size", testURL, params(func(p *Params) { p.Size = MaxSize })},
		{"largest version", strings.Repeat("a", 2331), params(func(p *Params) { p.Size = 400 })},
	}
	r := NewRenderer(DefaultCacheBytes)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := r.PNG(tt.content, tt.p)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, tt.p.Size, tt.p.Size) {
				t.Fatalf("bounds = %v, want %dx%d", got, tt.p.Size, tt.p.Size)
			}
			checkPNG(t, img, reference(t, tt.content, tt.p.Level), tt.p)
		})
	}
}

// checkPNG reads the geometry back from the pixels rather than recomputing
// it the way the renderer does.
func checkPNG(t *testing.T, img image.Image, want [][]bool, p Params) {
	t.Helper()
	n := len(want)
	isFG := func(x, y int) bool {
		switch c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); c {
		case p.FG:
			return true
		case p.BG:
			return false
		default:
			t.Fatalf("pixel (%d, %d) = %v, neither fg %v nor bg %v", x, y, c, p.FG, p.BG)
			return false
		}
	}
	// The finder patterns put dark modules in three corners, so the dark
	// pixels' bounding box is exactly the symbol.
	minX, minY, maxX, maxY := p.Size, p.Size, -1, -1
	for y := range p.Size {
		for x := range p.Size {
			if isFG(x, y) {
				minX, minY = min(minX, x), min(minY, y)
				maxX, maxY = max(maxX, x), max(maxY, y)
			}
		}
	}
	width, height := maxX-minX+1, maxY-minY+1
	if width != height || width%n != 0 {
		t.Fatalf("symbol is %dx%d pixels, want a square multiple of %d modules", width, height, n)
	}
	scale := width / n
	total := n + 2*p.Margin
	if want := p.Size / total; scale != want {
		t.Fatalf("%d pixels per module, want %d (largest whole number within %d pixels for %d modules)", scale, want, p.Size, total)
	}
	// The quiet zone is the margin plus half the leftover pixels on each
	// side, the odd one going right or below.
	extra := p.Size - total*scale
	left, right := minX, p.Size-1-maxX
	top, bottom := minY, p.Size-1-maxY
	wantQuiet := p.Margin*scale + extra/2
	if left != wantQuiet || top != wantQuiet || right != p.Size-width-wantQuiet || bottom != right {
		t.Errorf("quiet zone left/top/right/bottom = %d/%d/%d/%d pixels, want %d/%d/%d/%d",
			left, top, right, bottom, wantQuiet, wantQuiet, p.Size-width-wantQuiet, p.Size-width-wantQuiet)
	}
	for my := range n {
		for mx := range n {
			x, y := minX+mx*scale+scale/2, minY+my*scale+scale/2
			if got := isFG(x, y); got != want[my][mx] {
				t.Fatalf("module (%d, %d) at pixel (%d, %d) dark = %v, want %v", mx, my, x, y, got, want[my][mx])
			}
		}
	}
}

var svgSegment = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

func TestSVG(t *testing.T) {
	tests := []struct {
		name    string
		content string
		p       Params
	}{
		{"defaults", testURL, params(nil)},
		{"no margin", "ABC234", params(func(p *Params) { p.Size, p.Margin = 64, 0 })},
		{"wide margin level H", testURL, params(func(p *Params) { p.Margin, p.Level = 16, LevelH })},
		{"colours", testURL, params(func(p *Params) { p.FG, p.BG = rgb(0x1a, 0x2b, 0x3c), rgb(0xff, 0xff, 0xf0) })},
		// Vector output scales, so a small size is no reason to refuse.
		{"largest version at smallest size", strings.Repeat("a", 2953), params(func(p *Params) { p.Size, p.Level = 64, LevelL })},
		{"markup in content", `<a href="x">&amp;</a>`, params(nil)},
	}
	r := NewRenderer(DefaultCacheBytes)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := r.SVG(tt.content, tt.p)
			if err != nil {
				t.Fatalf("SVG: %v", err)
			}
			want := reference(t, tt.content, tt.p.Level)
			checkSVG(t, b, want, tt.p)
		})
	}
}

type svgElement struct {
	name  string
	attrs map[string]string
}

func parseSVG(t *testing.T, b []byte) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var els []svgElement
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 && len(els) > 0 {
				t.Fatalf("more than one root element")
			}
			depth++
			el := svgElement{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				el.attrs[a.Name.Local] = a.Value
			}
			if tok.Name.Space != "http://www.w3.org/2000/svg" {
				t.Errorf("<%s> in namespace %q", tok.Name.Local, tok.Name.Space)
			}
			els = append(els, el)
		case xml.EndElement:
			depth--
		case xml.CharData:
			if len(bytes.TrimSpace(tok)) > 0 {
				t.Errorf("unexpected text %q", tok)
			}
		}
	}
	return els
}

func checkSVG(t *testing.T, b []byte, want [][]bool, p Params) {
	t.Helper()
	els := parseSVG(t, b)
	if len(els) != 3 || els[0].name != "svg" || els[1].name != "rect" || els[2].name != "path" {
		t.Fatalf("elements = %v, want svg, rect, path", els)
	}
	svg, rect, path := els[0].attrs, els[1].attrs, els[2].attrs
	n := len(want)
	total := strconv.Itoa(n + 2*p.Margin)
	size := strconv.Itoa(p.Size)
	for attr, want := range map[string]string{
		"viewBox": "0 0 " + total + " " + total, "width": size, "height": size, "shape-rendering": "crispEdges",
	} {
		if svg[attr] != want {
			t.Errorf("svg %s = %q, want %q", attr, svg[attr], want)
		}
	}
	hex := func(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	if rect["width"] != total || rect["height"] != total || rect["fill"] != hex(p.BG) || rect["x"]+rect["y"] != "" {
		t.Errorf("background rect = %v, want the whole viewBox in %s", rect, hex(p.BG))
	}
	if path["fill"] != hex(p.FG) {
		t.Errorf("path fill = %q, want %s", path["fill"], hex(p.FG))
	}

	d := path["d"]
	if rest := svgSegment.ReplaceAllString(d, ""); rest != "" {
		t.Fatalf("path data has unexpected commands: %q", rest)
	}
	got := make([][]bool, n)
	for i := range got {
		got[i] = make([]bool, n)
	}
	lastRow, lastEnd := -1, -1
	for _, m := range svgSegment.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		if m[3] != m[4] {
			t.Fatalf("segment %q does not close its rectangle", m[0])
		}
		x, y = x-p.Margin, y-p.Margin
		if x < 0 || y < 0 || y >= n || x+w > n || w < 1 {
			t.Fatalf("segment %q lies outside the symbol", m[0])
		}
		if y == lastRow && x <= lastEnd {
			t.Fatalf("segment %q touches or overlaps the previous one: runs not merged", m[0])
		}
		lastRow, lastEnd = y, x+w
		for i := x; i < x+w; i++ {
			got[y][i] = true
		}
	}
	for y := range n {
		for x := range n {
			if got[y][x] != want[y][x] {
				t.Fatalf("module (%d, %d) dark = %v, want %v", x, y, got[y][x], want[y][x])
			}
		}
	}
}

// Byte-mode capacities of a version 40 symbol (ISO/IEC 18004 table 7).
var byteCapacity = map[Level]int{LevelL: 2953, LevelM: 2331, LevelQ: 1663, LevelH: 1273}

func TestContentLimits(t *testing.T) {
	type test struct {
		name    string
		content string
		p       Params
		field   string
		key     string // "" when the content must render
	}
	var tests []test
	for l, n := range byteCapacity {
		p := params(func(p *Params) { p.Level = l })
		tests = append(tests,
			test{"level " + l.String() + " full", strings.Repeat("a", n), p, "", ""},
			test{"level " + l.String() + " one byte over", strings.Repeat("a", n+1), p, "content", "error.qr_too_long"},
		)
	}
	lowL := params(func(p *Params) { p.Level = LevelL })
	tests = append(tests,
		test{"most digits", strings.Repeat("7", maxContentBytes), lowL, "", ""},
		test{"one digit over", strings.Repeat("7", maxContentBytes+1), lowL, "content", "error.qr_too_long"},
		test{"megabytes", strings.Repeat("x", 8<<20), lowL, "content", "error.qr_too_long"},
		test{"empty", "", params(nil), "content", "error.required"},
		test{"invalid params first", "", Params{}, "size", "error.qr_size"},
		// Version 40 needs 177+8 modules; 64 pixels cannot give each one.
		test{"too small for content", strings.Repeat("a", 2000), params(func(p *Params) { p.Size, p.Level = 64, LevelL }), "size", "error.qr_size"},
	)
	r := NewRenderer(DefaultCacheBytes)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for format, render := range map[string]func(string, Params) ([]byte, error){"png": r.PNG, "svg": r.SVG} {
				if format == "svg" && tt.name == "too small for content" {
					continue
				}
				b, err := render(tt.content, tt.p)
				if tt.key == "" {
					if err != nil || len(b) == 0 {
						t.Errorf("%s: %d bytes, error %v", format, len(b), err)
					}
					continue
				}
				if b != nil {
					t.Errorf("%s: %d bytes returned with the error", format, len(b))
				}
				assertValidation(t, err, tt.field, tt.key)
			}
		})
	}
}

// The smallest usable size goes along as Args, so the editor can say
// which size would work.
func TestTooSmallArgs(t *testing.T) {
	_, err := NewRenderer(0).PNG(strings.Repeat("a", 2953), params(func(p *Params) { p.Size, p.Level = 100, LevelL }))
	assertValidation(t, err, "size", "error.qr_size")
	var ve *domain.ValidationError
	errors.As(err, &ve)
	// 177 modules of version 40 plus the default margin on both sides.
	if want := []any{177 + 2*DefaultMargin, MaxSize}; fmt.Sprint(ve.Args) != fmt.Sprint(want) {
		t.Errorf("Args = %v, want %v", ve.Args, want)
	}
}
