package qr

import (
	"errors"
	"image/color"
	"math"
	"strconv"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
)

func query(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xff} }

func TestParseParamsAccepts(t *testing.T) {
	def := DefaultParams()
	with := func(f func(*Params)) Params {
		p := def
		f(&p)
		return p
	}
	tests := []struct {
		name string
		q    map[string]string
		want Params
	}{
		{"defaults", nil, Params{Size: 512, Margin: 4, Level: LevelM, FG: rgb(0, 0, 0), BG: rgb(255, 255, 255)}},
		{"empty values are defaults", map[string]string{"size": "", "margin": "", "level": "", "fg": "", "bg": ""}, def},
		{"smallest size", map[string]string{"size": "64"}, with(func(p *Params) { p.Size = 64 })},
		{"largest size", map[string]string{"size": "4096"}, with(func(p *Params) { p.Size = 4096 })},
		{"no margin", map[string]string{"margin": "0"}, with(func(p *Params) { p.Margin = 0 })},
		{"largest margin", map[string]string{"margin": "16"}, with(func(p *Params) { p.Margin = 16 })},
		{"level l", map[string]string{"level": "l"}, with(func(p *Params) { p.Level = LevelL })},
		{"level M", map[string]string{"level": "M"}, with(func(p *Params) { p.Level = LevelM })},
		{"level q", map[string]string{"level": "q"}, with(func(p *Params) { p.Level = LevelQ })},
		{"level H", map[string]string{"level": "H"}, with(func(p *Params) { p.Level = LevelH })},
		{"colours mixed case", map[string]string{"fg": "1A2b3C", "bg": "FfFfF0"},
			with(func(p *Params) { p.FG, p.BG = rgb(0x1a, 0x2b, 0x3c), rgb(0xff, 0xff, 0xf0) })},
		// #767676 on white is the palest grey that passes WCAG AA (4.54:1).
		{"contrast just enough", map[string]string{"fg": "767676"}, with(func(p *Params) { p.FG = rgb(0x76, 0x76, 0x76) })},
		// Many phone scanners fail on an inverted code: only when forced.
		{"light on dark, forced", map[string]string{"fg": "ffffff", "bg": "000000", "force": "1"},
			with(func(p *Params) { p.FG, p.BG, p.AllowInverted = p.BG, p.FG, true })},
		{"colours with #", map[string]string{"fg": "#000080", "bg": "#FFFFFF"}, with(func(p *Params) { p.FG = rgb(0, 0, 0x80) })},
		{"dark red on cream", map[string]string{"fg": "8b0000", "bg": "fff8e7"}, with(func(p *Params) { p.FG, p.BG = rgb(0x8b, 0, 0), rgb(0xff, 0xf8, 0xe7) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseParams(query(tt.q))
			if err != nil {
				t.Fatalf("ParseParams: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate of parsed params: %v", err)
			}
		})
	}
}

func TestParseParamsRejects(t *testing.T) {
	tests := []struct {
		name  string
		q     map[string]string
		field string
		key   string
	}{
		{"size not a number", map[string]string{"size": "abc"}, "size", "error.qr_size"},
		{"size negative", map[string]string{"size": "-1"}, "size", "error.qr_size"},
		{"size zero", map[string]string{"size": "0"}, "size", "error.qr_size"},
		{"size below minimum", map[string]string{"size": "63"}, "size", "error.qr_size"},
		{"size above maximum", map[string]string{"size": "4097"}, "size", "error.qr_size"},
		{"size overflows int", map[string]string{"size": "99999999999999999999"}, "size", "error.qr_size"},
		{"size beyond int64", map[string]string{"size": "-99999999999999999999999999999"}, "size", "error.qr_size"},
		{"size fractional", map[string]string{"size": "512.5"}, "size", "error.qr_size"},
		{"size with unit", map[string]string{"size": "512px"}, "size", "error.qr_size"},
		{"size with space", map[string]string{"size": " 512"}, "size", "error.qr_size"},
		{"size hex", map[string]string{"size": "0x200"}, "size", "error.qr_size"},
		{"margin not a number", map[string]string{"margin": "four"}, "margin", "error.qr_margin"},
		{"margin negative", map[string]string{"margin": "-1"}, "margin", "error.qr_margin"},
		{"margin too wide", map[string]string{"margin": "17"}, "margin", "error.qr_margin"},
		{"margin overflows int", map[string]string{"margin": "99999999999999999999"}, "margin", "error.qr_margin"},
		{"level unknown", map[string]string{"level": "x"}, "level", "error.qr_level"},
		{"level spelled out", map[string]string{"level": "medium"}, "level", "error.qr_level"},
		{"level two letters", map[string]string{"level": "ml"}, "level", "error.qr_level"},
		{"fg two hashes", map[string]string{"fg": "##000000"}, "fg", "error.qr_color"},
		{"fg four digits", map[string]string{"fg": "#0000"}, "fg", "error.qr_color"},
		{"fg hash alone", map[string]string{"fg": "#"}, "fg", "error.qr_color"},
		{"light on dark", map[string]string{"fg": "ffffff", "bg": "000000"}, "fg", "qrlogo.error.inverted"},
		{"fg too long", map[string]string{"fg": "0000000"}, "fg", "error.qr_color"},
		{"fg with alpha", map[string]string{"fg": "000000ff"}, "fg", "error.qr_color"},
		{"fg not hex", map[string]string{"fg": "00000g"}, "fg", "error.qr_color"},
		{"fg colour name", map[string]string{"fg": "black"}, "fg", "error.qr_color"},
		{"bg not hex", map[string]string{"bg": "zzzzzz"}, "bg", "error.qr_color"},
		{"bg multibyte", map[string]string{"bg": "ffffé"}, "bg", "error.qr_color"},
		{"same colours", map[string]string{"fg": "336699", "bg": "336699"}, "fg", "error.qr_contrast"},
		// #777777 on white is 4.48:1, just under WCAG AA.
		{"contrast just too low", map[string]string{"fg": "777777"}, "fg", "error.qr_contrast"},
		{"pale on white", map[string]string{"fg": "cccccc"}, "fg", "error.qr_contrast"},
		{"dark on dark", map[string]string{"fg": "000000", "bg": "333333"}, "fg", "error.qr_contrast"},
		{"first bad field wins", map[string]string{"size": "abc", "margin": "abc", "fg": "x"}, "size", "error.qr_size"},
		{"range error before later parse error", map[string]string{"size": "1", "margin": "x"}, "size", "error.qr_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseParams(query(tt.q))
			assertValidation(t, err, tt.field, tt.key)
			if p != (Params{}) {
				t.Errorf("params on error = %+v, want zero", p)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	def := DefaultParams()
	tests := []struct {
		name  string
		p     func(*Params)
		field string
		key   string
	}{
		{"defaults", func(*Params) {}, "", ""},
		{"zero params", func(p *Params) { *p = Params{} }, "size", "error.qr_size"},
		{"zero level", func(p *Params) { p.Level = 0 }, "level", "error.qr_level"},
		{"level past H", func(p *Params) { p.Level = LevelH + 1 }, "level", "error.qr_level"},
		{"translucent fg", func(p *Params) { p.FG.A = 0x80 }, "fg", "error.qr_color"},
		{"transparent bg", func(p *Params) { p.BG = color.RGBA{} }, "bg", "error.qr_color"},
		{"low contrast", func(p *Params) { p.FG = rgb(200, 200, 200) }, "fg", "error.qr_contrast"},
		{"huge size", func(p *Params) { p.Size = math.MaxInt }, "size", "error.qr_size"},
		{"negative margin", func(p *Params) { p.Margin = math.MinInt }, "margin", "error.qr_margin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := def
			tt.p(&p)
			err := p.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			assertValidation(t, err, tt.field, tt.key)
		})
	}
}

func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b color.RGBA
		want float64
	}{
		{rgb(0, 0, 0), rgb(255, 255, 255), 21},
		{rgb(255, 255, 255), rgb(0, 0, 0), 21},
		{rgb(12, 34, 56), rgb(12, 34, 56), 1},
		{rgb(0x76, 0x76, 0x76), rgb(255, 255, 255), 4.54},
		{rgb(0x77, 0x77, 0x77), rgb(255, 255, 255), 4.48},
		{rgb(255, 0, 0), rgb(255, 255, 255), 4.00},
	}
	for _, tt := range tests {
		if got := ContrastRatio(tt.a, tt.b); math.Abs(got-tt.want) > 0.005 {
			t.Errorf("ContrastRatio(%v, %v) = %.3f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{LevelL: "L", LevelM: "M", LevelQ: "Q", LevelH: "H", 0: "Level(0)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", l, got, want)
		}
	}
}

func assertValidation(t *testing.T, err error, field, key string) {
	t.Helper()
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *domain.ValidationError", err)
	}
	if ve.Field != field || ve.Key != key {
		t.Errorf("error = {Field: %q, Key: %q}, want {Field: %q, Key: %q}", ve.Field, ve.Key, field, key)
	}
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("errors.Is(err, domain.ErrInvalid) = false")
	}
}

