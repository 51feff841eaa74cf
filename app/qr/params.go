// Package qr draws the QR codes printed on signs, as PNG and SVG. It is the
// only importer of github.com/skip2/go-qrcode.
package qr

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"

	"github.com/yimayou/yimayou/app/domain"
)

// Level is the error correction level. Higher levels survive more damage
// (weather, stickers, scratches on an outdoor sign) at the cost of a denser
// code for the same content.
type Level uint8

// The zero Level is deliberately invalid, so a Params built by hand without
// a level is rejected rather than silently rendered at L.
const (
	LevelL Level = iota + 1 // ~7 % of the code may be lost
	LevelM                  // ~15 %
	LevelQ                  // ~25 %
	LevelH                  // ~30 %
)

func (l Level) String() string {
	switch l {
	case LevelL:
		return "L"
	case LevelM:
		return "M"
	case LevelQ:
		return "Q"
	case LevelH:
		return "H"
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

func (l Level) valid() bool { return l >= LevelL && l <= LevelH }

func (l Level) recovery() qrcode.RecoveryLevel {
	switch l {
	case LevelL:
		return qrcode.Low
	case LevelQ:
		return qrcode.High
	case LevelH:
		return qrcode.Highest
	}
	return qrcode.Medium
}

// Limits of the query parameters. Sizes below MinSize cannot hold a URL at
// a scannable module size; sizes above MaxSize only cost server memory (a
// print shop gets the SVG).
const (
	DefaultSize   = 512
	MinSize       = 64
	MaxSize       = 4096
	DefaultMargin = 4 // the quiet zone ISO/IEC 18004 asks for
	MaxMargin     = 16
	// MinContrast is WCAG's AA ratio for normal text; phone scanners
	// binarise the image and fail on pale codes well before humans do.
	MinContrast = 4.5
)

// Sizes are the sizes offered: a requested size is rounded up to the next
// of them, so that the sizes anyone can ask for (and the cache entries and
// renders they cost) are a handful, while any size asked before still gets
// an image at least as large.
var Sizes = []int{64, 128, 256, 512, 768, 1024, 1536, 2048, 3072, MaxSize}

// offeredSize rounds n (within MinSize..MaxSize) up to an offered size.
func offeredSize(n int) int {
	for _, s := range Sizes {
		if n <= s {
			return s
		}
	}
	return MaxSize
}

// Params says how to draw a code. Start from DefaultParams when building
// one by hand; the renderer validates it either way.
type Params struct {
	// Size is the width and height in pixels.
	Size int
	// Margin is the quiet zone around the code, in modules.
	Margin int
	Level  Level
	// FG and BG must be opaque.
	FG, BG color.RGBA
	// AllowInverted accepts a light code on a dark ground, which many
	// phone scanners fail to read (see invert.go).
	AllowInverted bool
}

// DefaultParams returns the parameters used for absent query values.
func DefaultParams() Params {
	return Params{
		Size:   DefaultSize,
		Margin: DefaultMargin,
		Level:  LevelM,
		FG:     color.RGBA{0, 0, 0, 0xff},
		BG:     color.RGBA{0xff, 0xff, 0xff, 0xff},
	}
}

// ParseParams reads the query parameters size, margin, level, fg and bg
// through get (which returns "" for an absent key); absent ones take their
// defaults. It reports the first bad value, in that order, as a
// *domain.ValidationError.
func ParseParams(get func(key string) string) (Params, error) {
	p := DefaultParams()
	if s := get("size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return Params{}, sizeError()
		}
		p.Size = n
	}
	if err := p.validateSize(); err != nil {
		return Params{}, err
	}
	p.Size = offeredSize(p.Size)
	if s := get("margin"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return Params{}, marginError()
		}
		p.Margin = n
	}
	if err := p.validateMargin(); err != nil {
		return Params{}, err
	}
	if s := get("level"); s != "" {
		l, ok := parseLevel(s)
		if !ok {
			return Params{}, levelError()
		}
		p.Level = l
	}
	for _, c := range []struct {
		key string
		dst *color.RGBA
	}{{"fg", &p.FG}, {"bg", &p.BG}} {
		if s := get(c.key); s != "" {
			rgba, ok := parseHexColor(s)
			if !ok {
				return Params{}, &domain.ValidationError{Field: c.key, Key: "error.qr_color"}
			}
			*c.dst = rgba
		}
	}
	p.AllowInverted = get("force") == "1"
	if err := p.validateColors(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// Validate checks p the way ParseParams does, for parameters that did not
// come from a query string.
func (p Params) Validate() error {
	if err := p.validateSize(); err != nil {
		return err
	}
	if err := p.validateMargin(); err != nil {
		return err
	}
	if !p.Level.valid() {
		return levelError()
	}
	return p.validateColors()
}

func (p Params) validateSize() error {
	if p.Size < MinSize || p.Size > MaxSize {
		return sizeError()
	}
	return nil
}

func (p Params) validateMargin() error {
	if p.Margin < 0 || p.Margin > MaxMargin {
		return marginError()
	}
	return nil
}

func (p Params) validateColors() error {
	// Translucent colours would make the contrast depend on whatever the
	// image is printed or shown on.
	if p.FG.A != 0xff {
		return &domain.ValidationError{Field: "fg", Key: "error.qr_color"}
	}
	if p.BG.A != 0xff {
		return &domain.ValidationError{Field: "bg", Key: "error.qr_color"}
	}
	if ContrastRatio(p.FG, p.BG) < MinContrast {
		return &domain.ValidationError{Field: "fg", Key: "error.qr_contrast"}
	}
	return p.checkInverted()
}

// The range goes along as Args so the message can say what is allowed.
func sizeError() error {
	return &domain.ValidationError{Field: "size", Key: "error.qr_size", Args: []any{MinSize, MaxSize}}
}

func marginError() error {
	return &domain.ValidationError{Field: "margin", Key: "error.qr_margin", Args: []any{0, MaxMargin}}
}

func levelError() error {
	return &domain.ValidationError{Field: "level", Key: "error.qr_level"}
}

func parseLevel(s string) (Level, bool) {
	switch strings.ToLower(s) {
	case "l":
		return LevelL, true
	case "m":
		return LevelM, true
	case "q":
		return LevelQ, true
	case "h":
		return LevelH, true
	}
	return 0, false
}

// parseHexColor accepts a CSS hex colour of six or three digits, in either
// case, with or without a leading '#' (escaped as %23 in a query string):
// "000000", "#000000" and "#000" are one colour, so one cache entry.
func parseHexColor(s string) (color.RGBA, bool) {
	s = strings.TrimPrefix(s, "#")
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return color.RGBA{}, false
	}
	var rgb [3]uint8
	for i := range rgb {
		hi, ok1 := hexDigit(s[2*i])
		lo, ok2 := hexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return color.RGBA{}, false
		}
		rgb[i] = hi<<4 | lo
	}
	return color.RGBA{rgb[0], rgb[1], rgb[2], 0xff}, true
}

func hexDigit(c byte) (uint8, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// ContrastRatio is the WCAG 2 contrast ratio of two opaque colours, from 1
// (same luminance) to 21 (black on white); the order of a and b does not
// matter.
func ContrastRatio(a, b color.RGBA) float64 {
	la, lb := relativeLuminance(a), relativeLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func relativeLuminance(c color.RGBA) float64 {
	return 0.2126*linear(c.R) + 0.7152*linear(c.G) + 0.0722*linear(c.B)
}

// linear undoes the sRGB transfer curve.
func linear(v uint8) float64 {
	c := float64(v) / 255
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}
