package web

import (
	"image/color"
	"regexp"
	"testing"

	"github.com/yimayou/yimayou/app/qr"
	"github.com/yimayou/yimayou/public"
)

// The text colours of the tourist pages meet WCAG 2.1 AA (4.5:1) on the
// backgrounds they are used on. Colours are read from the stylesheet, so a
// change there is checked here.
func TestStylesheetContrastAA(t *testing.T) {
	css, err := public.FS.ReadFile("css/site.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b`).FindAllStringSubmatch(string(css), -1) {
		v := m[2]
		if len(v) == 4 { // #fff → #ffffff
			v = "#" + string([]byte{v[1], v[1], v[2], v[2], v[3], v[3]})
		}
		vars[m[1]] = v
	}
	hex := func(s string) color.RGBA {
		if v, ok := vars[s]; ok {
			s = v
		}
		if len(s) != 7 || s[0] != '#' {
			t.Fatalf("colour %q not found in site.css", s)
		}
		var c [3]uint8
		for i := range c {
			var v uint8
			for _, ch := range s[1+2*i : 3+2*i] {
				v <<= 4
				switch {
				case ch >= '0' && ch <= '9':
					v |= uint8(ch - '0')
				case ch >= 'a' && ch <= 'f':
					v |= uint8(ch-'a') + 10
				case ch >= 'A' && ch <= 'F':
					v |= uint8(ch-'A') + 10
				}
			}
			c[i] = v
		}
		return color.RGBA{c[0], c[1], c[2], 255}
	}
	pairs := []struct{ fg, bg, where string }{
		{"ink", "bg", "body text"},
		{"muted", "bg", "secondary text"},
		{"muted", "card", "secondary text on cards"},
		{"brand", "bg", "links"},
		{"brand", "card", "links on cards"},
		{"#ffffff", "brand", "header text"},
		{"warn", "warn-bg", "altitude and safety notes"},
		{"danger", "danger-bg", "strong warnings"},
		{"#0b3f49", "#e7f1f3", "information banners"},
		{"#1b5e20", "card", "open badge"},
	}
	for _, p := range pairs {
		if r := qr.ContrastRatio(hex(p.fg), hex(p.bg)); r < 4.5 {
			t.Errorf("%s: %s on %s has contrast %.2f, want ≥ 4.5", p.where, p.fg, p.bg, r)
		}
	}
}