// Finding 8 of the abuse report: distinct size and colour spellings each
// cost a render and a cache entry. Colours are normalised and sizes
// rounded up to a fixed list, so the spellings below are one entry each.
func TestParamsNormalised(t *testing.T) {
	parse := func(q map[string]string) Params {
		t.Helper()
		p, err := ParseParams(func(k string) string { return q[k] })
		if err != nil {
			t.Fatalf("%v: %v", q, err)
		}
		return p
	}
	black := parse(map[string]string{"fg": "000000"})
	for _, fg := range []string{"#000000", "#000", "000", "000000"} {
		if got := parse(map[string]string{"fg": fg}); got != black {
			t.Errorf("fg=%q: %+v, want the same params as 000000", fg, got)
		}
	}
	if got := parse(map[string]string{"fg": "#1a2B3c"}).FG; got != (color.RGBA{0x1a, 0x2b, 0x3c, 0xff}) {
		t.Errorf("mixed case with hash: %v", got)
	}
	if got := parse(map[string]string{"fg": "#a3c"}).FG; got != (color.RGBA{0xaa, 0x33, 0xcc, 0xff}) {
		t.Errorf("short form: %v", got)
	}
	sizes := map[int]bool{}
	for n := MinSize; n <= MaxSize; n++ {
		p := parse(map[string]string{"size": strconv.Itoa(n)})
		if p.Size < n {
			t.Fatalf("size %d served at %d: smaller than asked", n, p.Size)
		}
		sizes[p.Size] = true
	}
	if len(sizes) != len(Sizes) {
		t.Errorf("%d distinct sizes from every size in range, want the %d offered", len(sizes), len(Sizes))
	}
	for _, c := range [][2]int{{64, 64}, {65, 128}, {300, 512}, {512, 512}, {4000, 4096}} {
		if got := parse(map[string]string{"size": strconv.Itoa(c[0])}).Size; got != c[1] {
			t.Errorf("size %d → %d, want %d", c[0], got, c[1])
		}
	}
}
